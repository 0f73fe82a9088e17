#include "crypto/keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "common/hex.h"

namespace landslide {

Status InitCrypto() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  return Status::Ok();
}

ElectionKeys::~ElectionKeys() {
  sodium_memzero(registry_key.data(), registry_key.size());
  if (election_secret) sodium_memzero(election_secret->data(), election_secret->size());
  if (signing_secret) sodium_memzero(signing_secret->data(), signing_secret->size());
}

namespace {

namespace fs = std::filesystem;

Status WriteKeyFile(const fs::path& path, std::span<const uint8_t> bytes, bool secret) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    return Status::FailedPrecondition(path.string() + " already exists; refusing to overwrite");
  }
  mode_t old = umask(secret ? 077 : 022);
  std::ofstream out(path);
  umask(old);
  out << ToHex(bytes) << '\n';
  out.close();
  if (!out) return Status::Unavailable("cannot write " + path.string());
  return Status::Ok();
}

template <size_t N>
Status ReadKeyFile(const fs::path& path, std::array<uint8_t, N>* out) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::string text;
  in >> text;
  auto bytes = FromHex(text);
  if (!bytes || bytes->size() != N) {
    return Status::InvalidArgument(path.string() + " does not hold a " + std::to_string(N) +
                                   "-byte hex key");
  }
  std::copy(bytes->begin(), bytes->end(), out->begin());
  sodium_memzero(bytes->data(), bytes->size());
  return Status::Ok();
}

}  // namespace

Result<ElectionKeys> CreateKeys(const fs::path& dir) {
  LANDSLIDE_RETURN_IF_ERROR(InitCrypto());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  for (const char* name :
       {"registry.key", "election.pub", "election.sec", "signing.pub", "signing.sec"}) {
    if (fs::exists(dir / name)) {
      return Status::FailedPrecondition((dir / name).string() +
                                        " already exists; refusing to overwrite election keys");
    }
  }
  ElectionKeys k;
  crypto_generichash_keygen(k.registry_key.data());
  k.election_secret.emplace();
  crypto_box_keypair(k.election_public.data(), k.election_secret->data());
  k.signing_secret.emplace();
  crypto_sign_keypair(k.signing_public.data(), k.signing_secret->data());
  LANDSLIDE_RETURN_IF_ERROR(WriteKeyFile(dir / "registry.key", k.registry_key, true));
  LANDSLIDE_RETURN_IF_ERROR(WriteKeyFile(dir / "election.pub", k.election_public, false));
  LANDSLIDE_RETURN_IF_ERROR(WriteKeyFile(dir / "election.sec", *k.election_secret, true));
  LANDSLIDE_RETURN_IF_ERROR(WriteKeyFile(dir / "signing.pub", k.signing_public, false));
  LANDSLIDE_RETURN_IF_ERROR(WriteKeyFile(dir / "signing.sec", *k.signing_secret, true));
  return k;
}

Result<ElectionKeys> LoadKeys(const fs::path& dir, SecretKeys secrets) {
  LANDSLIDE_RETURN_IF_ERROR(InitCrypto());
  ElectionKeys k;
  LANDSLIDE_RETURN_IF_ERROR(ReadKeyFile(dir / "registry.key", &k.registry_key));
  LANDSLIDE_RETURN_IF_ERROR(ReadKeyFile(dir / "election.pub", &k.election_public));
  LANDSLIDE_RETURN_IF_ERROR(ReadKeyFile(dir / "signing.pub", &k.signing_public));
  if (secrets != SecretKeys::kNone) {
    k.election_secret.emplace();
    LANDSLIDE_RETURN_IF_ERROR(ReadKeyFile(dir / "election.sec", &*k.election_secret));
    std::array<uint8_t, 32> derived{};
    crypto_scalarmult_base(derived.data(), k.election_secret->data());
    if (derived != k.election_public) {
      return Status::InvalidArgument("election.sec does not match election.pub in " + dir.string());
    }
  }
  if (secrets == SecretKeys::kAll) {
    k.signing_secret.emplace();
    LANDSLIDE_RETURN_IF_ERROR(ReadKeyFile(dir / "signing.sec", &*k.signing_secret));
  }
  return k;
}

}  // namespace landslide
