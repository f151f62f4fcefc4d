// tests/source/report_sync_test.cpp - ReportSync over an in-memory bucket and a real engine and
// store: which periods are read, skipped or failed, what the store ends with, and restarts when
// an object changes while it is read.
#include "core/source/report_sync.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace ec {
namespace {

constexpr const char* kHeader =
    "identity/LineItemId,bill/BillingPeriodStartDate,bill/PayerAccountId,lineItem/UsageAccountId,"
    "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,lineItem/UnblendedCost\n";

// One line item per (account, hour) with the given cost.
std::string csv_rows(const std::string& month,
                     const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string text = kHeader;
  int id = 0;
  for (const auto& [account, cost] : rows) {
    ++id;
    text += "id" + std::to_string(id) + "," + month + "-01T00:00:00Z,111111111111," + account +
            ",Usage," + month + "-02T0" + std::to_string(id % 10) + ":00:00Z,USD," + cost + "\n";
  }
  return text;
}

std::string manifest(const std::string& assembly, const std::string& start, const std::string& end,
                     const std::vector<std::string>& keys) {
  std::string text = "{\"assemblyId\":\"" + assembly +
                     "\",\"account\":\"111111111111\","
                     "\"reportName\":\"rep\",\"bucket\":\"bkt\",\"compression\":\"GZIP\","
                     "\"billingPeriod\":{\"start\":\"" +
                     start + "T000000.000Z\",\"end\":\"" + end + "T000000.000Z\"},\"reportKeys\":[";
  for (std::size_t i = 0; i < keys.size(); ++i)
    text += (i ? ",\"" : "\"") + keys[i] + "\"";
  return text + "]}";
}

// A bucket in a map; hooks to change an object after N streamed bytes and to fail reads.
class MemoryBucket final : public ObjectStore {
public:
  Status list(std::string_view prefix, ObjectVisitor& visitor) override {
    ++lists;
    for (const auto& [key, object] : objects) {
      if (key.compare(0, prefix.size(), prefix) != 0)
        continue;
      EC_TRY(visitor.on_object(ObjectEntry{key, object.etag, object.data.size()}));
    }
    return {};
  }
  Result<Bytes> read_small(std::string_view key, MutableBytes buffer,
                           ObjectVersion& version) override {
    auto found = objects.find(std::string(key));
    if (found == objects.end())
      return make_error(ErrorCode::NotFound, "s3: not found");
    const std::string& data = found->second.data;
    if (data.size() > buffer.size())
      return make_error(ErrorCode::LimitExceeded, "too big");
    std::copy(data.begin(), data.end(), buffer.data());
    version.etag_size = found->second.etag.copy(version.etag, sizeof version.etag);
    version.size = data.size();
    return Bytes(buffer.data(), data.size());
  }
  Status stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                StreamObserver*) override {
    ++streams;
    streamed_keys.push_back(std::string(key));
    auto found = objects.find(std::string(key));
    if (found == objects.end())
      return make_error(ErrorCode::NotFound, "s3: not found");
    std::string data = found->second.data;
    version.size = data.size();
    std::size_t half = data.size() / 2;
    EC_TRY(sink.write(as_bytes(std::string_view(data).substr(0, half))));
    if (replace_key == key && replaces_left > 0) {
      --replaces_left;
      if (on_replace)
        on_replace();
      return replace_error;
    }
    return sink.write(as_bytes(std::string_view(data).substr(half)));
  }

  void put(const std::string& key, const std::string& data) {
    objects[key] = Object{data, "\"etag" + std::to_string(++version_counter) + "\""};
  }

  struct Object {
    std::string data;
    std::string etag;
  };
  std::map<std::string, Object> objects;
  int version_counter = 0;
  int lists = 0;
  int streams = 0;
  std::vector<std::string> streamed_keys;
  std::string replace_key;
  int replaces_left = 0;
  std::function<void()> on_replace;
  Error replace_error = kObjectReplaced;
};

