#include "core/result.h"

namespace credpool {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::Unknown: return "unknown";
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::AlreadyExists: return "already_exists";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::Io: return "io";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::Unavailable: return "unavailable";
  }
  return "unknown";
}

}  // namespace credpool
