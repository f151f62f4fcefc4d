// core/aws/canonical.cpp - URI encoding, path normalisation and query sorting for SigV4.
#include "core/aws/canonical.h"

namespace ec {

static constexpr char kUpperHex[] = "0123456789ABCDEF";

void uri_encode(std::string_view text, Slash slash, TextBuilder& out) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte) || (byte == '/' && slash == Slash::Keep)) {
      out.append(c);
    } else {
      char escaped[3] = {'%', kUpperHex[byte >> 4], kUpperHex[byte & 0x0f]};
      out.append(std::string_view(escaped, 3));
    }
  }
}

static bool is_upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static Error path_error(ErrorText message, std::size_t offset) {
  return make_error(ErrorCode::InvalidArgument, message).at(ErrorWhere::ByteOffset, offset);
}

/// RFC 3986 5.2.4 plus AWS's collapsing of empty segments (botocore's remove_dot_segments),
/// encoding each kept segment straight into `out`. An encoded segment holds no `/`, so `..`
/// drops back to the last `/` written.
static void normalize_and_encode(std::string_view path, TextBuilder& out) {
  const std::size_t root = out.size(); // where our leading '/' goes
  out.append('/');
  std::size_t start = 0;
  bool kept_any = false;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    std::string_view segment = path.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".")
      continue;
    if (segment == "..") {
      if (kept_any) {
        std::string_view written = out.view();
        std::size_t slash = written.rfind('/');
        // The last segment starts after `slash`; the root's '/' itself stays.
        out.truncate(slash > root ? slash : root + 1);
        kept_any = out.size() > root + 1;
      }
      continue;
    }
    if (kept_any)
      out.append('/');
    uri_encode(segment, Slash::Encode, out);
    kept_any = true;
  }
  if (kept_any && path.back() == '/')
    out.append('/');
}

Status canonical_uri(std::string_view path, UriPath rules, TextBuilder& out) {
  if (path.empty()) {
    out.append('/');
    return out.status("canonical uri");
  }
  if (path.front() != '/')
    return path_error("sigv4: path does not start with a slash", 0);
  switch (rules) {
  case UriPath::NormalizeAndEncode:
    normalize_and_encode(path, out);
    break;
  case UriPath::Encode:
    uri_encode(path, Slash::Keep, out);
    break;
  case UriPath::AsGiven:
    for (std::size_t i = 0; i < path.size(); ++i) {
      auto byte = static_cast<unsigned char>(path[i]);
      if (byte == '%') {
        if (i + 2 >= path.size() || !is_upper_hex(path[i + 1]) || !is_upper_hex(path[i + 2]))
          return path_error("sigv4: s3 path has a bad percent escape", i);
        i += 2;
      } else if (!is_unreserved(byte) && byte != '/') {
        return path_error("sigv4: s3 path has a byte that must be percent-encoded", i);
      }
    }
    out.append(path);
    break;
  }
  return out.status("canonical uri");
}

/// Sort key of one raw byte in encoded order: escaped bytes ('%' first) below unreserved ones.
static int encoded_rank(unsigned char byte) {
  return is_unreserved(byte) ? 256 + byte : byte;
}

int compare_encoded(std::string_view a, std::string_view b) {
  std::size_t common = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < common; ++i) {
    auto left = static_cast<unsigned char>(a[i]);
    auto right = static_cast<unsigned char>(b[i]);
    if (left != right)
      return encoded_rank(left) - encoded_rank(right);
  }
  if (a.size() == b.size())
    return 0;
  return a.size() < b.size() ? -1 : 1;
}

static bool sorts_before(const QueryParameter& a, const QueryParameter& b) {
  int by_name = compare_encoded(a.name, b.name);
  return by_name != 0 ? by_name < 0 : compare_encoded(a.value, b.value) < 0;
}

Status canonical_query(std::span<const QueryParameter> parameters, TextBuilder& out) {
  if (parameters.size() > kMaxQueryParameters)
    return make_error(ErrorCode::LimitExceeded, "sigv4: too many query parameters");
  std::uint8_t order[kMaxQueryParameters] = {};
  static_assert(kMaxQueryParameters <= 256, "order holds byte indices");
  // Insertion sort: stable, allocation-free, and n is small.
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    std::size_t j = i;
    while (j > 0 && sorts_before(parameters[i], parameters[order[j - 1]])) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = static_cast<std::uint8_t>(i);
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (i > 0)
      out.append('&');
    const QueryParameter& parameter = parameters[order[i]];
    uri_encode(parameter.name, Slash::Encode, out);
    out.append('=');
    uri_encode(parameter.value, Slash::Encode, out);
  }
  return out.status("canonical query");
}

} // namespace ec
