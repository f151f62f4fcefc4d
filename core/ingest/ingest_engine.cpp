// core/ingest/ingest_engine.cpp - Construction order and the delivery life cycle.
#include "core/ingest/ingest_engine.h"

#include <algorithm>
#include <cstdio>

namespace ec {

IngestEngine::IngestEngine()
    : m_mapper(m_table, MalformedPolicy::Skip), m_csv(CsvLimits{}, m_mapper), m_inflate(m_csv) {}

std::size_t IngestEngine::arena_bytes_for(const IngestSettings& settings) {
  // Each stage states its own budget; 64 bytes of alignment slack per stage.
  return HourTable::bytes_for(settings.table_keys) + CsvReader::arena_bytes(settings.csv) +
         settings.inflate_window_bytes + kInflateZlibArenaBytes + 3 * 64 +
         (settings.accounts_allow.size() + settings.accounts_deny.size()) * sizeof(std::uint64_t) +
         2 * 64 + kEngineTrackedFiles * sizeof(std::uint64_t) + 64;
}

Result<std::span<const std::uint64_t>>
IngestEngine::sorted_copy(Arena& arena, std::span<const std::uint64_t> accounts) {
  if (accounts.empty())
    return std::span<const std::uint64_t>();
  EC_TRY_ASSIGN(std::uint64_t * copy,
                arena.try_allocate_array<std::uint64_t>(accounts.size(), "ingest account filter"));
  std::copy(accounts.begin(), accounts.end(), copy);
  std::sort(copy, copy + accounts.size());
  return std::span<const std::uint64_t>(copy, accounts.size());
}

void IngestEngine::reset_mapper() {
  m_mapper = CurMapper(m_table, m_settings.malformed);
  m_mapper.set_filter(m_filter);
}

Status IngestEngine::init(Arena& arena, const IngestSettings& settings, Store& store) {
  m_settings = settings;
  m_store = &store;
  m_staging.store = &store;
  RowFilter filter;
  EC_TRY_ASSIGN(filter.accounts_allow, sorted_copy(arena, settings.accounts_allow));
  EC_TRY_ASSIGN(filter.accounts_deny, sorted_copy(arena, settings.accounts_deny));
  filter.start_time = settings.start_time;
  m_filter = filter;
  m_settings.accounts_allow = filter.accounts_allow; // never the caller's views, which may go
  m_settings.accounts_deny = filter.accounts_deny;
  reset_mapper();
  m_csv = CsvReader(settings.csv, m_mapper);
  EC_TRY(m_table.init(arena, settings.table_keys, m_staging));
  EC_TRY(m_csv.init(arena));
  EC_TRY(m_inflate.init(arena, settings.inflate_window_bytes));
  EC_TRY_ASSIGN(m_file_hashes,
                arena.try_allocate_array<std::uint64_t>(kEngineTrackedFiles, "ingest file hashes"));
  return {};
}

Status IngestEngine::begin_delivery() {
  m_table.clear();
  reset_mapper();
  m_files = 0;
  m_spills_before = m_table.spills();
  m_bytes_in = 0;
  m_bytes_out = 0;
  m_fingerprint = 0xcbf29ce484222325ull; // FNV-1a offset basis
  m_content_sum = 0;
  m_tracked_files = 0;
  m_content_text[0] = '\0';
  update_fingerprint();
  return m_store->begin_delivery();
}

void IngestEngine::begin_file(std::uint32_t file_index) {
  m_file_open = true;
  m_mapper.begin_file(file_index);
  m_rows_at_file_start = rows_seen();
  m_csv.reset();
  m_inflate.reset();
}

Status IngestEngine::end_file() {
  m_file_open = false;
  EC_TRY(m_inflate.finish());
  m_bytes_in += m_inflate.bytes_in();
  m_bytes_out += m_inflate.bytes_out();
  ++m_files;
  // Fold (crc32, length) of the file's plain bytes into the delivery fingerprint, and the
  // file's own hash of them into the order-free content sum.
  std::uint64_t words[2] = {m_inflate.crc32(), m_inflate.bytes_out()};
  std::uint64_t file_hash = 0xcbf29ce484222325ull;
  for (std::uint64_t word : words) {
    for (int byte = 0; byte < 8; ++byte) {
      m_fingerprint ^= (word >> (8 * byte)) & 0xffu;
      m_fingerprint *= 0x100000001b3ull; // FNV-1a prime
      file_hash ^= (word >> (8 * byte)) & 0xffu;
      file_hash *= 0x100000001b3ull;
    }
  }
  m_content_sum += file_hash;
  update_fingerprint();
  // The same file twice in one delivery (given twice to `ingest`, or named twice by a manifest)
  // would count its costs twice. A file without rows (a header alone) counts nothing: skipped.
  if (rows_seen() != m_rows_at_file_start) {
    for (std::uint32_t i = 0; i < m_tracked_files; ++i) {
      if (m_file_hashes[i] == file_hash)
        return make_error(ErrorCode::InvalidInput,
                          "ingest: this file has the same content as an earlier file of the "
                          "delivery (the same file twice?); its costs would count twice");
    }
    if (m_tracked_files < kEngineTrackedFiles)
      m_file_hashes[m_tracked_files++] = file_hash;
  }
  // Last: a file too broken to trust fails its delivery (the caller aborts; the store keeps its
  // totals), with the file's first malformed rows in file_malformed_locations().
  return m_mapper.end_file(m_settings.max_malformed);
}

std::uint64_t IngestEngine::rows_seen() const {
  return m_mapper.rows() + m_mapper.malformed_rows() + m_mapper.filtered_rows();
}

void IngestEngine::update_fingerprint() {
  std::snprintf(m_fingerprint_text, sizeof m_fingerprint_text,
                "fnv1a64:%016llx/files:%u/bytes:%llu",
                static_cast<unsigned long long>(m_fingerprint), m_files,
                static_cast<unsigned long long>(m_bytes_out));
}

Result<std::size_t> IngestEngine::commit(const DeliveryInfo& info, PeriodOutcome* outcomes,
                                         std::size_t max_outcomes) {
  EC_TRY(m_table.flush());
  std::snprintf(m_content_text, sizeof m_content_text, "content:%016llx/files:%u/bytes:%llu",
                static_cast<unsigned long long>(m_content_sum), m_files,
                static_cast<unsigned long long>(m_bytes_out));
  DeliveryInfo effective = info;
  if (effective.identity.empty())
    effective.identity = m_fingerprint_text;
  if (effective.content.empty())
    effective.content = m_content_text;
  return m_store->commit_delivery(effective, outcomes, max_outcomes);
}

void IngestEngine::abort() {
  m_table.clear();
  // Best effort: should the store fail here (a full disk), the next begin_delivery() clears
  // staging again, and that error is the one reported.
  Status abandoned = m_store->abandon_delivery();
  (void)abandoned;
}

IngestStats IngestEngine::stats() const {
  IngestStats stats;
  stats.files = m_files;
  stats.bytes_in = m_bytes_in + (m_file_open ? m_inflate.bytes_in() : 0);
  stats.bytes_out = m_bytes_out + (m_file_open ? m_inflate.bytes_out() : 0);
  stats.rows = m_mapper.rows();
  stats.malformed_rows = m_mapper.malformed_rows();
  stats.filtered_rows = m_mapper.filtered_rows();
  stats.spills = m_table.spills() - m_spills_before;
  return stats;
}

} // namespace ec
