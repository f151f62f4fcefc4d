// firmware/ingest_command.cpp - `edgecur ingest`: one delivery from local files into the store.
#include "core/ingest/ingest_engine.h"
#include "core/store/store.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/settings.h"
#include "firmware/sqlite_memory.h"
#include "firmware/store_writer.h"
#include "platform/file_source.h"
#include "platform/output.h"
#include "platform/system_clock.h"
#include "platform/terminal.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ec::firmware {
namespace {

// "file:line: message" for errors that name a line, "file: message (at byte N)" otherwise.
std::string located(const std::string& file, const Error& error) {
  if (error.where == ErrorWhere::Line) {
    Error without = error;
    without.where = ErrorWhere::None;
    return file + ":" + std::to_string(error.position) + ": " + error_text(without);
  }
  return file + ": " + error_text(error);
}

// The progress line on a terminal: bytes, rows/s and ETA, at most four times a second.
class ProgressLine final : public platform::ReadProgress {
public:
  ProgressLine(const IngestEngine& engine, std::uint64_t total_bytes)
      : m_engine(engine), m_total(total_bytes), m_start_ms(platform::monotonic_ms()),
        m_last_ms(m_start_ms), m_enabled(platform::is_terminal(platform::Stream::Stderr)) {}

  void start_file(std::uint64_t bytes_before) { m_before = bytes_before; }

  Status on_progress(std::uint64_t file_done, std::uint64_t) override {
    if (!m_enabled)
      return {};
    std::uint64_t now = platform::monotonic_ms();
    if (now - m_last_ms < 250)
      return {};
    m_last_ms = now;
    std::uint64_t done = m_before + file_done;
    double seconds = static_cast<double>(now - m_start_ms) / 1000.0;
    IngestStats stats = m_engine.stats();
    double rows_per_second = seconds > 0 ? static_cast<double>(stats.rows) / seconds : 0;
    double remaining = done > 0 && m_total > done ? seconds * static_cast<double>(m_total - done) /
                                                        static_cast<double>(done)
                                                  : 0;
    int eta = static_cast<int>(remaining + 0.5);
    std::fprintf(
        stderr, "\r\033[Kingest: %s / %s  %s rows  %s rows/s  ETA %d:%02d",
        human_bytes(done).c_str(), human_bytes(m_total).c_str(), group_digits(stats.rows).c_str(),
        group_digits(static_cast<std::uint64_t>(rows_per_second)).c_str(), eta / 60, eta % 60);
    m_shown = true;
    return {};
  }

  void clear() {
    if (m_shown)
      std::fprintf(stderr, "\r\033[K");
    m_shown = false;
  }

private:
  const IngestEngine& m_engine;
  std::uint64_t m_total;
  std::uint64_t m_before = 0;
  std::uint64_t m_start_ms;
  std::uint64_t m_last_ms;
  bool m_enabled;
  bool m_shown = false;
};

const char* change_text(PeriodChange change) {
  switch (change) {
  case PeriodChange::Added:
    return "added";
  case PeriodChange::Replaced:
    return "replaced";
  case PeriodChange::Unchanged:
    return "unchanged (same totals as the delivery already stored; nothing written)";
  }
  return "";
}

} // namespace