class Recorder final : public SyncObserver {
public:
  void on_period(const PeriodReport& report) override {
    periods.push_back(report.yyyymm);
    actions.push_back(report.action);
    identities.push_back(std::string(report.identity));
    if (report.action == PeriodAction::Failed) {
      char text[256];
      format_error(report.error, text, sizeof text);
      errors.push_back(text);
    }
    restarts.push_back(report.restarts);
  }
  std::vector<std::int32_t> periods;
  std::vector<PeriodAction> actions;
  std::vector<std::string> identities;
  std::vector<std::string> errors;
  std::vector<std::uint32_t> restarts;
};

// Sums of the stored unblended cost per period, as text.
class Totals final : public ReportRowSink {
public:
  Status on_row(const KeyedTotals& row) override {
    Decimal& sum = by_period[row.key.billing_period];
    EXPECT_TRUE(sum.add_checked(row.totals.cost[0]));
    return {};
  }
  std::string text(std::int32_t period) {
    char out[kMaxDecimalText];
    format_decimal(by_period[period], 2, out, sizeof out);
    return out;
  }
  std::map<std::int32_t, Decimal> by_period;
};

class ReportSyncTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = ::testing::TempDir() + "report_sync_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::remove(path.c_str());
    ASSERT_TRUE(store.open(path.c_str(), OpenMode::ReadWrite).ok());
    memory.resize(IngestEngine::arena_bytes_for(settings) + kReportSyncArenaBytes + 1024);
    arena = std::make_unique<Arena>(MutableBytes(memory.data(), memory.size()));
    ASSERT_TRUE(engine.init(*arena, settings, store).ok());
    ASSERT_TRUE(sync.init(*arena).ok());
    location.layout = CurLayout::Legacy;
    location.bucket = "bkt";
    location.prefix = "cur";
    location.name = "rep";
    sync_settings.scope = "main";
    sync_settings.source = "s3://bkt";
    sync_settings.now = 1'717'200'000; // 2024-06-01
    sync_settings.recheck_days = 35;
  }
  void TearDown() override {
    store.close();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::remove((path + suffix).c_str());
  }

  // Delivers period `month` (YYYY-MM) as assembly `assembly` with one file per cost list.
  void deliver(const std::string& month, const std::string& assembly,
               const std::vector<std::vector<std::pair<std::string, std::string>>>& files) {
    int year = std::stoi(month.substr(0, 4));
    int mon = std::stoi(month.substr(5, 2));
    char start[32], end[32]; // room for any int: -Wformat-truncation at -O2
    std::snprintf(start, sizeof start, "%04d%02d01", year, mon);
    std::snprintf(end, sizeof end, "%04d%02d01", mon == 12 ? year + 1 : year,
                  mon == 12 ? 1 : mon + 1);
    std::string range = std::string(start) + "-" + end;
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < files.size(); ++i) {
      std::string key =
          "cur/rep/" + range + "/" + assembly + "/rep-" + std::to_string(i + 1) + ".csv.gz";
      bucket.put(key, csv_rows(month, files[i]));
      keys.push_back(key);
    }
    std::string text = manifest(assembly, start, end, keys);
    bucket.put("cur/rep/" + range + "/rep-Manifest.json", text);
    bucket.put("cur/rep/" + range + "/" + assembly + "/rep-Manifest.json", text);
  }

  Result<SyncSummary> run(Recorder& recorder) {
    return sync.run(location, bucket, engine, store, sync_settings, recorder);
  }

  Totals totals() {
    Totals sums;
    ReportQuery query;
    query.grouping = ReportGrouping::Month;
    EXPECT_TRUE(store.query(query, sums).ok());
    return sums;
  }

  std::string path;
  Store store;
  IngestSettings settings;
  std::vector<std::uint8_t> memory;
  std::unique_ptr<Arena> arena;
  IngestEngine engine;
  ReportSync sync;
  ReportLocation location;
  SyncSettings sync_settings;
  MemoryBucket bucket;
};

