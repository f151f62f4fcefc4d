// tests/config/config_file_test.cpp - Loading real files: permissions, credentials_file, exit
// codes.
#include "core/config/config.h"
#include "platform/file_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using PlatformFiles = ConfigFilesVia<&platform::read_small_file, &platform::file_status>;

// A temporary folder removed with everything written into it.
class TempDir {
public:
  TempDir() {
    char pattern[] = "/tmp/edgecur-config-XXXXXX";
    EC_CHECK(mkdtemp(pattern) != nullptr);
    m_path = pattern;
  }
  ~TempDir() {
    for (const std::string& file : m_files)
      std::remove(file.c_str());
    rmdir(m_path.c_str());
  }
  std::string write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = m_path + "/" + name;
    FILE* file = std::fopen(path.c_str(), "wb");
    EC_CHECK(file != nullptr);
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
    EC_CHECK(chmod(path.c_str(), mode) == 0);
    m_files.push_back(path);
    return path;
  }
  const std::string& path() const { return m_path; }

private:
  std::string m_path;
  std::vector<std::string> m_files;
};

struct Checked {
  std::unique_ptr<InlineArena<128 * 1024>> arena = std::make_unique<InlineArena<128 * 1024>>();
  std::vector<char> buffer = std::vector<char>(8192);
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  ConfigCheck check = ConfigCheck::Ok;

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < diagnostics.size(); ++i)
      out.emplace_back(diagnostics[i].text);
    return out;
  }
};

std::unique_ptr<Checked> check(const std::string& path) {
  auto checked = std::make_unique<Checked>();
  PlatformFiles files;
  checked->check = check_config(path.c_str(), files, *checked->arena, checked->diagnostics);
  return checked;
}

const std::string kKeysConnection =
    "[connection prod]\n"
    "type = cur\n"
    "report_name = hourly\n"
    "access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

TEST(ConfigFile, GroupReadableFileWithSecretIsRefused) {
  TempDir dir;
  std::string path = dir.write("edgecur.ini", kKeysConnection, 0640);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Refused);
  EXPECT_THAT(
      checked->lines(),
      ElementsAre(path + ":0: config: refused: " + path +
                  " holds secrets (secret_access_key at line 5) but can be read by group or "
                  "others (mode 0640); fix with: chmod 600 " +
                  path));
  EXPECT_THAT(std::string(checked->diagnostics.text()), Not(HasSubstr("wJalrXUtnFEMI")));

  PlatformFiles files;
  InlineArena<64 * 1024> arena;
  char buffer[2048];
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> loaded = load_config(path.c_str(), files, arena, diagnostics);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::Permission);
  EXPECT_EQ(arena.used(), 0u);
}

TEST(ConfigFile, GroupReadableFileWithSecretIsAllowedWithWarnPolicy) {
  TempDir dir;
  std::string path =
      dir.write("edgecur.ini", kKeysConnection + "[security]\nconfig_permissions = warn\n", 0644);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Ok);
  EXPECT_EQ(checked->diagnostics.warning_count(), 1u);
  EXPECT_THAT(
      checked->lines(),
      ElementsAre(path + ":0: config: WARNING: " + path +
                  " holds secrets (secret_access_key at line 5) but can be read by group or "
                  "others (mode 0644); anyone on this device can read them; fix with: "
                  "chmod 600 " +
                  path));

  PlatformFiles files;
  InlineArena<64 * 1024> arena;
  char buffer[2048];
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> loaded = load_config(path.c_str(), files, arena, diagnostics);
  ASSERT_TRUE(loaded.ok()) << diagnostics.text();
  EXPECT_EQ(loaded.value()->connections[0].secret_access_key,
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(loaded.value()->source_path, path);
}

TEST(ConfigFile, PrivateFileWithSecretLoads) {
  TempDir dir;
  std::string path = dir.write("edgecur.ini", kKeysConnection, 0600);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Ok);
  EXPECT_EQ(checked->diagnostics.size(), 0u) << checked->diagnostics.text();
}