int run_ingest(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store"}, {});
  if (!args.ok()) {
    print_message("ingest: " + args.problem());
    return kExitUsage;
  }
  const std::vector<const char*>& files = args.positional();
  if (files.empty()) {
    print_message(
        "ingest: no input files (usage: edgecur ingest [--config F] [--store DB] FILE...)");
    return kExitUsage;
  }
  Settings settings;
  if (int code = load_store_settings(args, settings); code != kExitOk)
    return code;

  std::uint64_t total_bytes = 0;
  for (const char* file : files) {
    Result<std::uint64_t> size = platform::file_size(file);
    if (!size.ok()) {
      print_error(file, size.error());
      return kExitInput;
    }
    total_bytes += size.value();
  }

  platform::StoreLock lock; // held until the command returns: one writer per store
  Store store;
  if (int code = open_store_for_writing(settings, argc, argv, lock, store); code != kExitOk)
    return code;
  // The whole ingest budget, taken once at start-up. Not zero-filled: pages are only touched (and
  // only count in RSS) as the stages use them.
  std::size_t budget = IngestEngine::arena_bytes_for(settings.ingest);
  std::unique_ptr<std::uint8_t[]> memory(new std::uint8_t[budget]);
  Arena arena(MutableBytes(memory.get(), budget));
  IngestEngine engine;
  if (Status ready = engine.init(arena, settings.ingest, store); !ready.ok()) {
    print_error("ingest", ready.error());
    return kExitInternal;
  }
  std::vector<std::uint8_t> read_buffer(settings.read_chunk_bytes);
  std::uint64_t start_ms = platform::monotonic_ms();
  if (Status begun = engine.begin_delivery(); !begun.ok()) {
    print_error("store " + settings.store_path, begun.error());
    return kExitStore;
  }

  ProgressLine progress(engine, total_bytes);
  std::uint64_t bytes_before = 0;
  for (std::uint32_t index = 0; index < files.size(); ++index) {
    const char* file = files[index];
    progress.start_file(bytes_before);
    engine.begin_file(index);
    Status status = platform::push_file(file, MutableBytes(read_buffer.data(), read_buffer.size()),
                                        engine.input(), &progress);
    if (status.ok())
      status = engine.end_file();
    if (!status.ok()) {
      progress.clear();
      engine.abort();
      // The store's database failed, or SQLite's memory ran out (the engine's own buffers are all
      // within the budget taken above); anything else is the delivery's.
      ErrorCode code = status.error().code;
      bool store_failed = code == ErrorCode::Store || code == ErrorCode::OutOfMemory;
      print_message(located(file, status.error()));
      print_malformed_locations(engine.mapper(), file);
      print_failed_key(store, status.error().code);
      print_message(store_failed ? "ingest: store failed; nothing was changed"
                                 : "ingest: delivery rejected; the store is unchanged");
      return store_failed ? kExitStore : kExitInput;
    }
    Result<std::uint64_t> size = platform::file_size(file);
    bytes_before += size.ok() ? size.value() : 0;
  }
  progress.clear();

  std::string source;
  for (const char* file : files) {
    if (!source.empty())
      source += ' ';
    source += file;
    if (source.size() > 900) {
      source += " ...";
      break;
    }
  }
  DeliveryInfo info;
  info.source = source;
  info.scope = ""; // local files, shown as kLocalScopeLabel
  info.ingested_at = platform::wall_clock_seconds();
  PeriodOutcome outcomes[64];
  Result<std::size_t> committed = engine.commit(info, outcomes, 64);
  if (!committed.ok()) {
    print_error("store " + settings.store_path, committed.error());
    print_failed_key(store, committed.error().code);
    print_duplicate(store);
    engine.abort();
    print_message("ingest: nothing was changed");
    ErrorCode code = committed.error().code;
    bool refused = code == ErrorCode::Overflow || code == ErrorCode::InvalidInput ||
                   (code == ErrorCode::Conflict && store.duplicate());
    return refused ? kExitInput : kExitStore;
  }

  IngestStats stats = engine.stats();
  double seconds = static_cast<double>(platform::monotonic_ms() - start_ms) / 1000.0;
  std::printf("ingested %u file%s, %s rows, %s of CSV in %.1f s\n", stats.files,
              stats.files == 1 ? "" : "s", group_digits(stats.rows).c_str(),
              human_bytes(stats.bytes_out).c_str(), seconds);
  std::size_t shown = committed.value() < 64 ? committed.value() : 64;
  for (std::size_t i = 0; i < shown; ++i) {
    const PeriodOutcome& outcome = outcomes[i];
    std::printf("  %s: %s, %s hourly rows, %s line items\n",
                period_text(outcome.billing_period).c_str(), change_text(outcome.change),
                group_digits(outcome.keys).c_str(), group_digits(outcome.line_items).c_str());
  }
  if (committed.value() == 0)
    std::printf("  no billing periods in these files (no data rows)\n");
  if (stats.malformed_rows > 0) {
    std::uint32_t count = 0;
    const RowLocation* locations = engine.mapper().malformed_locations(count);
    std::printf("malformed rows skipped: %s (first %u below)\n",
                group_digits(stats.malformed_rows).c_str(), count);
    for (std::uint32_t i = 0; i < count; ++i) {
      std::printf("  %s:%llu: %s\n", files[locations[i].file_index],
                  static_cast<unsigned long long>(locations[i].line), locations[i].reason);
    }
  }
  std::printf("%s\n", sqlite_memory_text().c_str());
  return kExitOk;
}

} // namespace ec::firmware
