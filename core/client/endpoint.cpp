// core/client/endpoint.cpp - Endpoint URLs: parsing the INI's, building AWS's defaults.
#include "core/client/endpoint.h"

#include "core/base/endpoint_url.h"
#include "core/base/text_builder.h"
#include "core/client/client_text.h"

namespace ec {

namespace {

constexpr Error kNotUrl = make_error(ErrorCode::InvalidArgument, "endpoint: not an http(s) url");
constexpr Error kBadPort = make_error(ErrorCode::InvalidArgument, "endpoint: bad port");
constexpr Error kNotAllowed =
    make_error(ErrorCode::InvalidArgument, "endpoint: user info, query or fragment not allowed");
constexpr Error kHostTooLong = make_error(ErrorCode::LimitExceeded, "endpoint: host name too long");
constexpr Error kPathTooLong = make_error(ErrorCode::LimitExceeded, "endpoint: path too long");
constexpr Error kBadBucket = make_error(ErrorCode::InvalidArgument, "endpoint: not a bucket name");
constexpr Error kPlainHttp =
    make_error(ErrorCode::InvalidArgument, "endpoint: plain http:// is only for loopback addresses "
                                           "(127.0.0.1, [::1], localhost); use https://");
constexpr Error kPlainHttpVirtualHost =
    make_error(ErrorCode::InvalidArgument, "endpoint: plain http:// to S3 needs s3_path_style = "
                                           "true (a bucket's own host name is not loopback)");

constexpr std::string_view kDefaultRegion = "us-east-1";

// "https://" bucket "." host ":65535" path "/" bucket: every derived URL fits, so parse() is what
// reports a part over its limit.
constexpr std::size_t kUrlBytes =
    8 + 2 * (kMaxEndpointHostBytes + 1) + 6 + kMaxEndpointPathBytes + 256;

bool is_host_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

std::string_view strip_trailing_slashes(std::string_view path) {
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  return path;
}

// Bucket names as S3 has allowed them (legacy us-east-1 ones had capitals and underscores). What
// matters here is that nothing in one can change the URL's structure.
bool is_bucket_name(std::string_view bucket) {
  if (bucket.empty() || bucket.size() > 255)
    return false;
  for (char c : bucket)
    if (!is_host_byte(c))
      return false;
  return true;
}

std::string_view or_default_region(std::string_view region) {
  return region.empty() ? kDefaultRegion : region;
}

// scheme://[bucket.]host[:port][base_path] of `endpoint`.
void append_url(const Endpoint& endpoint, std::string_view bucket, TextBuilder& out) {
  out.append(endpoint.scheme() == Scheme::Https ? "https://" : "http://");
  if (!bucket.empty()) {
    out.append(bucket);
    out.append('.');
  }
  out.append(endpoint.host());
  if (endpoint.port() != 0) {
    out.append(':');
    client_text::append_decimal(out, endpoint.port());
  }
  out.append(endpoint.base_path());
}

Result<Endpoint> parse_built(const TextBuilder& url) {
  if (url.overflowed())
    return kHostTooLong;
  return Endpoint::parse(url.view());
}

} // namespace

Result<Endpoint> Endpoint::parse(std::string_view url) {
  EndpointUrl parts;
  switch (parse_endpoint_url(url, parts)) {
  case EndpointUrlProblem::None:
    break;
  case EndpointUrlProblem::NotUrl:
    return kNotUrl;
  case EndpointUrlProblem::UserInfo:
  case EndpointUrlProblem::QueryOrFragment:
    return kNotAllowed;
  case EndpointUrlProblem::PlainHttp:
    return kPlainHttp;
  case EndpointUrlProblem::BadPort:
    return kBadPort;
  case EndpointUrlProblem::HostTooLong:
    return kHostTooLong;
  case EndpointUrlProblem::PathTooLong:
    return kPathTooLong;
  }
  Endpoint endpoint;
  endpoint.m_scheme = parts.https ? Scheme::Https : Scheme::Http;
  endpoint.m_port = parts.port;
  for (std::size_t i = 0; i < parts.host.size(); ++i)
    endpoint.m_host[i] = parts.host[i];
  endpoint.m_host_size = parts.host.size();
  for (std::size_t i = 0; i < parts.path.size(); ++i)
    endpoint.m_path[i] = parts.path[i];
  endpoint.m_path_size = parts.path.size();
  return endpoint;
}

Result<Endpoint> Endpoint::https(std::string_view host, std::string_view base_path) {
  base_path = strip_trailing_slashes(base_path);
  if (host.size() > kMaxEndpointHostBytes)
    return kHostTooLong;
  if (base_path.size() > kMaxEndpointPathBytes)
    return kPathTooLong;
  Endpoint endpoint;
  endpoint.m_scheme = Scheme::Https;
  for (std::size_t i = 0; i < host.size(); ++i)
    endpoint.m_host[i] = host[i];
  endpoint.m_host_size = host.size();
  for (std::size_t i = 0; i < base_path.size(); ++i)
    endpoint.m_path[i] = base_path[i];
  endpoint.m_path_size = base_path.size();
  return endpoint;
}

Result<Endpoint> sts_endpoint(std::string_view configured, std::string_view region) {
  if (!configured.empty())
    return Endpoint::parse(configured);
  char storage[kUrlBytes];
  TextBuilder url(storage);
  url.append("https://sts.");
  url.append(or_default_region(region));
  url.append(".amazonaws.com");
  return parse_built(url);
}

Result<Endpoint> cur_endpoint(std::string_view configured) {
  return Endpoint::parse(configured.empty() ? "https://cur.us-east-1.amazonaws.com" : configured);
}

Result<Endpoint> exports_endpoint(std::string_view configured) {
  return Endpoint::parse(configured.empty() ? "https://bcm-data-exports.us-east-1.api.aws"
                                            : configured);
}

Result<Endpoint> organizations_endpoint(std::string_view configured) {
  return Endpoint::parse(configured.empty() ? "https://organizations.us-east-1.amazonaws.com"
                                            : configured);
}

Result<Endpoint> s3_endpoint(std::string_view configured, std::string_view region,
                             std::string_view bucket, bool path_style) {
  if (!is_bucket_name(bucket))
    return kBadBucket;
  // A dot in the name would make the virtual host a subdomain the certificate does not cover.
  bool path = path_style || bucket.find('.') != std::string_view::npos;
  char storage[kUrlBytes];
  TextBuilder url(storage);
  if (configured.empty()) {
    url.append("https://");
    if (!path) {
      url.append(bucket);
      url.append('.');
    }
    url.append("s3.");
    url.append(or_default_region(region));
    url.append(".amazonaws.com");
    if (path) {
      url.append('/');
      url.append(bucket);
    }
    return parse_built(url);
  }
  EC_TRY_ASSIGN(Endpoint base, Endpoint::parse(configured));
  // <bucket>.<host> is never loopback: parse_built would refuse it, but less clearly.
  if (base.scheme() == Scheme::Http && !path)
    return kPlainHttpVirtualHost;
  append_url(base, path ? std::string_view() : bucket, url);
  if (path) {
    url.append('/');
    url.append(bucket);
  }
  return parse_built(url);
}

} // namespace ec
