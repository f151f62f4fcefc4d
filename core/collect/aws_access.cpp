// core/collect/aws_access.cpp - AwsAccess: the AWS wiring every remote connection type shares.
#include "core/collect/aws_access.h"

#include "core/base/secure_wipe.h"
#include "core/net/retry_policy.h"

#include <cstring>

namespace ec {
namespace {

constexpr std::string_view kDefaultRegion = "us-east-1";

} // namespace

const char* key_source_text(KeySource source) {
  switch (source) {
  case KeySource::None:
    return "no access keys";
  case KeySource::Ini:
    return "access keys from the INI";
  case KeySource::CredentialsFile:
    return "access keys from credentials_file";
  case KeySource::Environment:
    return "access keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";
  }
  return "";
}

void AwsAccess::set_problem(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view part : parts) {
    std::size_t room = sizeof m_problem - size;
    std::size_t take = part.size() < room ? part.size() : room;
    std::memcpy(m_problem + size, part.data(), take);
    size += take;
  }
  m_problem_size = size;
}

CredentialSource& AwsAccess::credentials() {
  if (uses_role())
    return m_role;
  return m_keys;
}

UnixSeconds AwsAccess::now() {
  UnixSeconds wall = m_host.clock().wall_seconds();
  return m_caller_ready ? m_caller.offset().corrected(wall) : wall;
}

Status AwsAccess::load_keys(Arena& arena) {
  const ConnectionConfig& c = m_config;
  if (!c.access_key_id.empty() || !c.secret_access_key.empty()) {
    m_key_source = KeySource::Ini;
    Status set = m_keys.set(c.access_key_id, c.secret_access_key, c.session_token);
    if (!set.ok())
      set_problem({"access_key_id / secret_access_key: not usable"});
    return set;
  }
  if (!c.credentials_file.empty()) {
    m_key_source = KeySource::CredentialsFile;
    Arena::Mark mark = arena.mark();
    auto file = m_host.read_file(c.credentials_file, kCredentialsFileMaxBytes, arena);
    if (!file.ok()) {
      set_problem({"credentials_file ", c.credentials_file, ": cannot be read"});
      return file.error();
    }
    if (file.value().others_can_read)
      m_host.log().write(LogLevel::Warn,
                         "credentials_file can be read by other users: chmod 600 it");
    auto keys = parse_credentials_file(file.value().text);
    Status set = keys.ok() ? m_keys.set(keys.value().access_key_id, keys.value().secret_access_key,
                                        keys.value().session_token)
                           : Status(keys.error());
    // The file's text (secrets) is wiped from the arena at once.
    secure_wipe(const_cast<char*>(file.value().text.data()), file.value().text.size());
    arena.rewind(mark);
    if (!keys.ok())
      set_problem({"credentials_file ", c.credentials_file,
                   ": not in the [default] aws_access_key_id / aws_secret_access_key form"});
    else if (!set.ok())
      set_problem({"credentials_file ", c.credentials_file, ": keys not usable"});
    return set;
  }
  std::string_view key_id = m_host.environment("AWS_ACCESS_KEY_ID");
  std::string_view secret = m_host.environment("AWS_SECRET_ACCESS_KEY");
  if (!key_id.empty() && !secret.empty()) {
    m_key_source = KeySource::Environment;
    return m_keys.set(key_id, secret, m_host.environment("AWS_SESSION_TOKEN"));
  }
  set_problem({"no access keys: set access_key_id and secret_access_key, or credentials_file"});
  return make_error(ErrorCode::NotFound, "credentials: no access keys");
}

Status AwsAccess::open(Arena& arena) {
  const ConnectionConfig& c = m_config;
  HttpSettings http;
  http.ca_bundle = c.ca_bundle;
  http.proxy = c.proxy;
  http.no_proxy = c.no_proxy;
  http.proxy_ca_bundle = c.proxy_ca_bundle;
  if (c.connect_timeout_ms)
    http.connect_timeout_ms = c.connect_timeout_ms;
  if (c.low_speed_timeout_ms)
    http.low_speed_timeout_ms = c.low_speed_timeout_ms;
  http.total_timeout_ms = c.total_timeout_ms;
  auto transport = m_host.open_http(http);
  if (!transport.ok()) {
    set_problem({"proxy / ca_bundle settings: not usable"});
    return transport.error();
  }
  EC_TRY(m_caller.init(*transport.value(), m_host.clock(), m_host.random(), m_host.log(),
                       retry_policy_for_retries(c.retries), arena));
  m_caller_ready = true;
  EC_TRY(load_keys(arena));
  if (!uses_role())
    return {};
  std::string_view region = c.region.empty() ? kDefaultRegion : c.region;
  auto sts = sts_endpoint(c.sts_endpoint, region);
  if (!sts.ok()) {
    set_problem({"sts_endpoint: not a usable address"});
    return sts.error();
  }
  m_sts = sts.value();
  // "edgecur-<connection>", at most 64 bytes (AWS's limit for a session name).
  TextBuilder session(std::span<char>(m_session_name, sizeof m_session_name - 1));
  session.append("edgecur-");
  std::string_view name = c.name.substr(0, session.capacity() - session.size());
  session.append(name);
  AssumeRoleSettings role;
  role.role_arn = c.role_arn;
  role.external_id = c.external_id;
  role.session_name = session.view();
  role.duration_seconds = 3600;
  role.region = region;
  m_role.init(m_caller, m_keys, m_sts, role);
  return {};
}

Status AwsAccess::check_role() {
  if (!uses_role())
    return {};
  auto credentials = m_role.current(now());
  if (credentials.ok())
    return {};
  std::string_view code = m_role.last_error_code();
  if (code.empty())
    set_problem({"AssumeRole of role_arn failed: check sts_endpoint, region and the network path "
                 "to AWS STS"});
  else
    set_problem(
        {"AssumeRole of role_arn refused (AWS: ", code, "): check role_arn and external_id"});
  return credentials.error();
}

Status AwsAccess::open_bucket(ReportLocation& location, Arena& arena) {
  const ConnectionConfig& c = m_config;
  // The INI's region wins over a definition's missing one; us-east-1 is AWS's default.
  if (location.region.empty())
    location.region = c.region.empty() ? kDefaultRegion : c.region;
  auto s3 = s3_endpoint(c.s3_endpoint, location.region, location.bucket, c.s3_path_style);
  if (!s3.ok()) {
    set_problem({"s3_endpoint / bucket: not a usable address"});
    return s3.error();
  }
  m_s3_endpoint = s3.value();
  TextBuilder label(std::span<char>(m_label, sizeof m_label));
  label.append("s3://");
  label.append(location.bucket);
  m_label_size = label.size();
  return m_s3.init(m_caller, credentials(), m_s3_endpoint, location.region, c.chunk_bytes, arena);
}

} // namespace ec
