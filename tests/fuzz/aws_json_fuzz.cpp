// tests/fuzz/aws_json_fuzz.cpp - JsonReader and the JSON 1.1 answer parsers never crash; a walk
// of any accepted document nests correctly, look-ahead counts match, strings decode to UTF-8, and
// no error points into the input.
#include "core/aws/aws_responses.h"
#include "core/aws/aws_text.h"
#include "core/aws/json_reader.h"

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "tests/fuzz/alloc_failure.h"

namespace {

void check(bool condition) {
  if (!condition)
    std::abort();
}

void check_error(const ec::Error& error, std::string_view input) {
  const auto inside = [&](const char* text) {
    return text && text >= input.data() && text < input.data() + input.size();
  };
  check(!inside(error.message) && !inside(error.detail));
  if (error.where == ec::ErrorWhere::ByteOffset)
    check(error.position <= input.size());
}

void check_utf8(std::string_view text) {
  while (!text.empty()) {
    const std::size_t length = ec::utf8_sequence_length(text);
    check(length > 0);
    text.remove_prefix(length);
  }
}

template <typename T> void check_result(const ec::Result<T>& result, std::string_view input) {
  if (!result.ok())
    check_error(result.error(), input);
}

alignas(16) std::uint8_t g_storage[1 << 20];

/// Walks the whole document; false on the first error (checked).
bool walk(ec::JsonReader& reader, ec::Arena& arena, std::string_view input) {
  // Per open container: is it an array, and how many elements the look-ahead promised / seen.
  bool is_array[ec::kMaxJsonDepth + 1] = {};
  std::size_t promised[ec::kMaxJsonDepth + 1] = {};
  std::size_t seen[ec::kMaxJsonDepth + 1] = {};
  std::size_t depth = 0;
  const auto fail = [&](const ec::Error& error) {
    check_error(error, input);
    return false;
  };
  for (;;) {
    if (depth > 0) {
      if (is_array[depth]) {
        ec::Result<bool> more = reader.next_element();
        if (!more.ok())
          return fail(more.error());
        if (!more.value()) {
          check(seen[depth] == promised[depth]);
          if (--depth == 0)
            break;
          continue;
        }
        ++seen[depth];
      } else {
        ec::Result<std::optional<std::string_view>> key = reader.next_key();
        if (!key.ok())
          return fail(key.error());
        if (!key.value()) {
          if (--depth == 0)
            break;
          continue;
        }
        check_utf8(*key.value());
      }
    }
    ec::Result<ec::JsonKind> kind = reader.peek();
    if (!kind.ok())
      return fail(kind.error());
    if (kind.value() == ec::JsonKind::Array || kind.value() == ec::JsonKind::Object) {
      const bool array = kind.value() == ec::JsonKind::Array;
      std::size_t count = 0;
      if (array) {
        ec::Result<std::size_t> counted = reader.count_elements("fuzz");
        if (!counted.ok())
          return fail(counted.error());
        count = counted.value();
      }
      ec::Status entered = array ? reader.enter_array() : reader.enter_object();
      if (!entered.ok())
        return fail(entered.error());
      ++depth;
      check(depth == reader.depth() && depth <= ec::kDefaultJsonDepth);
      is_array[depth] = array;
      promised[depth] = count;
      seen[depth] = 0;
      continue;
    }
    if (kind.value() == ec::JsonKind::String) {
      ec::Result<std::string_view> text = reader.read_string(arena, 256, "fuzz");
      if (!text.ok())
        return fail(text.error());
      check(text.value().size() <= 256);
      check_utf8(text.value());
    } else if (reader.offset() % 2 == 0) {
      ec::Status skipped = reader.skip_value();
      if (!skipped.ok())
        return fail(skipped.error());
    } else if (kind.value() == ec::JsonKind::Number) {
      ec::Result<std::string_view> number = reader.read_number("fuzz");
      if (!number.ok())
        return fail(number.error());
      check(!number.value().empty());
    } else if (kind.value() == ec::JsonKind::Null) {
      ec::Status null = reader.read_null("fuzz");
      if (!null.ok())
        return fail(null.error());
    } else {
      ec::Result<bool> value = reader.read_bool("fuzz");
      if (!value.ok())
        return fail(value.error());
      check(value.value() == (kind.value() == ec::JsonKind::True));
    }
    if (depth == 0)
      break;
  }
  ec::Status end = reader.finish();
  if (!end.ok())
    return fail(end.error());
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ec::Arena arena(ec::MutableBytes(g_storage, sizeof g_storage));

  ec::JsonReader reader(input);
  const bool accepted = walk(reader, arena, input);
  // skip_value agrees with the walk on whether the document is well formed (depth aside).
  ec::JsonReader skipper(input);
  ec::Status skipped = skipper.skip_value();
  if (skipped.ok())
    skipped = skipper.finish();
  if (accepted)
    check(skipped.ok());

  arena.reset();
  check_result(ec::parse_json_error(input, arena), input);
  arena.reset();
  ec::Result<ec::ReportDefinitionPage> reports =
      ec::parse_describe_report_definitions(input, arena);
  check_result(reports, input);
  if (reports.ok()) {
    check(reports.value().definitions.size() <= ec::kMaxReportDefinitionsPerPage);
    for (const ec::ReportDefinition& definition : reports.value().definitions)
      check(!definition.report_name.empty() && !definition.s3_bucket.empty());
  }
  arena.reset();
  check_result(ec::parse_list_exports(input, arena), input);
  arena.reset();
  check_result(ec::parse_get_export(input, arena), input);
  arena.reset();
  ec::Result<ec::AccountPage> accounts = ec::parse_list_accounts(input, arena);
  check_result(accounts, input);
  if (accounts.ok())
    check(accounts.value().accounts.size() <= ec::kMaxAccountsPerPage);

  // Each parser again with less memory than it took: OutOfMemory, cleanly.
  using ec::fuzz::with_allocation_failure;
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_json_error(input, a); });
  with_allocation_failure(input, g_storage, sizeof g_storage, [&](ec::Arena& a) {
    return ec::parse_describe_report_definitions(input, a);
  });
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_list_exports(input, a); });
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_get_export(input, a); });
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_list_accounts(input, a); });
  return 0;
}
