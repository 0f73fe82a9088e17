// Errors as values. Every boundary (database, crypto, parsing, files) returns a Status or a
// Result<T>; only the http layer turns a Code into an HTTP status.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace landslide {

enum class Code {
  kOk,
  kInvalidArgument,     // the caller's input is wrong; retrying will not help
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // e.g. the voter already has a counted ballot
  kFailedPrecondition,  // e.g. outside the voting window, candidate not on this ballot
  kResourceExhausted,   // queue full, rate limited
  kUnavailable,         // a dependency is down; retrying later may help; nothing was recorded
  kAborted,             // a concurrent writer won a race (e.g. a shard head moved); retry
  kDeadlineExceeded,    // gave up waiting; the outcome of what was asked may be unknown
  kInternal,            // a bug or a broken invariant
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {Code::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with where it happened: "loading keys: file missing".
  Status Context(const std::string& where) const {
    if (ok()) return *this;
    return {code_, where + ": " + message_};
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none (a small std::expected; g++ 12 has none).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace landslide

#define LANDSLIDE_RETURN_IF_ERROR(expr) \
  do {                                  \
    ::landslide::Status _st = (expr);   \
    if (!_st.ok()) return _st;          \
  } while (0)
