// firmware/verify_command.cpp - `edgecur verify`: each step of each connection, OK or FAIL with
// the cause and the fix, for a technician on site.
#include "core/aws/cur_manifest.h"
#include "core/source/report_sync.h"
#include "firmware/commands.h"
#include "firmware/connection.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/network_memory.h"
#include "firmware/runtime.h"
#include "firmware/settings.h"

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace ec::firmware {
namespace {

class Checks {
public:
  explicit Checks(std::string name) : m_name(std::move(name)) {}
  void ok(const char* check, const std::string& detail) {
    std::printf("OK    %-12s %-18s %s\n", m_name.c_str(), check, detail.c_str());
  }
  void warn(const char* check, const std::string& detail) {
    std::printf("WARN  %-12s %-18s %s\n", m_name.c_str(), check, detail.c_str());
  }
  void fail(const char* check, const std::string& cause, const std::string& fix) {
    std::printf("FAIL  %-12s %-18s %s\n", m_name.c_str(), check, cause.c_str());
    if (!fix.empty())
      std::printf("      %-12s %-18s fix: %s\n", "", "", fix.c_str());
    m_failed = true;
  }
  void skip(const char* check) {
    std::printf("SKIP  %-12s %-18s (an earlier check failed)\n", m_name.c_str(), check);
  }
  [[nodiscard]] bool failed() const { return m_failed; }

private:
  std::string m_name;
  bool m_failed = false;
};

std::string utc_text(UnixSeconds seconds) {
  CivilTime civil = civil_from_seconds(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d UTC", civil.year, civil.month,
                civil.day, civil.hour, civil.minute);
  return text;
}

// The newest top-level manifest of the report.
class LatestManifest final : public ObjectVisitor {
public:
  explicit LatestManifest(const ReportLocation& location) : m_location(location) {}
  Status on_object(const ObjectEntry& entry) override {
    ++objects;
    auto parts = parse_cur_key(entry.key);
    if (!parts.ok())
      return {};
    const CurKeyParts& key = parts.value();
    if (!is_period_manifest(key, m_location))
      return {};
    ++manifests;
    if (key.period.start >= latest_start) {
      latest_start = key.period.start;
      latest_key = std::string(entry.key);
    }
    return {};
  }
  std::uint64_t objects = 0;
  std::uint64_t manifests = 0;
  UnixSeconds latest_start = INT64_MIN;
  std::string latest_key;

private:
  const ReportLocation& m_location;
};

// Takes the first chunk of a data file and stops the transfer.
class FirstBytes final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    if (taken == 0 && !chunk.empty())
      first = chunk[0];
    taken += chunk.size();
    return make_error(ErrorCode::LimitExceeded, "verify: enough bytes read");
  }
  Status finish() override { return {}; }
  std::uint64_t taken = 0;
  std::uint8_t first = 0;
};

std::string aws_cause(const Error& error, std::string_view code) {
  std::string cause = error_text(error);
  if (!code.empty())
    cause += " (AWS: " + std::string(code) + ")";
  return cause;
}

std::string access_fix(const ConnectionConfig& c, const char* action) {
  std::string fix = std::string("give ") + (c.role_arn.empty() ? "the IAM user" : "the role") +
                    " the permission " + action + " (`edgecur policy` prints the whole policy)";
  return fix;
}