TEST_F(ReportSyncTest, ReadsEveryPeriodOnceThenNothing) {
  deliver("2024-04", "a-april",
          {{{"222222222222", "1.25"}, {"333333333333", "2.50"}}, {{"222222222222", "0.25"}}});
  deliver("2024-05", "a-may", {{{"222222222222", "10.00"}}});
  bucket.put("cur/rep/20240501-20240601/cost_and_usage_data_status/status.json", "{}");
  Recorder first;
  auto summary = run(first);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary.value().periods, 2u);
  EXPECT_EQ(summary.value().ingested, 2u);
  EXPECT_EQ(first.periods, (std::vector<std::int32_t>{202404, 202405}));
  EXPECT_EQ(first.identities[0], "assembly:a-april");
  Totals sums = totals();
  EXPECT_EQ(sums.text(202404), "4.00");
  EXPECT_EQ(sums.text(202405), "10.00");
  EXPECT_EQ(bucket.streams, 3);

  Recorder second;
  auto again = run(second);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().up_to_date, 2u);
  EXPECT_EQ(bucket.streams, 3); // nothing read again
}

TEST_F(ReportSyncTest, ARestatementReplacesOnlyItsPeriod) {
  deliver("2024-04", "a1", {{{"222222222222", "1.00"}}});
  deliver("2024-05", "m1", {{{"222222222222", "5.00"}}});
  Recorder first;
  ASSERT_TRUE(run(first).ok());
  deliver("2024-05", "m2", {{{"222222222222", "5.00"}, {"444444444444", "0.75"}}});
  Recorder second;
  auto summary = run(second);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(second.actions,
            (std::vector<PeriodAction>{PeriodAction::UpToDate, PeriodAction::Ingested}));
  Totals sums = totals();
  EXPECT_EQ(sums.text(202404), "1.00");
  EXPECT_EQ(sums.text(202405), "5.75"); // replaced, not added to the old 5.00
}

// A restatement whose file holds no row for the period (no charges left, or every row filtered
// out): the period's old rows go, and the delivery is recorded, so the next pass reads nothing.
TEST_F(ReportSyncTest, ADeliveryWithoutRowsEmptiesItsPeriodAndIsReadOnce) {
  deliver("2024-04", "a1", {{{"222222222222", "1.00"}}});
  deliver("2024-05", "m1", {{{"222222222222", "5.00"}}});
  Recorder first;
  ASSERT_TRUE(run(first).ok());
  ASSERT_EQ(totals().text(202405), "5.00");
  deliver("2024-05", "m2", {{}}); // one file, header only
  Recorder second;
  auto summary = run(second);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(second.actions,
            (std::vector<PeriodAction>{PeriodAction::UpToDate, PeriodAction::Ingested}));
  Totals sums = totals();
  EXPECT_EQ(sums.text(202404), "1.00");
  EXPECT_EQ(sums.by_period.count(202405), 0u) << "the old May rows are still there";
  int streams = bucket.streams;
  Recorder third;
  auto again = run(third);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().up_to_date, 2u);
  EXPECT_EQ(bucket.streams, streams); // the empty delivery is not read again
}

TEST_F(ReportSyncTest, ClosedPeriodsPastTheWindowAreNotReadAgain) {
  deliver("2024-01", "jan1", {{{"222222222222", "1.00"}}});
  deliver("2024-05", "may1", {{{"222222222222", "2.00"}}});
  Recorder first;
  ASSERT_TRUE(run(first).ok());
  // Both restated; January ended 122 days before `now`, May is open.
  deliver("2024-01", "jan2", {{{"222222222222", "9.00"}}});
  deliver("2024-05", "may2", {{{"222222222222", "3.00"}}});
  Recorder second;
  ASSERT_TRUE(run(second).ok());
  EXPECT_EQ(second.actions,
            (std::vector<PeriodAction>{PeriodAction::Closed, PeriodAction::Ingested}));
  Totals sums = totals();
  EXPECT_EQ(sums.text(202401), "1.00");
  EXPECT_EQ(sums.text(202405), "3.00");
  // A closed period never stored is still read.
  deliver("2023-12", "dec1", {{{"222222222222", "4.00"}}});
  Recorder third;
  ASSERT_TRUE(run(third).ok());
  EXPECT_EQ(third.actions[0], PeriodAction::Ingested);
  EXPECT_EQ(totals().text(202312), "4.00");
}

