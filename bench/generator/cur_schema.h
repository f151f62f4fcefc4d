// bench/generator/cur_schema.h - Column lists and product catalogue of cur_generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ec::bench {

enum class Shape : std::uint8_t { Legacy, Cur2 };

/// What cur_generator writes into a column. Static product attributes come from the row's
/// product profile; everything else is made per row.
enum class Role : std::uint8_t {
  Empty,
  ProductStatic, // a product attribute from the profile (legacy product/x, CUR 2.0 product_x)
  ProductMap,    // CUR 2.0 `product`: the attributes without their own column, as JSON
  LineItemId,
  TimeInterval,
  InvoiceId,
  InvoicingEntity,
  BillingEntity,
  BillType,
  PayerAccountId,
  PayerAccountName,
  PeriodStart,
  PeriodEnd,
  UsageAccountId,
  UsageAccountName,
  LineItemType,
  UsageStart,
  UsageEnd,
  ProductCode,
  UsageType,
  Operation,
  AvailabilityZone,
  ResourceId,
  UsageAmount,
  NormalizationFactor,
  NormalizedUsageAmount,
  CurrencyCode,
  UnblendedRate,
  UnblendedCost,
  BlendedRate,
  BlendedCost,
  NetUnblendedRate,
  NetUnblendedCost,
  Description,
  TaxType,
  LegalEntity,
  PricingLeaseLength,
  PricingOfferingClass,
  PricingPurchaseOption,
  PricingRateCode,
  PricingRateId,
  PricingCurrency,
  PublicOnDemandCost,
  PublicOnDemandRate,
  PricingTerm,
  PricingUnit,
  RiAmortizedUpfrontCostForUsage,
  RiAmortizedUpfrontFeeForPeriod,
  RiAvailabilityZone,
  RiEffectiveCost,
  RiEndTime,
  RiModificationStatus,
  RiNormalizedUnitsPerReservation,
  RiNumberOfReservations,
  RiRecurringFeeForUsage,
  RiArn,
  RiStartTime,
  RiSubscriptionId,
  RiTotalReservedNormalizedUnits,
  RiTotalReservedUnits,
  RiUnitsPerReservation,
  RiUnusedAmortizedUpfront,
  RiUnusedNormalizedUnitQuantity,
  RiUnusedQuantity,
  RiUnusedRecurringFee,
  RiUpfrontValue,
  SpAmortizedUpfrontCommitment,
  SpEndTime,
  SpInstanceTypeFamily,
  SpOfferingType,
  SpPaymentOption,
  SpPurchaseTerm,
  SpRecurringCommitment,
  SpRegion,
  SpArn,
  SpEffectiveCost,
  SpRate,
  SpStartTime,
  SpTotalCommitment,
  SpUsedCommitment,
  TagCreatedBy,
  TagEnvironment,
  TagName,
  TagTeam,
  TagCostCenter,
  CostCategoryCostCenter,
  MapResourceTags,
  MapCostCategory,
  MapDiscount,
  MapTags,
  DiscountBundled,
  DiscountTotal,
};

struct ColumnSpec {
  std::string name;
  Role role = Role::Empty;
  std::string attribute; ///< ProductStatic: the attribute key (lower case, no separators)
};

/// The header of a shape: legacy follows the 131-column koku fixture (one fused name split in
/// two, rarely filled product columns dropped, the cost, reservation, Savings Plan and tag
/// columns of a 2023 report added); CUR 2.0 is the 115 columns of AWS's CID export query.
std::vector<ColumnSpec> columns_of(Shape shape);

/// An attribute key as both styles name it: "instanceType", "instance_type" -> "instancetype".
std::string attribute_key(std::string_view name);

/// One product of the catalogue, for one region (and instance type where it has one).
struct ProductProfile {
  enum class Service : std::uint8_t {
    Ec2Instance,
    EbsVolume,
    DataTransfer,
    S3,
    Rds,
    Lambda,
    CloudWatch,
    Marketplace,
    Support,
    SavingsPlans
  };
  Service service = Service::Ec2Instance;
  std::string product_code;    ///< lineItem/ProductCode
  std::string product_name;    ///< product/ProductName
  std::string usage_type;      ///< lineItem/UsageType
  std::string operation;       ///< lineItem/Operation
  std::string unit;            ///< pricing/unit
  std::string region;          ///< us-east-1
  std::string location;        ///< US East (N. Virginia)
  std::string instance_type;   ///< m5.large, db.r5.large; empty otherwise
  std::string instance_family; ///< m5 (Savings Plan instance type family)
  std::string sku;
  std::string rate_text; ///< on-demand rate, e.g. "0.096"
  std::int64_t rate_mantissa = 0;
  int rate_exponent = 0;        ///< rate = mantissa * 10^exponent
  int normalization_factor = 0; ///< 0: not an instance
  bool hourly_amount = false;   ///< usage amount 1.0 per hour (instances)
  bool has_az = false;
  std::string billing_entity = "AWS";
  std::string legal_entity; ///< unquoted text
  /// attribute key (snake_case) -> value, in catalogue order.
  std::vector<std::pair<std::string, std::string>> attributes;
};

/// The catalogue: every service in every region (and instance type), in a fixed order.
std::vector<ProductProfile> product_catalogue();

} // namespace ec::bench
