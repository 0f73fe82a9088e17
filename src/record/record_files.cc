#include "record/record_files.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/hex.h"
#include "common/strict_json.h"
#include "crypto/trustee_files.h"

namespace landslide::record {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

Status WriteJson(const fs::path& path, const ordered_json& j) {
  return verifiable::WriteNewFile(path, j.dump(1) + "\n", 0644);
}

Result<json> ReadJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return ParseStrictJson(text.str(), path.string());
}

// 64 lowercase hex characters only, as docs/RECORD.md says, so one value has one spelling.
Result<Bytes32> Hex32(const json& v, const std::string& where) {
  Bytes32 out{};
  if (!v.is_string() || v.get<std::string>().size() != 64 ||
      !FromHexInto(v.get<std::string>(), out) || ToHex(out) != v.get<std::string>()) {
    return Status::InvalidArgument(where + " is not 64 lowercase hex characters");
  }
  return out;
}

const char* KindName(BallotKind k) { return k == BallotKind::kCast ? "cast" : "spoiled"; }

}  // namespace

RecordWriter::RecordWriter(fs::path dir) : dir_(std::move(dir)) {}

Result<std::unique_ptr<RecordWriter>> RecordWriter::Create(const fs::path& dir,
                                                           std::string_view manifest_bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  LANDSLIDE_RETURN_IF_ERROR(verifiable::WriteNewFile(dir / "manifest.json", manifest_bytes, 0644));
  auto w = std::make_unique<RecordWriter>(dir);
  w->cast_.open(dir / "ballots.jsonl", std::ios::trunc);
  w->spoiled_.open(dir / "spoiled.jsonl", std::ios::trunc);
  if (!w->cast_ || !w->spoiled_) return Status::Unavailable("cannot write in " + dir.string());
  return w;
}

Status RecordWriter::WriteCredentials(const Credentials& credentials) {
  ordered_json j = ordered_json::object();
  for (const auto& [code, list] : credentials) {
    auto& out = j[code] = ordered_json::array();
    for (const auto& c : list) out.push_back(ToHex(c));
  }
  return WriteJson(dir_ / "credentials.json", j);
}

Status RecordWriter::AddBallot(const BoardBallot& b) {
  ordered_json j;
  j["tracking"] = ToHex(b.tracking);
  j["ballot"] = ToHex(b.encoding);
  if (b.kind == BallotKind::kSpoiled) j["opening"] = ToHex(b.opening);
  j["shard"] = b.shard;
  j["seq"] = b.seq;
  auto& out = b.kind == BallotKind::kCast ? cast_ : spoiled_;
  out << j.dump() << '\n';
  if (!out) return Status::Unavailable("cannot write ballots in " + dir_.string());
  return Status::Ok();
}

Status RecordWriter::WriteChains(const std::vector<Batch>& batches) {
  ordered_json j = ordered_json::object();
  for (const auto& b : batches) {
    ordered_json batch;
    batch["seq"] = b.seq;
    batch["count"] = b.items.size();
    batch["head"] = ToHex(b.head);
    batch["items"] = ordered_json::array();
    for (const auto& item : b.items) {
      batch["items"].push_back({{"kind", KindName(item.kind)}, {"tracking", ToHex(item.tracking)}});
    }
    if (!j.contains(b.shard)) j[b.shard] = ordered_json::array();
    j[b.shard].push_back(std::move(batch));
  }
  return WriteJson(dir_ / "chains.json", j);
}

Status RecordWriter::WriteAggregates(const Aggregates& aggregates) {
  ordered_json j = ordered_json::object();
  for (const auto& [code, list] : aggregates) {
    auto& out = j[code] = ordered_json::array();
    for (const auto& ct : list)
      out.push_back({{"alpha", ToHex(ct.alpha)}, {"beta", ToHex(ct.beta)}});
  }
  return WriteJson(dir_ / "aggregates.json", j);
}

Status RecordWriter::Finish() {
  cast_.close();
  spoiled_.close();
  if (!cast_ || !spoiled_) return Status::Unavailable("cannot write ballots in " + dir_.string());
  return Status::Ok();
}

