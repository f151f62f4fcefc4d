// core/config/config_schema.h - The table of every setting: type, default, limits, description.
#pragma once

#include "core/base/arena.h"
#include "core/config/config.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>

namespace ec {

enum class Section : std::uint8_t { Store, Ingest, Log, Security, Connection };
inline constexpr std::size_t kSectionCount = 5;
/// "store", "ingest", "log", "security", "connection".
const char* section_name(Section section);

enum class SettingType : std::uint8_t {
  Text,        ///< free text checked by the setting's TextRule
  Path,        ///< absolute file or folder path
  Url,         ///< a network address checked by the setting's TextRule
  Secret,      ///< text never echoed; a file holding one must be private
  Bool,        ///< true/false, yes/no, on/off, 1/0
  Integer,     ///< whole number within min..max, in `unit`
  Enum,        ///< one of `choices`
  Duration,    ///< number with ms, s, m, h or d (bare number: seconds); stored in milliseconds
  Size,        ///< bytes, optional K (1024) or M (1024 * 1024) suffix
  Date,        ///< YYYY-MM-DD (or a full timestamp); stored as UnixSeconds
  AccountList, ///< 12-digit account ids separated by commas or spaces; the key may repeat
};

/// Whether a value may appear in diagnostics and logs.
enum class Sensitivity : std::uint8_t {
  Plain,  ///< shown in messages
  Hidden, ///< never shown (external_id, access_key_id, proxy)
  Secret, ///< never shown, and the file holding it must not be readable by others
};

/// A set of ConnectionType, one bit each.
using TypeMask = std::uint8_t;
constexpr TypeMask type_bit(ConnectionType type) {
  return static_cast<TypeMask>(1u << static_cast<unsigned>(type));
}
inline constexpr TypeMask kNoTypes = 0;
inline constexpr TypeMask kAllTypes = 0x0f;
inline constexpr TypeMask kRemoteTypes = type_bit(ConnectionType::Cur) |
                                         type_bit(ConnectionType::Cur2) |
                                         type_bit(ConnectionType::Explicit);

/// A value parsed by its SettingType; views point into the load's arena.
struct ParsedValue {
  std::string_view text;
  std::int64_t number = 0; ///< Integer, Size (bytes), Duration (ms), Date (UnixSeconds)
  std::uint8_t choice = 0; ///< Enum: index into `choices`
  bool flag = false;       ///< Bool
  std::span<const std::uint64_t> accounts;
};

/// What kind of field a setting is stored into (checked against its SettingType at compile time).
enum class FieldKind : std::uint8_t { Text, Bool, Choice, Number, Accounts };

/// Where a parsed value goes: a setter for one member of one section's struct.
struct FieldTarget {
  void (*set)(void* section_object, const ParsedValue& value) = nullptr;
  Section section = Section::Store;
  FieldKind kind = FieldKind::Text;
  std::int64_t min_value = 0; ///< smallest number the member holds
  std::int64_t max_value = 0; ///< largest number the member holds
};

/// Why a value was not accepted.
enum class ValueProblem : std::uint8_t {
  None,
  BadFormat,
  OutOfRange,
  TooMany,
  PlainHttp, ///< an endpoint's http:// to a host not loopback (127.0.0.0/8, [::1], localhost)
  UserInfo,  ///< an endpoint's user:password@ (the value must not be shown)
  OutOfMemory,
};

/// An extra rule for a Text, Secret or Url value.
struct TextRule {
  bool (*accepts)(std::string_view value) = nullptr;
  const char* expected = ""; ///< what a valid value looks like ("an AWS region such as us-east-1")
  /// When set, why `accepts` refused a value, for a rule whose refusals need their own message
  /// (PlainHttp, UserInfo); BadFormat for anything else.
  ValueProblem (*why_refused)(std::string_view value) = nullptr;
};

struct SettingSpec {
  Section section = Section::Store;
  const char* key = "";
  SettingType type = SettingType::Text;
  const char* default_text = "";    ///< as written in the file; "" means empty / not set
  const char* example_text = "";    ///< value shown in the example file when not the default
  TypeMask required_for = kNoTypes; ///< [connection]: types that need it
  TypeMask applies_to = kAllTypes;  ///< [connection]: types that use it (others: warning)
  std::int64_t min = 0;             ///< Integer, Size, Duration (ms), Date (UnixSeconds)
  std::int64_t max = 0;
  const char* unit = "";                ///< Integer: "days", "keys"...
  const char* const* choices = nullptr; ///< Enum: names in enumerator order, nullptr-terminated
  const TextRule* rule = nullptr;       ///< Text, Secret, Url: what is accepted
  Sensitivity sensitivity = Sensitivity::Plain;
  const char* description = ""; ///< one line, in the words of the person installing the device
  FieldTarget target;
};

/// Every setting, in the order of the example file.
std::span<const SettingSpec> setting_specs();
/// The setting `key` of `section`, or nullptr.
const SettingSpec* find_setting(Section section, std::string_view key);
/// Index of `spec` in setting_specs().
std::size_t setting_index(const SettingSpec& spec);

/// Parses `text` (already trimmed, quotes removed) as `spec` says. Text values are copied into
/// `arena`. AccountList values are appended to `previous` (an earlier line of the same key).
ValueProblem parse_setting_value(const SettingSpec& spec, std::string_view text, Arena& arena,
                                 std::span<const std::uint64_t> previous, ParsedValue& out);

/// The host of an endpoint address as the endpoint rule judges it, without scheme, port or path
/// ("10.1.2.3", "[::1]"): for the message about a value refused with PlainHttp (never UserInfo).
std::string_view endpoint_host(std::string_view url);

/// What a valid value looks like, e.g. "a whole number from 0 to 20" (for messages).
std::size_t describe_expected(const SettingSpec& spec, char* out, std::size_t out_size);
/// The short range or choice list for the example file: "skip|fail", "1K-16M", "0-20"; "" if none.
std::size_t describe_allowed(const SettingSpec& spec, char* out, std::size_t out_size);

/// Text forms used in messages and the example: 65536 -> "64K", 90000 ms -> "90s".
std::size_t format_size(std::int64_t bytes, char* out, std::size_t out_size);
std::size_t format_duration(std::int64_t milliseconds, char* out, std::size_t out_size);

// ---- how table entries name their field ------------------------------------------------------

// NOLINTBEGIN(readability-identifier-naming): `value`, as the standard's traits spell it
template <typename T> struct SectionOf;
template <> struct SectionOf<StoreConfig> { static constexpr Section value = Section::Store; };
template <> struct SectionOf<IngestConfig> { static constexpr Section value = Section::Ingest; };
template <> struct SectionOf<LogConfig> { static constexpr Section value = Section::Log; };
template <> struct SectionOf<SecurityConfig> {
  static constexpr Section value = Section::Security;
};
template <> struct SectionOf<ConnectionConfig> {
  static constexpr Section value = Section::Connection;
};
// NOLINTEND(readability-identifier-naming)

template <typename T> struct MemberOf;
template <typename Owner, typename Field> struct MemberOf<Field Owner::*> {
  using OwnerType = Owner;
  using FieldType = Field;
};

template <auto Member> void assign_member(void* section_object, const ParsedValue& value) {
  using Traits = MemberOf<decltype(Member)>;
  using Field = typename Traits::FieldType;
  Field& field = static_cast<typename Traits::OwnerType*>(section_object)->*Member;
  if constexpr (std::is_same_v<Field, std::string_view>)
    field = value.text;
  else if constexpr (std::is_same_v<Field, bool>)
    field = value.flag;
  else if constexpr (std::is_enum_v<Field>)
    field = static_cast<Field>(value.choice);
  else if constexpr (std::is_same_v<Field, std::span<const std::uint64_t>>)
    field = value.accounts;
  else
    field = static_cast<Field>(value.number); // range checked against max_value at compile time
}

/// The FieldTarget of a member pointer such as &IngestConfig::max_field_bytes.
template <auto Member> constexpr FieldTarget field() {
  using Traits = MemberOf<decltype(Member)>;
  using Field = typename Traits::FieldType;
  FieldTarget target;
  target.set = &assign_member<Member>;
  target.section = SectionOf<typename Traits::OwnerType>::value;
  if constexpr (std::is_same_v<Field, std::string_view>) {
    target.kind = FieldKind::Text;
  } else if constexpr (std::is_same_v<Field, bool>) {
    target.kind = FieldKind::Bool;
  } else if constexpr (std::is_enum_v<Field>) {
    target.kind = FieldKind::Choice;
    target.max_value = std::numeric_limits<std::underlying_type_t<Field>>::max();
  } else if constexpr (std::is_same_v<Field, std::span<const std::uint64_t>>) {
    target.kind = FieldKind::Accounts;
  } else {
    static_assert(std::is_integral_v<Field>, "a setting is stored in text, bool, enum or integer");
    target.kind = FieldKind::Number;
    target.min_value = static_cast<std::int64_t>(std::numeric_limits<Field>::min());
    if constexpr (sizeof(Field) >= sizeof(std::int64_t))
      target.max_value = std::numeric_limits<std::int64_t>::max();
    else
      target.max_value = static_cast<std::int64_t>(std::numeric_limits<Field>::max());
  }
  return target;
}

} // namespace ec