TEST_F(ReportSyncTest, PeriodsBeforeTheStartDateAreNotRead) {
  deliver("2024-03", "mar", {{{"222222222222", "1.00"}}});
  deliver("2024-04", "apr", {{{"222222222222", "2.00"}}});
  sync_settings.start_date = 1'711'929'600; // 2024-04-01
  Recorder recorder;
  ASSERT_TRUE(run(recorder).ok());
  EXPECT_EQ(recorder.actions,
            (std::vector<PeriodAction>{PeriodAction::BeforeStart, PeriodAction::Ingested}));
  EXPECT_EQ(totals().by_period.count(202403), 0u);
}

TEST_F(ReportSyncTest, AnObjectReplacedWhileReadRestartsTheDeliveryWithTheNewManifest) {
  deliver("2024-05", "m1", {{{"222222222222", "1.00"}}, {{"222222222222", "2.00"}}});
  bucket.replace_key = "cur/rep/20240501-20240601/m1/rep-2.csv.gz";
  bucket.replaces_left = 1;
  bucket.on_replace = [this] { deliver("2024-05", "m2", {{{"222222222222", "7.00"}}}); };
  Recorder recorder;
  auto summary = run(recorder);
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(recorder.actions, (std::vector<PeriodAction>{PeriodAction::Ingested}));
  EXPECT_EQ(recorder.restarts[0], 1u);
  EXPECT_EQ(recorder.identities[0], "assembly:m2");
  EXPECT_EQ(totals().text(202405), "7.00"); // nothing of m1's first file counted
}

TEST_F(ReportSyncTest, TheRestartFollowsTheCodeChangedNotTheMessage) {
  deliver("2024-05", "m1", {{{"222222222222", "1.00"}}});
  bucket.replace_key = "cur/rep/20240501-20240601/m1/rep-1.csv.gz";
  bucket.replaces_left = 1;
  bucket.on_replace = [this] { deliver("2024-05", "m2", {{{"222222222222", "7.00"}}}); };
  bucket.replace_error = make_error(ErrorCode::Changed, "test: another text");
  Recorder changed;
  ASSERT_TRUE(run(changed).ok());
  ASSERT_EQ(changed.actions, (std::vector<PeriodAction>{PeriodAction::Ingested}));
  EXPECT_EQ(changed.restarts[0], 1u);
  EXPECT_EQ(totals().text(202405), "7.00");

  // The replaced object's message with another code is a failure like any other.
  deliver("2024-05", "m3", {{{"222222222222", "8.00"}}});
  bucket.replace_key = "cur/rep/20240501-20240601/m3/rep-1.csv.gz";
  bucket.replaces_left = 1;
  bucket.on_replace = nullptr;
  bucket.replace_error =
      make_error(ErrorCode::InvalidInput, "source: object replaced while being read");
  Recorder other;
  ASSERT_TRUE(run(other).ok());
  ASSERT_EQ(other.actions, (std::vector<PeriodAction>{PeriodAction::Failed}));
  EXPECT_EQ(other.restarts[0], 0u);
  EXPECT_EQ(totals().text(202405), "7.00");
}

TEST_F(ReportSyncTest, AFailedPeriodKeepsTheStoreAndTheOthersGoOn) {
  deliver("2024-04", "a1", {{{"222222222222", "1.00"}}});
  deliver("2024-05", "m1", {{{"222222222222", "5.00"}}});
  Recorder first;
  ASSERT_TRUE(run(first).ok());
  deliver("2024-04", "a2", {{{"222222222222", "2.00"}}});
  deliver("2024-05", "m2", {{{"222222222222", "6.00"}}});
  bucket.objects.erase("cur/rep/20240501-20240601/m2/rep-1.csv.gz");
  Recorder second;
  auto summary = run(second);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary.value().failed, 1u);
  EXPECT_EQ(second.actions,
            (std::vector<PeriodAction>{PeriodAction::Ingested, PeriodAction::Failed}));
  ASSERT_EQ(second.errors.size(), 1u);
  EXPECT_EQ(second.errors[0], "s3: not found");
  Totals sums = totals();
  EXPECT_EQ(sums.text(202404), "2.00");
  EXPECT_EQ(sums.text(202405), "5.00"); // the old delivery, whole
}

