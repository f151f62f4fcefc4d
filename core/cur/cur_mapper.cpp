// core/cur/cur_mapper.cpp - The per-row hot path: parse, key, measures, add.
#include "core/cur/cur_mapper.h"

#include "core/base/decimal.h"

#include <algorithm>
#include <cstring>

namespace ec {

void CurMapper::begin_file(std::uint32_t file_index) {
  m_file_index = file_index;
  m_file_start_rows = m_rows;
  m_file_start_malformed = m_malformed;
  m_file_start_filtered = m_filtered;
}

Status CurMapper::end_file(const MalformedLimit& limit) const {
  std::uint64_t malformed = m_malformed - m_file_start_malformed;
  if (malformed == 0)
    return {};
  std::uint64_t all =
      (m_rows - m_file_start_rows) + (m_filtered - m_file_start_filtered) + malformed;
  std::uint64_t allowed = limit.value;
  if (limit.share) // floor(all * ppm / 1e6) in 64 bits (no __int128 on armhf), ppm <= 1e6
    allowed = all / 1000000u * limit.value + all % 1000000u * limit.value / 1000000u;
  if (malformed > allowed || malformed == all)
    return make_error(ErrorCode::LimitExceeded,
                      "cur: too many malformed rows in this file ([ingest] max_malformed); the "
                      "delivery is rejected and the store keeps its totals");
  return {};
}

bool RowFilter::lists_sorted() const {
  return std::is_sorted(accounts_allow.begin(), accounts_allow.end()) &&
         std::is_sorted(accounts_deny.begin(), accounts_deny.end());
}

bool CurMapper::filtered_out(const HourKey& key) const {
  if (m_filter.start_time != 0 && key.hour_start < m_filter.start_time)
    return true;
  std::uint64_t account = key.account.digits;
  if (!m_filter.accounts_allow.empty() &&
      !std::binary_search(m_filter.accounts_allow.begin(), m_filter.accounts_allow.end(), account))
    return true;
  return !m_filter.accounts_deny.empty() &&
         std::binary_search(m_filter.accounts_deny.begin(), m_filter.accounts_deny.end(), account);
}

static constexpr Error kMissingColumn =
    make_error(ErrorCode::NotFound, "cur: missing required column");
static constexpr Error kNotCur =
    make_error(ErrorCode::InvalidInput, "cur: header has no CUR columns (not a cost report?)");

Status CurMapper::on_header(const CsvHeader& header, ColumnSelection& selection) {
  selection.clear();
  for (bool& has : m_has_column)
    has = false;
  m_period_cache.length = 0;
  m_usage_cache.length = 0;
  std::uint32_t legacy_hits = 0;
  std::uint32_t cur2_hits = 0;
  for (std::uint32_t column = 0; column < header.column_count(); ++column) {
    CurRole role;
    CurStyle style;
    if (!find_cur_role(header.name(column), role, style))
      continue;
    auto slot = static_cast<std::uint32_t>(role);
    if (m_has_column[slot])
      continue; // the first of duplicated columns wins
    m_has_column[slot] = true;
    selection.select(column, slot);
    (style == CurStyle::Legacy ? legacy_hits : cur2_hits) += 1;
  }
  if (legacy_hits == 0 && cur2_hits == 0)
    return kNotCur.at(ErrorWhere::Line, 1);
  m_style = cur2_hits > legacy_hits ? CurStyle::Cur2 : CurStyle::Legacy;
  for (std::uint32_t slot = 0; slot < kCurRoleCount; ++slot) {
    const CurColumn& column = cur_column(static_cast<CurRole>(slot));
    if (column.requirement == Requirement::Required && !m_has_column[slot]) {
      return kMissingColumn
          .with_detail(m_style == CurStyle::Legacy ? column.legacy_name : column.cur2_name)
          .at(ErrorWhere::Line, 1);
    }
  }
  return {};
}

Status CurMapper::on_row(const CsvRow& row) {
  CurFields fields;
  for (std::uint32_t slot = 0; slot < kCurRoleCount; ++slot)
    fields.cell[slot] = row.field(slot);
  return add_row(fields, row.line());
}

Status CurMapper::on_malformed(const Error& why) {
  return reject(why.position, why.message);
}

static constexpr Error kMalformedRow =
    make_error(ErrorCode::InvalidInput, "cur: malformed row (policy malformed_rows = fail)");

Status CurMapper::reject(std::uint64_t line, const char* reason) {
  if (m_malformed < kRememberedMalformedRows)
    m_locations[m_malformed] = RowLocation{m_file_index, line, reason};
  if (m_malformed - m_file_start_malformed < kRememberedMalformedRows)
    m_file_locations[m_malformed - m_file_start_malformed] =
        RowLocation{m_file_index, line, reason};
  ++m_malformed;
  switch (m_policy) {
  case MalformedPolicy::Skip:
    return {};
  case MalformedPolicy::Fail:
    return kMalformedRow.with_detail(reason).at(ErrorWhere::Line, line);
  }
  return {};
}

namespace {

// Parses an optional cost cell: empty is zero. False for text that is not a number.
bool parse_cost(std::string_view cell, Decimal& out) {
  if (cell.empty()) {
    out = Decimal::zero();
    return true;
  }
  Result<Decimal> parsed = parse_decimal(cell);
  if (!parsed.ok())
    return false;
  out = parsed.value();
  return true;
}

bool parse_time_cached(std::string_view cell, auto& cache, UnixSeconds& out) {
  if (cell.size() == cache.length && std::memcmp(cell.data(), cache.text, cell.size()) == 0) {
    out = cache.value;
    return true;
  }
  if (cell.empty())
    return false;
  Result<UnixSeconds> parsed = parse_timestamp(cell);
  if (!parsed.ok())
    return false;
  out = parsed.value();
  if (cell.size() <= sizeof cache.text) {
    std::memcpy(cache.text, cell.data(), cell.size());
    cache.length = static_cast<std::uint32_t>(cell.size());
    cache.value = out;
  }
  return true;
}

// How the amortized measure of a row is computed (CUR-FORMATS.md section 4).
enum class AmortizedRule : std::uint8_t {
  Unblended,
  SavingsPlanEffective,
  SavingsPlanUnusedCommitment,
  Zero,
  ReservationEffective,
  ReservationUnused,
  FeeWithReservation,
};

AmortizedRule amortized_rule(std::string_view type) {
  // Most rows are Usage: decide on the first letter before comparing whole words.
  if (type.empty() || (type[0] != 'S' && type[0] != 'D' && type[0] != 'R' && type[0] != 'F'))
    return AmortizedRule::Unblended;
  if (type == "SavingsPlanCoveredUsage")
    return AmortizedRule::SavingsPlanEffective;
  if (type == "SavingsPlanRecurringFee")
    return AmortizedRule::SavingsPlanUnusedCommitment;
  if (type == "SavingsPlanNegation" || type == "SavingsPlanUpfrontFee")
    return AmortizedRule::Zero;
  if (type == "DiscountedUsage")
    return AmortizedRule::ReservationEffective;
  if (type == "RIFee")
    return AmortizedRule::ReservationUnused;
  if (type == "Fee")
    return AmortizedRule::FeeWithReservation;
  return AmortizedRule::Unblended;
}

} // namespace

Status CurMapper::add_row(const CurFields& fields, std::uint64_t line) {
  HourKey key;
  if (!AccountId::parse(fields[CurRole::Payer], key.payer))
    return reject(line, "cur: payer account id is not 1-19 digits");
  if (!AccountId::parse(fields[CurRole::UsageAccount], key.account))
    return reject(line, "cur: usage account id is not 1-19 digits");
  if (!CurrencyCode::parse(fields[CurRole::Currency], key.currency))
    return reject(line, "cur: currency is not a 3-letter code");
  UnixSeconds period_start = 0;
  if (!parse_time_cached(fields[CurRole::BillingPeriodStart], m_period_cache, period_start))
    return reject(line, "cur: billing period start is not a timestamp");
  UnixSeconds usage_start = 0;
  if (!parse_time_cached(fields[CurRole::UsageStart], m_usage_cache, usage_start))
    return reject(line, "cur: usage start is not a timestamp");
  if (period_start != m_period_start) { // every row of a file has the same period start
    CivilTime period = civil_from_seconds(period_start);
    if (period.year < 1900 || period.year > 4999) // the table packs the period into 16 bits
      return reject(line, "cur: billing period start is out of range (years 1900-4999)");
    m_period_start = period_start;
    m_billing_period = period.year * 100 + period.month;
  }
  key.billing_period = m_billing_period;
  key.hour_start = hour_floor(usage_start);
  if (m_filtering && filtered_out(key)) {
    ++m_filtered;
    return {};
  }

  HourTotals totals;
  totals.line_items = 1;
  Decimal& unblended = totals[Measure::Unblended];
  if (!parse_cost(fields[CurRole::Unblended], unblended))
    return reject(line, "cur: unblended cost is not a number");
  std::string_view net = fields[CurRole::NetUnblended];
  if (net.empty())
    totals[Measure::NetUnblended] = unblended;
  else if (!parse_cost(net, totals[Measure::NetUnblended]))
    return reject(line, "cur: net unblended cost is not a number");
  if (!parse_cost(fields[CurRole::Blended], totals[Measure::Blended]))
    return reject(line, "cur: blended cost is not a number");

  Decimal& amortized = totals[Measure::Amortized];
  switch (amortized_rule(fields[CurRole::LineItemType])) {
  case AmortizedRule::Unblended:
    amortized = unblended;
    break;
  case AmortizedRule::SavingsPlanEffective:
    if (!parse_cost(fields[CurRole::SavingsPlanEffective], amortized))
      return reject(line, "cur: savings plan effective cost is not a number");
    break;
  case AmortizedRule::SavingsPlanUnusedCommitment: {
    Decimal used;
    if (!parse_cost(fields[CurRole::SavingsPlanTotalCommitment], amortized) ||
        !parse_cost(fields[CurRole::SavingsPlanUsedCommitment], used))
      return reject(line, "cur: savings plan commitment is not a number");
    if (!amortized.subtract_checked(used))
      return reject(line, "cur: savings plan commitment is out of range");
    break;
  }
  case AmortizedRule::Zero:
    amortized = Decimal::zero();
    break;
  case AmortizedRule::ReservationEffective:
    if (!parse_cost(fields[CurRole::ReservationEffective], amortized))
      return reject(line, "cur: reservation effective cost is not a number");
    break;
  case AmortizedRule::ReservationUnused: {
    Decimal recurring;
    if (!parse_cost(fields[CurRole::ReservationUnusedUpfront], amortized) ||
        !parse_cost(fields[CurRole::ReservationUnusedRecurring], recurring))
      return reject(line, "cur: reservation unused fee is not a number");
    if (!amortized.add_checked(recurring))
      return reject(line, "cur: reservation unused fee is out of range");
    break;
  }
  case AmortizedRule::FeeWithReservation:
    amortized = fields[CurRole::ReservationArn].empty() ? unblended : Decimal::zero();
    break;
  }
  EC_TRY(m_table->add(key, totals));
  ++m_rows;
  return {};
}

} // namespace ec