TEST(ConfigFile, WorldReadableFileWithoutSecretsLoads) {
  TempDir dir;
  std::string path =
      dir.write("edgecur.ini",
                "[log]\nlevel = debug\n[connection prod]\ntype = cur\nreport_name = r\n"
                "role_arn = arn:aws:iam::123456789012:role/edgecur\n"
                "external_id = 5f1c2d3e-not-a-secret\n",
                0644);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Ok);
  EXPECT_EQ(checked->diagnostics.size(), 0u) << checked->diagnostics.text();
}

TEST(ConfigFile, ProxyPasswordMakesTheFileSecret) {
  TempDir dir;
  std::string path = dir.write("edgecur.ini",
                               "[connection prod]\ntype = cur\nreport_name = r\n"
                               "role_arn = arn:aws:iam::123456789012:role/edgecur\n"
                               "proxy = http://user:pa55@10.0.0.1:3128\n",
                               0604);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Refused);
  EXPECT_THAT(checked->lines(),
              ElementsAre(path + ":0: config: refused: " + path +
                          " holds secrets (proxy at line 5) but can be read by group or others "
                          "(mode 0604); fix with: chmod 600 " +
                          path));
}

TEST(ConfigFile, CredentialsFileMustExistAndBePrivate) {
  TempDir dir;
  std::string keys = dir.write("keys", "[default]\naws_access_key_id = AKIA\n", 0644);
  std::string text = "[connection prod]\ntype = cur\nreport_name = r\ncredentials_file = " + keys +
                     "\n[connection other]\ntype = cur2\nexport_name = e\n"
                     "credentials_file = " +
                     dir.path() +
                     "/missing\n"
                     "[connection usb]\ntype = local\nlocal_dir = " +
                     dir.path() +
                     "/not-there\n"
                     "[connection bad]\ntype = local\nlocal_dir = " +
                     keys + "\n";
  std::string path = dir.write("edgecur.ini", text, 0644);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Refused);
  EXPECT_THAT(checked->lines(),
              ElementsAre(path + ":8: config: credentials_file '" + dir.path() +
                              "/missing' in section [connection other] does not exist",
                          path + ":11: config: local_dir '" + dir.path() +
                              "/not-there' in section [connection usb] does not exist",
                          path + ":14: config: local_dir '" + keys +
                              "' in section [connection bad] is not a folder",
                          path + ":4: config: refused: " + keys +
                              " holds credentials but can be read by group or others (mode 0644); "
                              "fix with: chmod 600 " +
                              keys));
  EXPECT_EQ(checked->diagnostics[1].severity, Severity::Warning); // a USB stick may come later

  EXPECT_EQ(chmod(keys.c_str(), 0600), 0);
  std::string fixed = dir.write(
      "fixed.ini",
      "[connection prod]\ntype = cur\nreport_name = r\ncredentials_file = " + keys + "\n", 0644);
  auto ok = check(fixed);
  EXPECT_EQ(ok->check, ConfigCheck::Ok);
  EXPECT_EQ(ok->diagnostics.size(), 0u) << ok->diagnostics.text();
}

TEST(ConfigFile, ContentProblemsExitWithOne) {
  TempDir dir;
  std::string path = dir.write("edgecur.ini", "[ingest]\nmalformed_rows = maybe\n", 0600);
  auto checked = check(path);
  EXPECT_EQ(checked->check, ConfigCheck::Problems);
  EXPECT_EQ(static_cast<int>(checked->check), 1);
  EXPECT_THAT(checked->lines(),
              ElementsAre(path + ":2: config: bad value 'maybe' for 'malformed_rows' in section "
                                 "[ingest]: expected one of skip, fail"));
}

