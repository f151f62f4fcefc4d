// core/config/config.h - Config: the settings edgecur runs with, loaded from an INI file.
#pragma once

#include "core/base/arena.h"
#include "core/base/log.h"
#include "core/base/result.h"
#include "core/base/timestamp.h"
#include "core/config/config_diagnostics.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

// ---- the settings ---------------------------------------------------------------------------
// Defaults, limits and descriptions live in one table (config_schema.cpp), not here: a loaded
// Config always has every field set, from the file or from the table's default.
// Every string_view below points into the Arena given to load_config/parse_config_text.

enum class MalformedRows : std::uint8_t { Skip, Fail };
enum class PermissionPolicy : std::uint8_t { Refuse, Warn };
enum class ConnectionType : std::uint8_t { Cur, Cur2, Explicit, Local };
inline constexpr std::size_t kConnectionTypeCount = 4;
/// The column layout of report files: detected, legacy CUR, or CUR 2.0.
enum class CurFileFormat : std::uint8_t { Auto, Cur1, Cur2 };

struct StoreConfig {
  std::string_view path;          ///< SQLite file of the hourly totals
  std::uint32_t memory_bytes = 0; ///< SQLite's fixed memory (core/store/store_memory.h)
  std::uint32_t lock_wait_ms = 0; ///< how long a second writer waits for the first (0: not at all)
};

struct IngestConfig {
  MalformedRows malformed_rows = MalformedRows::Skip;
  std::uint32_t max_field_bytes = 0;
  std::uint32_t max_row_bytes = 0; ///< always >= max_field_bytes
  std::uint32_t table_keys = 0;    ///< hourly keys held in memory before spilling to the store
  std::uint32_t chunk_bytes = 0;   ///< read size of a local file
  std::uint32_t network_memory_bytes =
      0; ///< libcurl's and TLS's fixed heap (platform/network_memory.h)
  /// Malformed rows one file may have ("1%" of its rows, or a count such as "500"); the text is
  /// valid (parse_max_malformed accepts it). A view into the config's arena.
  std::string_view max_malformed;
};

struct LogConfig {
  LogLevel level = LogLevel::Info;
};

struct SecurityConfig {
  PermissionPolicy config_permissions = PermissionPolicy::Refuse;
};

/// One `[connection NAME]` section. Empty views mean "not set". Secrets (secret_access_key,
/// session_token) and sensitive values (external_id, access_key_id, proxy) must never be logged.
struct ConnectionConfig {
  std::string_view name;  ///< NAME of the section: 1-32 of A-Z a-z 0-9 - _ .
  std::uint32_t line = 0; ///< line of the section header, for messages
  ConnectionType type = ConnectionType::Cur;

  std::string_view role_arn;
  std::string_view external_id;
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view session_token;
  std::string_view credentials_file; ///< absolute path; the file was checked to be private

  std::string_view region;
  std::string_view report_name; ///< legacy CUR report (type cur; explicit and local may use it)
  std::string_view export_name; ///< CUR 2.0 data export (type cur2; explicit and local may use it)
  std::string_view bucket;
  std::string_view prefix;
  CurFileFormat format = CurFileFormat::Auto;
  std::string_view local_dir;

  std::string_view sts_endpoint; ///< empty: the AWS default (see AWS-WIRE.md)
  std::string_view s3_endpoint;
  std::string_view cur_endpoint;
  std::string_view exports_endpoint;
  std::string_view organizations_endpoint;
  bool s3_path_style = false;
  /// Fetch account names from AWS Organizations (organizations:ListAccounts; the management
  /// account's keys or a delegated administrator's).
  bool account_names = false;

  std::string_view proxy; ///< may hold a user:password; sensitive
  std::string_view no_proxy;
  std::string_view ca_bundle;
  std::string_view proxy_ca_bundle;

  /// 12-digit AWS account ids as numbers (an AccountId with length 12 compares by `digits`).
  std::span<const std::uint64_t> accounts_allow; ///< empty: every account
  std::span<const std::uint64_t> accounts_deny;
  UnixSeconds start_date = 0; ///< costs before it are ignored; 0 keeps everything
  std::uint32_t recheck_days = 0;
  std::uint32_t chunk_bytes = 0; ///< bytes per ranged download request
  std::uint32_t connect_timeout_ms = 0;
  std::uint32_t low_speed_timeout_ms = 0;
  std::uint32_t total_timeout_ms = 0; ///< 0: no limit
  std::uint32_t retries = 0;
};

struct Config {
  std::string_view source_path; ///< the file it was loaded from
  StoreConfig store;
  IngestConfig ingest;
  LogConfig log;
  SecurityConfig security;
  std::span<const ConnectionConfig> connections; ///< in file order
};

// ---- limits -----------------------------------------------------------------------------------

