// core/config/config_loader.cpp - INI text to Config through inih, collecting every problem.
//
// inih, as Debian builds it, gives the handler no line number, reads at most 200-byte lines and
// silently splits longer ones, truncates section names to 50 bytes, reports only the first bad
// line, and joins indented lines to the previous value. (The firmware profile builds Debian's
// source with line numbers and our line limit when the mirror serves it: toolchains/deps/inih.
// Either build reads the same way here.) So inih reads through our reader callback, which hands
// out one whole line at a time and does the line-level work itself: counting lines, refusing
// long lines and control bytes, stripping the BOM, CR and indentation (no continuation lines),
// parsing section headers, and reporting lines without '='. inih then splits `key = value` (and
// `key: value`), trims, and drops inline `;` comments; the handler
// checks each key against the settings table.
#include "core/base/ascii.h"
#include "core/config/config.h"
#include "core/config/config_schema.h"

#include <ini.h>

#include <cstdio>
#include <cstring>

namespace ec {
namespace {

constexpr std::size_t kMaxSettings = 64;
constexpr std::size_t kMaxShownValueBytes = 64;
constexpr std::size_t kMaxConnectionNameBytes = 32;

enum class SectionState : std::uint8_t {
  BeforeFirst, ///< no section header yet
  Valid,       ///< keys go to `m_section`
  Ignored,     ///< a bad or duplicate header: its keys are skipped (already reported)
};

/// A credentials_file whose mode lets others read it; reported once the policy is known.
struct OpenCredentials {
  std::uint32_t line = 0;
  std::uint32_t mode = 0;
  std::uint16_t connection = 0;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

int as_int(std::size_t size) {
  return static_cast<int>(size < 100000 ? size : 100000);
}

// Levenshtein distance, capped: enough to suggest a key for a typo.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  constexpr std::size_t kMax = 48;
  if (a.size() > kMax || b.size() > kMax)
    return kMax;
  std::size_t row[kMax + 1] = {};
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t best = diagonal + cost;
      if (above + 1 < best)
        best = above + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool valid_connection_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxConnectionNameBytes)
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return true;
}

// A value as it may appear in a message: cut to kMaxShownValueBytes ("..." marks the cut).
struct Shown {
  int length;
  const char* data;
  const char* ellipsis;
};
Shown shown(std::string_view value) {
  if (value.size() <= kMaxShownValueBytes)
    return {as_int(value.size()), value.data(), ""};
  return {as_int(kMaxShownValueBytes), value.data(), "..."};
}

class Loader {
public:
  Loader(std::string_view text, Arena& arena, ConfigDiagnostics& diagnostics, ConfigFiles* files)
      : m_text(text), m_arena(arena), m_diagnostics(diagnostics), m_files(files) {}

  /// Runs inih over the whole text. Returns nullptr only when the arena ran out.
  Config* run(std::string_view source_path);
  /// Reports the config file's own permissions (after run(), which learnt the policy).
  void check_own_permissions(const char* path, const FileFacts& facts);
  [[nodiscard]] bool out_of_memory() const { return m_out_of_memory; }
  [[nodiscard]] bool refused() const { return m_refused; }

  static char* read_line(char* buffer, int size, void* stream) {
    return static_cast<Loader*>(stream)->next_line(buffer, size);
  }
#if INI_HANDLER_LINENO // inih built from Debian's source with our options (toolchains/deps/inih)
  static int on_key(void* user, const char* section, const char* name, const char* value,
                    int /*line: the reader's count, one line a call*/) {
    return on_key(user, section, name, value);
  }
#endif
  static int on_key(void* user, const char* /*section: ours is tracked by the reader*/,
                    const char* name, const char* value) {
    static_cast<Loader*>(user)->handle_key(name ? name : "", value ? value : "");
    return 1;
  }

private:
  char* next_line(char* buffer, int size);
  void handle_section_header(std::string_view line);
  void handle_key(std::string_view name, std::string_view value);
  void close_section();
  void check_connection();
  void check_connection_files();
  void report_open_credentials();
  void apply_defaults(Section section, void* object);
  void note_out_of_memory();
  [[nodiscard]] void* section_object() const;
  [[nodiscard]] const char* section_label() const {
    return m_label;
  }
  void set_label();
  [[nodiscard]] std::uint32_t* set_lines() {
    return m_section == Section::Connection ? m_connection_set_lines : m_engine_set_lines;
  }
  [[nodiscard]] std::uint32_t* seen_lines() {
    return m_section == Section::Connection ? m_connection_seen_lines : m_engine_seen_lines;
  }
  [[nodiscard]] std::uint32_t connection_set_line(const char* key) const {
    const SettingSpec* spec = find_setting(Section::Connection, key);
    return spec ? m_connection_set_lines[setting_index(*spec)] : 0;
  }
  void suggest_key(std::string_view name, char* out, std::size_t out_size) const;
  void refuse_or_warn(std::uint32_t line, const char* what, const char* path, std::uint32_t mode);

