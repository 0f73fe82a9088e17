// The prime-order group of the verifiable ballot scheme: ristretto255 (RFC 9496), through
// Debian's libdecaf, whose decoded points can be added without re-encoding (0.09 µs a point
// addition here, against 12.7 µs for libsodium's ristretto API, which encodes after every
// operation). Points and scalars are small value types; encodings are the 32-byte canonical ones
// of RFC 9496 (points) and little-endian integers below the group order (scalars).
//
// Hashing follows docs/RECORD.md ("Hashes"): a tag and length-prefixed fields into SHA-512,
// reduced modulo the group order for challenges.
#pragma once

#include <decaf/point_255.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "domain/verifiable_ballot.h"

namespace landslide::group {

class Scalar {
 public:
  Scalar();  // zero
  static Scalar FromU64(uint64_t v);
  // The canonical encoding only (below the group order), else nullopt.
  static std::optional<Scalar> Decode(const Bytes32& bytes);
  // A 64-byte string (a SHA-512 output) reduced modulo the group order.
  static Scalar FromWide(const std::array<uint8_t, 64>& wide);
  // Uniform, from the kernel's randomness.
  static Scalar Random();

  Bytes32 Encode() const;
  Scalar operator+(const Scalar& o) const;
  Scalar operator-(const Scalar& o) const;
  Scalar operator*(const Scalar& o) const;
  Scalar operator-() const;
  Scalar& operator+=(const Scalar& o) { return *this = *this + o; }
  // The inverse; zero has none (returns zero).
  Scalar Inverse() const;
  bool operator==(const Scalar& o) const;
  bool IsZero() const;

  const decaf_255_scalar_s* raw() const { return s_; }
  decaf_255_scalar_s* raw() { return s_; }

 private:
  decaf_255_scalar_t s_;
};

class Point {
 public:
  Point();  // the identity
  static Point Generator();
  // The canonical encoding of a group element, else nullopt. The identity is accepted only when
  // `allow_identity` (keys and credentials refuse it).
  static std::optional<Point> Decode(const Bytes32& bytes, bool allow_identity = true);

  Bytes32 Encode() const;
  Point operator+(const Point& o) const;
  Point operator-(const Point& o) const;
  Point operator-() const;
  Point& operator+=(const Point& o);
  Point& operator-=(const Point& o);
  Point Double() const;
  Point operator*(const Scalar& k) const;  // variable base, constant time
  bool operator==(const Point& o) const;
  bool IsIdentity() const;

  const decaf_255_point_s* raw() const { return p_; }
  decaf_255_point_s* raw() { return p_; }

 private:
  decaf_255_point_t p_;
};

// k·G with libdecaf's precomputed generator table (constant time).
Point BaseMul(const Scalar& k);
// a·G + b·P in variable time: for verification only, never with secret scalars.
Point BaseDoubleMulPublic(const Scalar& a, const Scalar& b, const Point& p);

// A precomputed table for a fixed base other than the generator (the election public key).
class FixedBase {
 public:
  explicit FixedBase(const Point& base);
  ~FixedBase();
  FixedBase(const FixedBase&) = delete;
  FixedBase& operator=(const FixedBase&) = delete;
  Point Mul(const Scalar& k) const;  // constant time
  const Point& base() const { return base_; }

 private:
  Point base_;
  struct Table;
  std::unique_ptr<Table> table_;
};

// SHA-512 over a tag and length-prefixed fields (docs/RECORD.md, "Hashes"): every field is
// written as a 4-byte big-endian length and its bytes, the tag first.
class Transcript {
 public:
  explicit Transcript(std::string_view tag);
  ~Transcript();
  Transcript(const Transcript&) = delete;
  Transcript& operator=(const Transcript&) = delete;

  Transcript& Add(std::span<const uint8_t> bytes);
  Transcript& Add(std::string_view text);
  Transcript& Add(const Point& p) { return Add(p.Encode()); }
  Transcript& Add(const Bytes32& b) { return Add(std::span<const uint8_t>(b)); }
  Transcript& AddU32(uint32_t v);  // a field of 4 bytes, big-endian
  std::array<uint8_t, 64> Digest();
  Scalar Challenge();  // the digest as a scalar

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// H256 of docs/RECORD.md: SHA-256 over the tag and fields, framed as Transcript frames them.
Bytes32 Hash256(std::string_view tag, std::span<const std::span<const uint8_t>> fields);

// SHA-256 of `bytes` (tracking codes, manifest hashes).
Bytes32 Sha256(std::span<const uint8_t> bytes);

}  // namespace landslide::group
