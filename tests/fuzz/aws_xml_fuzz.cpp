// tests/fuzz/aws_xml_fuzz.cpp - XmlReader and the XML answer parsers never crash; events nest,
// decoded text is UTF-8 within its limit, and no error points into the input.
#include "core/aws/aws_responses.h"
#include "core/aws/aws_text.h"
#include "core/aws/xml_reader.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/alloc_failure.h"

namespace {

void check(bool condition) {
  if (!condition)
    std::abort();
}

/// Errors carry only static text: nothing of the document may leak into one.
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ec::Arena arena(ec::MutableBytes(g_storage, sizeof g_storage));

  ec::XmlReader reader(input);
  std::size_t depth = 0;
  for (;;) {
    ec::Result<ec::XmlEvent> event = reader.next();
    if (!event.ok()) {
      check_error(event.error(), input);
      break;
    }
    if (event.value() == ec::XmlEvent::EndOfDocument) {
      check(depth == 0);
      break;
    }
    if (event.value() == ec::XmlEvent::Text) {
      check(depth > 0);
      continue;
    }
    if (event.value() == ec::XmlEvent::EndElement) {
      check(depth > 0 && reader.depth() == --depth);
      continue;
    }
    check(reader.depth() == ++depth && depth <= ec::kMaxXmlDepth);
    check(!reader.name().empty() && reader.name().size() <= ec::kMaxXmlNameBytes);
    // Vary how elements are consumed by where they start.
    const std::uint64_t choice = reader.event_offset() % 4;
    if (choice == 0) {
      ec::Result<std::string_view> text = reader.read_text(arena, 64, "fuzz");
      if (!text.ok()) {
        check_error(text.error(), input);
        break;
      }
      check(text.value().size() <= 64);
      check_utf8(text.value());
      check(reader.depth() == --depth);
    } else if (choice == 1) {
      ec::Result<std::size_t> count = reader.count_children("a");
      if (count.ok())
        check(count.value() <= size);
      ec::Status skipped = reader.skip_element();
      if (!skipped.ok()) {
        check_error(skipped.error(), input);
        break;
      }
      check(reader.depth() == --depth);
    }
  }

  arena.reset();
  ec::Result<ec::AssumedRoleCredentials> credentials = ec::parse_assume_role_response(input, arena);
  check_result(credentials, input);
  if (credentials.ok())
    check(!credentials.value().session_token.empty() &&
          credentials.value().secret_access_key.size() <= ec::kMaxSecretKeyBytes);
  arena.reset();
  check_result(ec::parse_sts_error(input, arena), input);
  arena.reset();
  ec::Result<ec::S3ListPage> page = ec::parse_list_objects_v2(input, arena);
  check_result(page, input);
  if (page.ok()) {
    check(page.value().objects.size() <= ec::kMaxS3ListKeys);
    check(!page.value().is_truncated || !page.value().next_continuation_token.empty());
    for (const ec::S3Object& object : page.value().objects)
      check(object.key.size() <= ec::kMaxS3KeyBytes);
  }
  arena.reset();
  check_result(ec::parse_s3_error(input, arena), input);

  // Each parser again with less memory than it took: OutOfMemory, cleanly.
  using ec::fuzz::with_allocation_failure;
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_assume_role_response(input, a); });
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_sts_error(input, a); });
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_list_objects_v2(input, a); });
  with_allocation_failure(input, g_storage, sizeof g_storage,
                          [&](ec::Arena& a) { return ec::parse_s3_error(input, a); });
  return 0;
}
