// core/source/iam_policy.cpp - Writing the IAM permission and trust policies as pretty JSON.
#include "core/source/iam_policy.h"

#include <cstdint>
#include <cstdio>

namespace ec {
namespace {

constexpr std::string_view kPolicyVersion = "2012-10-17";

/// Pretty JSON (2-space indent, `"key": value`, as Python's json.dumps(indent=2) writes it) into a
/// caller buffer. Like snprintf it counts past the end, so the caller learns the size it needs.
class JsonText {
public:
  explicit JsonText(std::span<char> out) : m_out(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  /// A member name (plain ASCII from this file: not escaped).
  void key(std::string_view name) {
    before_value();
    raw('"');
    raw(name);
    raw("\": ");
    m_after_key = true;
  }
  void string(std::string_view value) {
    open_string();
    escaped(value);
    close_string();
  }
  /// A string written in pieces: open_string(), escaped() / iam_literal(), close_string().
  void open_string() {
    before_value();
    raw('"');
  }
  void close_string() { raw('"'); }
  /// JSON-escaped.
  void escaped(std::string_view text) {
    for (char c : text) {
      auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        raw('\\');
        raw(c);
      } else if (byte < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        raw("\\u00");
        raw(kHex[byte >> 4]);
        raw(kHex[byte & 0x0f]);
      } else {
        raw(c);
      }
    }
  }
  /// Text that must match only itself in an ARN or a StringLike pattern: IAM's wildcards and its
  /// variable sign become the special variables ${*}, ${?} and ${$}; then JSON-escaped.
  void iam_literal(std::string_view text) {
    for (char c : text) {
      if (c == '*' || c == '?' || c == '$') {
        const char special[] = {'$', '{', c, '}'};
        escaped(std::string_view(special, sizeof special));
      } else {
        escaped(std::string_view(&c, 1));
      }
    }
  }
  /// The final newline and terminator; returns the full length (without the terminator).
  std::size_t finish() {
    raw('\n');
    if (m_out.size() > 0)
      m_out[m_length < m_out.size() ? m_length : m_out.size() - 1] = '\0';
    return m_length;
  }

private:
  static constexpr std::size_t kMaxDepth = 8;

  void raw(char c) {
    if (m_length < m_out.size())
      m_out[m_length] = c;
    ++m_length;
  }
  void raw(std::string_view text) {
    for (char c : text)
      raw(c);
  }
  void newline() {
    raw('\n');
    for (std::size_t i = 0; i < m_depth; ++i)
      raw("  ");
  }
  void before_value() {
    if (m_after_key) {
      m_after_key = false;
      return;
    }
    if (m_depth == 0)
      return;
    if (m_has_items[m_depth - 1])
      raw(',');
    m_has_items[m_depth - 1] = true;
    newline();
  }
  void open(char bracket) {
    before_value();
    raw(bracket);
    EC_CHECK(m_depth < kMaxDepth);
    m_has_items[m_depth++] = false;
  }
  void close(char bracket) {
    EC_CHECK(m_depth > 0);
    const bool had_items = m_has_items[--m_depth];
    if (had_items)
      newline();
    raw(bracket);
  }

  std::span<char> m_out;
  std::size_t m_length = 0;
  bool m_has_items[kMaxDepth] = {};
  std::size_t m_depth = 0;
  bool m_after_key = false;
};

/// Where one connection's report objects are, as the policy names them.
struct PolicySource {
  bool reads_s3 = false;
  bool placeholder = false; ///< bucket and prefix are the placeholders
  std::string_view partition;
  std::string_view bucket;
  std::string_view prefix;
  std::string_view name;

