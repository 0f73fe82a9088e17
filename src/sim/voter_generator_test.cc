#include "sim/voter_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "domain/results_2016.h"
#include "domain/voter_id.h"

namespace landslide::sim {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == s.npos ? s.npos : p - start));
    if (p == s.npos) break;
    start = p + 1;
  }
  return out;
}

std::string Generate(int64_t count, uint64_t seed) {
  auto r = GenerateVotersToString({count, seed});
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::string();
}

// Rows without the header, each split into fields.
std::vector<std::vector<std::string_view>> Rows(std::string_view csv) {
  std::vector<std::vector<std::string_view>> rows;
  auto lines = Split(csv, '\n');
  EXPECT_EQ(lines.front(), kRegistryCsvHeader);
  EXPECT_EQ(lines.back(), "");  // every line ends with a newline
  for (size_t i = 1; i + 1 < lines.size(); ++i) rows.push_back(Split(lines[i], ','));
  return rows;
}

TEST(VoterGenerator, SameSeedGivesTheSameBytes) {
  EXPECT_EQ(Generate(5000, 42), Generate(5000, 42));
}

TEST(VoterGenerator, DifferentSeedsGiveDifferentFiles) {
  EXPECT_NE(Generate(1000, 1), Generate(1000, 2));
}

// Pins the output for one seed: the registry a seed names must not change between versions
// or standard libraries.
TEST(VoterGenerator, OutputIsPinnedForASeed) {
  const std::string csv = Generate(3, 2016);
  auto rows = Rows(csv);
  ASSERT_EQ(rows.size(), 3u);
  std::string first;
  for (size_t i = 0; i < rows[0].size(); ++i) {
    if (i) first += ',';
    first += rows[0][i];
  }
  EXPECT_EQ(first, "dEFNy-pHv4r-ijQET,Jonathan,Reyes,1680 Front Way,PA");
}

TEST(VoterGenerator, RowsAreWellFormedWithValidUniqueIds) {
  const std::string csv = Generate(20000, 7);
  EXPECT_EQ(csv.find('"'), std::string::npos);
  std::unordered_set<std::string> states;
  for (const auto& s : Results2016()) states.insert(s.code);
  std::unordered_set<std::string_view> ids;
  auto rows = Rows(csv);
  ASSERT_EQ(rows.size(), 20000u);
  for (const auto& f : rows) {
    ASSERT_EQ(f.size(), 5u);
    EXPECT_TRUE(IsValidVoterId(f[0])) << f[0];
    EXPECT_TRUE(ids.insert(f[0]).second) << "duplicate id " << f[0];
    for (int i = 1; i <= 3; ++i) EXPECT_FALSE(f[i].empty());
    EXPECT_TRUE(states.count(std::string(f[4]))) << f[4];
  }
}

TEST(VoterGenerator, ZeroVotersIsJustTheHeader) {
  EXPECT_EQ(Generate(0, 1), std::string(kRegistryCsvHeader) + "\n");
}

TEST(VoterGenerator, RejectsANegativeCount) {
  auto r = GenerateVotersToString({-1, 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(VoterGenerator, StatesFollow2016Turnout) {
  constexpr int64_t kCount = 200000;
  std::map<std::string, int64_t> counts;
  const std::string csv = Generate(kCount, 2016);
  for (const auto& f : Rows(csv)) ++counts[std::string(f[4])];
  int64_t turnout = 0;
  for (const auto& s : Results2016()) turnout += s.total;
  double chi2 = 0;
  for (const auto& s : Results2016()) {
    const double expected = static_cast<double>(kCount) * s.total / turnout;
    const double d = counts[s.code] - expected;
    chi2 += d * d / expected;
    // Big states within 5 standard deviations of a binomial draw.
    if (expected > 5000) {
      EXPECT_NEAR(counts[s.code], expected, 5 * std::sqrt(expected)) << s.code;
    }
  }
  // 50 degrees of freedom: mean 50, sd 10; 100 has a p-value below 1e-4.
  EXPECT_LT(chi2, 100.0);
  EXPECT_EQ(counts.size(), Results2016().size());
}

TEST(VoterGenerator, FileOutputMatchesStringOutput) {
  std::FILE* f = std::tmpfile();  // NOLINT(cppcoreguidelines-owning-memory): closed below
  ASSERT_NE(f, nullptr);
  std::vector<int64_t> progress;
  ASSERT_TRUE(GenerateVoters({70000, 9}, f, [&](int64_t n) { progress.push_back(n); }).ok());
  std::rewind(f);
  std::string got;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) got.append(buf, n);
  std::fclose(f);  // NOLINT(cppcoreguidelines-owning-memory): the tmpfile above
  EXPECT_EQ(got, Generate(70000, 9));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 70000);
}

}  // namespace
}  // namespace landslide::sim
