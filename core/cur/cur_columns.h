// core/cur/cur_columns.h - The CUR columns edgecur reads, by role, in both header styles.
#pragma once

#include <cstdint>
#include <string_view>

namespace ec {

/// What a column means to edgecur. The order is the CSV slot each role is selected into.
enum class CurRole : std::uint8_t {
  BillingPeriodStart,
  Payer,
  UsageAccount,
  UsageStart,
  Currency,
  LineItemType,
  Unblended,
  NetUnblended,
  Blended,
  SavingsPlanEffective,
  SavingsPlanTotalCommitment,
  SavingsPlanUsedCommitment,
  ReservationEffective,
  ReservationUnusedUpfront,
  ReservationUnusedRecurring,
  ReservationArn,
};
inline constexpr std::uint32_t kCurRoleCount = 16;

/// Header style of one file: legacy `category/Name` or CUR 2.0 `snake_case`.
enum class CurStyle : std::uint8_t { Legacy, Cur2 };

enum class Requirement : std::uint8_t { Required, Optional };

struct CurColumn {
  CurRole role;
  Requirement requirement;
  const char* legacy_name;
  const char* cur2_name;
};

/// The table, indexed by CurRole. Names are static strings, safe to put in an Error's detail.
const CurColumn& cur_column(CurRole role);

/// The role a header name plays in either style, or false.
bool find_cur_role(std::string_view header_name, CurRole& role, CurStyle& style);

} // namespace ec
