#include "crypto/group.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace landslide::group {

// --- Scalar ---

Scalar::Scalar() { std::memcpy(s_, decaf_255_scalar_zero, sizeof s_); }

Scalar Scalar::FromU64(uint64_t v) {
  Scalar s;
  decaf_255_scalar_set_unsigned(s.s_, v);
  return s;
}

std::optional<Scalar> Scalar::Decode(const Bytes32& bytes) {
  Scalar s;
  if (decaf_255_scalar_decode(s.s_, bytes.data()) != DECAF_SUCCESS) return std::nullopt;
  return s;
}

Scalar Scalar::FromWide(const std::array<uint8_t, 64>& wide) {
  Scalar s;
  decaf_255_scalar_decode_long(s.s_, wide.data(), wide.size());
  return s;
}

Scalar Scalar::Random() {
  std::array<uint8_t, 64> wide;
  randombytes_buf(wide.data(), wide.size());
  Scalar s = FromWide(wide);
  sodium_memzero(wide.data(), wide.size());
  return s;
}

Bytes32 Scalar::Encode() const {
  Bytes32 out;
  decaf_255_scalar_encode(out.data(), s_);
  return out;
}

Scalar Scalar::operator+(const Scalar& o) const {
  Scalar r;
  decaf_255_scalar_add(r.s_, s_, o.s_);
  return r;
}

Scalar Scalar::operator-(const Scalar& o) const {
  Scalar r;
  decaf_255_scalar_sub(r.s_, s_, o.s_);
  return r;
}

Scalar Scalar::operator*(const Scalar& o) const {
  Scalar r;
  decaf_255_scalar_mul(r.s_, s_, o.s_);
  return r;
}

Scalar Scalar::operator-() const { return Scalar() - *this; }

Scalar Scalar::Inverse() const {
  Scalar r;
  if (decaf_255_scalar_invert(r.s_, s_) != DECAF_SUCCESS) return Scalar();
  return r;
}

bool Scalar::operator==(const Scalar& o) const {
  return decaf_255_scalar_eq(s_, o.s_) == DECAF_TRUE;
}

bool Scalar::IsZero() const { return *this == Scalar(); }

// --- Point ---

Point::Point() { std::memcpy(p_, decaf_255_point_identity, sizeof p_); }

Point Point::Generator() {
  Point p;
  std::memcpy(p.p_, decaf_255_point_base, sizeof p.p_);
  return p;
}

std::optional<Point> Point::Decode(const Bytes32& bytes, bool allow_identity) {
  Point p;
  if (decaf_255_point_decode(p.p_, bytes.data(), allow_identity ? DECAF_TRUE : DECAF_FALSE) !=
      DECAF_SUCCESS) {
    return std::nullopt;
  }
  return p;
}

Bytes32 Point::Encode() const {
  Bytes32 out;
  decaf_255_point_encode(out.data(), p_);
  return out;
}

Point Point::operator+(const Point& o) const {
  Point r;
  decaf_255_point_add(r.p_, p_, o.p_);
  return r;
}

Point Point::operator-(const Point& o) const {
  Point r;
  decaf_255_point_sub(r.p_, p_, o.p_);
  return r;
}

Point Point::operator-() const {
  Point r;
  decaf_255_point_negate(r.p_, p_);
  return r;
}

Point& Point::operator+=(const Point& o) {
  decaf_255_point_add(p_, p_, o.p_);
  return *this;
}

Point& Point::operator-=(const Point& o) {
  decaf_255_point_sub(p_, p_, o.p_);
  return *this;
}

Point Point::Double() const {
  Point r;
  decaf_255_point_double(r.p_, p_);
  return r;
}

Point Point::operator*(const Scalar& k) const {
  Point r;
  decaf_255_point_scalarmul(r.p_, p_, k.raw());
  return r;
}

bool Point::operator==(const Point& o) const { return decaf_255_point_eq(p_, o.p_) == DECAF_TRUE; }

bool Point::IsIdentity() const { return *this == Point(); }

Point BaseMul(const Scalar& k) {
  Point r;
  decaf_255_precomputed_scalarmul(r.raw(), decaf_255_precomputed_base, k.raw());
  return r;
}

Point BaseDoubleMulPublic(const Scalar& a, const Scalar& b, const Point& p) {
  Point r;
  decaf_255_base_double_scalarmul_non_secret(r.raw(), a.raw(), p.raw(), b.raw());
  return r;
}

// --- FixedBase ---

// libdecaf's table is an opaque type with a size and alignment known only at run time.
struct FixedBase::Table {
  explicit Table(size_t size, size_t align)
      : align_(align), mem_(::operator new(size, std::align_val_t(align))) {}
  ~Table() { ::operator delete(mem_, std::align_val_t(align_)); }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  decaf_255_precomputed_s* get() const { return static_cast<decaf_255_precomputed_s*>(mem_); }
  size_t align_;
  void* mem_;
};

FixedBase::FixedBase(const Point& base)
    : base_(base),
      table_(std::make_unique<Table>(decaf_255_sizeof_precomputed_s,
                                     decaf_255_alignof_precomputed_s)) {
  decaf_255_precompute(table_->get(), base.raw());
}

FixedBase::~FixedBase() = default;

Point FixedBase::Mul(const Scalar& k) const {
  Point r;
  decaf_255_precomputed_scalarmul(r.raw(), table_->get(), k.raw());
  return r;
}

// --- Transcript ---

struct Transcript::State {
  crypto_hash_sha512_state sha;
};

Transcript::Transcript(std::string_view tag) : state_(std::make_unique<State>()) {
  crypto_hash_sha512_init(&state_->sha);
  Add(tag);
}

Transcript::~Transcript() = default;

namespace {
std::array<uint8_t, 4> BigEndian(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}
}  // namespace

Transcript& Transcript::Add(std::span<const uint8_t> bytes) {
  const auto length = BigEndian(static_cast<uint32_t>(bytes.size()));
  crypto_hash_sha512_update(&state_->sha, length.data(), length.size());
  crypto_hash_sha512_update(&state_->sha, bytes.data(), bytes.size());
  return *this;
}

Transcript& Transcript::Add(std::string_view text) {
  return Add(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Transcript& Transcript::AddU32(uint32_t v) { return Add(BigEndian(v)); }

std::array<uint8_t, 64> Transcript::Digest() {
  std::array<uint8_t, 64> out;
  crypto_hash_sha512_final(&state_->sha, out.data());
  return out;
}

Scalar Transcript::Challenge() { return Scalar::FromWide(Digest()); }

Bytes32 Hash256(std::string_view tag, std::span<const std::span<const uint8_t>> fields) {
  crypto_hash_sha256_state sha;
  crypto_hash_sha256_init(&sha);
  auto frame = [&sha](std::span<const uint8_t> bytes) {
    const auto length = BigEndian(static_cast<uint32_t>(bytes.size()));
    crypto_hash_sha256_update(&sha, length.data(), length.size());
    crypto_hash_sha256_update(&sha, bytes.data(), bytes.size());
  };
  frame({reinterpret_cast<const uint8_t*>(tag.data()), tag.size()});
  for (const auto& f : fields) frame(f);
  Bytes32 out;
  crypto_hash_sha256_final(&sha, out.data());
  return out;
}

Bytes32 Sha256(std::span<const uint8_t> bytes) {
  Bytes32 out;
  crypto_hash_sha256(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace landslide::group
