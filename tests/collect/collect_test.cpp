// tests/collect/collect_test.cpp - The connection types, verify's steps and the collector, over
// a scripted AWS and real folders: budgets against their high-water marks, the credential search
// order, and the bugs the redesign fixed (verify on a local folder, a role's failure blamed on
// discovery, Error-level findings that did not fail a pass).
#include "core/collect/aws_access.h"
#include "core/collect/collector.h"
#include "core/collect/source_check.h"
#include "core/collect/source_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "collect_fakes.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace ec {
namespace {

using fakes::FakeHost;
using ::testing::HasSubstr;

constexpr const char* kEndpoint = "http://127.0.0.1:9/";

std::string error_text(const Error& error) {
  char text[512];
  std::size_t size = format_error(error, text, sizeof text);
  return std::string(text, size);
}

struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("ec-collect-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& key, const std::string& text) const {
    std::filesystem::path file = path / key;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }
  std::filesystem::path path;
  static inline int counter = 0;
};

struct Memory {
  explicit Memory(std::size_t size) : bytes(size), arena(MutableBytes(bytes)) {}
  std::vector<std::uint8_t> bytes;
  Arena arena;
};

ConnectionConfig remote(ConnectionType type) {
  ConnectionConfig c;
  c.name = "acme";
  c.type = type;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.region = "eu-west-1";
  c.report_name = "hourly-cur";
  c.export_name = "cur2";
  c.bucket = "acme-billing";
  c.prefix = "billing/cur";
  c.sts_endpoint = kEndpoint;
  c.cur_endpoint = kEndpoint;
  c.exports_endpoint = kEndpoint;
  c.s3_endpoint = kEndpoint;
  c.s3_path_style = true;
  c.retries = 1;
  c.chunk_bytes = 8 * 1024 * 1024;
  c.recheck_days = 35;
  return c;
}

std::string cur_definitions(const std::string& format) {
  return "{\"ReportDefinitions\":[{\"ReportName\":\"hourly-cur\",\"TimeUnit\":\"HOURLY\","
         "\"Format\":\"" +
         format +
         "\",\"Compression\":\"GZIP\",\"AdditionalSchemaElements\":[],"
         "\"S3Bucket\":\"acme-billing\",\"S3Prefix\":\"billing/cur\",\"S3Region\":\"eu-west-1\","
         "\"AdditionalArtifacts\":[],\"RefreshClosedReports\":true,"
         "\"ReportVersioning\":\"OVERWRITE_REPORT\"}]}";
}

std::string legacy_manifest(const std::string& key_prefix) {
  return "{\"assemblyId\":\"asm-1\",\"account\":\"111111111111\",\"reportName\":\"rep\","
         "\"bucket\":\"bkt\",\"compression\":\"GZIP\",\"billingPeriod\":{\"start\":"
         "\"20260101T000000.000Z\",\"end\":\"20260201T000000.000Z\"},\"reportKeys\":[\"" +
         key_prefix + "rep/20260101-20260201/asm-1/rep-1.csv.gz\"]}";
}

// Opens and locates a source the way the collector does; the arena is exactly its type's budget.
struct Located {
  Located(const ConnectionConfig& config, FakeHost& host)
      : memory(source_type(config.type)->arena_bytes) {
    auto made = make_source(config, host, memory.arena);
    EXPECT_TRUE(made.ok());
    if (!made.ok())
      return;
    source.reset(made.value());
    status = source->open(memory.arena);
    if (status.ok())
      status = source->check_access();
    if (status.ok())
      status = source->locate(findings);
  }
  Memory memory;
  SourceHandle source;
  Status status;
  Findings findings;
};

// ---- budgets ----------------------------------------------------------------------------------

