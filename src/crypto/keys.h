// An election's keys, as files in a keys directory (`landslide keys init --out DIR`):
//   registry.key   32-byte key of the keyed BLAKE2b that turns voter ids into voter hashes
//   election.pub   X25519 public key: API processes seal choices with it
//   election.sec   X25519 secret key: only talliers and `audit` open sealed choices
//   signing.pub    Ed25519 public key of the checkpoint signatures
//   signing.sec    Ed25519 secret key
// Each file holds lowercase hex and a newline; secret files are created with mode 0600.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/status.h"

namespace landslide {

// Must run once before any other crypto call (idempotent, thread-safe).
Status InitCrypto();

struct ElectionKeys {
  std::array<uint8_t, 32> registry_key{};
  std::array<uint8_t, 32> election_public{};
  std::optional<std::array<uint8_t, 32>> election_secret;  // absent where not needed
  std::array<uint8_t, 32> signing_public{};
  std::optional<std::array<uint8_t, 64>> signing_secret;

  ~ElectionKeys();
  ElectionKeys() = default;
  ElectionKeys(const ElectionKeys&) = default;
  ElectionKeys& operator=(const ElectionKeys&) = default;
};

// Creates fresh keys in `dir` (created if missing). Refuses to overwrite existing keys.
Result<ElectionKeys> CreateKeys(const std::filesystem::path& dir);

enum class SecretKeys { kNone, kElection, kAll };
// Loads keys from `dir`; secret keys only as asked, so a process holds no more than it needs.
Result<ElectionKeys> LoadKeys(const std::filesystem::path& dir, SecretKeys secrets);

}  // namespace landslide