bool verify_connection(const ConnectionConfig& c, Clock& clock, RandomSource& random, Log& log,
                       Arena& arena) {
  Checks checks(std::string(c.name));
  auto connection = std::make_unique<Connection>(c, clock, random, log);
  Status opened = connection->open(arena);
  if (!opened.ok()) {
    checks.fail(c.type == ConnectionType::Local ? "local directory" : "credentials",
                error_text(opened.error()) +
                    (connection->problem().empty() ? "" : "; " + connection->problem()),
                c.type == ConnectionType::Local ? "set local_dir to a readable directory"
                                                : "give access_key_id and secret_access_key, or "
                                                  "credentials_file (chmod 600)");
    return false;
  }
  if (connection->remote())
    checks.ok("credentials", key_source_text(connection->key_source()));
  if (connection->uses_role()) {
    Status role = connection->check_role();
    if (!role.ok()) {
      std::string_view code = connection->role().last_error_code();
      checks.fail("assume role", aws_cause(role.error(), code),
                  code == "AccessDenied"
                      ? "check role_arn and external_id against what the account owner gave; the "
                        "role's trust policy must allow this user with this external id"
                  : code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch"
                      ? "the access keys are wrong or deleted: get new ones"
                      : "check sts_endpoint, region and the network path to AWS");
      return false;
    }
    checks.ok("assume role", std::string(c.role_arn) + ", session valid until " +
                                 utc_text(connection->role().expiration()));
  }
  Findings findings;
  Status located = connection->locate(findings);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& finding = findings[i];
    if (finding.level == FindingLevel::Error)
      checks.fail("report settings", std::string(finding.view()), "");
    else
      checks.warn("report settings", std::string(finding.view()));
  }
  if (!located.ok()) {
    checks.fail("report definition",
                error_text(located.error()) +
                    (connection->problem().empty() ? "" : "; " + connection->problem()),
                c.type == ConnectionType::Cur
                    ? access_fix(c, "cur:DescribeReportDefinitions") + ", and check report_name"
                : c.type == ConnectionType::Cur2
                    ? access_fix(c, "bcm-data-exports:GetExport") + ", and check export_name"
                    : "check bucket, prefix and report_name");
    return false;
  }
  const ReportLocation& location = connection->location();
  checks.ok("report definition",
            std::string(location.layout == CurLayout::Cur2 ? "CUR 2.0 export " : "CUR report ") +
                std::string(location.name) + " in " + connection->source_label() + "/" +
                std::string(location.prefix) +
                (connection->remote() ? " (" + std::string(location.region) + ")" : ""));
  char prefix[1100];
  std::size_t prefix_size = ReportSync::manifest_prefix(location, prefix);
  if (prefix_size == ReportSync::kNoPrefix) {
    checks.fail("bucket listing", "the report's prefix is too long", "shorten prefix");
    return false;
  }
  LatestManifest latest(location);
  Status listed = connection->objects().list(std::string_view(prefix, prefix_size), latest);
  if (!listed.ok()) {
    checks.fail("bucket listing", aws_cause(listed.error(), connection->s3().last_error_code()),
                connection->remote() ? access_fix(c, "s3:ListBucket on the bucket") +
                                           "; check bucket, region and s3_endpoint"
                                     : "check local_dir");
    return false;
  }
  if (latest.manifests == 0) {
    checks.fail("bucket listing",
                "no manifest under " + std::string(prefix, prefix_size) + " (" +
                    std::to_string(latest.objects) + " objects)",
                "check prefix and the report name; AWS writes the first report up to 24 hours "
                "after it is created");
    return false;
  }
  checks.ok("bucket listing", std::to_string(latest.manifests) + " billing period" +
                                  (latest.manifests == 1 ? "" : "s"));
  std::vector<std::uint8_t> buffer(kMaxManifestBytes);
  std::vector<std::uint8_t> parse_memory(256 * 1024);
  Arena parse_arena(MutableBytes(parse_memory.data(), parse_memory.size()));
  ObjectVersion version;
  auto body = connection->objects().read_small(latest.latest_key,
                                               MutableBytes(buffer.data(), buffer.size()), version);
  if (!body.ok()) {
    checks.fail("latest manifest",
                aws_cause(body.error(), connection->s3().last_error_code()) + " [" +
                    latest.latest_key + "]",
                connection->remote() ? access_fix(c, "s3:GetObject on the report prefix") : "");
    return false;
  }
  auto manifest = parse_cur_manifest(
      std::string_view(reinterpret_cast<const char*>(body.value().data()), body.value().size()),
      parse_arena);
  if (!manifest.ok()) {
    checks.fail("latest manifest", error_text(manifest.error()) + " [" + latest.latest_key + "]",
                "the manifest is not one edgecur can read: report it with this output");
    return false;
  }
  const CurManifest& m = manifest.value();
  checks.ok("latest manifest",
            latest.latest_key + ": " + std::to_string(m.data_files.size()) + " data file" +
                (m.data_files.size() == 1 ? "" : "s") +
                (m.delivery_id().empty() ? "" : ", delivery " + std::string(m.delivery_id())));
  if (m.data_files.empty()) {
    checks.warn("data read", "the latest delivery names no data file");
    return !checks.failed();
  }
  FirstBytes first;
  ObjectVersion data_version;
  Status read = connection->objects().stream(m.data_files[0].key, first, data_version, nullptr);
  if (first.taken == 0) {
    checks.fail("data read",
                aws_cause(read.error(), connection->s3().last_error_code()) + " [" +
                    std::string(m.data_files[0].key) + "]",
                connection->remote() ? access_fix(c, "s3:GetObject on the report prefix") : "");
    return false;
  }
  checks.ok("data read", "read " + human_bytes(first.taken) + " of " +
                             std::string(m.data_files[0].key) +
                             (first.first == 0x1f  ? " (gzip)"
                              : first.first == 'P' ? " (zip)"
                                                   : ""));
  if (connection->remote() && connection->caller().offset().seconds() != 0) {
    checks.warn("clock", "this device's clock is " +
                             std::to_string(connection->caller().offset().seconds()) +
                             " s behind AWS (negative: ahead); requests were signed with the "
                             "corrected time; fix NTP on the device");
  }
  return !checks.failed();
}

} // namespace

int run_verify(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store", "connection"}, {});
  if (!args.ok()) {
    print_message("verify: " + args.problem());
    return kExitUsage;
  }
  Settings settings;
  if (int code = load_settings(args, settings); code != kExitOk)
    return code;
  if (!settings.config || settings.config->connections.empty()) {
    print_message("verify: no [connection NAME] section in the configuration");
    return kExitConfig;
  }
  if (int code = give_network_memory(settings, "verify"); code != kExitOk)
    return code;
  Runtime runtime(settings.config->log.level);
  Clock& clock = runtime.clock;
  RandomSource& random = runtime.random;
  Log& log = runtime.log;
  std::vector<std::uint8_t> memory(Connection::kArenaBytes);
  Arena arena(MutableBytes(memory.data(), memory.size()));
  const char* only = args.value("connection");
  bool all_ok = true;
  bool matched = false;
  for (const ConnectionConfig& c : settings.config->connections) {
    if (only && std::string(c.name) != only)
      continue;
    matched = true;
    arena.reset();
    all_ok = verify_connection(c, clock, random, log, arena) && all_ok;
  }
  platform::http_global_cleanup();
  if (only && !matched) {
    print_message(std::string("verify: no connection named ") + only);
    return kExitUsage;
  }
  return all_ok ? kExitOk : kExitRemote;
}

} // namespace ec::firmware
