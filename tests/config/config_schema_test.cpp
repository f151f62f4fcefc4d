// tests/config/config_schema_test.cpp - The settings table, its value parsers, and the example
// file.
#include "core/config/config_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace ec {
namespace {

using ::testing::ElementsAre;

const char* const kExamplePath = EC_SOURCE_DIR "/config/edgecur.example.ini";

std::string read_text(const char* path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string generated_example() {
  std::size_t length = write_example_config({});
  std::string text(length + 1, '\0');
  EXPECT_EQ(write_example_config(std::span<char>(text.data(), text.size())), length);
  text.resize(length);
  return text;
}

ValueProblem parse_value(const char* section_key, std::string_view text, ParsedValue& out,
                         Arena& arena, Section section = Section::Connection) {
  const SettingSpec* spec = find_setting(section, section_key);
  EXPECT_NE(spec, nullptr) << section_key;
  return parse_setting_value(*spec, text, arena, {}, out);
}

TEST(ConfigSchema, EveryDefaultAndExampleValueIsValid) {
  InlineArena<16 * 1024> arena;
  for (const SettingSpec& spec : setting_specs()) {
    for (const char* value : {spec.default_text, spec.example_text}) {
      if (value[0] == '\0')
        continue;
      ParsedValue parsed;
      EXPECT_EQ(parse_setting_value(spec, value, arena, {}, parsed), ValueProblem::None)
          << section_name(spec.section) << "." << spec.key << " = " << value;
    }
    EXPECT_LE(std::string(spec.description).size(), 120u) << spec.key;
    EXPECT_EQ(std::string(spec.description).find('\n'), std::string::npos) << spec.key;
  }
  EXPECT_EQ(setting_specs().size(), 46u);
}

TEST(ConfigSchema, FindSettingIsPerSection) {
  ASSERT_NE(find_setting(Section::Ingest, "chunk_bytes"), nullptr);
  ASSERT_NE(find_setting(Section::Connection, "chunk_bytes"), nullptr);
  EXPECT_NE(find_setting(Section::Ingest, "chunk_bytes"),
            find_setting(Section::Connection, "chunk_bytes"));
  EXPECT_EQ(find_setting(Section::Log, "chunk_bytes"), nullptr);
  EXPECT_EQ(find_setting(Section::Log, "Level"), nullptr); // keys are exact
  const SettingSpec* level = find_setting(Section::Log, "level");
  EXPECT_EQ(&setting_specs()[setting_index(*level)], level);
}

TEST(ConfigSchema, SizesAcceptKAndMSuffixes) {
  InlineArena<1024> arena;
  ParsedValue value;
  EXPECT_EQ(parse_value("chunk_bytes", "64K", value, arena), ValueProblem::None);
  EXPECT_EQ(value.number, 65536);
  EXPECT_EQ(parse_value("chunk_bytes", "8m", value, arena), ValueProblem::None);
  EXPECT_EQ(value.number, 8 * 1024 * 1024);
  EXPECT_EQ(parse_value("chunk_bytes", "1048576", value, arena), ValueProblem::None);
  EXPECT_EQ(value.number, 1048576);
  EXPECT_EQ(parse_value("chunk_bytes", "1024M", value, arena), ValueProblem::None);
  EXPECT_EQ(parse_value("chunk_bytes", "1025M", value, arena), ValueProblem::OutOfRange);
  EXPECT_EQ(parse_value("chunk_bytes", "63K", value, arena), ValueProblem::OutOfRange);
  for (const char* bad : {"64KB", "1.5M", "K", "64 K", "-64K", "1G", "999999999999999999M"})
    EXPECT_EQ(parse_value("chunk_bytes", bad, value, arena), ValueProblem::BadFormat) << bad;
}

TEST(ConfigSchema, DurationsAreMilliseconds) {
  InlineArena<1024> arena;
  ParsedValue value;
  struct Case {
    const char* text;
    std::int64_t ms;
  };
  for (Case c : {Case{"30", 30000}, Case{"30s", 30000}, Case{"1500ms", 1500}, Case{"5m", 300000},
                 Case{"0", 0}, Case{"1h", 3600000}, Case{"1d", 86400000}}) {
    EXPECT_EQ(parse_value("total_timeout", c.text, value, arena), ValueProblem::None) << c.text;
    EXPECT_EQ(value.number, c.ms) << c.text;
  }
  EXPECT_EQ(parse_value("total_timeout", "2d", value, arena), ValueProblem::OutOfRange);
  EXPECT_EQ(parse_value("connect_timeout", "999ms", value, arena), ValueProblem::OutOfRange);
  for (const char* bad : {"5 m", "5min", "s", "1.5s", "-1s", "5M"})
    EXPECT_EQ(parse_value("connect_timeout", bad, value, arena), ValueProblem::BadFormat) << bad;
}

TEST(ConfigSchema, BoolsEnumsAndDates) {
  InlineArena<1024> arena;
  ParsedValue value;
  for (const char* yes : {"true", "YES", "on", "1"}) {
    EXPECT_EQ(parse_value("s3_path_style", yes, value, arena), ValueProblem::None);
    EXPECT_TRUE(value.flag) << yes;
  }
  for (const char* no : {"false", "No", "OFF", "0"}) {
    EXPECT_EQ(parse_value("s3_path_style", no, value, arena), ValueProblem::None);
    EXPECT_FALSE(value.flag) << no;
  }
  EXPECT_EQ(parse_value("s3_path_style", "2", value, arena), ValueProblem::BadFormat);
  EXPECT_EQ(parse_value("type", "Cur2", value, arena), ValueProblem::None);
  EXPECT_EQ(value.choice, static_cast<std::uint8_t>(ConnectionType::Cur2));
  EXPECT_EQ(parse_value("type", "s3", value, arena), ValueProblem::BadFormat);
  EXPECT_EQ(parse_value("start_date", "2024-03-01", value, arena), ValueProblem::None);
  EXPECT_EQ(value.number, 1709251200);
  EXPECT_EQ(parse_value("start_date", "1999-12-31", value, arena), ValueProblem::OutOfRange);
  EXPECT_EQ(parse_value("start_date", "March 2024", value, arena), ValueProblem::BadFormat);
  EXPECT_EQ(parse_value("start_date", "2024-3-1", value, arena), ValueProblem::BadFormat);
}

TEST(ConfigSchema, AccountListsAppendAndAreBounded) {
  InlineArena<64 * 1024> arena;
  const SettingSpec* allow = find_setting(Section::Connection, "accounts_allow");
  ParsedValue first;
  ASSERT_EQ(parse_setting_value(*allow, "111111111111 , 222222222222", arena, {}, first),
            ValueProblem::None);
  ParsedValue second;
  ASSERT_EQ(parse_setting_value(*allow, "000000000007", arena, first.accounts, second),
            ValueProblem::None);
  EXPECT_THAT(std::vector<std::uint64_t>(second.accounts.begin(), second.accounts.end()),
              ElementsAre(111111111111u, 222222222222u, 7u));
  // Consecutive lines grow the list in place: no copy, 8 bytes per id.
  EXPECT_EQ(second.accounts.data(), first.accounts.data());
  EXPECT_EQ(arena.used(), 3 * sizeof(std::uint64_t));
  ParsedValue text_between;
  ASSERT_EQ(parse_value("region", "us-east-1", text_between, arena), ValueProblem::None);
  ParsedValue third;
  ASSERT_EQ(parse_setting_value(*allow, "999999999999", arena, second.accounts, third),
            ValueProblem::None);
  EXPECT_NE(third.accounts.data(), first.accounts.data()); // copied after the region text
  EXPECT_THAT(std::vector<std::uint64_t>(third.accounts.begin(), third.accounts.end()),
              ElementsAre(111111111111u, 222222222222u, 7u, 999999999999u));
  for (const char* bad : {",", "1111111111111", "11111111111a", "111111111111;222222222222"})
    EXPECT_EQ(parse_setting_value(*allow, bad, arena, {}, first), ValueProblem::BadFormat) << bad;
  std::vector<std::uint64_t> many(kConfigMaxAccounts, 1);
  EXPECT_EQ(parse_setting_value(*allow, "111111111111", arena, many, first), ValueProblem::TooMany);
  InlineArena<32> tiny;
  EXPECT_EQ(parse_setting_value(*allow,
                                "111111111111 222222222222 333333333333 444444444444 "
                                "555555555555",
                                tiny, {}, first),
            ValueProblem::OutOfMemory);
}

TEST(ConfigSchema, EndpointsArePlainHttpOnlyToLoopbackAndHoldNoUserInfo) {
  InlineArena<4096> arena;
  ParsedValue value;
  EXPECT_EQ(parse_value("sts_endpoint", "http://10.1.2.3:8080", value, arena),
            ValueProblem::PlainHttp);
  EXPECT_EQ(parse_value("sts_endpoint", "http://127.0.0.1.evil.com", value, arena),
            ValueProblem::PlainHttp);
  EXPECT_EQ(parse_value("s3_endpoint", "https://user:pass@host", value, arena),
            ValueProblem::UserInfo);
  EXPECT_EQ(parse_value("s3_endpoint", "http://user:pass@10.1.2.3", value, arena),
            ValueProblem::UserInfo); // user info first: that message shows nothing of the value
  EXPECT_EQ(parse_value("s3_endpoint", "s3.example", value, arena), ValueProblem::BadFormat);
  for (const char* url : {"http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000",
                          "https://10.1.2.3", "https://host/a@b"}) {
    EXPECT_EQ(parse_value("sts_endpoint", url, value, arena), ValueProblem::None) << url;
    EXPECT_EQ(value.text, url);
  }
  // The proxy is not an endpoint: http:// to any address, user info allowed (and hidden).
  EXPECT_EQ(parse_value("proxy", "http://user:pw@10.0.0.1:3128", value, arena), ValueProblem::None);
  // Every Url setting but the proxy follows the endpoint rule.
  std::size_t endpoints = 0;
  for (const SettingSpec& spec : setting_specs())
    if (spec.type == SettingType::Url && std::string(spec.key) != "proxy") {
      ++endpoints;
      ParsedValue parsed;
      EXPECT_EQ(parse_setting_value(spec, "http://10.1.2.3", arena, {}, parsed),
                ValueProblem::PlainHttp)
          << spec.key;
    }
  EXPECT_EQ(endpoints, 5u);

  EXPECT_EQ(endpoint_host("http://10.1.2.3:8080/x"), "10.1.2.3");
  EXPECT_EQ(endpoint_host("http://[::1]:9000"), "[::1]");
  EXPECT_EQ(endpoint_host("http://host?x"), "host");
}

TEST(ConfigSchema, DescriptionsOfRanges) {
  char text[256];
  describe_expected(*find_setting(Section::Connection, "retries"), text, sizeof text);
  EXPECT_STREQ(text, "a whole number from 0 to 20");
  describe_allowed(*find_setting(Section::Ingest, "max_row_bytes"), text, sizeof text);
  EXPECT_STREQ(text, "4K-64M");
  describe_allowed(*find_setting(Section::Connection, "total_timeout"), text, sizeof text);
  EXPECT_STREQ(text, "0-1d");
  describe_allowed(*find_setting(Section::Log, "level"), text, sizeof text);
  EXPECT_STREQ(text, "error|warn|info|debug");
  format_size(1536, text, sizeof text);
  EXPECT_STREQ(text, "1536");
  format_duration(90000, text, sizeof text);
  EXPECT_STREQ(text, "90s");
  format_duration(1500, text, sizeof text);
  EXPECT_STREQ(text, "1500ms");
  EXPECT_EQ(format_size(65536, text, 3), 2u); // cut, terminated
  EXPECT_STREQ(text, "64");
}

TEST(ConfigExample, FileIsExactlyWhatTheTableGenerates) {
  std::string generated = generated_example();
  std::string on_disk = read_text(kExamplePath);
  if (on_disk != generated) {
    std::string fresh = EC_BINARY_DIR "/edgecur.example.ini";
    std::ofstream(fresh, std::ios::binary) << generated;
    FAIL() << "config/edgecur.example.ini differs from the settings table; regenerate it with:\n"
           << "  cp " << fresh << " " << kExamplePath;
  }
}

// Independent of the generator: reads the file as a technician would and checks each setting of
// the table is there once, in its section, with its default (or example) and its comment.
TEST(ConfigExample, EverySettingAppearsWithDefaultAndCommentAndNothingElse) {
  std::string text = read_text(kExamplePath);
  ASSERT_FALSE(text.empty());
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);

  std::map<std::string, std::size_t> found; // "section.key" -> line index
  std::string section;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    EXPECT_LE(line.size(), kConfigMaxLineBytes) << "line " << i + 1;
    if (line.rfind("[", 0) == 0) {
      section = line.substr(1, line.find_first_of(" ]") - 1);
      continue;
    }
    // A setting line: "key = value" or, commented out, ";key = value" / ";key =".
    std::string body =
        line.rfind(";", 0) == 0 && line.size() > 1 && line[1] != ' ' ? line.substr(1) : line;
    if (body.empty() || body[0] == ';' || body[0] == '#')
      continue;
    std::size_t equals = body.find(" =");
    ASSERT_NE(equals, std::string::npos) << "line " << i + 1 << ": " << line;
    std::string key = body.substr(0, equals);
    std::string value = equals + 3 <= body.size() ? body.substr(equals + 3) : "";
    Section kind = Section::Store;
    bool known = false;
    for (Section s :
         {Section::Store, Section::Ingest, Section::Log, Section::Security, Section::Connection})
      if (section == section_name(s)) {
        kind = s;
        known = true;
      }
    ASSERT_TRUE(known) << "line " << i + 1 << ": section " << section;
    const SettingSpec* spec = find_setting(kind, key);
    ASSERT_NE(spec, nullptr) << "line " << i + 1 << ": '" << key << "' is not in the table";
    EXPECT_TRUE(found.emplace(section + "." + key, i).second) << "twice: " << key;
    std::string expected_value = spec->example_text[0] ? spec->example_text : spec->default_text;
    EXPECT_EQ(value, expected_value) << "line " << i + 1;
    ASSERT_GT(i, 0u);
    std::string comment = "; " + std::string(spec->description);
    EXPECT_EQ(lines[i - 1].substr(0, comment.size()), comment) << "line " << i;
    bool commented = line[0] == ';';
    bool has_value = !expected_value.empty();
    bool used_by_example = (spec->applies_to & type_bit(ConnectionType::Cur)) != 0;
    EXPECT_EQ(commented, !has_value || !used_by_example) << "line " << i + 1;
  }
  EXPECT_EQ(found.size(), setting_specs().size());
}

