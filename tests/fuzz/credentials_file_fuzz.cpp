// tests/fuzz/credentials_file_fuzz.cpp - parse_credentials_file never crashes, never puts file
// text (secrets) in an Error, and what it accepts are non-empty views into the file.
#include "core/client/credentials.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(bool condition) {
  if (!condition)
    std::abort();
}

bool inside(std::string_view text, std::string_view input) {
  return text.data() >= input.data() && text.data() + text.size() <= input.data() + input.size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line picks the profile, the rest is the file.
  std::size_t newline = input.find('\n');
  std::string_view profile =
      newline == std::string_view::npos ? std::string_view() : input.substr(0, newline);
  std::string_view text = newline == std::string_view::npos ? input : input.substr(newline + 1);
  if (profile.size() > 64)
    profile = profile.substr(0, 64);
  ec::Result<ec::CredentialsFileKeys> keys = ec::parse_credentials_file(text, profile);
  if (!keys.ok()) {
    const ec::Error& error = keys.error();
    const auto points_in = [&](const char* message) {
      return message && message >= input.data() && message < input.data() + input.size();
    };
    check(!points_in(error.message) && !points_in(error.detail));
    return 0;
  }
  const ec::CredentialsFileKeys& value = keys.value();
  check(!value.access_key_id.empty() && !value.secret_access_key.empty());
  check(inside(value.access_key_id, text) && inside(value.secret_access_key, text));
  if (!value.session_token.empty())
    check(inside(value.session_token, text));
  return 0;
}
