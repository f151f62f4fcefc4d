// core/cur/cur_columns.cpp - Column names from CUR-FORMATS.md sections 1, 2 and 4.
#include "core/cur/cur_columns.h"

namespace ec {

static constexpr CurColumn kColumns[kCurRoleCount] = {
    {CurRole::BillingPeriodStart, Requirement::Required, "bill/BillingPeriodStartDate",
     "bill_billing_period_start_date"},
    {CurRole::Payer, Requirement::Required, "bill/PayerAccountId", "bill_payer_account_id"},
    {CurRole::UsageAccount, Requirement::Required, "lineItem/UsageAccountId",
     "line_item_usage_account_id"},
    {CurRole::UsageStart, Requirement::Required, "lineItem/UsageStartDate",
     "line_item_usage_start_date"},
    {CurRole::Currency, Requirement::Required, "lineItem/CurrencyCode", "line_item_currency_code"},
    {CurRole::LineItemType, Requirement::Required, "lineItem/LineItemType",
     "line_item_line_item_type"},
    {CurRole::Unblended, Requirement::Required, "lineItem/UnblendedCost",
     "line_item_unblended_cost"},
    {CurRole::NetUnblended, Requirement::Optional, "lineItem/NetUnblendedCost",
     "line_item_net_unblended_cost"},
    {CurRole::Blended, Requirement::Optional, "lineItem/BlendedCost", "line_item_blended_cost"},
    {CurRole::SavingsPlanEffective, Requirement::Optional, "savingsPlan/SavingsPlanEffectiveCost",
     "savings_plan_savings_plan_effective_cost"},
    {CurRole::SavingsPlanTotalCommitment, Requirement::Optional,
     "savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date"},
    {CurRole::SavingsPlanUsedCommitment, Requirement::Optional, "savingsPlan/UsedCommitment",
     "savings_plan_used_commitment"},
    {CurRole::ReservationEffective, Requirement::Optional, "reservation/EffectiveCost",
     "reservation_effective_cost"},
    {CurRole::ReservationUnusedUpfront, Requirement::Optional,
     "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
     "reservation_unused_amortized_upfront_fee_for_billing_period"},
    {CurRole::ReservationUnusedRecurring, Requirement::Optional, "reservation/UnusedRecurringFee",
     "reservation_unused_recurring_fee"},
    {CurRole::ReservationArn, Requirement::Optional, "reservation/ReservationARN",
     "reservation_reservation_a_r_n"},
};

const CurColumn& cur_column(CurRole role) {
  return kColumns[static_cast<std::uint32_t>(role)];
}

bool find_cur_role(std::string_view header_name, CurRole& role, CurStyle& style) {
  for (const CurColumn& column : kColumns) {
    if (header_name == column.legacy_name) {
      role = column.role;
      style = CurStyle::Legacy;
      return true;
    }
    if (header_name == column.cur2_name) {
      role = column.role;
      style = CurStyle::Cur2;
      return true;
    }
  }
  return false;
}

} // namespace ec