TEST(ConfigExample, LoadsWithoutAnyDiagnostic) {
  std::string text = read_text(kExamplePath);
  InlineArena<64 * 1024> arena;
  char buffer[4096];
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> result = parse_config_text("edgecur.example.ini", text, arena, diagnostics);
  ASSERT_TRUE(result.ok()) << diagnostics.text();
  EXPECT_EQ(diagnostics.size(), 0u) << diagnostics.text();
  const Config& config = *result.value();
  EXPECT_EQ(config.store.path, "/var/lib/edgecur/edgecur.db");
  ASSERT_EQ(config.connections.size(), 1u);
  EXPECT_EQ(config.connections[0].name, "payer1");
  EXPECT_EQ(config.connections[0].type, ConnectionType::Cur);
  EXPECT_EQ(config.connections[0].role_arn, "arn:aws:iam::123456789012:role/edgecur-read");
  EXPECT_EQ(config.connections[0].retries, 5u);
}

TEST(ConfigExample, WriterCutsToTheBufferAndReportsTheFullLength) {
  std::string full = generated_example();
  char small[32];
  EXPECT_EQ(write_example_config(std::span<char>(small)), full.size());
  EXPECT_EQ(std::string(small), full.substr(0, 31));
}

} // namespace
} // namespace ec