  std::string_view m_text;
  std::size_t m_offset = 0;
  std::uint32_t m_line = 0;
  Arena& m_arena;
  ConfigDiagnostics& m_diagnostics;
  ConfigFiles* m_files;
  bool m_out_of_memory = false;
  bool m_refused = false;

  Config* m_config = nullptr;
  ConnectionConfig* m_connections = nullptr;
  std::size_t m_connection_capacity = 0;
  std::size_t m_connection_count = 0;

  SectionState m_state = SectionState::BeforeFirst;
  Section m_section = Section::Store;
  ConnectionConfig* m_connection = nullptr;
  std::uint32_t m_section_line = 0;
  char m_label[kMaxConnectionNameBytes + 16] = "";

  std::uint32_t m_header_lines[kSectionCount] = {};
  std::uint32_t m_engine_seen_lines[kMaxSettings] = {};
  std::uint32_t m_engine_set_lines[kMaxSettings] = {};
  std::uint32_t m_connection_seen_lines[kMaxSettings] = {};
  std::uint32_t m_connection_set_lines[kMaxSettings] = {};

  const char* m_first_secret_key = nullptr;
  std::uint32_t m_first_secret_line = 0;
  OpenCredentials m_open_credentials[kConfigMaxConnections];
  std::size_t m_open_credentials_count = 0;
};

// ---- the reader: one whole, checked line at a time ------------------------------------------

char* Loader::next_line(char* buffer, int size) {
  EC_CHECK(size > 3); // inih's line buffer (200 bytes in Debian's build)
  if (m_out_of_memory || m_offset >= m_text.size())
    return nullptr;
  std::size_t end = m_text.find('\n', m_offset);
  if (end == std::string_view::npos)
    end = m_text.size();
  std::string_view raw = m_text.substr(m_offset, end - m_offset);
  m_offset = end + 1;
  ++m_line;
  if (m_line == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF")
    raw.remove_prefix(3);
  if (!raw.empty() && raw.back() == '\r')
    raw.remove_suffix(1);

  // inih's buffer must hold the line, '\r', '\n' and '\0'.
  std::size_t limit = static_cast<std::size_t>(size) - 3;
  if (limit > kConfigMaxLineBytes)
    limit = kConfigMaxLineBytes;
  std::string_view line = trim_ascii(raw);
  bool header = !line.empty() && line.front() == '[';
  buffer[0] = '\n';
  buffer[1] = '\0';

  if (raw.size() > limit) {
    m_diagnostics.add(Severity::Error, m_line, "config: line too long (max %zu bytes)", limit);
    if (header) {
      close_section();
      m_state = SectionState::Ignored;
    }
    return buffer;
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto byte = static_cast<unsigned char>(raw[i]);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      m_diagnostics.add(Severity::Error, m_line,
                        "config: line contains a control character (byte 0x%02x at column %zu)",
                        static_cast<unsigned>(byte), i + 1);
      if (header) {
        close_section();
        m_state = SectionState::Ignored;
      }
      return buffer;
    }
  }
  if (line.empty() || line.front() == ';' || line.front() == '#')
    return buffer;
  if (header) {
    handle_section_header(line);
    return buffer;
  }
  // The same search inih makes: '=' or ':' before an inline comment (';' after a blank).
  bool after_blank = false;
  bool has_separator = false;
  for (char c : line) {
    if (c == '=' || c == ':') {
      has_separator = true;
      break;
    }
    if (c == ';' && after_blank)
      break;
    after_blank = is_blank(c);
  }
  if (!has_separator) {
    m_diagnostics.add(Severity::Error, m_line,
                      "config: malformed line (expected 'key = value', a [section] or a comment)");
    return buffer;
  }
  std::memcpy(buffer, line.data(), line.size());
  buffer[line.size()] = '\n';
  buffer[line.size() + 1] = '\0';
  return buffer;
}

void Loader::set_label() {
  if (m_section == Section::Connection && m_connection)
    std::snprintf(m_label, sizeof m_label, "[connection %.*s]", as_int(m_connection->name.size()),
                  m_connection->name.data());
  else
    std::snprintf(m_label, sizeof m_label, "[%s]", section_name(m_section));
}

void Loader::handle_section_header(std::string_view line) {
  close_section();
  m_state = SectionState::Ignored;
  std::size_t close = line.find(']');
  if (close == std::string_view::npos) {
    m_diagnostics.add(Severity::Error, m_line, "config: malformed section line (missing ']')");
    return;
  }
  std::string_view after = trim_ascii(line.substr(close + 1));
  if (!after.empty() && after.front() != ';' && after.front() != '#') {
    m_diagnostics.add(Severity::Error, m_line, "config: unexpected text after ']' in section line");
    return;
  }
  std::string_view inner = trim_ascii(line.substr(1, close - 1));
  std::size_t blank = 0;
  while (blank < inner.size() && !is_blank(inner[blank]))
    ++blank;
  std::string_view word = inner.substr(0, blank);
  std::string_view rest = trim_ascii(inner.substr(blank));
  Shown shown_inner = shown(inner);

  if (word == "connection") {
    if (rest.empty()) {
      m_diagnostics.add(Severity::Error, m_line,
                        "config: section [connection] needs a name, e.g. [connection payer1]");
      return;
    }
    if (!valid_connection_name(rest)) {
      Shown name = shown(rest);
      m_diagnostics.add(Severity::Error, m_line,
                        "config: bad connection name '%.*s%s': use 1 to %zu letters, digits, '-', "
                        "'_' or '.'",
                        name.length, name.data, name.ellipsis, kMaxConnectionNameBytes);
      return;
    }
    for (std::size_t i = 0; i < m_connection_count; ++i)
      if (m_connections[i].name == rest) {
        m_diagnostics.add(Severity::Error, m_line,
                          "config: duplicate section [connection %.*s] (first at line %u)",
                          as_int(rest.size()), rest.data(), m_connections[i].line);
        return;
      }
    if (m_connection_count == m_connection_capacity) {
      m_diagnostics.add(Severity::Error, m_line, "config: too many connections (max %zu)",
                        kConfigMaxConnections);
      return;
    }
    char* name = static_cast<char*>(m_arena.allocate(rest.size(), 1));
    if (!name) {
      note_out_of_memory();
      return;
    }
    std::memcpy(name, rest.data(), rest.size());
    m_connection = &m_connections[m_connection_count++];
    m_connection->name = std::string_view(name, rest.size());
    m_connection->line = m_line;
    m_section = Section::Connection;
    m_section_line = m_line;
    std::memset(m_connection_seen_lines, 0, sizeof m_connection_seen_lines);
    std::memset(m_connection_set_lines, 0, sizeof m_connection_set_lines);
    apply_defaults(Section::Connection, m_connection);
    m_state = SectionState::Valid;
    set_label();
    return;
  }

  constexpr Section kSingletons[] = {Section::Store, Section::Ingest, Section::Log,
                                     Section::Security};
  for (Section section : kSingletons) {
    if (word != section_name(section))
      continue;
    auto index = static_cast<std::size_t>(section);
    if (!rest.empty()) {
      m_diagnostics.add(
          Severity::Error, m_line, "config: section [%s] takes no name (found [%.*s%s])",
          section_name(section), shown_inner.length, shown_inner.data, shown_inner.ellipsis);
      return;
    }
    if (m_header_lines[index] != 0) {
      m_diagnostics.add(Severity::Error, m_line,
                        "config: duplicate section [%s] (first at line %u)", section_name(section),
                        m_header_lines[index]);
      return;
    }
    m_header_lines[index] = m_line;
    m_section = section;
    m_section_line = m_line;
    m_connection = nullptr;
    m_state = SectionState::Valid;
    set_label();
    return;
  }

  const char* suggestion = nullptr;
  for (Section section :
       {Section::Store, Section::Ingest, Section::Log, Section::Security, Section::Connection})
    if (edit_distance(word, section_name(section)) <= 2)
      suggestion = section_name(section);
  char hint[64] = "";
  if (suggestion)
    std::snprintf(hint, sizeof hint, " (did you mean [%s%s]?)", suggestion,
                  std::strcmp(suggestion, "connection") == 0 ? " NAME" : "");
  m_diagnostics.add(Severity::Error, m_line,
                    "config: unknown section [%.*s%s]%s; known: [store], [ingest], [log], "
                    "[security], [connection NAME]",
                    shown_inner.length, shown_inner.data, shown_inner.ellipsis, hint);
}

// ---- the handler: one key = value --------------------------------------------------------------

void* Loader::section_object() const {
  switch (m_section) {
  case Section::Store:
    return &m_config->store;
  case Section::Ingest:
    return &m_config->ingest;
  case Section::Log:
    return &m_config->log;
  case Section::Security:
    return &m_config->security;
  case Section::Connection:
    return m_connection;
  }
  return nullptr;
}

void Loader::suggest_key(std::string_view name, char* out, std::size_t out_size) const {
  out[0] = '\0';
  for (const SettingSpec& spec : setting_specs())
    if (spec.section != m_section && name == spec.key) {
      std::snprintf(out, out_size, " (it belongs in section [%s%s])", section_name(spec.section),
                    spec.section == Section::Connection ? " NAME" : "");
      return;
    }
  const SettingSpec* best = nullptr;
  std::size_t best_distance = 3;
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.section != m_section)
      continue;
    std::size_t distance = edit_distance(name, spec.key);
    if (distance < best_distance) {
      best = &spec;
      best_distance = distance;
    }
  }
  if (best)
    std::snprintf(out, out_size, " (did you mean '%s'?)", best->key);
}

