// The cryptography of a ballot's life: hashing voter ids, sealing choices per batch, receipts,
// the per-shard hash chain and checkpoint signatures. All libsodium.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.h"
#include "domain/registry_index.h"

namespace landslide {

using Receipt = std::array<uint8_t, 16>;
using IdempotencyHash = std::array<uint8_t, 16>;
using ChainHash = std::array<uint8_t, 32>;
using PublicKey = std::array<uint8_t, 32>;
using Nonce = std::array<uint8_t, 24>;

// Sealed choices are padded to this many bytes so that their length says nothing.
inline constexpr size_t kSealedPlaintextSize = 64;
inline constexpr size_t kSealedSize = kSealedPlaintextSize + 16;  // + Poly1305 tag

// Keyed BLAKE2b-128 with the registry key: the only form in which a voter id is ever stored.
class VoterHasher {
 public:
  explicit VoterHasher(const std::array<uint8_t, 32>& registry_key);
  VoterHash Hash(std::string_view voter_id) const;
  // Idempotency keys are stored hashed (domain-separated from voter hashes).
  IdempotencyHash HashIdempotencyKey(std::string_view key) const;
  // A receipt a retry can recompute from the same (voter, key), and that nothing stored can
  // recompute without the client's key.
  Receipt ReceiptFor(const VoterHash& voter, std::string_view idempotency_key) const;

 private:
  std::array<uint8_t, 32> key_;
  std::array<uint8_t, 32> idem_key_;
  std::array<uint8_t, 32> receipt_key_;
};

Receipt RandomReceipt();

// Random bytes for one batch (nonces, random receipts, the shuffle): 32-byte seeds from the
// kernel expanded with ChaCha20 (libsodium's randombytes_buf_deterministic), 4 KiB at a time.
// randombytes_buf makes a getrandom(2) system call per call, which on the writer threads was
// one per nonce and one per shuffle draw. Also a UniformRandomBitGenerator, for std::shuffle.
class BatchRandom {
 public:
  using result_type = uint64_t;
  BatchRandom() = default;
  ~BatchRandom();
  BatchRandom(const BatchRandom&) = delete;
  BatchRandom& operator=(const BatchRandom&) = delete;

  void Fill(std::span<uint8_t> out);
  result_type operator()();
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

 private:
  void Refill();
  std::array<uint8_t, 4096> buf_{};
  size_t used_ = buf_.size();
};
Receipt RandomReceipt(BatchRandom& random);

struct SealedBallot {
  Nonce nonce;
  std::array<uint8_t, kSealedSize> ciphertext;
};

// One ephemeral X25519 key per batch: one public-key operation per batch, then one symmetric
// seal per ballot (crypto_box_easy_afternm).
class BatchSealer {
 public:
  explicit BatchSealer(const PublicKey& election_public);
  ~BatchSealer();
  BatchSealer(const BatchSealer&) = delete;
  BatchSealer& operator=(const BatchSealer&) = delete;

  const PublicKey& ephemeral_public() const { return ephemeral_public_; }
  // `choice` must be at most kSealedPlaintextSize bytes.
  SealedBallot Seal(std::string_view choice) const;
  // The same, with the nonce drawn from `random`.
  SealedBallot Seal(std::string_view choice, BatchRandom& random) const;

 private:
  SealedBallot SealWith(std::string_view choice, const Nonce& nonce) const;
  PublicKey ephemeral_public_;
  std::array<uint8_t, 32> shared_key_;  // crypto_box_beforenm(election pk, ephemeral sk)
};

// Opens sealed ballots with the election secret key (talliers, audit).
class BallotOpener {
 public:
  explicit BallotOpener(const std::array<uint8_t, 32>& election_secret);
  ~BallotOpener();
  BallotOpener(const BallotOpener&) = delete;
  BallotOpener& operator=(const BallotOpener&) = delete;

  // Switches to the batch sealed under `ephemeral_public` (cached while it stays the same).
  void UseBatch(const PublicKey& ephemeral_public);
  // The choice, or nullopt if the ciphertext does not authenticate.
  std::optional<std::string> Open(const Nonce& nonce, std::span<const uint8_t> ciphertext) const;

 private:
  std::array<uint8_t, 32> secret_;
  PublicKey current_{};
  std::array<uint8_t, 32> shared_key_{};
  bool have_batch_ = false;
};

// One stored ballot as the chain sees it.
struct ChainedBallot {
  std::string_view jurisdiction;
  const Receipt* receipt;
  const Nonce* nonce;
  std::span<const uint8_t> ciphertext;
};

// head(n) = BLAKE2b-256("landslide-chain-v1" || head(n-1) || shard || seq || ephemeral pk ||
//           count || each ballot in stored order). A shard's first batch has seq 1 and
//           head(0) = 32 zero bytes.
ChainHash ChainNext(const ChainHash& previous, std::string_view shard, int64_t seq,
                    const PublicKey& ephemeral_public, std::span<const ChainedBallot> ballots);

std::array<uint8_t, 64> SignDetached(std::span<const uint8_t> message,
                                     const std::array<uint8_t, 64>& signing_secret);
bool VerifyDetached(std::span<const uint8_t> message, std::span<const uint8_t> signature,
                    const std::array<uint8_t, 32>& signing_public);

}  // namespace landslide
