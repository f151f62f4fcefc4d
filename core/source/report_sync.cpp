// core/source/report_sync.cpp - ReportSync: list manifests, compare deliveries, ingest periods.
#include "core/source/report_sync.h"

#include "core/base/text_builder.h"

#include <cstdio>
#include <cstring>

namespace ec {
namespace {

constexpr std::int64_t kDaySeconds = 86'400;

std::int32_t yyyymm_of(UnixSeconds start) {
  CivilTime civil = civil_from_seconds(start);
  return civil.year * 100 + civil.month;
}

} // namespace

// Collects the top-level manifest of every billing period of one report.
class ReportSync::Lister final : public ObjectVisitor {
public:
  Lister(ReportSync& sync, const ReportLocation& location) : m_sync(sync), m_location(location) {}

  Status on_object(const ObjectEntry& entry) override {
    ++m_sync.m_objects_listed;
    auto parts = parse_cur_key(entry.key);
    if (!parts.ok())
      return {}; // status files, Athena helpers: not ours
    const CurKeyParts& key = parts.value();
    if (!is_period_manifest(key, m_location))
      return {};
    PeriodEntry* slot = nullptr;
    for (std::size_t i = 0; i < m_sync.m_period_count; ++i) {
      if (m_sync.m_periods[i].period.start == key.period.start) {
        slot = &m_sync.m_periods[i];
        break;
      }
    }
    if (slot) {
      // CUR 2.0 in create-new mode (unverified): without a top-level manifest, the newest
      // delivery folder wins; folders start with their UTC time, so they sort by age.
      if (slot->folder.empty() ||
          (!key.delivery_folder.empty() && key.delivery_folder <= slot->folder))
        return {};
    } else {
      if (m_sync.m_period_count == kMaxReportPeriods)
        return make_error(ErrorCode::LimitExceeded, "sync: too many billing periods in the report");
      slot = &m_sync.m_periods[m_sync.m_period_count++];
    }
    auto copy = m_sync.m_arena->try_allocate_array<char>(entry.key.size() + 1, "manifest keys");
    if (!copy.ok())
      return copy.error();
    std::memcpy(copy.value(), entry.key.data(), entry.key.size());
    slot->period = key.period;
    slot->manifest_key = std::string_view(copy.value(), entry.key.size());
    std::size_t folder_offset =
        key.delivery_folder.empty()
            ? 0
            : static_cast<std::size_t>(key.delivery_folder.data() - entry.key.data());
    slot->folder = key.delivery_folder.empty()
                       ? std::string_view()
                       : std::string_view(copy.value() + folder_offset, key.delivery_folder.size());
    return {};
  }

private:
  ReportSync& m_sync;
  const ReportLocation& m_location;
};

bool is_period_manifest(const CurKeyParts& key, const ReportLocation& location) {
  if (key.kind != CurObjectKind::Manifest)
    return false;
  bool any_report = location.name.empty();
  if (!any_report && (key.layout != location.layout || key.report_name != location.name ||
                      key.prefix != location.prefix))
    return false;
  if (key.layout == CurLayout::Cur2)
    return key.area == "metadata";
  // Legacy: only the top-level manifest (rewritten by every delivery) says which is current.
  return key.delivery_folder.empty();
}

Status ReportSync::init(Arena& arena) {
  auto manifest = arena.try_allocate_array<std::uint8_t>(kMaxManifestBytes, "manifest buffer");
  if (!manifest.ok())
    return manifest.error();
  auto periods = arena.try_allocate_array<PeriodEntry>(kMaxReportPeriods, "billing periods");
  if (!periods.ok())
    return periods.error();
  if (arena.remaining() < 256 * 1024)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("sync");
  m_manifest = MutableBytes(manifest.value(), kMaxManifestBytes);
  m_periods = periods.value();
  m_arena = &arena;
  m_mark = arena.mark();
  return {};
}

std::size_t ReportSync::manifest_prefix(const ReportLocation& location, std::span<char> out) {
  TextBuilder text(out);
  if (!location.prefix.empty()) {
    text.append(location.prefix);
    text.append('/');
  }
  if (!location.name.empty()) {
    text.append(location.name);
    text.append('/');
    if (location.layout == CurLayout::Cur2)
      text.append("metadata/");
  }
  if (text.overflowed())
    return kNoPrefix;
  return text.size();
}

Status ReportSync::list_periods(const ReportLocation& location, ObjectStore& objects) {
  m_arena->rewind(m_mark);
  m_period_count = 0;
  m_objects_listed = 0;
  char prefix[1100];
  std::size_t prefix_size = manifest_prefix(location, prefix);
  if (prefix_size == kNoPrefix)
    return make_error(ErrorCode::LimitExceeded, "sync: report prefix too long");
  Lister lister(*this, location);
  EC_TRY(objects.list(std::string_view(prefix, prefix_size), lister));
  // Oldest first (insertion sort: at most kMaxReportPeriods).
  for (std::size_t i = 1; i < m_period_count; ++i) {
    PeriodEntry entry = m_periods[i];
    std::size_t j = i;
    for (; j > 0 && m_periods[j - 1].period.start > entry.period.start; --j)
      m_periods[j] = m_periods[j - 1];
    m_periods[j] = entry;
  }
  return {};
}

Result<ReportSync::NewestManifest> ReportSync::newest_manifest(const ReportLocation& location,
                                                               ObjectStore& objects) {
  EC_TRY(list_periods(location, objects));
  NewestManifest newest;
  newest.periods = static_cast<std::uint32_t>(m_period_count);
  newest.objects = m_objects_listed;
  if (m_period_count > 0)
    newest.key = m_periods[m_period_count - 1].manifest_key;
  return newest;
}

Result<CurManifest> ReportSync::read_manifest(std::string_view key, ObjectStore& objects,
                                              ObjectVersion& version, bool& was_read) {
  was_read = false;
  EC_TRY_ASSIGN(Bytes body, objects.read_small(key, m_manifest, version));
  was_read = true;
  return parse_cur_manifest(
      std::string_view(reinterpret_cast<const char*>(body.data()), body.size()), *m_arena);
}

Result<std::string_view> ReportSync::data_key(const S3Location& file,
                                              const ReportLocation& location) {
  if (!location.bucket.empty())
    return file.key;
  return local_key(file.key, location);
}

Result<SyncSummary> ReportSync::run(const ReportLocation& location, ObjectStore& objects,
                                    IngestEngine& engine, Store& store,
                                    const SyncSettings& settings, SyncObserver& observer) {
  m_observer = &observer;
  EC_TRY(list_periods(location, objects));
  SyncSummary summary;
  summary.periods = static_cast<std::uint32_t>(m_period_count);
  Arena::Mark listed = m_arena->mark();
  for (std::size_t i = 0; i < m_period_count; ++i) {
    m_arena->rewind(listed);
    PeriodReport report;
    report.period = m_periods[i].period;
    report.yyyymm = yyyymm_of(report.period.start);
    report.manifest_key = m_periods[i].manifest_key;
    Status status = sync_period(m_periods[i], location, objects, engine, store, settings, report);
    if (!status.ok()) {
      report.action = PeriodAction::Failed;
      report.error = status.error();
    }
    switch (report.action) {
    case PeriodAction::Ingested:
      ++summary.ingested;
      break;
    case PeriodAction::UpToDate:
      ++summary.up_to_date;
      break;
    case PeriodAction::Closed:
      ++summary.closed;
      break;
    case PeriodAction::BeforeStart:
      ++summary.before_start;
      break;
    case PeriodAction::Failed:
      ++summary.failed;
      break;
    }
    observer.on_period(report);
  }
  m_arena->rewind(m_mark);
  return summary;
}

Status ReportSync::sync_period(const PeriodEntry& entry, const ReportLocation& location,
                               ObjectStore& objects, IngestEngine& engine, Store& store,
                               const SyncSettings& settings, PeriodReport& report) {
  if (settings.start_date != 0 && entry.period.end <= settings.start_date) {
    report.action = PeriodAction::BeforeStart;
    return {};
  }
  std::size_t stored_size = 0;
  UnixSeconds stored_at = 0;
  auto stored =
      store.find_delivery(settings.scope, report.yyyymm,
                          MutableBytes(reinterpret_cast<std::uint8_t*>(m_stored), sizeof m_stored),
                          stored_size, stored_at);
  if (!stored.ok())
    return stored.error();
  bool closed = entry.period.end + static_cast<std::int64_t>(settings.recheck_days) * kDaySeconds <=
                settings.now;
  if (stored.value() && closed) {
    report.action = PeriodAction::Closed;
    report.identity = std::string_view(m_stored, stored_size);
    return {};
  }
  Arena::Mark before_manifest = m_arena->mark();
  for (std::uint32_t attempt = 0;; ++attempt) {
    m_arena->rewind(before_manifest);
    ObjectVersion version;
    bool was_read = false;
    auto parsed = read_manifest(entry.manifest_key, objects, version, was_read);
    if (!parsed.ok()) {
      report.failed_key = entry.manifest_key;
      return parsed.error();
    }
    const CurManifest& manifest = parsed.value();
    TextBuilder identity(std::span<char>(m_identity, sizeof m_identity));
    if (!manifest.delivery_id().empty()) {
      identity.append(location.layout == CurLayout::Cur2 && manifest.assembly_id.empty()
                          ? "execution:"
                          : "assembly:");
      identity.append(manifest.delivery_id());
    } else {
      identity.append("manifest-etag:");
      identity.append(version.etag_view());
    }
    if (identity.overflowed())
      return make_error(ErrorCode::LimitExceeded, "sync: delivery identity too long");
    m_identity_size = identity.size();
    report.identity = identity.view();
    if (stored.value() && std::string_view(m_stored, stored_size) == report.identity) {
      report.action = PeriodAction::UpToDate;
      return {};
    }
    Status ingested = ingest_delivery(manifest, location, objects, engine, report, m_observer);
    if (ingested.ok())
      break;
    bool replaced = ingested.error().code == ErrorCode::Changed;
    if (!replaced || attempt >= settings.max_restarts)
      return ingested.error();
    ++report.restarts; // the delivery changed under us: read its manifest again
  }
  TextBuilder source(std::span<char>(m_source, sizeof m_source));
  source.append(settings.source);
  source.append('/');
  source.append(entry.manifest_key);
  if (source.overflowed())
    source.truncate(sizeof m_source - 1);
  DeliveryInfo info;
  info.identity = std::string_view(m_identity, m_identity_size);
  info.source = source.view();
  info.scope = settings.scope;
  info.ingested_at = settings.now;
  // The manifest's period is replaced even when no row of it was kept (all filtered out, or no
  // charges): old rows go, and the delivery is recorded so the next pass finds it up to date.
  info.covered_periods = std::span<const std::int32_t>(&report.yyyymm, 1);
  PeriodOutcome outcomes[8];
  auto committed = engine.commit(info, outcomes, 8);
  if (!committed.ok()) {
    engine.abort(); // its staged rows and their space; the store keeps its totals
    return committed.error();
  }
  report.action = PeriodAction::Ingested;
  report.change = PeriodChange::Added;
  std::size_t shown = committed.value() < 8 ? committed.value() : 8;
  for (std::size_t i = 0; i < shown; ++i) {
    if (outcomes[i].billing_period == report.yyyymm) {
      report.change = outcomes[i].change;
      report.keys = outcomes[i].keys;
    }
  }
  IngestStats stats = engine.stats();
  report.rows = stats.rows;
  report.malformed_rows = stats.malformed_rows;
  report.bytes_in = stats.bytes_in;
  return {};
}

Result<std::string_view> ReportSync::local_key(std::string_view key,
                                               const ReportLocation& location) {
  // A manifest names keys of the bucket it was delivered to ("<prefix>/<name>/<range>/..."); a
  // folder copied from it may hold the report under another prefix (or none). The part from
  // "<name>/" on is the same, so the key is rebuilt on the folder's own prefix.
  if (location.name.empty())
    return key;
  std::size_t at = 0;
  for (;;) {
    at = key.find(location.name, at);
    if (at == std::string_view::npos)
      return key; // not under the report's name: try it as it is
    bool starts_segment = at == 0 || key[at - 1] == '/';
    bool ends_segment =
        at + location.name.size() < key.size() && key[at + location.name.size()] == '/';
    if (starts_segment && ends_segment)
      break;
    ++at;
  }
  TextBuilder text(std::span<char>(m_key, sizeof m_key));
  if (!location.prefix.empty()) {
    text.append(location.prefix);
    text.append('/');
  }
  text.append(key.substr(at));
  if (text.overflowed())
    return make_error(ErrorCode::LimitExceeded, "sync: key too long");
  return text.view();
}

Status ReportSync::ingest_delivery(const CurManifest& manifest, const ReportLocation& location,
                                   ObjectStore& objects, IngestEngine& engine, PeriodReport& report,
                                   SyncObserver* observer) {
  if (manifest.compression == "Parquet" || manifest.compression == "PARQUET")
    return make_error(ErrorCode::Unsupported, "sync: parquet reports are not supported yet");
  EC_TRY(engine.begin_delivery());
  std::uint32_t count = static_cast<std::uint32_t>(manifest.data_files.size());
  report.files = count;
  for (std::uint32_t i = 0; i < count; ++i) {
    const S3Location& file = manifest.data_files[i];
    if (!location.bucket.empty() && !file.bucket.empty() && file.bucket != location.bucket) {
      engine.abort();
      report.failed_key = file.key;
      return make_error(ErrorCode::Unsupported, "sync: manifest names a file in another bucket");
    }
    if (file.key.ends_with(".parquet")) {
      engine.abort();
      report.failed_key = file.key;
      return make_error(ErrorCode::Unsupported, "sync: parquet reports are not supported yet");
    }
    auto relocated = data_key(file, location);
    if (!relocated.ok()) {
      engine.abort();
      report.failed_key = file.key;
      return relocated.error();
    }
    std::string_view key = relocated.value();
    if (observer)
      observer->on_file(key, i, count, 0);
    engine.begin_file(i);
    ObjectVersion version;
    Status status = objects.stream(key, engine.input(), version, nullptr);
    if (status.ok())
      status = engine.end_file();
    if (!status.ok()) {
      engine.abort();
      report.failed_key = file.key;
      return status;
    }
  }
  return {};
}

} // namespace ec