TEST(SourceBudget, EachTypeFitsItsArenaAndSaysHowMuchItUsed) {
  TempDir folder;
  folder.write("rep/20260101-20260201/rep-Manifest.json", legacy_manifest(""));
  std::string dir = folder.path.string();
  for (ConnectionType type : {ConnectionType::Cur, ConnectionType::Cur2, ConnectionType::Explicit,
                              ConnectionType::Local}) {
    SCOPED_TRACE(connection_type_name(type));
    FakeHost host;
    ConnectionConfig config = remote(type);
    config.local_dir = dir;
    if (type == ConnectionType::Cur)
      host.transport.reply(200, cur_definitions("textORcsv"));
    if (type == ConnectionType::Cur2) {
      host.transport.reply(200, "{\"Exports\":[{\"ExportArn\":\"arn:aws:bcm-data-exports:us-"
                                "east-1:111111111111:export/cur2-1\",\"ExportName\":\"cur2\"}]}");
      host.transport.reply(
          200, "{\"Export\":{\"ExportArn\":\"arn:aws:bcm-data-exports:us-east-1:111111111111:"
               "export/cur2-1\",\"Name\":\"cur2\",\"DataQuery\":{\"QueryStatement\":\"SELECT * "
               "FROM COST_AND_USAGE_REPORT\",\"TableConfigurations\":{\"COST_AND_USAGE_REPORT\":"
               "{\"TIME_GRANULARITY\":\"HOURLY\"}}},\"DestinationConfigurations\":{"
               "\"S3Destination\":{\"S3Bucket\":\"acme-exports\",\"S3Prefix\":\"exports\","
               "\"S3Region\":\"us-west-2\",\"S3OutputConfigurations\":{\"OutputType\":\"CUSTOM\","
               "\"Format\":\"TEXT_OR_CSV\",\"Compression\":\"GZIP\",\"Overwrite\":"
               "\"OVERWRITE_REPORT\"}}},\"RefreshCadence\":{\"Frequency\":\"SYNCHRONOUS\"}}}");
    }
    Located located(config, host);
    ASSERT_TRUE(located.status.ok()) << error_text(located.status.error());
    EXPECT_FALSE(located.findings.has_errors());
    const std::size_t budget = source_type(type)->arena_bytes;
    EXPECT_LE(located.memory.arena.high_water(), budget);
    std::fprintf(stderr, "[ measured ] %s: arena high water %zu of %zu bytes\n",
                 connection_type_name(type), located.memory.arena.high_water(), budget);
  }
}

// ---- credentials ------------------------------------------------------------------------------

TEST(AwsAccess, KeysAreSearchedInTheIniThenTheCredentialsFileThenTheEnvironment) {
  Memory memory(AwsAccess::kArenaBytes);
  FakeHost host;
  host.variables["AWS_ACCESS_KEY_ID"] = "AKIDFROMENVIRONMENT";
  host.variables["AWS_SECRET_ACCESS_KEY"] = "secret-from-the-environment";
  host.files["/etc/edgecur/aws"] = "[default]\naws_access_key_id = AKIDFROMFILE\n"
                                   "aws_secret_access_key = secret-from-the-file\n";
  ConnectionConfig config = remote(ConnectionType::Explicit);
  config.credentials_file = "/etc/edgecur/aws";
  {
    AwsAccess access(config, host); // the INI's keys first
    ASSERT_TRUE(access.open(memory.arena).ok());
    EXPECT_EQ(access.key_source(), KeySource::Ini);
  }
  config.access_key_id = {};
  config.secret_access_key = {};
  memory.arena.reset();
  {
    host.others_can_read = true;
    AwsAccess access(config, host);
    ASSERT_TRUE(access.open(memory.arena).ok());
    EXPECT_EQ(access.key_source(), KeySource::CredentialsFile);
    auto keys = access.credentials().current(0);
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(keys.value().access_key_id, "AKIDFROMFILE");
    // The file's text is wiped at once, and a readable file is warned about. (The arena gave the
    // bytes back, so ASan has poisoned them: look anyway.)
#if defined(__SANITIZE_ADDRESS__)
    __asan_unpoison_memory_region(host.last_file_text, host.last_file_size);
#endif
    EXPECT_EQ(std::string(host.last_file_text, host.last_file_size),
              std::string(host.last_file_size, '\0'));
    EXPECT_THAT(host.recorded.lines,
                ::testing::Contains("credentials_file can be read by other users: chmod 600 it"));
  }
  config.credentials_file = {};
  memory.arena.reset();
  {
    AwsAccess access(config, host);
    ASSERT_TRUE(access.open(memory.arena).ok());
    EXPECT_EQ(access.key_source(), KeySource::Environment);
    EXPECT_EQ(access.credentials().current(0).value().access_key_id, "AKIDFROMENVIRONMENT");
  }
  host.variables.clear();
  memory.arena.reset();
  {
    AwsAccess access(config, host);
    Status none = access.open(memory.arena);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, ErrorCode::NotFound);
    EXPECT_EQ(access.problem(),
              "no access keys: set access_key_id and secret_access_key, or credentials_file");
  }
}

// ---- verify (check_connection) ----------------------------------------------------------------

struct CheckLine {
  CheckResult result;
  std::string check;
  std::string text;
  std::string fix;
};

class CheckRecorder final : public CheckObserver {
public:
  void on_check(CheckResult result, std::string_view check, std::string_view text,
                std::string_view fix) override {
    lines.push_back({result, std::string(check), std::string(text), std::string(fix)});
  }
  std::vector<CheckLine> lines;
};