/// Longest line inih can take whole (its 200-byte buffer less '\r', '\n' and '\0'). Longer lines
/// are reported, never split. Values that do not fit (long session tokens) go in credentials_file.
inline constexpr std::size_t kConfigMaxLineBytes = 197;
/// Largest config file read.
inline constexpr std::size_t kConfigMaxFileBytes = 256 * 1024;
inline constexpr std::size_t kConfigMaxConnections = 64;
/// Account ids in one accounts_allow or accounts_deny (all its lines together).
inline constexpr std::size_t kConfigMaxAccounts = 4096;
/// Arena for load_config. The file's text is read into it too and stays (below the Config): the
/// example file takes 7.2 KiB in all; 8 connections take 4.9 KiB of values plus their text. The
/// largest sensible file (64 connections, every setting at full length, 200 accounts each) takes
/// 232 KiB of values plus its text. Measured in tests/config.
inline constexpr std::size_t kConfigArenaBytes = 64 * 1024;

// ---- the file system, as the loader sees it ---------------------------------------------------

enum class FileKind : std::uint8_t { Regular, Directory, Other };

struct FileFacts {
  FileKind kind = FileKind::Other;
  std::uint32_t mode = 0; ///< permission bits, e.g. 0600
};

struct FileText {
  FileFacts facts;
  std::string_view text; ///< in the arena passed to ConfigFiles::read
};

/// The loader's only way to files, so core/ holds no OS code. Firmware uses ConfigFilesVia below
/// with platform/file_status.h; tests may fake it. Errors are those of platform/file_status.h.
class ConfigFiles {
public:
  /// The whole regular file `path` (at most `max_bytes`) and its facts from the same open file.
  virtual Result<FileText> read(const char* path, std::size_t max_bytes, Arena& arena) = 0;
  /// Kind and mode of `path`, following symbolic links.
  virtual Result<FileFacts> facts(const char* path) = 0;

protected:
  ~ConfigFiles() = default;
};

/// ConfigFiles over two functions shaped like platform::read_small_file and platform::file_status,
/// so core/ does not name platform/. In firmware:
///   ec::ConfigFilesVia<&ec::platform::read_small_file, &ec::platform::file_status> files;
template <auto ReadFile, auto StatusOf> class ConfigFilesVia final : public ConfigFiles {
public:
  Result<FileText> read(const char* path, std::size_t max_bytes, Arena& arena) override {
    auto contents = ReadFile(path, max_bytes, arena);
    if (!contents.ok())
      return contents.error();
    return FileText{facts_of(contents.value().status), contents.value().text};
  }
  Result<FileFacts> facts(const char* path) override {
    auto status = StatusOf(path);
    if (!status.ok())
      return status.error();
    return facts_of(status.value());
  }

private:
  template <typename Status> static FileFacts facts_of(const Status& status) {
    using Type = decltype(status.type);
    FileFacts facts;
    facts.kind = status.type == Type::Regular     ? FileKind::Regular
                 : status.type == Type::Directory ? FileKind::Directory
                                                  : FileKind::Other;
    facts.mode = status.mode;
    return facts;
  }
};

// ---- entry points -----------------------------------------------------------------------------

/// What `edgecur config check` exits with (copy to the README):
///   0  the file is valid; warnings, if any, were printed
///   1  the file has problems; each is printed as `file:line: message`
///   2  the file could not be checked or was refused: it is missing, unreadable or too large,
///      it (or a credentials_file) holds secrets and can be read by other users (`chmod 600` it),
///      or the loader ran out of memory
enum class ConfigCheck : int { Ok = 0, Problems = 1, Refused = 2 };

/// Loads and validates the INI file at `path`: every problem of the file is added to
/// `diagnostics` (not only the first), then finish() is called on it. Checks file permissions
/// ([security] config_permissions) and that credentials_file, ca_bundle and local_dir exist.
/// Returns the Config (in `arena`) when there is no error; warnings do not fail the load.
/// Errors: InvalidInput "config: the file has problems", Permission "config: file holds secrets
/// and is readable by others", NotFound/Io/LimitExceeded from reading, OutOfMemory.
/// `kConfigArenaBytes` is enough for an ordinary file.
Result<const Config*> load_config(const char* path, ConfigFiles& files, Arena& arena,
                                  ConfigDiagnostics& diagnostics);

/// `edgecur config check <path>`: load_config, reduced to an exit code (see ConfigCheck). The
/// caller prints diagnostics.text() (to stderr) and exits with static_cast<int>(result).
ConfigCheck check_config(const char* path, ConfigFiles& files, Arena& arena,
                         ConfigDiagnostics& diagnostics);

/// Parses INI text already in memory, with no file-system checks (no permission check, no
/// credentials_file check). `display_path` prefixes the diagnostics. The fuzz target's entry.
/// Errors as load_config, minus the file ones.
Result<const Config*> parse_config_text(std::string_view display_path, std::string_view text,
                                        Arena& arena, ConfigDiagnostics& diagnostics);

/// Writes the annotated example file (every setting, its default and a one-line comment; what
/// config/edgecur.example.ini holds) into `out`, terminated. Returns its full length even when
/// `out` is too small (then the text is cut), like snprintf.
std::size_t write_example_config(std::span<char> out);

/// `[ingest] max_malformed`: "N%" (0 to 100, up to 4 decimals) sets `share` and `value` in parts
/// per million; a whole number "N" sets a count. Returns false for anything else.
bool parse_max_malformed(std::string_view text, bool& share, std::uint64_t& value);

/// Printable names of the enum values as written in the file ("cur2", "warn").
const char* connection_type_name(ConnectionType type);
const char* log_level_name(LogLevel level);

} // namespace ec
