// core/agg/hour_key.cpp - Parsing and formatting of the key parts.
#include "core/agg/hour_key.h"

namespace ec {

bool AccountId::parse(std::string_view text, AccountId& out) {
  if (text.empty() || text.size() > 19)
    return false;
  std::uint64_t value = 0;
  for (char c : text) {
    unsigned digit = static_cast<unsigned>(c - '0');
    if (digit > 9)
      return false;
    value = value * 10 + digit;
  }
  out.digits = value;
  out.length = static_cast<std::uint8_t>(text.size());
  return true;
}

std::size_t AccountId::format(char* out) const {
  std::uint64_t value = digits;
  for (int i = length - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out[length] = '\0';
  return length;
}

bool CurrencyCode::parse(std::string_view text, CurrencyCode& out) {
  if (text.size() != 3)
    return false;
  std::uint32_t packed = 0;
  for (char c : text) {
    if (c < 'A' || c > 'Z')
      return false;
    packed = (packed << 8) | static_cast<std::uint8_t>(c);
  }
  out.packed = packed;
  return true;
}

void CurrencyCode::format(char* out) const {
  out[0] = static_cast<char>((packed >> 16) & 0xff);
  out[1] = static_cast<char>((packed >> 8) & 0xff);
  out[2] = static_cast<char>(packed & 0xff);
  out[3] = '\0';
}

bool HourTotals::add_checked(const HourTotals& other) {
  for (std::size_t i = 0; i < kMeasureCount; ++i) {
    if (!cost[i].add_checked(other.cost[i]))
      return false;
  }
  line_items += other.line_items;
  return true;
}

} // namespace ec