void Loader::handle_key(std::string_view name, std::string_view value) {
  if (m_out_of_memory)
    return;
  switch (m_state) {
  case SectionState::BeforeFirst: {
    Shown key = shown(name);
    m_diagnostics.add(Severity::Error, m_line,
                      "config: key '%.*s%s' is outside any section (put it under a [section] line)",
                      key.length, key.data, key.ellipsis);
    return;
  }
  case SectionState::Ignored:
    return;
  case SectionState::Valid:
    break;
  }
  if (name.empty()) {
    m_diagnostics.add(Severity::Error, m_line, "config: missing key name before '='");
    return;
  }
  const SettingSpec* spec = find_setting(m_section, name);
  if (!spec) {
    char hint[96];
    suggest_key(name, hint, sizeof hint);
    Shown key = shown(name);
    m_diagnostics.add(Severity::Error, m_line, "config: unknown key '%.*s%s' in section %s%s",
                      key.length, key.data, key.ellipsis, section_label(), hint);
    return;
  }
  std::size_t index = setting_index(*spec);
  EC_CHECK(index < kMaxSettings);
  std::uint32_t* seen = seen_lines();
  if (seen[index] != 0 && spec->type != SettingType::AccountList) {
    m_diagnostics.add(Severity::Error, m_line,
                      "config: duplicate key '%s' in section %s (first set at line %u)", spec->key,
                      section_label(), seen[index]);
    return;
  }
  if (seen[index] == 0)
    seen[index] = m_line;

  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  if (value.empty())
    return; // an empty value keeps the default

  std::span<const std::uint64_t> previous;
  if (spec->type == SettingType::AccountList && m_connection)
    previous = spec->key == std::string_view("accounts_allow") ? m_connection->accounts_allow
                                                               : m_connection->accounts_deny;
  ParsedValue parsed;
  ValueProblem problem = parse_setting_value(*spec, value, m_arena, previous, parsed);
  bool hidden = spec->sensitivity != Sensitivity::Plain;
  char expected[224];
  Shown text = shown(value);
  switch (problem) {
  case ValueProblem::None:
    break;
  case ValueProblem::BadFormat:
    describe_expected(*spec, expected, sizeof expected);
    if (hidden)
      m_diagnostics.add(Severity::Error, m_line,
                        "config: bad value for '%s' in section %s (value not shown): expected %s",
                        spec->key, section_label(), expected);
    else
      m_diagnostics.add(
          Severity::Error, m_line, "config: bad value '%.*s%s' for '%s' in section %s: expected %s",
          text.length, text.data, text.ellipsis, spec->key, section_label(), expected);
    return;
  case ValueProblem::OutOfRange:
    describe_expected(*spec, expected, sizeof expected);
    if (hidden)
      m_diagnostics.add(Severity::Error, m_line,
                        "config: value for '%s' in section %s is out of range (value not shown): "
                        "expected %s",
                        spec->key, section_label(), expected);
    else
      m_diagnostics.add(
          Severity::Error, m_line,
          "config: value '%.*s%s' for '%s' in section %s is out of range: expected %s", text.length,
          text.data, text.ellipsis, spec->key, section_label(), expected);
    return;
  case ValueProblem::TooMany:
    m_diagnostics.add(Severity::Error, m_line,
                      "config: too many account IDs in '%s' in section %s (max %zu)", spec->key,
                      section_label(), kConfigMaxAccounts);
    return;
  case ValueProblem::PlainHttp: {
    // The host only: a value refused for user info never gets here, and endpoints are Plain.
    Shown host = shown(endpoint_host(value));
    m_diagnostics.add(Severity::Error, m_line,
                      "config: '%s' in section %s uses plain http:// to %.*s%s: only loopback "
                      "addresses (127.0.0.1, [::1], localhost) may, use https://",
                      spec->key, section_label(), host.length, host.data, host.ellipsis);
    return;
  }
  case ValueProblem::UserInfo:
    m_diagnostics.add(Severity::Error, m_line,
                      "config: '%s' in section %s holds a user name or password (value not "
                      "shown): an endpoint takes none, remove 'user:password@'",
                      spec->key, section_label());
    return;
  case ValueProblem::OutOfMemory:
    note_out_of_memory();
    return;
  }
  spec->target.set(section_object(), parsed);
  if (set_lines()[index] == 0) // an account list's later lines add to the first
    set_lines()[index] = m_line;
  bool url_with_password = spec->type == SettingType::Url && value.find('@') != value.npos;
  if ((spec->sensitivity == Sensitivity::Secret || url_with_password) && !m_first_secret_key) {
    m_first_secret_key = spec->key;
    m_first_secret_line = m_line;
  }
}

