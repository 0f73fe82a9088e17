#include "sim/voter_generator.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

#include "domain/results_2016.h"
#include "domain/voter_id.h"
#include "sim/seeded_random.h"

namespace landslide::sim {

namespace {

// Enough for all of 2016's turnout; the uniqueness table for this many ids is about 2 GiB.
constexpr int64_t kMaxVoterCount = 150'000'000;
constexpr size_t kFlushBytes = 1 << 20;
constexpr int64_t kProgressEvery = 65536;

// Mock data only: no field may hold a comma or a quote, so the CSV needs no quoting.
constexpr std::array<std::string_view, 100> kFirstNames = {
    "James",   "Mary",      "Robert",    "Patricia", "John",      "Jennifer", "Michael",
    "Linda",   "David",     "Elizabeth", "William",  "Barbara",   "Richard",  "Susan",
    "Joseph",  "Jessica",   "Thomas",    "Sarah",    "Charles",   "Karen",    "Christopher",
    "Lisa",    "Daniel",    "Nancy",     "Matthew",  "Betty",     "Anthony",  "Margaret",
    "Mark",    "Sandra",    "Donald",    "Ashley",   "Steven",    "Kimberly", "Paul",
    "Emily",   "Andrew",    "Donna",     "Joshua",   "Michelle",  "Kenneth",  "Carol",
    "Kevin",   "Amanda",    "Brian",     "Dorothy",  "George",    "Melissa",  "Timothy",
    "Deborah", "Ronald",    "Stephanie", "Edward",   "Rebecca",   "Jason",    "Sharon",
    "Jeffrey", "Laura",     "Ryan",      "Cynthia",  "Jacob",     "Kathleen", "Gary",
    "Amy",     "Nicholas",  "Angela",    "Eric",     "Shirley",   "Jonathan", "Anna",
    "Stephen", "Brenda",    "Larry",     "Pamela",   "Justin",    "Emma",     "Scott",
    "Nicole",  "Brandon",   "Helen",     "Benjamin", "Samantha",  "Samuel",   "Katherine",
    "Gregory", "Christine", "Alexander", "Debra",    "Frank",     "Rachel",   "Patrick",
    "Carolyn", "Raymond",   "Janet",     "Jack",     "Catherine", "Dennis",   "Maria",
    "Jerry",   "Heather"};

constexpr std::array<std::string_view, 100> kLastNames = {
    "Smith",    "Johnson",   "Williams",   "Brown",     "Jones",    "Garcia",   "Miller",
    "Davis",    "Rodriguez", "Martinez",   "Hernandez", "Lopez",    "Gonzalez", "Wilson",
    "Anderson", "Thomas",    "Taylor",     "Moore",     "Jackson",  "Martin",   "Lee",
    "Perez",    "Thompson",  "White",      "Harris",    "Sanchez",  "Clark",    "Ramirez",
    "Lewis",    "Robinson",  "Walker",     "Young",     "Allen",    "King",     "Wright",
    "Scott",    "Torres",    "Nguyen",     "Hill",      "Flores",   "Green",    "Adams",
    "Nelson",   "Baker",     "Hall",       "Rivera",    "Campbell", "Mitchell", "Carter",
    "Roberts",  "Gomez",     "Phillips",   "Evans",     "Turner",   "Diaz",     "Parker",
    "Cruz",     "Edwards",   "Collins",    "Reyes",     "Stewart",  "Morris",   "Morales",
    "Murphy",   "Cook",      "Rogers",     "Gutierrez", "Ortiz",    "Morgan",   "Cooper",
    "Peterson", "Bailey",    "Reed",       "Kelly",     "Howard",   "Ramos",    "Kim",
    "Cox",      "Ward",      "Richardson", "Watson",    "Brooks",   "Chavez",   "Wood",
    "James",    "Bennett",   "Gray",       "Mendoza",   "Ruiz",     "Hughes",   "Price",
    "Alvarez",  "Castillo",  "Sanders",    "Patel",     "Myers",    "Long",     "Ross",
    "Foster",   "Jimenez"};

constexpr std::array<std::string_view, 40> kStreets = {
    "Main",   "Oak",      "Pine",   "Maple",  "Cedar",    "Elm",      "Washington", "Lake",
    "Hill",   "Walnut",   "Park",   "Sunset", "Lincoln",  "Jackson",  "Church",     "River",
    "Willow", "Mill",     "Spring", "Ridge",  "Highland", "Madison",  "Franklin",   "Jefferson",
    "Adams",  "Chestnut", "Forest", "Meadow", "Valley",   "Prospect", "Center",     "Union",
    "Broad",  "Market",   "School", "Front",  "Liberty",  "Cherry",   "Hickory",    "Birch"};

constexpr std::array<std::string_view, 8> kStreetKinds = {"Street", "Avenue", "Road", "Lane",
                                                          "Drive",  "Court",  "Way",  "Place"};

// std::array value-initializes missing entries, so a short list would yield empty fields.
template <size_t N>
constexpr bool AllFilled(const std::array<std::string_view, N>& names) {
  for (auto n : names) {
    if (n.empty()) return false;
  }
  return true;
}
static_assert(AllFilled(kFirstNames) && AllFilled(kLastNames) && AllFilled(kStreets) &&
              AllFilled(kStreetKinds));

constexpr uint64_t Pow58(int k) { return k == 0 ? 1 : 58 * Pow58(k - 1); }
constexpr uint64_t k58To10 = Pow58(10);
constexpr uint64_t k58To5 = Pow58(5);

// The ids drawn so far, as 64-bit fingerprints in an open-addressing table. Equal fingerprints
// for different ids only cost a needless redraw; equal ids always have equal fingerprints.
class FingerprintSet {
 public:
  explicit FingerprintSet(int64_t expected) {
    size_t cap = 16;
    while (cap < static_cast<size_t>(expected) + static_cast<size_t>(expected) / 2) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
  }
  // False if already present.
  bool Insert(uint64_t fp) {
    if (fp == 0) fp = 1;  // 0 marks an empty slot
    size_t i = static_cast<size_t>(fp ^ (fp >> 29)) & mask_;
    while (slots_[i] != 0) {
      if (slots_[i] == fp) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = fp;
    return true;
  }

 private:
  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
};

void AppendUint(std::string& out, uint64_t v) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

// Writes rows into `sink` in chunks of about kFlushBytes; `sink` returns false on failure.
template <typename Sink>
Status Generate(const VoterGeneratorOptions& options, Sink&& sink, const ProgressFn& progress) {
  if (options.count < 0) return Status::InvalidArgument("the voter count cannot be negative");
  if (options.count > kMaxVoterCount) {
    return Status::InvalidArgument("the voter count is over the limit of " +
                                   std::to_string(kMaxVoterCount));
  }
  const auto& states = Results2016();
  std::vector<uint64_t> cumulative;  // cumulative[i] = turnout of states[0..i]
  cumulative.reserve(states.size());
  uint64_t total = 0;
  for (const auto& s : states) {
    total += static_cast<uint64_t>(s.total);
    cumulative.push_back(total);
  }

  std::mt19937_64 rng(options.seed);
  FingerprintSet seen(options.count);
  std::string buf;
  buf.reserve(kFlushBytes + 256);
  buf += kRegistryCsvHeader;
  buf.push_back('\n');

  for (int64_t row = 0; row < options.count; ++row) {
    // 15 base58 digits from two draws: 58^10 and 58^5 both fit in 64 bits.
    uint64_t hi, lo;
    do {
      hi = UniformBelow(rng, k58To10);
      lo = UniformBelow(rng, k58To5);
    } while (!seen.Insert(hi * 0x9E3779B97F4A7C15ULL ^ (lo + (lo << 32))));
    unsigned char digits[15];
    for (int i = 9; i >= 0; --i, hi /= 58) digits[i] = static_cast<unsigned char>(hi % 58);
    for (int i = 14; i >= 10; --i, lo /= 58) digits[i] = static_cast<unsigned char>(lo % 58);

    const uint64_t pick = UniformBelow(rng, total);
    const size_t state = static_cast<size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());

    buf += VoterIdFromDigits(digits);
    buf.push_back(',');
    buf += kFirstNames[UniformBelow(rng, kFirstNames.size())];
    buf.push_back(',');
    buf += kLastNames[UniformBelow(rng, kLastNames.size())];
    buf.push_back(',');
    AppendUint(buf, 1 + UniformBelow(rng, 9999));
    buf.push_back(' ');
    buf += kStreets[UniformBelow(rng, kStreets.size())];
    buf.push_back(' ');
    buf += kStreetKinds[UniformBelow(rng, kStreetKinds.size())];
    buf.push_back(',');
    buf += states[state].code;
    buf.push_back('\n');

    if (buf.size() >= kFlushBytes) {
      if (!sink(std::string_view(buf))) {
        return Status::Unavailable(std::string("cannot write the registry: ") +
                                   std::strerror(errno));
      }
      buf.clear();
    }
    if (progress && (row + 1) % kProgressEvery == 0) progress(row + 1);
  }
  if (!buf.empty() && !sink(std::string_view(buf))) {
    return Status::Unavailable(std::string("cannot write the registry: ") + std::strerror(errno));
  }
  if (progress) progress(options.count);
  return Status::Ok();
}

}  // namespace

Status GenerateVoters(const VoterGeneratorOptions& options, std::FILE* out,
                      const ProgressFn& progress) {
  Status s = Generate(
      options,
      [out](std::string_view chunk) {
        return std::fwrite(chunk.data(), 1, chunk.size(), out) == chunk.size();
      },
      progress);
  if (!s.ok()) return s;
  if (std::fflush(out) != 0) {
    return Status::Unavailable(std::string("cannot write the registry: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> GenerateVotersToString(const VoterGeneratorOptions& options) {
  std::string out;
  Status s = Generate(
      options,
      [&out](std::string_view chunk) {
        out += chunk;
        return true;
      },
      nullptr);
  if (!s.ok()) return s;
  return out;
}

}  // namespace landslide::sim