  [[nodiscard]] bool same_bucket(const PolicySource& other) const {
    return partition == other.partition && bucket == other.bucket;
  }
  [[nodiscard]] bool same_objects(const PolicySource& other) const {
    return same_bucket(other) && prefix == other.prefix && name == other.name;
  }
};

std::string_view partition_of(const ConnectionConfig& connection) {
  if (connection.role_arn.starts_with("arn:aws-cn:"))
    return "aws-cn";
  if (connection.role_arn.starts_with("arn:aws-us-gov:"))
    return "aws-us-gov";
  if (!connection.role_arn.empty())
    return "aws";
  if (connection.region.starts_with("cn-"))
    return "aws-cn";
  if (connection.region.starts_with("us-gov-"))
    return "aws-us-gov";
  return "aws";
}

Result<PolicySource> source_of(const ConnectionConfig& connection,
                               std::span<const DiscoveredLocation> discovered) {
  PolicySource source;
  source.partition = partition_of(connection);
  switch (connection.type) {
  case ConnectionType::Local:
    return source;
  case ConnectionType::Explicit: {
    EC_TRY_ASSIGN(ReportLocation location, location_from_config(connection));
    source.reads_s3 = true;
    source.bucket = location.bucket;
    source.prefix = location.prefix;
    source.name = location.name;
    return source;
  }
  case ConnectionType::Cur:
  case ConnectionType::Cur2:
    break;
  }
  source.reads_s3 = true;
  for (const DiscoveredLocation& found : discovered)
    if (found.connection == connection.name) {
      source.bucket = found.location.bucket;
      source.prefix = found.location.prefix;
      source.name = found.location.name;
      return source;
    }
  source.placeholder = true;
  source.bucket = kPolicyBucketPlaceholder;
  source.prefix = kPolicyPrefixPlaceholder;
  source.name =
      connection.type == ConnectionType::Cur ? connection.report_name : connection.export_name;
  return source;
}

/// "PREFIX/NAME/*" (or "NAME/*"), written into an open string.
void write_key_pattern(JsonText& json, const PolicySource& source) {
  if (!source.prefix.empty()) {
    if (source.placeholder)
      json.escaped(source.prefix);
    else
      json.iam_literal(source.prefix);
    json.escaped("/");
  }
  json.iam_literal(source.name);
  json.escaped("/*");
}

void write_bucket_arn(JsonText& json, const PolicySource& source) {
  json.escaped("arn:");
  json.escaped(source.partition);
  json.escaped(":s3:::");
  json.escaped(source.bucket); // bucket names have no wildcard characters
}

void write_simple_statement(JsonText& json, std::string_view sid,
                            std::span<const std::string_view> actions) {
  json.begin_object();
  json.key("Sid");
  json.string(sid);
  json.key("Effect");
  json.string("Allow");
  json.key("Action");
  if (actions.size() == 1) {
    json.string(actions[0]);
  } else {
    json.begin_array();
    for (std::string_view action : actions)
      json.string(action);
    json.end_array();
  }
  json.key("Resource");
  json.string("*");
  json.end_object();
}

} // namespace

Result<std::size_t> write_iam_policy(const Config& config,
                                     std::span<const DiscoveredLocation> discovered,
                                     std::span<char> out, Findings& notes) {
  const std::span<const ConnectionConfig> connections = config.connections;
  // Every connection's source is worked out once here, so errors come before any text; the
  // loops below work it out again (it is cheap and pure) rather than keep 64 of them on the
  // stack.
  bool any_s3 = false;
  bool any_cur = false;
  bool any_cur2 = false;
  bool any_names = false;
  for (const ConnectionConfig& connection : connections) {
    EC_TRY_ASSIGN(PolicySource source, source_of(connection, discovered));
    any_s3 = any_s3 || source.reads_s3;
    any_cur = any_cur || connection.type == ConnectionType::Cur;
    any_cur2 = any_cur2 || connection.type == ConnectionType::Cur2;
    any_names = any_names || (connection.account_names && connection.type != ConnectionType::Local);
    if (source.placeholder)
      notes.add(FindingLevel::Warning,
                "connection %.*s: its report has not been found yet, so the policy names %.*s "
                "and %.*s; replace them with the bucket and prefix the report is delivered to "
                "(edgecur verify shows them), and drop '%.*s/' when it has no prefix",
                static_cast<int>(connection.name.size()), connection.name.data(),
                static_cast<int>(kPolicyBucketPlaceholder.size()), kPolicyBucketPlaceholder.data(),
                static_cast<int>(kPolicyPrefixPlaceholder.size()), kPolicyPrefixPlaceholder.data(),
                static_cast<int>(kPolicyPrefixPlaceholder.size()), kPolicyPrefixPlaceholder.data());
  }
  if (!any_s3 && !any_names)
    return make_error(ErrorCode::NotFound, "iam: no connection reads from aws");
  if (any_names)
    notes.add(FindingLevel::Warning,
              "organizations:ListAccounts works only in the organization's management account "
              "(or a delegated administrator account): give that statement to the role or user "
              "there");

  auto source = [&](std::size_t index) {
    Result<PolicySource> result = source_of(connections[index], discovered);
    EC_CHECK(result.ok()); // checked above
    return result.value();
  };
  // The first connection of each bucket leads its group; a connection repeating an earlier
  // one's objects adds nothing.
  auto leads_group = [&](std::size_t index, const PolicySource& own) {
    for (std::size_t earlier = 0; earlier < index; ++earlier) {
      PolicySource other = source(earlier);
      if (other.reads_s3 && other.same_bucket(own))
        return false;
    }
    return true;
  };
  auto repeats = [&](std::size_t from, std::size_t index, const PolicySource& own) {
    for (std::size_t earlier = from; earlier < index; ++earlier) {
      PolicySource other = source(earlier);
      if (other.reads_s3 && other.same_objects(own))
        return true;
    }
    return false;
  };

  JsonText json(out);
  json.begin_object();
  json.key("Version");
  json.string(kPolicyVersion);
  json.key("Statement");
  json.begin_array();

  std::size_t group_number = 0;
  std::size_t object_patterns = 0;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    const PolicySource lead = source(i);
    if (!lead.reads_s3 || !leads_group(i, lead))
      continue;
    ++group_number;
    char sid[32];
    const int sid_length = std::snprintf(sid, sizeof sid, "ListReports%zu", group_number);
    json.begin_object();
    json.key("Sid");
    json.string(std::string_view(sid, static_cast<std::size_t>(sid_length)));
    json.key("Effect");
    json.string("Allow");
    json.key("Action");
    json.string("s3:ListBucket");
    json.key("Resource");
    json.open_string();
    write_bucket_arn(json, lead);
    json.close_string();
    json.key("Condition");
    json.begin_object();
    json.key("StringLike");
    json.begin_object();
    json.key("s3:prefix");
    json.begin_array();
    for (std::size_t k = i; k < connections.size(); ++k) {
      const PolicySource member = source(k);
      if (!member.reads_s3 || !member.same_bucket(lead) || repeats(i, k, member))
        continue;
      ++object_patterns;
      json.open_string();
      write_key_pattern(json, member);
      json.close_string();
    }
    json.end_array();
    json.end_object();
    json.end_object();
    json.end_object();
  }