namespace ec {
namespace {

TEST(ConfigSchema, MaxMalformedIsAShareOrACount) {
  struct Case {
    const char* text;
    bool ok;
    bool share;
    std::uint64_t value;
  };
  const Case cases[] = {
      {"1%", true, true, 10000},
      {"0.5%", true, true, 5000},
      {"0.0001%", true, true, 1},
      {"100%", true, true, 1000000},
      {"0%", true, true, 0},
      {"12.25%", true, true, 122500},
      {"500", true, false, 500},
      {"0", true, false, 0},
      {"100.0001%", false, false, 0},
      {"101%", false, false, 0},
      {"0.00001%", false, false, 0},
      {"1.%", false, false, 0},
      {"%", false, false, 0},
      {"", false, false, 0},
      {"-1%", false, false, 0},
      {"1 %", false, false, 0},
      {"5x", false, false, 0},
      {"1e3", false, false, 0},
      {"99999999999999999999", false, false, 0},
  };
  for (const Case& c : cases) {
    bool share = !c.share;
    std::uint64_t value = 12345;
    EXPECT_EQ(parse_max_malformed(c.text, share, value), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(share, c.share) << c.text;
      EXPECT_EQ(value, c.value) << c.text;
    }
  }
}

} // namespace
} // namespace ec
