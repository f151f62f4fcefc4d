// tests/source/endpoint_rule_test.cpp - `config check` and the run agree on which endpoint
// addresses may be used: core/config and core/client each hold the rule (neither depends on the
// other), so this is where the two are held together.
#include "core/client/endpoint.h"
#include "core/config/config_schema.h"

#include <gtest/gtest.h>

namespace ec {
namespace {

TEST(EndpointRule, ConfigCheckAndTheRunAgree) {
  const SettingSpec* spec = find_setting(Section::Connection, "sts_endpoint");
  ASSERT_NE(spec, nullptr);
  InlineArena<4096> arena;
  for (const char* url : {"https://sts.eu-west-1.amazonaws.com",
                          "https://10.1.2.3:8443/base",
                          "http://127.0.0.1:9000",
                          "http://127.255.10.1",
                          "http://localhost:9000",
                          "http://LocalHost",
                          "http://[::1]:9000",
                          "http://10.1.2.3:8080",
                          "http://127.0.0.1.evil.com",
                          "http://localhost.evil.com",
                          "http://bucket.localhost",
                          "http://127.1",
                          "http://0177.0.0.1",
                          "http://127.0.0.256",
                          "http://127.0.0.1.",
                          "http://[::2]",
                          "http://[::ffff:127.0.0.1]",
                          "http://sts.example",
                          "https://user:pass@host",
                          "https://user@host/x",
                          "http://user:pass@127.0.0.1:9000",
                          "https://host/a@b"}) {
    SCOPED_TRACE(url);
    ParsedValue value;
    bool config_accepts = parse_setting_value(*spec, url, arena, {}, value) == ValueProblem::None;
    EXPECT_EQ(config_accepts, Endpoint::parse(url).ok());
  }
}

} // namespace
} // namespace ec
