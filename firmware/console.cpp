// firmware/console.cpp - Text helpers shared by the commands.
#include "firmware/console.h"

#include "core/base/byte_size_text.h"

#include <cstdio>

namespace ec::firmware {

std::string error_text(const Error& error) {
  char text[512];
  format_error(error, text, sizeof text);
  return text;
}

void print_error(const std::string& context, const Error& error) {
  std::fprintf(stderr, "edgecur: %s%s%s\n", context.c_str(), context.empty() ? "" : ": ",
               error_text(error).c_str());
}

void print_message(const std::string& text) {
  std::fprintf(stderr, "edgecur: %s\n", text.c_str());
}

std::string group_digits(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return grouped;
}

std::string human_bytes(std::uint64_t bytes) {
  char text[32];
  return std::string(text, format_byte_size(bytes, text, sizeof text));
}

std::string period_text(std::int32_t yyyymm) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", yyyymm / 100, yyyymm % 100);
  return text;
}

void print_malformed_locations(const CurMapper& mapper, std::string_view file) {
  std::uint32_t count = 0;
  const RowLocation* locations = mapper.file_malformed_locations(count);
  if (count == 0)
    return;
  std::fprintf(stderr, "edgecur: its first malformed rows:\n");
  for (std::uint32_t i = 0; i < count; ++i)
    std::fprintf(stderr, "  %.*s:%llu: %s\n", static_cast<int>(file.size()), file.data(),
                 static_cast<unsigned long long>(locations[i].line), locations[i].reason);
}

void print_failed_key(const Store& store, ErrorCode error_code) {
  const HourKey* key = store.failed_key();
  if (!key)
    return;
  char payer[24] = "?";
  char account[24] = "?";
  char currency[4] = "?";
  char hour[32] = "?";
  if (key->payer.length != 0)
    key->payer.format(payer);
  if (key->account.length != 0)
    key->account.format(account);
  if (key->currency.packed != 0)
    key->currency.format(currency);
  format_timestamp(key->hour_start, hour, sizeof hour);
  if (error_code == ErrorCode::Overflow) {
    std::fprintf(stderr,
                 "edgecur: the amount out of range is in billing period %s, payer %s, account %s, "
                 "hour %s, currency %s (the store holds +-%s units of a currency per hour)\n",
                 period_text(key->billing_period).c_str(), payer, account, hour, currency,
                 group_digits(static_cast<std::uint64_t>(kStoreRangeUnits)).c_str());
  } else {
    std::fprintf(stderr,
                 "edgecur: the delivery has rows of billing period %s (first: payer %s, account "
                 "%s, hour %s, currency %s)\n",
                 period_text(key->billing_period).c_str(), payer, account, hour, currency);
  }
}

void print_duplicate(const Store& store) {
  const DuplicateDelivery* duplicate = store.duplicate();
  if (!duplicate)
    return;
  std::string scope(duplicate->scope);
  std::string period = period_text(duplicate->billing_period);
  std::fprintf(stderr,
               "edgecur: scope '%s' already holds the same data for %s (two connections naming "
               "one report, or files ingested that a connection read). If that copy is the one "
               "to drop: edgecur forget --scope %s --period %s\n",
               scope.empty() ? std::string(kLocalScopeLabel).c_str() : scope.c_str(),
               period.c_str(), scope.empty() ? "\"\"" : scope.c_str(), period.c_str());
}

} // namespace ec::firmware
