// Look-ups a region answers from its own standby (receipts, whether a voter has voted), plus
// the health probes of the primary and the standby. Asynchronous: the http layer must never
// block its threads on a database.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "crypto/ballot_crypto.h"
#include "domain/verifiable_ballot.h"

namespace landslide {

struct ReceiptInfo {
  std::string shard;
  int64_t batch = 0;
  ChainHash chain{};  // the chain head after that batch
};

// A verifiable ballot on the bulletin board.
struct BoardBallotInfo {
  BallotKind kind = BallotKind::kCast;
  TrackingCode tracking{};
  std::string jurisdiction;
  std::string shard;
  int64_t batch = 0;
  int32_t position = 0;
  ChainHash chain{};  // the chain head after that batch
  std::vector<uint8_t> body;
  std::vector<uint8_t> opening;  // spoiled ballots
};

class ReadModel {
 public:
  virtual ~ReadModel() = default;
  virtual void FindReceipt(const Receipt& receipt,
                           std::function<void(Result<std::optional<ReceiptInfo>>)> done) = 0;
  virtual void FindBoardBallot(
      const TrackingCode& tracking,
      std::function<void(Result<std::optional<BoardBallotInfo>>)> done) = 0;
  // Up to `limit` ballots of `kind` after `after` (from the start when empty), in stored order.
  virtual void ListBoard(BallotKind kind, const std::optional<BoardCursor>& after, int limit,
                         std::function<void(Result<std::vector<BoardBallotInfo>>)> done) = 0;
  // When the voter voted, if they did.
  virtual void FindVote(const VoterHash& voter,
                        std::function<void(Result<std::optional<TimePoint>>)> done) = 0;
};

struct ProbeStatus {
  bool ok = false;
  std::string error;
};

// What /health reports about the databases, refreshed in the background.
class RegionMonitor {
 public:
  virtual ~RegionMonitor() = default;
  virtual ProbeStatus Primary() const = 0;
  virtual ProbeStatus Replica() const = 0;
  // Blocks until the first pass ran (registry load attempted), at most `timeout`.
  virtual void WaitFirstPass(std::chrono::milliseconds timeout) = 0;
};

}  // namespace landslide
