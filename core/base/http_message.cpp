// core/base/http_message.cpp - ResponseHeaders capture and the method names.
#include "core/base/http_message.h"

#include "core/base/ascii.h"

#include <cstring>

namespace ec {
namespace {} // namespace

// ---- ResponseHeaders ------------------------------------------------------------------------

Status ResponseHeaders::capture(std::string_view name, std::string_view value) {
  // Leading CR/LF cannot occur (the line starts after the colon); trailing ones are the line's end.
  value = trim_ascii(value, " \t\r\n");
  auto store = [&](auto& field, const char* label) -> Status {
    if (value.size() > sizeof field.data)
      return make_error(ErrorCode::LimitExceeded, "http: response header too long")
          .with_detail(label);
    std::memcpy(field.data, value.data(), value.size());
    field.size = value.size();
    return {};
  };
  if (equals_ignoring_case(name, "Date"))
    return store(m_date, "Date");
  if (equals_ignoring_case(name, "ETag"))
    return store(m_etag, "ETag");
  if (equals_ignoring_case(name, "Content-Range"))
    return store(m_content_range, "Content-Range");
  if (equals_ignoring_case(name, "Content-Type"))
    return store(m_content_type, "Content-Type");
  if (equals_ignoring_case(name, "x-amz-request-id"))
    return store(m_request_id, "x-amz-request-id");
  if (equals_ignoring_case(name, "Retry-After"))
    return store(m_retry_after, "Retry-After");
  if (equals_ignoring_case(name, "x-amz-bucket-region"))
    return store(m_bucket_region, "x-amz-bucket-region");
  if (equals_ignoring_case(name, "Content-Length")) {
    std::uint64_t length = 0;
    bool valid = !value.empty() && value.size() <= 19; // below 2^63: never overflows
    for (char c : value) {
      if (c < '0' || c > '9') {
        valid = false;
        break;
      }
      length = length * 10 + static_cast<std::uint64_t>(c - '0');
    }
    m_has_content_length = valid;
    m_content_length = valid ? length : 0;
  }
  return {};
}

void ResponseHeaders::clear() {
  *this = ResponseHeaders();
}

const char* method_name(HttpMethod method) {
  switch (method) {
  case HttpMethod::Get:
    return "GET";
  case HttpMethod::Head:
    return "HEAD";
  case HttpMethod::Post:
    return "POST";
  case HttpMethod::Put:
    return "PUT";
  case HttpMethod::Delete:
    return "DELETE";
  }
  return "GET";
}

} // namespace ec
