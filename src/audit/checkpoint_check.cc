#include "audit/checkpoint_check.h"

#include <map>
#include <nlohmann/json.hpp>

#include "common/hex.h"

namespace landslide::audit {

CheckpointResult CheckCheckpoint(const std::string& body, const Election& election,
                                 const TallySnapshot& recount,
                                 const std::array<uint8_t, 32>& signing_public) {
  CheckpointResult out;
  // The signed bytes are the "checkpoint" member exactly as served (see RenderCheckpoint).
  const std::string prefix = "{\"checkpoint\":";
  size_t end = body.rfind(",\"signature\":\"");
  if (body.rfind(prefix, 0) != 0 || end == std::string::npos) {
    out.detail = "the checkpoint is not in the expected form";
    return out;
  }
  std::string payload = body.substr(prefix.size(), end - prefix.size());
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("signature") || !doc["signature"].is_string()) {
    out.detail = "the checkpoint is not valid JSON";
    return out;
  }
  auto sig = FromHex(doc["signature"].get<std::string>());
  if (!sig || !VerifyDetached({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()},
                              *sig, signing_public)) {
    out.detail = "the checkpoint signature does not verify with the election's signing key";
    return out;
  }
  const auto& cp = doc["checkpoint"];
  out.total = cp.value("total_count", int64_t{-1});
  std::map<std::string, ShardHead> ours;
  for (const auto& h : recount.heads) ours[h.shard] = h;
  bool behind = false;
  for (const auto& c : cp["chains"]) {
    std::string shard = c.value("shard", "");
    int64_t seq = c.value("seq", int64_t{-1});
    std::string head = c.value("head", "");
    auto it = ours.find(shard);
    if (it == ours.end()) {
      if (seq == 0) continue;
      out.detail = "the checkpoint has shard " + shard + " that the database does not";
      return out;
    }
    if (seq > it->second.seq) {
      out.detail = "the checkpoint is ahead of the database on shard " + shard;
      return out;
    }
    if (seq < it->second.seq) {
      behind = true;  // a prefix: cannot compare its head with ours
      continue;
    }
    if (head != ToHex(it->second.head)) {
      out.detail = "shard " + shard + " has a different chain head at batch " + std::to_string(seq);
      return out;
    }
  }
  for (const auto& [shard, h] : ours) {
    bool present = false;
    for (const auto& c : cp["chains"]) present |= c.value("shard", "") == shard;
    if (!present && h.seq > 0) behind = true;
  }
  if (behind) {
    out.verdict = CheckpointVerdict::kBehind;
    out.detail = "the region has not counted every batch yet";
    return out;
  }
  for (size_t j = 0; j < election.jurisdictions().size(); ++j) {
    const auto& jur = election.jurisdictions()[j];
    for (CandidateIndex c : jur.ballot) {
      const std::string& name = election.candidates()[c];
      int64_t theirs = -1;
      if (cp["tallies"].contains(jur.code) && cp["tallies"][jur.code].contains(name)) {
        theirs = cp["tallies"][jur.code][name].get<int64_t>();
      }
      int64_t mine = recount.tally.Count(static_cast<JurisdictionIndex>(j), c);
      if (theirs != mine) {
        out.detail = "the checkpoint counts " + std::to_string(theirs) + " for " + name + " in " +
                     jur.code + "; the recount finds " + std::to_string(mine);
        return out;
      }
    }
  }
  out.verdict = CheckpointVerdict::kAgrees;
  return out;
}

}  // namespace landslide::audit
