#include "crypto/trustee_files.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/hex.h"
#include "common/strict_json.h"
#include "domain/voter_id.h"

namespace landslide::verifiable {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::string_view kFormat = "landslide-trustee-share/1";

// The associated data: every header field, so changing any of them breaks decryption.
std::string AssociatedData(const TrusteeShare& s, const std::string& verification_key) {
  return std::string(kFormat) + "\n" + s.election + "\n" + std::to_string(s.trustee) + "\n" +
         std::to_string(s.trustees) + "\n" + std::to_string(s.threshold) + "\n" + verification_key;
}

struct KdfParams {
  unsigned long long ops;
  size_t mem;
};

KdfParams Params(KdfCost cost) {
  if (cost == KdfCost::kModerate) {
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Status DeriveKey(std::string_view passphrase, const uint8_t* salt, KdfParams p,
                 std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES>& key) {
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt, p.ops,
                    p.mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("not enough memory to derive the share's key");
  }
  return Status::Ok();
}

}  // namespace

TrusteeShare::~TrusteeShare() { sodium_memzero(share.raw(), sizeof(decaf_255_scalar_t)); }

Status WriteNewFile(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        static_cast<mode_t>(mode));
  if (fd < 0) {
    return Status::FailedPrecondition("cannot create " + path.string() + ": " +
                                      std::strerror(errno) + " (it must not exist)");
  }
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::Unavailable("cannot write " + path.string());
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::Unavailable("cannot write " + path.string());
  }
  return Status::Ok();
}

Status WriteShareFile(const std::filesystem::path& path, const TrusteeShare& s,
                      std::string_view passphrase, KdfCost cost) {
  if (passphrase.size() < 12) return Status::InvalidArgument("a passphrase needs 12 characters");
  const KdfParams p = Params(cost);
  uint8_t salt[crypto_pwhash_SALTBYTES];
  uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> key;
  LANDSLIDE_RETURN_IF_ERROR(DeriveKey(passphrase, salt, p, key));
  const std::string vk = ToHex(group::BaseMul(s.share).Encode());
  const std::string ad = AssociatedData(s, vk);
  Bytes32 plain = s.share.Encode();
  std::vector<uint8_t> sealed(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &sealed_len, plain.data(), plain.size(),
                                             reinterpret_cast<const uint8_t*>(ad.data()), ad.size(),
                                             nullptr, nonce, key.data());
  sodium_memzero(plain.data(), plain.size());
  sodium_memzero(key.data(), key.size());
  ordered_json j;
  j["format"] = kFormat;
  j["election"] = s.election;
  j["trustee"] = s.trustee;
  j["trustees"] = s.trustees;
  j["threshold"] = s.threshold;
  j["verification_key"] = vk;
  j["kdf"] = {
      {"algorithm", "argon2id13"}, {"opslimit", p.ops}, {"memlimit", p.mem}, {"salt", ToHex(salt)}};
  j["nonce"] = ToHex(nonce);
  j["ciphertext"] = ToHex(std::span<const uint8_t>(sealed.data(), sealed_len));
  return WriteNewFile(path, j.dump(1) + "\n", 0600);
}

Result<TrusteeShare> ReadShareFile(const std::filesystem::path& path, std::string_view passphrase) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseStrictJson(text.str(), path.string());
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
  const auto bad = Status::InvalidArgument(path.string() + " is not a trustee share file");
  if (!j.is_object() || j.value("format", "") != kFormat) return bad;
  TrusteeShare s;
  KdfParams p{};
  std::string vk;
  std::optional<std::vector<uint8_t>> salt, nonce, sealed;
  try {
    s.election = j.at("election").get<std::string>();
    s.trustee = j.at("trustee").get<uint32_t>();
    s.trustees = j.at("trustees").get<uint32_t>();
    s.threshold = j.at("threshold").get<uint32_t>();
    vk = j.at("verification_key").get<std::string>();
    const json& kdf = j.at("kdf");
    if (kdf.at("algorithm") != "argon2id13") return bad;
    p.ops = kdf.at("opslimit").get<unsigned long long>();
    p.mem = kdf.at("memlimit").get<size_t>();
    salt = FromHex(kdf.at("salt").get<std::string>());
    nonce = FromHex(j.at("nonce").get<std::string>());
    sealed = FromHex(j.at("ciphertext").get<std::string>());
  } catch (const json::exception&) {
    return bad;
  }
  if (!salt || salt->size() != crypto_pwhash_SALTBYTES || !nonce ||
      nonce->size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES || !sealed ||
      sealed->size() != 32 + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      p.ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || p.ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
      p.mem < crypto_pwhash_MEMLIMIT_INTERACTIVE || p.mem > crypto_pwhash_MEMLIMIT_SENSITIVE) {
    return bad;
  }
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> key;
  LANDSLIDE_RETURN_IF_ERROR(DeriveKey(passphrase, salt->data(), p, key));
  const std::string ad = AssociatedData(s, vk);
  Bytes32 plain;
  unsigned long long plain_len = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain.data(), &plain_len, nullptr, sealed->data(), sealed->size(),
      reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nonce->data(), key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0 || plain_len != 32) {
    return Status::FailedPrecondition("wrong passphrase for " + path.string() +
                                      ", or the file was altered");
  }
  auto share = group::Scalar::Decode(plain);
  sodium_memzero(plain.data(), plain.size());
  if (!share || ToHex(group::BaseMul(*share).Encode()) != vk) return bad;
  s.share = *share;
  return s;
}

std::string GeneratePassphrase() {
  std::string out;
  while (out.size() < 22) {
    const uint32_t v = randombytes_uniform(static_cast<uint32_t>(kBase58Alphabet.size()));
    out.push_back(kBase58Alphabet[v]);
  }
  return out;
}

}  // namespace landslide::verifiable
