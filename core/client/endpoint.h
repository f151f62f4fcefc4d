// core/client/endpoint.h - Endpoint: where one AWS service is reached, from the INI or AWS's
// defaults (../shared/docs/AWS-WIRE.md, "Endpoints and signing names").
#pragma once

#include "core/aws/sigv4.h"
#include "core/base/endpoint_url.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// scheme://host[:port][base_path], copied into fixed buffers (about 520 bytes).
class Endpoint {
public:
  /// Parses an absolute URL "https://host[:port][/path]" with parse_endpoint_url, the check
  /// `config check` makes too (http:// only to a loopback host,
  /// 127.0.0.0/8 in four decimal parts, [::1] or localhost: tests and local gateways). The path,
  /// when given, is kept without its trailing '/' and prefixes every request path (an endpoint
  /// behind a path-routing proxy). No query, fragment or user:password@ allowed (the message never
  /// holds the URL). InvalidArgument "endpoint: not an http(s) url" / "endpoint: bad port" /
  /// "endpoint: user info, query or fragment not allowed" / "endpoint: plain http:// is only for
  /// loopback addresses ..."; LimitExceeded past the limits.
  static Result<Endpoint> parse(std::string_view url);
  /// https://<host> built from parts (no validation beyond the limits).
  static Result<Endpoint> https(std::string_view host, std::string_view base_path = {});

  [[nodiscard]] Scheme scheme() const { return m_scheme; }
  [[nodiscard]] std::string_view host() const { return {m_host, m_host_size}; }
  [[nodiscard]] std::uint16_t port() const { return m_port; } ///< 0: the scheme's default
  [[nodiscard]] std::string_view base_path() const { return {m_path, m_path_size}; }

private:
  Scheme m_scheme = Scheme::Https;
  std::uint16_t m_port = 0;
  char m_host[kMaxEndpointHostBytes];
  char m_path[kMaxEndpointPathBytes];
  std::size_t m_host_size = 0;
  std::size_t m_path_size = 0;
};

/// `configured` when not empty, else AWS's default for the call:
/// STS: https://sts.<region>.amazonaws.com (regional; empty region: us-east-1).
Result<Endpoint> sts_endpoint(std::string_view configured, std::string_view region);
/// CUR: https://cur.us-east-1.amazonaws.com.
Result<Endpoint> cur_endpoint(std::string_view configured);
/// Data Exports: https://bcm-data-exports.us-east-1.api.aws.
Result<Endpoint> exports_endpoint(std::string_view configured);
/// Organizations: https://organizations.us-east-1.amazonaws.com.
Result<Endpoint> organizations_endpoint(std::string_view configured);
/// S3 for `bucket`. Virtual-host style: https://<bucket>.s3.<region>.amazonaws.com, or
/// <scheme>://<bucket>.<configured host>. Path style (`path_style`, or a bucket name with a dot,
/// which breaks TLS host checks on virtual hosts): https://s3.<region>.amazonaws.com/<bucket>, or
/// <configured>/<bucket>. Either way request paths are "/<uri-encoded key>" after base_path().
/// A configured http:// endpoint must be path style: InvalidArgument "endpoint: plain http:// to
/// S3 needs s3_path_style = true ..." otherwise (<bucket>.localhost is not loopback here).
Result<Endpoint> s3_endpoint(std::string_view configured, std::string_view region,
                             std::string_view bucket, bool path_style);

} // namespace ec