// ---- whole-section rules
// -------------------------------------------------------------------------

void Loader::close_section() {
  if (m_state == SectionState::Valid && m_section == Section::Connection && m_connection &&
      !m_out_of_memory) {
    check_connection();
    if (m_files)
      check_connection_files();
  }
  m_state = SectionState::Ignored;
}

void Loader::check_connection() {
  const ConnectionConfig& c = *m_connection;
  if (connection_set_line("type") == 0) {
    m_diagnostics.add(Severity::Error, m_section_line,
                      "config: missing required key 'type' in section %s: expected one of cur, "
                      "cur2, explicit, local",
                      section_label());
    return;
  }
  TypeMask bit = type_bit(c.type);
  const char* type = connection_type_name(c.type);
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.section != Section::Connection)
      continue;
    std::uint32_t line = m_connection_set_lines[setting_index(spec)];
    if ((spec.required_for & bit) && line == 0)
      m_diagnostics.add(Severity::Error, m_section_line,
                        "config: missing required key '%s' in section %s (needed for type %s)",
                        spec.key, section_label(), type);
    if (!(spec.applies_to & bit) && line != 0)
      m_diagnostics.add(Severity::Warning, line,
                        "config: key '%s' in section %s is not used by type %s (ignored)", spec.key,
                        section_label(), type);
  }
  std::uint32_t role = connection_set_line("role_arn");
  std::uint32_t key_id = connection_set_line("access_key_id");
  std::uint32_t secret = connection_set_line("secret_access_key");
  std::uint32_t token = connection_set_line("session_token");
  std::uint32_t credentials = connection_set_line("credentials_file");
  if ((bit & kRemoteTypes) && role == 0 && key_id == 0 && credentials == 0 && secret == 0)
    m_diagnostics.add(Severity::Error, m_section_line,
                      "config: section %s needs credentials: role_arn, access_key_id with "
                      "secret_access_key, or credentials_file",
                      section_label());
  if (secret != 0 && key_id == 0)
    m_diagnostics.add(Severity::Error, secret,
                      "config: secret_access_key in section %s needs access_key_id",
                      section_label());
  if (key_id != 0 && secret == 0)
    m_diagnostics.add(Severity::Error, key_id,
                      "config: access_key_id in section %s needs secret_access_key",
                      section_label());
  if (token != 0 && (key_id == 0 || secret == 0))
    m_diagnostics.add(Severity::Error, token,
                      "config: session_token in section %s needs access_key_id and "
                      "secret_access_key",
                      section_label());
  if (credentials != 0 && (key_id != 0 || secret != 0))
    m_diagnostics.add(Severity::Error, credentials,
                      "config: section %s has both access keys and credentials_file; keep one",
                      section_label());
  // S3 is reached at <bucket>.<host> unless path style: never a loopback name, so the run would
  // refuse plain http:// there (core/client/endpoint.cpp); say so now rather than at the first run.
  std::uint32_t s3 = connection_set_line("s3_endpoint");
  if (s3 != 0 && (bit & kRemoteTypes) && !c.s3_path_style &&
      c.s3_endpoint.substr(0, 7) == "http://") {
    Shown host = shown(endpoint_host(c.s3_endpoint));
    m_diagnostics.add(Severity::Error, s3,
                      "config: 's3_endpoint' in section %s uses plain http://, so it needs "
                      "s3_path_style = true (a bucket at <bucket>.%.*s%s is not a loopback "
                      "address)",
                      section_label(), host.length, host.data, host.ellipsis);
  }
  std::uint32_t external = connection_set_line("external_id");
  if (external != 0 && role == 0 && (bit & kRemoteTypes))
    m_diagnostics.add(Severity::Warning, external,
                      "config: external_id in section %s is ignored without role_arn",
                      section_label());
  for (std::uint64_t denied : c.accounts_deny)
    for (std::uint64_t allowed : c.accounts_allow)
      if (denied == allowed) {
        m_diagnostics.add(Severity::Error, connection_set_line("accounts_deny"),
                          "config: account %012llu is in both accounts_allow and accounts_deny in "
                          "section %s",
                          static_cast<unsigned long long>(denied), section_label());
        return;
      }
}

