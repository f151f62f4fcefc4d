// core/collect/source_check.cpp - check_connection: the verify steps of one connection.
#include "core/collect/source_check.h"

#include "core/base/byte_sink.h"
#include "core/base/byte_size_text.h"
#include "core/base/text_builder.h"
#include "core/collect/aws_access.h"
#include "core/collect/source_registry.h"

#include <cstdio>

namespace ec {
namespace {

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

class Checker {
public:
  Checker(Source& source, CheckObserver& observer) : m_source(source), m_observer(observer) {}

  // Each line is built here, then handed to the observer.
  TextBuilder& text() {
    m_text.clear();
    return m_text;
  }
  void append_error(const Error& error) {
    char line[512];
    std::size_t size = format_error(error, line, sizeof line);
    m_text.append(std::string_view(line, size));
  }
  void append_number(std::uint64_t value) {
    char digits[24];
    int size = std::snprintf(digits, sizeof digits, "%llu", static_cast<unsigned long long>(value));
    m_text.append(std::string_view(digits, static_cast<std::size_t>(size)));
  }
  // "(error) (AWS: code)" for a failed request.
  void append_cause(const Error& error, std::string_view aws_code) {
    append_error(error);
    if (!aws_code.empty()) {
      m_text.append(" (AWS: ");
      m_text.append(aws_code);
      m_text.append(")");
    }
  }
  void ok(std::string_view check) { emit(CheckResult::Ok, check, {}); }
  void warn(std::string_view check) { emit(CheckResult::Warn, check, {}); }
  void fail(std::string_view check, SourceStep step, std::string_view aws_code = {}) {
    char fix[512];
    TextBuilder advice{std::span<char>(fix, sizeof fix)};
    m_source.write_fix(step, aws_code, advice);
    emit(CheckResult::Fail, check, advice.view());
  }
  void fail_with(std::string_view check, std::string_view fix) {
    emit(CheckResult::Fail, check, fix);
  }
  [[nodiscard]] bool failed() const { return m_failed; }

private:
  void emit(CheckResult result, std::string_view check, std::string_view fix) {
    m_failed = m_failed || result == CheckResult::Fail;
    m_observer.on_check(result, check, m_text.view(), fix);
  }