bool check(const ConnectionConfig& config, FakeHost& host, CheckRecorder& recorder) {
  Memory memory(source_type(config.type)->arena_bytes);
  Memory sync_memory(kReportSyncArenaBytes);
  auto sync = std::make_unique<ReportSync>();
  EXPECT_TRUE(sync->init(sync_memory.arena).ok());
  return check_connection(config, host, memory.arena, *sync, recorder);
}

TEST(CheckConnection, ALocalFolderReadsTheDataFileWhereOnceReadsIt) {
  // The manifest names the keys of the bucket it was delivered to (prefix billing/cur); the
  // folder holds the report without that prefix. verify used to join the bucket's key onto
  // local_dir and FAIL its data read, while once read the files fine.
  TempDir folder;
  folder.write("rep/20260101-20260201/rep-Manifest.json", legacy_manifest("billing/cur/"));
  folder.write("rep/20260101-20260201/asm-1/rep-1.csv.gz", std::string("\x1f\x8b\x08\x00", 4));
  std::string dir = folder.path.string();
  ConnectionConfig config;
  config.name = "copied";
  config.type = ConnectionType::Local;
  config.local_dir = dir;
  config.report_name = "rep";
  FakeHost host;
  CheckRecorder recorder;
  EXPECT_TRUE(check(config, host, recorder));
  ASSERT_FALSE(recorder.lines.empty());
  const CheckLine& last = recorder.lines.back();
  EXPECT_EQ(last.check, "data read");
  EXPECT_EQ(last.result, CheckResult::Ok);
  EXPECT_EQ(last.text, "read 4 B of rep/20260101-20260201/asm-1/rep-1.csv.gz (gzip)");
  EXPECT_EQ(host.released, 1);
}

TEST(CheckConnection, ALocalDirThatIsAFileFailsTheListingWithItsFix) {
  TempDir folder;
  folder.write("not-a-folder", "x");
  std::string file = (folder.path / "not-a-folder").string();
  ConnectionConfig config;
  config.name = "file";
  config.type = ConnectionType::Local;
  config.local_dir = file;
  FakeHost host;
  CheckRecorder recorder;
  EXPECT_FALSE(check(config, host, recorder));
  ASSERT_EQ(recorder.lines.size(), 2u);
  EXPECT_EQ(recorder.lines[0].check, "report definition");
  EXPECT_EQ(recorder.lines[0].result, CheckResult::Ok);
  EXPECT_EQ(recorder.lines[1].check, "bucket listing");
  EXPECT_EQ(recorder.lines[1].result, CheckResult::Fail);
  EXPECT_EQ(recorder.lines[1].fix, "check local_dir");
}

// ---- the collector ----------------------------------------------------------------------------

struct Event {
  std::string what;
  SourceStep step = SourceStep::Open;
  std::string text;
};

class PassRecorder final : public CollectObserver {
public:
  void on_finding(const ConnectionConfig&, const Finding& finding) override {
    events.push_back({"finding", SourceStep::Open, std::string(finding.view())});
  }
  void on_located(const ConnectionConfig&, Source&) override {
    events.push_back({"located", SourceStep::Open, ""});
  }
  void on_failed(const ConnectionConfig&, SourceStep step, const Error& error,
                 std::string_view problem) override {
    events.push_back({"failed", step, error_text(error) + " | " + std::string(problem)});
  }
  void on_synced(const ConnectionConfig&, const SyncSummary& summary) override {
    events.push_back({"synced", SourceStep::List, std::to_string(summary.periods)});
  }
  void on_account_names(const ConnectionConfig&, const Result<AccountNameStats>&,
                        const Findings&) override {
    events.push_back({"names", SourceStep::Open, ""});
  }
  void on_period(const PeriodReport& report) override {
    events.push_back({"period", SourceStep::List, std::to_string(report.yyyymm)});
  }
  std::vector<Event> events;
};

class NoNames final : public AccountNameSink {
public:
  Status on_account_name(const AccountName&) override { return {}; }
};