void Loader::check_connection_files() {
  const ConnectionConfig& c = *m_connection;
  struct PathSetting {
    const char* key;
    std::string_view path;
    FileKind kind;
  };
  const PathSetting paths[] = {{"credentials_file", c.credentials_file, FileKind::Regular},
                               {"ca_bundle", c.ca_bundle, FileKind::Regular},
                               {"proxy_ca_bundle", c.proxy_ca_bundle, FileKind::Regular},
                               {"local_dir", c.local_dir, FileKind::Directory}};
  for (const PathSetting& setting : paths) {
    std::uint32_t line = connection_set_line(setting.key);
    const SettingSpec* spec = find_setting(Section::Connection, setting.key);
    if (line == 0 || !(spec->applies_to & type_bit(c.type)))
      continue; // unset, or ignored by this type (warned about already)
    // Paths were copied with a terminating '\0' (see copy_text), so data() is a C string.
    Result<FileFacts> facts = m_files->facts(setting.path.data());
    Shown path = shown(setting.path);
    if (!facts.ok()) {
      bool missing = facts.error().code == ErrorCode::NotFound;
      bool optional = setting.kind == FileKind::Directory && missing; // e.g. a USB stick not in yet
      m_diagnostics.add(optional ? Severity::Warning : Severity::Error, line,
                        "config: %s '%.*s%s' in section %s %s", setting.key, path.length, path.data,
                        path.ellipsis, section_label(),
                        missing ? "does not exist" : "cannot be checked (permission denied?)");
      continue;
    }
    if (facts.value().kind != setting.kind) {
      m_diagnostics.add(Severity::Error, line, "config: %s '%.*s%s' in section %s is not a %s",
                        setting.key, path.length, path.data, path.ellipsis, section_label(),
                        setting.kind == FileKind::Directory ? "folder" : "regular file");
      continue;
    }
    if (setting.path.data() == c.credentials_file.data() && (facts.value().mode & 044) != 0 &&
        m_open_credentials_count < kConfigMaxConnections) {
      OpenCredentials& open = m_open_credentials[m_open_credentials_count++];
      open.line = line;
      open.mode = facts.value().mode;
      open.connection = static_cast<std::uint16_t>(m_connection - m_connections);
    }
  }
}

