// core/aws/canonical.h - SigV4 canonical forms: URI encoding, the canonical path and query.
#pragma once

#include "core/base/result.h"
#include "core/base/text_builder.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

/// Most query parameters one request may carry (the sort works on a fixed index array).
inline constexpr std::size_t kMaxQueryParameters = 64;

/// One query parameter, decoded (`prefix=cur/a b`, not `cur%2Fa%20b`); views owned by the caller.
/// An empty value is sent and signed as `name=`.
struct QueryParameter {
  std::string_view name;
  std::string_view value;
};

/// Whether `/` is copied or encoded as %2F.
enum class Slash : std::uint8_t { Keep, Encode };

/// How the request path becomes the canonical URI.
enum class UriPath : std::uint8_t {
  /// Every service but S3: remove `.` and `..` segments and repeated slashes (keeping a trailing
  /// one), then URI-encode the path as given, so `%20` on the wire is signed as `%2520`.
  NormalizeAndEncode,
  /// URI-encode without normalising (the suite's "normalize": false cases; no service we call).
  Encode,
  /// S3: the path is already URI-encoded once, as sent; it is signed unchanged (`a//b` stays).
  /// It must be in canonical form (only A-Z a-z 0-9 - _ . ~ / and %XX with upper-case hex), so a
  /// mis-encoded key fails here rather than as SignatureDoesNotMatch from S3.
  AsGiven,
};

/// True for the bytes AWS leaves unencoded: A-Z a-z 0-9 - _ . ~
[[nodiscard]] constexpr bool is_unreserved(unsigned char byte) {
  return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
         (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' || byte == '.' || byte == '~';
}

/// Appends `text` URI-encoded the AWS way: unreserved bytes as they are, `/` as `slash` says,
/// every other byte (UTF-8 included) as %XX with upper-case hex; space is %20, never `+`.
void uri_encode(std::string_view text, Slash slash, TextBuilder& out);

/// Appends the canonical URI of `path` (an empty path is `/`). InvalidArgument when a non-empty
/// path does not start with `/`, or (AsGiven) is not canonically encoded; the error's position is
/// the byte offset in `path`. LimitExceeded when `out` is full.
Status canonical_uri(std::string_view path, UriPath rules, TextBuilder& out);

/// Appends the canonical query string: names and values URI-encoded (`/` too), sorted by encoded
/// name then encoded value in byte order, `name=value` joined by `&`, nothing for no parameters.
/// It is also a valid query string for the URL, so the request sent is the request signed.
/// LimitExceeded when there are more than kMaxQueryParameters or `out` is full.
Status canonical_query(std::span<const QueryParameter> parameters, TextBuilder& out);

/// Byte order of the URI encodings of `a` and `b` (<0, 0, >0) without encoding them: an encoded
/// byte starts with `%`, which sorts below every unreserved byte, and %XX sorts as the byte.
[[nodiscard]] int compare_encoded(std::string_view a, std::string_view b);

} // namespace ec