struct CollectorRig {
  CollectorRig() {
    path =
        std::filesystem::temp_directory_path() / ("ec-collect-store-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(++counter) + ".db");
    EXPECT_TRUE(store.open(path.c_str(), OpenMode::ReadWrite).ok());
  }
  ~CollectorRig() {
    store.close();
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(path.string() + suffix);
  }
  CollectSummary run(const ConnectionConfig& connection, PassRecorder& recorder) {
    config.connections = std::span<const ConnectionConfig>(&connection, 1);
    IngestSettings ingest;
    Memory memory(Collector::arena_bytes(config, ingest));
    Memory sync_memory(Collector::kSyncArenaBytes);
    auto collector = std::make_unique<Collector>(host, store, memory.arena, sync_memory.arena);
    NoNames names;
    return collector->run(config, ingest, "", recorder, names);
  }
  FakeHost host;
  Store store;
  Config config;
  std::filesystem::path path;
  static inline int counter = 0;
};

TEST(Collector, ARefusedRoleIsNamedAndDiscoveryIsNotCalled) {
  // A wrong external id: once used to blame the CUR API ("could not reach the CUR API ... check
  // cur_endpoint"), because the role was first asked for inside discovery.
  CollectorRig rig;
  ConnectionConfig connection = remote(ConnectionType::Cur);
  connection.role_arn = "arn:aws:iam::111111111111:role/edgecur-read";
  connection.external_id = "wrong-external-id";
  rig.host.transport.reply(
      403, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>"
           "Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error>"
           "<RequestId>r-1</RequestId></ErrorResponse>");
  PassRecorder recorder;
  CollectSummary summary = rig.run(connection, recorder);
  EXPECT_EQ(summary.failed, 1u);
  ASSERT_EQ(recorder.events.size(), 1u);
  EXPECT_EQ(recorder.events[0].what, "failed");
  EXPECT_EQ(recorder.events[0].step, SourceStep::Access);
  EXPECT_EQ(recorder.events[0].text,
            "sts: AssumeRole refused: AccessDenied | AssumeRole of role_arn refused (AWS: "
            "AccessDenied): check role_arn and external_id");
  ASSERT_EQ(rig.host.transport.requests().size(), 1u); // STS only: no CUR API call
  EXPECT_THAT(rig.host.transport.requests()[0].body, HasSubstr("Action=AssumeRole"));
  EXPECT_EQ(rig.host.released, 1);
}

TEST(Collector, AnUnreachableStsIsNamedAndDiscoveryIsNotCalled) {
  CollectorRig rig;
  ConnectionConfig connection = remote(ConnectionType::Cur);
  connection.role_arn = "arn:aws:iam::111111111111:role/edgecur-read";
  connection.external_id = "some-external-id";
  connection.retries = 0;
  for (int i = 0; i < 4; ++i)
    rig.host.transport.fail(
        make_lib_error(ErrorCode::Network, "http: cannot connect", ErrorLib::Curl, 7));
  PassRecorder recorder;
  CollectSummary summary = rig.run(connection, recorder);
  EXPECT_EQ(summary.failed, 1u);
  ASSERT_EQ(recorder.events.size(), 1u);
  EXPECT_EQ(recorder.events[0].step, SourceStep::Access);
  EXPECT_THAT(recorder.events[0].text,
              HasSubstr("| AssumeRole of role_arn failed: check sts_endpoint, region and the "
                        "network path to AWS STS"));
  for (const fakes::RecordedRequest& request : rig.host.transport.requests())
    EXPECT_THAT(request.body, HasSubstr("Action=AssumeRole")); // never the CUR API
}

TEST(Collector, AnErrorFindingFailsTheConnectionBeforeAnyDownload) {
  // A Parquet report: once used to print "error: ..." and exit 0 with nothing delivered.
  CollectorRig rig;
  ConnectionConfig connection = remote(ConnectionType::Cur);
  rig.host.transport.reply(200, cur_definitions("Parquet"));
  PassRecorder recorder;
  CollectSummary summary = rig.run(connection, recorder);
  EXPECT_EQ(summary.connections, 1u);
  EXPECT_EQ(summary.failed, 1u);
  ASSERT_EQ(recorder.events.size(), 2u);
  EXPECT_EQ(recorder.events[0].what, "finding");
  EXPECT_THAT(recorder.events[0].text, HasSubstr("Parquet"));
  EXPECT_EQ(recorder.events[1].what, "failed");
  EXPECT_EQ(recorder.events[1].step, SourceStep::Locate);
  EXPECT_THAT(recorder.events[1].text,
              HasSubstr("source: edgecur cannot read the report as it is set up"));
  EXPECT_EQ(rig.host.transport.requests().size(), 1u); // no S3 listing
}

TEST(Collector, AnEmptyFolderIsSyncedWithNoPeriod) {
  TempDir folder;
  std::string dir = folder.path.string();
  CollectorRig rig;
  ConnectionConfig connection;
  connection.name = "empty";
  connection.type = ConnectionType::Local;
  connection.local_dir = dir;
  PassRecorder recorder;
  CollectSummary summary = rig.run(connection, recorder);
  EXPECT_EQ(summary.failed, 0u);
  ASSERT_EQ(recorder.events.size(), 2u);
  EXPECT_EQ(recorder.events[0].what, "located");
  EXPECT_EQ(recorder.events[1].what, "synced");
  EXPECT_EQ(recorder.events[1].text, "0");
}

} // namespace
} // namespace ec