TEST(ConfigFile, UnreadableFilesExitWithTwo) {
  TempDir dir;
  auto missing = check(dir.path() + "/nope.ini");
  EXPECT_EQ(static_cast<int>(missing->check), 2);
  EXPECT_THAT(missing->lines(),
              ElementsAre(dir.path() + "/nope.ini:0: config: the file does not exist"));

  auto folder = check(dir.path());
  EXPECT_EQ(folder->check, ConfigCheck::Refused);
  EXPECT_THAT(folder->lines(), ElementsAre(dir.path() + ":0: config: not a regular file"));

  std::string big = dir.write("big.ini", std::string(kConfigMaxFileBytes + 1, ';'), 0600);
  auto too_big = check(big);
  EXPECT_EQ(too_big->check, ConfigCheck::Refused);
  EXPECT_THAT(too_big->lines(),
              ElementsAre(big + ":0: config: the file is larger than 262144 bytes"));

  if (geteuid() != 0) { // root reads anything
    std::string locked = dir.write("locked.ini", "[log]\n", 0000);
    auto denied = check(locked);
    EXPECT_EQ(denied->check, ConfigCheck::Refused);
    EXPECT_THAT(denied->lines(), ElementsAre(locked + ":0: config: no permission to read the file "
                                                      "(run as its owner or root)"));
  }
}

TEST(ConfigFile, ExampleFileLoadsCleanlyWithinTheArenaBudget) {
  auto checked = check(EC_SOURCE_DIR "/config/edgecur.example.ini");
  EXPECT_EQ(checked->check, ConfigCheck::Ok);
  EXPECT_EQ(checked->diagnostics.size(), 0u) << checked->diagnostics.text();

  PlatformFiles files;
  std::vector<std::uint8_t> storage(kConfigArenaBytes);
  Arena arena{MutableBytes(storage)};
  char buffer[1024];
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> loaded =
      load_config(EC_SOURCE_DIR "/config/edgecur.example.ini", files, arena, diagnostics);
  ASSERT_TRUE(loaded.ok()) << diagnostics.text();
  EXPECT_LE(arena.high_water(), 8u * 1024) << "high water " << arena.high_water();
}

TEST(ConfigFile, FileLargerThanTheArenaIsReportedNotCrashed) {
  TempDir dir;
  std::string path = dir.write("edgecur.ini", "[log]\n" + std::string(4000, ';') + "\n", 0600);
  PlatformFiles files;
  InlineArena<2048> arena;
  char buffer[1024];
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  EXPECT_EQ(check_config(path.c_str(), files, arena, diagnostics), ConfigCheck::Refused);
  EXPECT_EQ(std::string(diagnostics.text()),
            path + ":0: config: cannot read the file (arena: out of memory: file text)\n");
}

TEST(PlatformFileStatus, ReportsModeOwnerSizeAndType) {
  TempDir dir;
  std::string path = dir.write("f", "hello", 0640);
  Result<platform::FileStatus> status = platform::file_status(path.c_str());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status.value().type, platform::FileType::Regular);
  EXPECT_EQ(status.value().mode, 0640u);
  EXPECT_EQ(status.value().owner_uid, static_cast<std::uint32_t>(geteuid()));
  EXPECT_EQ(status.value().size_bytes, 5u);
  Result<platform::FileStatus> folder = platform::file_status(dir.path().c_str());
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(folder.value().type, platform::FileType::Directory);
  Result<platform::FileStatus> missing = platform::file_status((dir.path() + "/x").c_str());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(missing.error().lib, ErrorLib::Errno);
}

TEST(PlatformFileStatus, ReadSmallFileIsBoundedAndTerminated) {
  TempDir dir;
  std::string path = dir.write("f", "0123456789", 0600);
  InlineArena<64> arena;
  Result<platform::FileContents> whole = platform::read_small_file(path.c_str(), 10, arena);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole.value().text, "0123456789");
  EXPECT_EQ(whole.value().text.data()[10], '\0');
  EXPECT_EQ(whole.value().status.mode, 0600u);

  Result<platform::FileContents> limited = platform::read_small_file(path.c_str(), 9, arena);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, ErrorCode::LimitExceeded);

  InlineArena<8> tiny;
  Result<platform::FileContents> no_room = platform::read_small_file(path.c_str(), 100, tiny);
  ASSERT_FALSE(no_room.ok());
  EXPECT_EQ(no_room.error().code, ErrorCode::OutOfMemory);
  EXPECT_EQ(tiny.used(), 0u);

  Result<platform::FileContents> folder = platform::read_small_file(dir.path().c_str(), 100, arena);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, ErrorCode::InvalidInput);
}

} // namespace
} // namespace ec
