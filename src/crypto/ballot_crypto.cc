#include "crypto/ballot_crypto.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace landslide {

namespace {
void DeriveKey(const std::array<uint8_t, 32>& root, std::string_view context,
               std::array<uint8_t, 32>* out) {
  crypto_generichash(out->data(), out->size(), reinterpret_cast<const uint8_t*>(context.data()),
                     context.size(), root.data(), root.size());
}
}  // namespace

VoterHasher::VoterHasher(const std::array<uint8_t, 32>& registry_key) : key_(registry_key) {
  DeriveKey(registry_key, "landslide idempotency key v1", &idem_key_);
  DeriveKey(registry_key, "landslide receipt v1", &receipt_key_);
}

VoterHash VoterHasher::Hash(std::string_view voter_id) const {
  VoterHash h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const uint8_t*>(voter_id.data()),
                     voter_id.size(), key_.data(), key_.size());
  return h;
}

IdempotencyHash VoterHasher::HashIdempotencyKey(std::string_view key) const {
  IdempotencyHash h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const uint8_t*>(key.data()), key.size(),
                     idem_key_.data(), idem_key_.size());
  return h;
}

Receipt VoterHasher::ReceiptFor(const VoterHash& voter, std::string_view idempotency_key) const {
  crypto_generichash_state st;
  crypto_generichash_init(&st, receipt_key_.data(), receipt_key_.size(), 16);
  crypto_generichash_update(&st, voter.data(), voter.size());
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(idempotency_key.data()),
                            idempotency_key.size());
  Receipt r;
  crypto_generichash_final(&st, r.data(), r.size());
  return r;
}

Receipt RandomReceipt() {
  Receipt r;
  randombytes_buf(r.data(), r.size());
  return r;
}

BatchRandom::~BatchRandom() { sodium_memzero(buf_.data(), buf_.size()); }

void BatchRandom::Refill() {
  std::array<uint8_t, randombytes_SEEDBYTES> seed;
  randombytes_buf(seed.data(), seed.size());
  randombytes_buf_deterministic(buf_.data(), buf_.size(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  used_ = 0;
}

void BatchRandom::Fill(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    if (used_ == buf_.size()) Refill();
    size_t n = std::min(out.size() - done, buf_.size() - used_);
    std::memcpy(out.data() + done, buf_.data() + used_, n);
    // Bytes handed out are not kept: a later read of this object reveals nothing drawn.
    sodium_memzero(buf_.data() + used_, n);
    used_ += n;
    done += n;
  }
}

BatchRandom::result_type BatchRandom::operator()() {
  result_type v;
  Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
  return v;
}

Receipt RandomReceipt(BatchRandom& random) {
  Receipt r;
  random.Fill(r);
  return r;
}

BatchSealer::BatchSealer(const PublicKey& election_public) {
  std::array<uint8_t, 32> ephemeral_secret;
  crypto_box_keypair(ephemeral_public_.data(), ephemeral_secret.data());
  // The result is nonzero only for a low-order public key, which CreateKeys never makes.
  if (crypto_box_beforenm(shared_key_.data(), election_public.data(), ephemeral_secret.data()) !=
      0) {
    shared_key_.fill(0);
  }
  sodium_memzero(ephemeral_secret.data(), ephemeral_secret.size());
}

BatchSealer::~BatchSealer() { sodium_memzero(shared_key_.data(), shared_key_.size()); }

SealedBallot BatchSealer::Seal(std::string_view choice) const {
  Nonce nonce;
  randombytes_buf(nonce.data(), nonce.size());
  return SealWith(choice, nonce);
}

SealedBallot BatchSealer::Seal(std::string_view choice, BatchRandom& random) const {
  Nonce nonce;
  random.Fill(nonce);
  return SealWith(choice, nonce);
}

SealedBallot BatchSealer::SealWith(std::string_view choice, const Nonce& nonce) const {
  std::array<uint8_t, kSealedPlaintextSize> plain{};
  std::memcpy(plain.data(), choice.data(), std::min(choice.size(), plain.size()));
  SealedBallot s;
  s.nonce = nonce;
  crypto_box_easy_afternm(s.ciphertext.data(), plain.data(), plain.size(), s.nonce.data(),
                          shared_key_.data());
  return s;
}

BallotOpener::BallotOpener(const std::array<uint8_t, 32>& election_secret)
    : secret_(election_secret) {}

BallotOpener::~BallotOpener() {
  sodium_memzero(secret_.data(), secret_.size());
  sodium_memzero(shared_key_.data(), shared_key_.size());
}

void BallotOpener::UseBatch(const PublicKey& ephemeral_public) {
  if (have_batch_ && ephemeral_public == current_) return;
  have_batch_ =
      crypto_box_beforenm(shared_key_.data(), ephemeral_public.data(), secret_.data()) == 0;
  current_ = ephemeral_public;
}

std::optional<std::string> BallotOpener::Open(const Nonce& nonce,
                                              std::span<const uint8_t> ciphertext) const {
  if (!have_batch_ || ciphertext.size() != kSealedSize) return std::nullopt;
  std::array<uint8_t, kSealedPlaintextSize> plain;
  if (crypto_box_open_easy_afternm(plain.data(), ciphertext.data(), ciphertext.size(), nonce.data(),
                                   shared_key_.data()) != 0) {
    return std::nullopt;
  }
  size_t len = 0;
  while (len < plain.size() && plain[len] != 0) ++len;
  return std::string(reinterpret_cast<const char*>(plain.data()), len);
}

ChainHash ChainNext(const ChainHash& previous, std::string_view shard, int64_t seq,
                    const PublicKey& ephemeral_public, std::span<const ChainedBallot> ballots) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  auto put = [&](const void* p, size_t n) {
    crypto_generichash_update(&st, static_cast<const uint8_t*>(p), n);
  };
  auto put_u64 = [&](uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
    put(b, 8);
  };
  static constexpr std::string_view kTag = "landslide-chain-v1";
  put(kTag.data(), kTag.size());
  put(previous.data(), previous.size());
  put_u64(shard.size());
  put(shard.data(), shard.size());
  put_u64(static_cast<uint64_t>(seq));
  put(ephemeral_public.data(), ephemeral_public.size());
  put_u64(ballots.size());
  for (const auto& b : ballots) {
    put_u64(b.jurisdiction.size());
    put(b.jurisdiction.data(), b.jurisdiction.size());
    put(b.receipt->data(), b.receipt->size());
    put(b.nonce->data(), b.nonce->size());
    put_u64(b.ciphertext.size());
    put(b.ciphertext.data(), b.ciphertext.size());
  }
  ChainHash out;
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::array<uint8_t, 64> SignDetached(std::span<const uint8_t> message,
                                     const std::array<uint8_t, 64>& signing_secret) {
  std::array<uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), signing_secret.data());
  return sig;
}

bool VerifyDetached(std::span<const uint8_t> message, std::span<const uint8_t> signature,
                    const std::array<uint8_t, 32>& signing_public) {
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     signing_public.data()) == 0;
}

}  // namespace landslide
