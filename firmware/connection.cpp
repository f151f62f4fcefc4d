// firmware/connection.cpp - Connection: the wiring of one [connection NAME].
#include "firmware/connection.h"

#include "platform/file_status.h"

#include <cstdlib>
#include <cstring>

namespace ec::firmware {
namespace {

constexpr std::size_t kCredentialsFileMaxBytes = 64 * 1024;
constexpr std::size_t kDirReadBytes = 256 * 1024;


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

CredentialSource& Connection::credentials() {
  if (uses_role())
    return m_role;
  return m_keys;
}

ObjectStore& Connection::objects() {
  if (m_config.type == ConnectionType::Local)
    return m_dir;
  return m_s3;
}

Status Connection::load_keys(Arena& arena) {
  const ConnectionConfig& c = m_config;
  if (!c.access_key_id.empty() || !c.secret_access_key.empty()) {
    m_key_source = KeySource::Ini;
    Status set = m_keys.set(c.access_key_id, c.secret_access_key, c.session_token);
    if (!set.ok())
      m_problem = "access_key_id / secret_access_key: not usable";
    return set;
  }
  if (!c.credentials_file.empty()) {
    m_key_source = KeySource::CredentialsFile;
    std::string path = std::string(c.credentials_file);
    Arena::Mark mark = arena.mark();
    auto file = platform::read_small_file(path.c_str(), kCredentialsFileMaxBytes, arena);
    if (!file.ok()) {
      m_problem = "credentials_file " + path + ": cannot be read";
      return file.error();
    }
    if ((file.value().status.mode & 077) != 0)
      m_log.write(LogLevel::Warn, "credentials_file can be read by other users: chmod 600 it");
    auto keys = parse_credentials_file(file.value().text);
    if (!keys.ok()) {
      m_problem = "credentials_file " + path + ": not in the [default] aws_access_key_id / "
                  "aws_secret_access_key form";
      arena.rewind(mark);
      return keys.error();
    }
    Status set = m_keys.set(keys.value().access_key_id, keys.value().secret_access_key,
                            keys.value().session_token);
    // The file's text (secrets) is wiped from the arena at once.
    std::memset(const_cast<char*>(file.value().text.data()), 0, file.value().text.size());
    arena.rewind(mark);
    if (!set.ok())
      m_problem = "credentials_file " + path + ": keys not usable";
    return set;
  }
  const char* key_id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (key_id && *key_id && secret && *secret) {
    m_key_source = KeySource::Environment;
    const char* token = std::getenv("AWS_SESSION_TOKEN");
    return m_keys.set(key_id, secret, token ? token : "");
  }
  m_problem = "no access keys: set access_key_id and secret_access_key, or credentials_file";
  return make_error(ErrorCode::NotFound, "credentials: no access keys");
}

Status Connection::open(Arena& arena) {
  m_arena = &arena;
  const ConnectionConfig& c = m_config;
  if (c.type == ConnectionType::Local) {
    auto buffer = arena.try_allocate_array<std::uint8_t>(kDirReadBytes, "local read buffer");
    if (!buffer.ok())
      return buffer.error();
    m_source_label = std::string(c.local_dir);
    return m_dir.init(c.local_dir, MutableBytes(buffer.value(), kDirReadBytes));
  }
  platform::HttpSettings http;
  http.ca_bundle = c.ca_bundle;
  http.proxy = c.proxy;
  http.no_proxy = c.no_proxy;
  http.proxy_ca_bundle = c.proxy_ca_bundle;
  if (c.connect_timeout_ms)
    http.connect_timeout_ms = c.connect_timeout_ms;
  if (c.low_speed_timeout_ms)
    http.low_speed_timeout_ms = c.low_speed_timeout_ms;
  http.total_timeout_ms = c.total_timeout_ms;
  if (Status opened = m_http.open(http); !opened.ok()) {
    m_problem = "proxy / ca_bundle settings: not usable";
    return opened;
  }
  EC_TRY(m_caller.init(m_http, m_clock, m_random, m_log, retry_policy_for_retries(c.retries),
                       arena));
  m_caller_ready = true;
  EC_TRY(load_keys(arena));
  if (uses_role()) {
    std::string_view region = c.region.empty() ? std::string_view("us-east-1") : c.region;
    auto sts = sts_endpoint(c.sts_endpoint, region);
    if (!sts.ok()) {
      m_problem = "sts_endpoint: not a usable address";
      return sts.error();
    }
    m_sts = sts.value();
    m_session_name = "edgecur-" + std::string(c.name);
    if (m_session_name.size() > 64)
      m_session_name.resize(64);
    AssumeRoleSettings role;
    role.role_arn = c.role_arn;
    role.external_id = c.external_id;
    role.session_name = m_session_name;
    role.duration_seconds = 3600;
    role.region = region;
    m_role.init(m_caller, m_keys, m_sts, role);
  }
  return {};
}

Status Connection::check_role() {
  if (!uses_role())
    return {};
  auto credentials = m_role.current(now());
  if (!credentials.ok())
    return credentials.error();
  return {};
}

Status Connection::locate(Findings& findings) {
  const ConnectionConfig& c = m_config;
  Arena& arena = *m_arena;
  switch (c.type) {
  case ConnectionType::Cur: {
    auto endpoint = cur_endpoint(c.cur_endpoint);
    if (!endpoint.ok()) {
      m_problem = "cur_endpoint: not a usable address";
      return endpoint.error();
    }
    m_discovery = endpoint.value();
    auto found = discover_cur_report(m_caller, credentials(), m_discovery, c.report_name, arena,
                                     findings);
    if (!found.ok())
      return found.error();
    m_location = found.value();
    break;
  }
  case ConnectionType::Cur2: {
    auto endpoint = exports_endpoint(c.exports_endpoint);
    if (!endpoint.ok()) {
      m_problem = "exports_endpoint: not a usable address";
      return endpoint.error();
    }
    m_discovery = endpoint.value();
    auto found = discover_export(m_caller, credentials(), m_discovery, c.export_name, arena,
                                 findings);
    if (!found.ok())
      return found.error();
    m_location = found.value();
    break;
  }
  case ConnectionType::Explicit:
  case ConnectionType::Local: {
    auto given = location_from_config(c);
    if (!given.ok())
      return given.error();
    m_location = given.value();
    break;
  }
  }
  if (c.type == ConnectionType::Local)
    return {};
  // The INI's region wins over a definition's missing one; us-east-1 is AWS's default.
  if (m_location.region.empty())
    m_location.region = c.region.empty() ? std::string_view("us-east-1") : c.region;
  auto s3 = s3_endpoint(c.s3_endpoint, m_location.region, m_location.bucket, c.s3_path_style);
  if (!s3.ok()) {
    m_problem = "s3_endpoint / bucket: not a usable address";
    return s3.error();
  }
  m_s3_endpoint = s3.value();
  m_source_label = "s3://" + std::string(m_location.bucket);
  return m_s3.init(m_caller, credentials(), m_s3_endpoint, m_location.region, c.chunk_bytes, arena);
}

} // namespace ec::firmware