  if (object_patterns > 0) {
    json.begin_object();
    json.key("Sid");
    json.string("ReadReports");
    json.key("Effect");
    json.string("Allow");
    json.key("Action");
    json.string("s3:GetObject");
    json.key("Resource");
    if (object_patterns > 1)
      json.begin_array();
    for (std::size_t i = 0; i < connections.size(); ++i) {
      const PolicySource lead = source(i);
      if (!lead.reads_s3 || !leads_group(i, lead))
        continue;
      for (std::size_t k = i; k < connections.size(); ++k) {
        const PolicySource member = source(k);
        if (!member.reads_s3 || !member.same_bucket(lead) || repeats(i, k, member))
          continue;
        json.open_string();
        write_bucket_arn(json, member);
        json.escaped("/");
        write_key_pattern(json, member);
        json.close_string();
      }
    }
    if (object_patterns > 1)
      json.end_array();
    json.end_object();
  }

  if (any_cur) {
    const std::string_view actions[] = {"cur:DescribeReportDefinitions"};
    write_simple_statement(json, "FindReports", actions);
  }
  if (any_cur2) {
    const std::string_view actions[] = {"bcm-data-exports:ListExports",
                                        "bcm-data-exports:GetExport"};
    write_simple_statement(json, "FindExports", actions);
  }
  if (any_names) {
    const std::string_view actions[] = {"organizations:ListAccounts"};
    write_simple_statement(json, "ReadAccountNames", actions);
  }

  json.end_array();
  json.end_object();
  return json.finish();
}

Result<std::size_t> write_trust_policy(const ConnectionConfig& connection, std::span<char> out,
                                       Findings& notes) {
  if (connection.role_arn.empty() || connection.external_id.empty())
    return make_error(ErrorCode::NotFound, "iam: connection has no role_arn and external_id");
  JsonText json(out);
  json.begin_object();
  json.key("Version");
  json.string(kPolicyVersion);
  json.key("Statement");
  json.begin_array();
  json.begin_object();
  json.key("Sid");
  json.string("EdgecurAssumeRole");
  json.key("Effect");
  json.string("Allow");
  json.key("Principal");
  json.begin_object();
  json.key("AWS");
  json.string(kTrustedPrincipalPlaceholder);
  json.end_object();
  json.key("Action");
  json.string("sts:AssumeRole");
  json.key("Condition");
  json.begin_object();
  json.key("StringEquals");
  json.begin_object();
  json.key("sts:ExternalId");
  json.string(connection.external_id); // the one place the external id is written
  json.end_object();
  json.end_object();
  json.end_object();
  json.end_array();
  json.end_object();
  notes.add(FindingLevel::Warning,
            "connection %.*s: this trust policy belongs on role %.*s; replace %.*s with the ARN "
            "of the IAM user (or role) whose keys this device uses; the policy holds the "
            "external id: give it only to the account owner",
            static_cast<int>(connection.name.size()), connection.name.data(),
            static_cast<int>(connection.role_arn.size()), connection.role_arn.data(),
            static_cast<int>(kTrustedPrincipalPlaceholder.size()),
            kTrustedPrincipalPlaceholder.data());
  return json.finish();
}

} // namespace ec
