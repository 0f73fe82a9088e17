// A trustee's share of the election secret at rest: one JSON file per trustee, the share
// encrypted with XChaCha20-Poly1305 under a key stretched from the trustee's passphrase with
// Argon2id, the file's public header bound as associated data (so a share cannot be relabelled
// as another trustee's or another election's). Files are created 0600, never overwritten, and
// a symlink in their place is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/group.h"

namespace landslide::verifiable {

// Argon2id cost: kModerate (libsodium's MODERATE: 256 MiB, about a second) for real trustees;
// kInteractive (64 MiB) where the passphrases are generated with 128 bits of entropy anyway.
enum class KdfCost { kInteractive, kModerate };

struct TrusteeShare {
  std::string election;
  uint32_t trustee = 0;
  uint32_t trustees = 0;
  uint32_t threshold = 0;
  group::Scalar share;
  ~TrusteeShare();
  TrusteeShare() = default;
  TrusteeShare(const TrusteeShare&) = default;
  TrusteeShare& operator=(const TrusteeShare&) = default;
};

Status WriteShareFile(const std::filesystem::path& path, const TrusteeShare& share,
                      std::string_view passphrase, KdfCost cost);
// Fails with kPermissionDenied-like kFailedPrecondition on a wrong passphrase or a file that
// was altered; with kInvalidArgument on a malformed file.
Result<TrusteeShare> ReadShareFile(const std::filesystem::path& path, std::string_view passphrase);

// A random passphrase of 22 base58 characters (about 128 bits).
std::string GeneratePassphrase();

// Writes `content` to a new file with `mode`: O_EXCL (never overwrites) and O_NOFOLLOW.
Status WriteNewFile(const std::filesystem::path& path, std::string_view content, unsigned mode);

}  // namespace landslide::verifiable