void Loader::refuse_or_warn(std::uint32_t line, const char* what, const char* path,
                            std::uint32_t mode) {
  unsigned permissions = mode & 0777u;
  switch (m_config->security.config_permissions) {
  case PermissionPolicy::Refuse:
    m_refused = true;
    m_diagnostics.add(Severity::Error, line,
                      "config: refused: %s %s but can be read by group or others (mode %04o); fix "
                      "with: chmod 600 %s",
                      path, what, permissions, path);
    return;
  case PermissionPolicy::Warn:
    m_diagnostics.add(Severity::Warning, line,
                      "config: WARNING: %s %s but can be read by group or others (mode %04o); "
                      "anyone on this device can read them; fix with: chmod 600 %s",
                      path, what, permissions, path);
    return;
  }
}

void Loader::report_open_credentials() {
  for (std::size_t i = 0; i < m_open_credentials_count; ++i) {
    const OpenCredentials& open = m_open_credentials[i];
    refuse_or_warn(open.line, "holds credentials",
                   m_connections[open.connection].credentials_file.data(), open.mode);
  }
}

void Loader::check_own_permissions(const char* path, const FileFacts& facts) {
  if (!m_first_secret_key || (facts.mode & 044) == 0)
    return;
  char what[96];
  std::snprintf(what, sizeof what, "holds secrets (%s at line %u)", m_first_secret_key,
                m_first_secret_line);
  refuse_or_warn(0, what, path, facts.mode);
}