Result<std::string> ReadManifestBytes(const fs::path& dir) {
  std::ifstream in(dir / "manifest.json", std::ios::binary);
  if (!in) return Status::NotFound("no manifest.json in " + dir.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<Aggregates> ReadAggregates(const fs::path& dir) {
  auto j = ReadJson(dir / "aggregates.json");
  if (!j.ok()) return j.status();
  if (!j->is_object()) return Status::InvalidArgument("aggregates.json must be an object");
  Aggregates out;
  for (const auto& [code, list] : j->items()) {
    if (!list.is_array()) return Status::InvalidArgument("aggregates." + code + " is not a list");
    for (const auto& ct : list) {
      if (!ct.is_object() || ct.size() != 2 || !ct.contains("alpha") || !ct.contains("beta")) {
        return Status::InvalidArgument("aggregates." + code + " holds a malformed ciphertext");
      }
      auto a = Hex32(ct["alpha"], "aggregates." + code);
      auto b = Hex32(ct["beta"], "aggregates." + code);
      if (!a.ok()) return a.status();
      if (!b.ok()) return b.status();
      out[code].push_back({*a, *b});
    }
  }
  return out;
}

Status WritePartials(const fs::path& dir, uint32_t trustee, const Partials& partials) {
  std::error_code ec;
  fs::create_directories(dir / "partials", ec);
  ordered_json j;
  j["trustee"] = trustee;
  j["partials"] = ordered_json::object();
  for (const auto& [code, list] : partials) {
    auto& out = j["partials"][code] = ordered_json::array();
    for (const auto& p : list) {
      out.push_back({{"share", ToHex(p.share)},
                     {"proof",
                      {{"a", ToHex(p.proof.a)},
                       {"b", ToHex(p.proof.b)},
                       {"c", ToHex(p.proof.c)},
                       {"s", ToHex(p.proof.s)}}}});
    }
  }
  return WriteJson(dir / "partials" / ("trustee-" + std::to_string(trustee) + ".json"), j);
}

Result<std::map<uint32_t, Partials>> ReadAllPartials(const fs::path& dir) {
  std::map<uint32_t, Partials> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "partials", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("trustee-", 0) != 0 || entry.path().extension() != ".json") continue;
    auto j = ReadJson(entry.path());
    if (!j.ok()) return j.status();
    const std::string where = entry.path().string();
    if (!j->is_object() || !(*j)["trustee"].is_number_unsigned() || !(*j)["partials"].is_object()) {
      return Status::InvalidArgument(where + " is not a partial decryption file");
    }
    const auto trustee = (*j)["trustee"].get<uint32_t>();
    Partials& partials = out[trustee];
    for (const auto& [code, list] : (*j)["partials"].items()) {
      if (!list.is_array()) {
        std::string message = where + ": ";
        message += code + " is not a list";
        return Status::InvalidArgument(message);
      }
      for (const auto& p : list) {
        verifiable::PartialDecryption d;
        d.trustee = trustee;
        if (!p.is_object() || !p.contains("share") || !p.contains("proof") ||
            !p["proof"].is_object()) {
          return Status::InvalidArgument(where + ": a partial decryption is malformed");
        }
        const json& proof = p["proof"];
        auto share = Hex32(p["share"], where);
        if (!share.ok()) return share.status();
        d.share = *share;
        for (auto [field, name] : {std::pair{&d.proof.a, "a"}, std::pair{&d.proof.b, "b"},
                                   std::pair{&d.proof.c, "c"}, std::pair{&d.proof.s, "s"}}) {
          if (!proof.contains(name)) return Status::InvalidArgument(where + ": proof incomplete");
          auto v = Hex32(proof[name], where);
          if (!v.ok()) return v.status();
          *field = *v;
        }
        partials[code].push_back(d);
      }
    }
  }
  return out;
}

Status WriteResults(const fs::path& dir, const Results& r) {
  ordered_json j;
  j["trustees"] = r.trustees;
  j["counts"] = ordered_json::object();
  for (const auto& [code, counts] : r.counts) j["counts"][code] = counts;
  j["totals"] = ordered_json::object();
  for (const auto& [name, n] : r.totals) j["totals"][name] = n;
  std::error_code ec;
  fs::remove(dir / "results.json", ec);  // publishing again replaces the previous results
  return WriteJson(dir / "results.json", j);
}

}  // namespace landslide::record