  Source& m_source;
  CheckObserver& m_observer;
  char m_text_bytes[2048];
  TextBuilder m_text{std::span<char>(m_text_bytes, sizeof m_text_bytes)};
  bool m_failed = false;
};

void append_utc(TextBuilder& text, UnixSeconds seconds) {
  CivilTime civil = civil_from_seconds(seconds);
  char line[32];
  int size = std::snprintf(line, sizeof line, "%04d-%02d-%02d %02d:%02d UTC", civil.year,
                           civil.month, civil.day, civil.hour, civil.minute);
  text.append(std::string_view(line, static_cast<std::size_t>(size)));
}

void append_bytes(TextBuilder& text, std::uint64_t bytes) {
  char line[32];
  text.append(std::string_view(line, format_byte_size(bytes, line, sizeof line)));
}

std::string_view aws_code_of(Source& source) {
  AwsAccess* aws = source.aws();
  return aws ? aws->s3().last_error_code() : std::string_view();
}

// Credentials (or the folder), then the role. False when a step failed.
bool check_access(const ConnectionConfig& c, Source& source, Arena& arena, Checker& checks) {
  AwsAccess* aws = source.aws();
  Status opened = source.open(arena);
  if (!opened.ok()) {
    TextBuilder& text = checks.text();
    checks.append_error(opened.error());
    if (!source.problem().empty()) {
      text.append("; ");
      text.append(source.problem());
    }
    checks.fail(aws ? "credentials" : "local directory", SourceStep::Open);
    return false;
  }
  if (aws) {
    checks.text().append(key_source_text(aws->key_source()));
    checks.ok("credentials");
  }
  if (aws && aws->uses_role()) {
    Status role = source.check_access();
    if (!role.ok()) {
      checks.text();
      std::string_view code = aws->role().last_error_code();
      checks.append_cause(role.error(), code);
      checks.fail("assume role", SourceStep::Access, code);
      return false;
    }
    TextBuilder& text = checks.text();
    text.append(c.role_arn);
    text.append(", session valid until ");
    append_utc(text, aws->role().expiration());
    checks.ok("assume role");
  }
  return true;
}

// The report's settings and definition. False when it cannot be read.
bool check_location(Source& source, Checker& checks) {
  AwsAccess* aws = source.aws();
  Findings findings;
  Status located = source.locate(findings);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    checks.text().append(findings[i].view());
    if (findings[i].level == FindingLevel::Error)
      checks.fail_with("report settings", {});
    else
      checks.warn("report settings");
  }
  if (!located.ok()) {
    TextBuilder& text = checks.text();
    checks.append_error(located.error());
    if (!source.problem().empty()) {
      text.append("; ");
      text.append(source.problem());
    }
    checks.fail("report definition", SourceStep::Locate);
    return false;
  }
  const ReportLocation& location = source.location();
  {
    TextBuilder& text = checks.text();
    text.append(location.layout == CurLayout::Cur2 ? "CUR 2.0 export " : "CUR report ");
    text.append(location.name);
    text.append(" in ");
    text.append(source.label());
    text.append("/");
    text.append(location.prefix);
    if (aws) {
      text.append(" (");
      text.append(location.region);
      text.append(")");
    }
    checks.ok("report definition");
  }
  return true;
}

// The listing: the newest period's manifest key, or empty when the step failed.
std::string_view check_listing(Source& source, ReportSync& sync, Checker& checks) {
  const ReportLocation& location = source.location();
  auto newest = sync.newest_manifest(location, source.objects());
  if (!newest.ok()) {
    checks.text();
    checks.append_cause(newest.error(), aws_code_of(source));
    checks.fail("bucket listing", SourceStep::List, aws_code_of(source));
    return {};
  }
  const ReportSync::NewestManifest& listed = newest.value();
  if (listed.key.empty()) {
    char prefix[1100];
    std::size_t prefix_size = ReportSync::manifest_prefix(location, prefix);
    TextBuilder& text = checks.text();
    text.append("no manifest under ");
    if (prefix_size != ReportSync::kNoPrefix)
      text.append(std::string_view(prefix, prefix_size));
    text.append(" (");
    checks.append_number(listed.objects);
    text.append(" objects)");
    checks.fail_with("bucket listing", "check prefix and the report name; AWS writes the first "
                                       "report up to 24 hours after it is created");
    return {};
  }
  {
    TextBuilder& text = checks.text();
    checks.append_number(listed.periods);
    text.append(listed.periods == 1 ? " billing period" : " billing periods");
    checks.ok("bucket listing");
  }
  return listed.key;
}

// The manifest, then the first bytes of its first data file.
bool check_data(Source& source, ReportSync& sync, std::string_view manifest_key, Checker& checks) {
  const ReportLocation& location = source.location();
  ObjectVersion version;
  bool was_read = false;
  auto manifest = sync.read_manifest(manifest_key, source.objects(), version, was_read);
  if (!manifest.ok()) {
    TextBuilder& text = checks.text();
    checks.append_cause(manifest.error(), aws_code_of(source));
    text.append(" [");
    text.append(manifest_key);
    text.append("]");
    if (was_read)
      checks.fail_with("latest manifest",
                       "the manifest is not one edgecur can read: report it with this output");
    else
      checks.fail("latest manifest", SourceStep::Manifest, aws_code_of(source));
    return false;
  }
  const CurManifest& m = manifest.value();
  {
    TextBuilder& text = checks.text();
    text.append(manifest_key);
    text.append(": ");
    checks.append_number(m.data_files.size());
    text.append(m.data_files.size() == 1 ? " data file" : " data files");
    if (!m.delivery_id().empty()) {
      text.append(", delivery ");
      text.append(m.delivery_id());
    }
    checks.ok("latest manifest");
  }
  if (m.data_files.empty()) {
    checks.text().append("the latest delivery names no data file");
    checks.warn("data read");
    return true;
  }
  auto key = sync.data_key(m.data_files[0], location);
  FirstBytes first;
  Status read = key.ok() ? Status() : Status(key.error());
  if (key.ok()) {
    ObjectVersion data_version;
    read = source.objects().stream(key.value(), first, data_version, nullptr);
  }
  if (first.taken == 0) {
    TextBuilder& text = checks.text();
    checks.append_cause(read.ok() ? make_error(ErrorCode::Truncated, "verify: the file is empty")
                                  : read.error(),
                        aws_code_of(source));
    text.append(" [");
    text.append(key.ok() ? key.value() : m.data_files[0].key);
    text.append("]");
    checks.fail("data read", SourceStep::Data, aws_code_of(source));
    return false;
  }
  {
    TextBuilder& text = checks.text();
    text.append("read ");
    append_bytes(text, first.taken);
    text.append(" of ");
    text.append(key.value());
    text.append(first.first == 0x1f ? " (gzip)" : first.first == 'P' ? " (zip)" : "");
    checks.ok("data read");
  }
  return true;
}

bool check_source(const ConnectionConfig& c, Source& source, Arena& arena, ReportSync& sync,
                  Checker& checks) {
  if (!check_access(c, source, arena, checks) || !check_location(source, checks))
    return false;
  std::string_view manifest_key = check_listing(source, sync, checks);
  if (manifest_key.empty() || !check_data(source, sync, manifest_key, checks))
    return false;
  AwsAccess* aws = source.aws();
  if (aws && aws->caller().offset().seconds() != 0) {
    TextBuilder& text = checks.text();
    text.append("this device's clock is ");
    std::int64_t offset = aws->caller().offset().seconds();
    char number[24];
    int size = std::snprintf(number, sizeof number, "%lld", static_cast<long long>(offset));
    text.append(std::string_view(number, static_cast<std::size_t>(size)));
    text.append(" s behind AWS (negative: ahead); requests were signed with the corrected time; "
                "fix NTP on the device");
    checks.warn("clock");
  }
  return !checks.failed();
}

} // namespace

bool check_connection(const ConnectionConfig& connection, Host& host, Arena& arena,
                      ReportSync& sync, CheckObserver& observer) {
  auto made = make_source(connection, host, arena);
  if (!made.ok()) {
    char line[512];
    std::size_t size = format_error(made.error(), line, sizeof line);
    observer.on_check(CheckResult::Fail, "memory", std::string_view(line, size), {});
    return false;
  }
  bool passed = false;
  {
    SourceHandle source(made.value());
    Checker checks(*source, observer);
    passed = check_source(connection, *source, arena, sync, checks);
  }
  host.release();
  return passed;
}

} // namespace ec