void Loader::apply_defaults(Section section, void* object) {
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.section != section || spec.default_text[0] == '\0')
      continue;
    ParsedValue value;
    ValueProblem problem = parse_setting_value(spec, spec.default_text, m_arena, {}, value);
    if (problem == ValueProblem::OutOfMemory) {
      note_out_of_memory();
      return;
    }
    EC_CHECK(problem == ValueProblem::None); // the table's defaults are valid (tested)
    spec.target.set(object, value);
  }
}

void Loader::note_out_of_memory() {
  if (!m_out_of_memory)
    m_diagnostics.add(Severity::Error, m_line,
                      "config: out of memory while loading (the arena of %zu bytes is too small)",
                      m_arena.capacity());
  m_out_of_memory = true;
}

Config* Loader::run(std::string_view source_path) {
  EC_CHECK(setting_specs().size() <= kMaxSettings);
  m_config = m_arena.make<Config>();
  char* path = static_cast<char*>(m_arena.allocate(source_path.size(), 1));
  if (!m_config || !path) {
    note_out_of_memory();
    return nullptr;
  }
  std::memcpy(path, source_path.data(), source_path.size());
  m_config->source_path = std::string_view(path, source_path.size());
  for (Section section : {Section::Store, Section::Ingest, Section::Log, Section::Security}) {
    m_section = section;
    apply_defaults(section, section_object());
  }
  // Every connection starts with a '[' at the start of a line: an upper bound for the array.
  std::size_t headers = 0;
  for (std::size_t at = 0; at < m_text.size(); ++at) {
    std::size_t start = at;
    while (at < m_text.size() && is_blank(m_text[at]))
      ++at;
    if (at < m_text.size() && m_text[at] == '[')
      ++headers;
    at = m_text.find('\n', start);
    if (at == std::string_view::npos)
      break;
  }
  m_connection_capacity = headers < kConfigMaxConnections ? headers : kConfigMaxConnections;
  if (m_connection_capacity > 0) {
    m_connections = m_arena.allocate_array<ConnectionConfig>(m_connection_capacity);
    if (!m_connections)
      note_out_of_memory();
  }
  if (m_out_of_memory)
    return nullptr;

  int first_bad_line = ini_parse_stream(&Loader::read_line, this, &Loader::on_key, this);
  close_section();
  if (m_out_of_memory)
    return nullptr;
  // The reader hands inih only lines it can take, and the handler always accepts, so inih never
  // reports a line itself; if it does, say so rather than lose it.
  if (first_bad_line != 0 && m_diagnostics.error_count() == 0)
    m_diagnostics.add(Severity::Error,
                      first_bad_line > 0 ? static_cast<std::uint32_t>(first_bad_line) : 0,
                      "config: the INI parser rejected this line (inih code %d)", first_bad_line);

  const IngestConfig& ingest = m_config->ingest;
  if (ingest.max_row_bytes < ingest.max_field_bytes) {
    const SettingSpec* row = find_setting(Section::Ingest, "max_row_bytes");
    const SettingSpec* field = find_setting(Section::Ingest, "max_field_bytes");
    std::uint32_t line = m_engine_set_lines[setting_index(*row)];
    if (line == 0)
      line = m_engine_set_lines[setting_index(*field)];
    char row_text[24];
    char field_text[24];
    format_size(ingest.max_row_bytes, row_text, sizeof row_text);
    format_size(ingest.max_field_bytes, field_text, sizeof field_text);
    m_diagnostics.add(Severity::Error, line,
                      "config: max_row_bytes (%s) in section [ingest] must be at least "
                      "max_field_bytes (%s)",
                      row_text, field_text);
  }
  report_open_credentials();
  m_config->connections = std::span<const ConnectionConfig>(m_connections, m_connection_count);
  return m_config;
}