TEST_F(ReportSyncTest, ReplacedEveryTimeGivesUpAfterTheRestarts) {
  deliver("2024-05", "m1", {{{"222222222222", "1.00"}}});
  bucket.replace_key = "cur/rep/20240501-20240601/m1/rep-1.csv.gz";
  bucket.replaces_left = 100;
  Recorder recorder;
  ASSERT_TRUE(run(recorder).ok());
  ASSERT_EQ(recorder.actions, (std::vector<PeriodAction>{PeriodAction::Failed}));
  EXPECT_EQ(recorder.restarts[0], sync_settings.max_restarts);
  EXPECT_EQ(bucket.streams, static_cast<int>(sync_settings.max_restarts) + 1);
  EXPECT_EQ(totals().by_period.count(202405), 0u);
}

TEST_F(ReportSyncTest, TwoScopesKeepTheirOwnCopyOfAPeriod) {
  deliver("2024-05", "m1", {{{"222222222222", "5.00"}}});
  Recorder first;
  ASSERT_TRUE(run(first).ok());
  MemoryBucket other;
  std::swap(other, bucket);
  deliver("2024-05", "x1", {{{"555555555555", "0.50"}}});
  sync_settings.scope = "second";
  Recorder second;
  ASSERT_TRUE(run(second).ok());
  EXPECT_EQ(second.actions[0], PeriodAction::Ingested);
  EXPECT_EQ(totals().text(202405), "5.50"); // both payers' rows, neither replaced the other
}

TEST_F(ReportSyncTest, Cur2ManifestsWithoutAnEndOrAPeriodAreReadByTheirKey) {
  // Issue 11 (A7): a CUR 2.0 manifest without billingPeriod.end failed every period with
  // "aws: required field is missing: billingPeriod.end". The period is the key's folder.
  location.layout = CurLayout::Cur2;
  location.prefix = "exports";
  location.name = "cur2";
  const std::string header =
      "bill_billing_period_start_date,bill_payer_account_id,line_item_usage_account_id,"
      "line_item_line_item_type,line_item_usage_start_date,line_item_currency_code,"
      "line_item_unblended_cost\n";
  const std::string march = "exports/cur2/data/BILLING_PERIOD=2024-03/cur2-00001.csv.gz";
  const std::string april = "exports/cur2/data/BILLING_PERIOD=2024-04/cur2-00001.csv.gz";
  bucket.put(march, header + "2024-03-01T00:00:00Z,111111111111,222222222222,Usage,"
                             "2024-03-02T01:00:00Z,USD,1.25\n");
  bucket.put(april, header + "2024-04-01T00:00:00Z,111111111111,222222222222,Usage,"
                             "2024-04-02T01:00:00Z,USD,2.50\n");
  // March: a start and no end, files as URL strings. April: no billingPeriod at all, files as
  // objects with the URL in "path".
  const std::string start_only = R"("billingPeriod": {"start": "2024-03-01T00:00:00.000Z"})";
  bucket.put("exports/cur2/metadata/BILLING_PERIOD=2024-03/cur2-Manifest.json",
             R"({"executionId": "e-march", )" + start_only + R"(, "dataFiles": ["s3://bkt/)" +
                 march + "\"]}");
  bucket.put("exports/cur2/metadata/BILLING_PERIOD=2024-04/cur2-Manifest.json",
             R"({"executionId": "e-april", "dataFiles": [{"path": "s3://bkt/)" + april + "\"}]}");
  Recorder recorder;
  auto summary = run(recorder);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(recorder.errors, std::vector<std::string>{});
  EXPECT_EQ(summary.value().ingested, 2u);
  EXPECT_EQ(recorder.periods, (std::vector<std::int32_t>{202403, 202404}));
  EXPECT_EQ(recorder.identities,
            (std::vector<std::string>{"execution:e-march", "execution:e-april"}));
  Totals sums = totals();
  EXPECT_EQ(sums.text(202403), "1.25");
  EXPECT_EQ(sums.text(202404), "2.50");
}

} // namespace
} // namespace ec
