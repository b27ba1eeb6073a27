#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace credpool {

// Says which kind of thing went wrong; the message names the thing involved (path, flag, key).
enum class ErrorCode {
  Unknown,
  InvalidArgument,  // a value given by the user or a caller is not acceptable
  NotFound,         // a provider, credential or file that should exist does not
  AlreadyExists,    // a duplicate label or secret
  Corrupt,          // a file exists but cannot be parsed; it must not be overwritten
  Io,               // a read, write, lock or fsync failed
  Timeout,
  Unavailable,      // a server or service cannot be reached
};

// Returns the stable lower-case name of an error code ("invalid_argument").
const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Unknown;
  std::string message;  // never contains a secret
};

// Holds either a value or an Error, named like std::expected so moving to C++23 stays local.
// Like absl::StatusOr the default is an error: Boost 1.81's co_spawn default-constructs T.
template <class T>
class [[nodiscard]] Result {
 public:
  explicit Result() : state_(Error{ErrorCode::Unknown, "no result"}) {}
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit on purpose (`return pool;`)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const& { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;                                // success
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  const Error& error() const& { return *error_; }

 private:
  std::optional<Error> error_;
};

// Returns a successful Result<void>; reads better than `return {};`.
inline Result<void> ok() { return Result<void>{}; }

}  // namespace credpool