struct LoadOutcome {
  const Config* config = nullptr;
  ConfigCheck check = ConfigCheck::Ok;
  Error error;
};

void report_read_error(const Error& error, ConfigDiagnostics& diagnostics) {
  switch (error.code) {
  case ErrorCode::NotFound:
    diagnostics.add(Severity::Error, 0, "config: the file does not exist");
    return;
  case ErrorCode::Permission:
    diagnostics.add(Severity::Error, 0,
                    "config: no permission to read the file (run as its owner or root)");
    return;
  case ErrorCode::LimitExceeded:
    diagnostics.add(Severity::Error, 0, "config: the file is larger than %zu bytes",
                    kConfigMaxFileBytes);
    return;
  case ErrorCode::InvalidInput:
    diagnostics.add(Severity::Error, 0, "config: not a regular file");
    return;
  case ErrorCode::InvalidArgument:
  case ErrorCode::Conflict:
  case ErrorCode::OutOfMemory:
  case ErrorCode::Overflow:
  case ErrorCode::Truncated:
  case ErrorCode::Corrupt:
  case ErrorCode::Unsupported:
  case ErrorCode::Io:
  case ErrorCode::Changed:
  case ErrorCode::Store:
  case ErrorCode::Network:
  case ErrorCode::Internal:
    break;
  }
  char detail[160];
  format_error(error, detail, sizeof detail);
  diagnostics.add(Severity::Error, 0, "config: cannot read the file (%s)", detail);
}

LoadOutcome load(const char* path, ConfigFiles& files, Arena& arena,
                 ConfigDiagnostics& diagnostics) {
  LoadOutcome outcome;
  Arena::Mark mark = arena.mark();
  diagnostics.set_file(path);
  Result<FileText> file = files.read(path, kConfigMaxFileBytes, arena);
  if (!file.ok()) {
    report_read_error(file.error(), diagnostics);
    diagnostics.finish();
    arena.rewind(mark);
    outcome.check = ConfigCheck::Refused;
    outcome.error = file.error();
    return outcome;
  }
  std::string_view text = file.value().text;
  FileFacts facts = file.value().facts;

  std::size_t errors_before = diagnostics.error_count();
  Loader loader(text, arena, diagnostics, &files);
  Config* config = loader.run(path);
  if (config)
    loader.check_own_permissions(path, facts);
  diagnostics.finish();
  if (loader.out_of_memory()) {
    outcome.check = ConfigCheck::Refused;
    outcome.error = make_error(ErrorCode::OutOfMemory, "config: out of memory while loading");
  } else if (loader.refused()) {
    outcome.check = ConfigCheck::Refused;
    outcome.error =
        make_error(ErrorCode::Permission, "config: file holds secrets and is readable by others");
  } else if (diagnostics.error_count() != errors_before) {
    outcome.check = ConfigCheck::Problems;
    outcome.error = make_error(ErrorCode::InvalidInput, "config: the file has problems");
  } else {
    outcome.config = config;
    return outcome;
  }
  arena.rewind(mark);
  return outcome;
}

} // namespace

Result<const Config*> load_config(const char* path, ConfigFiles& files, Arena& arena,
                                  ConfigDiagnostics& diagnostics) {
  LoadOutcome outcome = load(path, files, arena, diagnostics);
  if (!outcome.config)
    return outcome.error;
  return outcome.config;
}

ConfigCheck check_config(const char* path, ConfigFiles& files, Arena& arena,
                         ConfigDiagnostics& diagnostics) {
  return load(path, files, arena, diagnostics).check;
}

Result<const Config*> parse_config_text(std::string_view display_path, std::string_view text,
                                        Arena& arena, ConfigDiagnostics& diagnostics) {
  Arena::Mark mark = arena.mark();
  diagnostics.set_file(display_path);
  std::size_t errors_before = diagnostics.error_count();
  Loader loader(text, arena, diagnostics, nullptr);
  Config* config = loader.run(display_path);
  diagnostics.finish();
  if (loader.out_of_memory()) {
    arena.rewind(mark);
    return make_error(ErrorCode::OutOfMemory, "config: out of memory while loading");
  }
  if (!config || diagnostics.error_count() != errors_before) {
    arena.rewind(mark);
    return make_error(ErrorCode::InvalidInput, "config: the file has problems");
  }
  return static_cast<const Config*>(config);
}

} // namespace ec
