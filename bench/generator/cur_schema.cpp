// bench/generator/cur_schema.cpp - Column lists (legacy, CUR 2.0) and the product catalogue.
#include "bench/generator/cur_schema.h"

#include <cctype>
#include <cstdio>
#include <unordered_map>

namespace ec::bench {
namespace {

// Legacy header: the koku 131-column fixture (testdata/cur-samples/koku/test_cur.csv) with its
// fused "pricing/OfferingClasspricing/PurchaseOption" split, rarely filled product columns left
// out, and the columns of a 2023 report with net costs, Savings Plans and tags added.
constexpr const char* kLegacyColumns[] = {
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/InvoicingEntity",
    "bill/BillingEntity",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/NormalizationFactor",
    "lineItem/NormalizedUsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/BlendedRate",
    "lineItem/BlendedCost",
    "lineItem/NetUnblendedRate",
    "lineItem/NetUnblendedCost",
    "lineItem/LineItemDescription",
    "lineItem/TaxType",
    "lineItem/LegalEntity",
    "product/ProductName",
    "product/availability",
    "product/capacitystatus",
    "product/clockSpeed",
    "product/currentGeneration",
    "product/databaseEngine",
    "product/dedicatedEbsThroughput",
    "product/deploymentOption",
    "product/description",
    "product/durability",
    "product/ecu",
    "product/engineCode",
    "product/enhancedNetworkingSupported",
    "product/feeCode",
    "product/feeDescription",
    "product/fromLocation",
    "product/fromLocationType",
    "product/fromRegionCode",
    "product/group",
    "product/groupDescription",
    "product/instanceFamily",
    "product/instanceType",
    "product/intelAvx2Available",
    "product/intelAvxAvailable",
    "product/licenseModel",
    "product/location",
    "product/locationType",
    "product/marketoption",
    "product/maxIopsvolume",
    "product/maxThroughputvolume",
    "product/maxVolumeSize",
    "product/memory",
    "product/networkPerformance",
    "product/normalizationSizeFactor",
    "product/operatingSystem",
    "product/operation",
    "product/physicalProcessor",
    "product/preInstalledSw",
    "product/processorArchitecture",
    "product/processorFeatures",
    "product/productFamily",
    "product/region",
    "product/regionCode",
    "product/servicecode",
    "product/servicename",
    "product/sku",
    "product/storage",
    "product/storageClass",
    "product/storageMedia",
    "product/tenancy",
    "product/toLocation",
    "product/toLocationType",
    "product/toRegionCode",
    "product/transferType",
    "product/usagetype",
    "product/vcpu",
    "product/volumeApiName",
    "product/volumeType",
    "pricing/LeaseContractLength",
    "pricing/OfferingClass",
    "pricing/PurchaseOption",
    "pricing/RateCode",
    "pricing/RateId",
    "pricing/currency",
    "pricing/publicOnDemandCost",
    "pricing/publicOnDemandRate",
    "pricing/term",
    "pricing/unit",
    "reservation/AmortizedUpfrontCostForUsage",
    "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/AvailabilityZone",
    "reservation/EffectiveCost",
    "reservation/EndTime",
    "reservation/ModificationStatus",
    "reservation/NormalizedUnitsPerReservation",
    "reservation/NumberOfReservations",
    "reservation/RecurringFeeForUsage",
    "reservation/ReservationARN",
    "reservation/StartTime",
    "reservation/SubscriptionId",
    "reservation/TotalReservedNormalizedUnits",
    "reservation/TotalReservedUnits",
    "reservation/UnitsPerReservation",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedNormalizedUnitQuantity",
    "reservation/UnusedQuantity",
    "reservation/UnusedRecurringFee",
    "reservation/UpfrontValue",
    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "savingsPlan/EndTime",
    "savingsPlan/InstanceTypeFamily",
    "savingsPlan/OfferingType",
    "savingsPlan/PaymentOption",
    "savingsPlan/PurchaseTerm",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
    "savingsPlan/Region",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/SavingsPlanRate",
    "savingsPlan/StartTime",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment",
    "resourceTags/aws:createdBy",
    "resourceTags/user:CostCenter",
    "resourceTags/user:Environment",
    "resourceTags/user:Name",
    "resourceTags/user:Team",
    "costCategory/CostCenter",
};

// CUR 2.0: testdata/cur-samples/manifests/cur2-default-query-columns.cid-template.txt, in order.
constexpr const char* kCur2Columns[] = {
    "bill_bill_type",
    "bill_billing_entity",
    "bill_billing_period_end_date",
    "bill_billing_period_start_date",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_payer_account_id",
    "bill_payer_account_name",
    "cost_category",
    "discount",
    "discount_bundled_discount",
    "discount_total_discount",
    "identity_line_item_id",
    "identity_time_interval",
    "line_item_availability_zone",
    "line_item_blended_cost",
    "line_item_blended_rate",
    "line_item_currency_code",
    "line_item_legal_entity",
    "line_item_line_item_description",
    "line_item_line_item_type",
    "line_item_net_unblended_cost",
    "line_item_net_unblended_rate",
    "line_item_normalization_factor",
    "line_item_normalized_usage_amount",
    "line_item_operation",
    "line_item_product_code",
    "line_item_resource_id",
    "line_item_tax_type",
    "line_item_unblended_cost",
    "line_item_unblended_rate",
    "line_item_usage_account_id",
    "line_item_usage_account_name",
    "line_item_usage_amount",
    "line_item_usage_end_date",
    "line_item_usage_start_date",
    "line_item_usage_type",
    "pricing_currency",
    "pricing_lease_contract_length",
    "pricing_offering_class",
    "pricing_public_on_demand_cost",
    "pricing_public_on_demand_rate",
    "pricing_purchase_option",
    "pricing_rate_code",
    "pricing_rate_id",
    "pricing_term",
    "pricing_unit",
    "product",
    "product_comment",
    "product_fee_code",
    "product_fee_description",
    "product_from_location",
    "product_from_location_type",
    "product_from_region_code",
    "product_instance_family",
    "product_instance_type",
    "product_instancesku",
    "product_location",
    "product_location_type",
    "product_operation",
    "product_pricing_unit",
    "product_product_family",
    "product_region_code",
    "product_servicecode",
    "product_sku",
    "product_to_location",
    "product_to_location_type",
    "product_to_region_code",
    "product_usagetype",
    "reservation_amortized_upfront_cost_for_usage",
    "reservation_amortized_upfront_fee_for_billing_period",
    "reservation_availability_zone",
    "reservation_effective_cost",
    "reservation_end_time",
    "reservation_modification_status",
    "reservation_net_amortized_upfront_cost_for_usage",
    "reservation_net_amortized_upfront_fee_for_billing_period",
    "reservation_net_effective_cost",
    "reservation_net_recurring_fee_for_usage",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    "reservation_net_unused_recurring_fee",
    "reservation_net_upfront_value",
    "reservation_normalized_units_per_reservation",
    "reservation_number_of_reservations",
    "reservation_recurring_fee_for_usage",
    "reservation_reservation_a_r_n",
    "reservation_start_time",
    "reservation_subscription_id",
    "reservation_total_reserved_normalized_units",
    "reservation_total_reserved_units",
    "reservation_units_per_reservation",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_normalized_unit_quantity",
    "reservation_unused_quantity",
    "reservation_unused_recurring_fee",
    "reservation_upfront_value",
    "resource_tags",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "savings_plan_end_time",
    "savings_plan_instance_type_family",
    "savings_plan_net_amortized_upfront_commitment_for_billing_period",
    "savings_plan_net_recurring_commitment_for_billing_period",
    "savings_plan_net_savings_plan_effective_cost",
    "savings_plan_offering_type",
    "savings_plan_payment_option",
    "savings_plan_purchase_term",
    "savings_plan_recurring_commitment_for_billing_period",
    "savings_plan_region",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_savings_plan_rate",
    "savings_plan_start_time",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "tags",
};

// Both styles reduce to the same key: "lineItem/UsageAccountId" and
// "line_item_usage_account_id" -> "lineitemusageaccountid". Net variants share the gross role.
const std::unordered_map<std::string, Role>& role_table() {
  static const std::unordered_map<std::string, Role> table = {
      {"identitylineitemid", Role::LineItemId},
      {"identitytimeinterval", Role::TimeInterval},
      {"billinvoiceid", Role::InvoiceId},
      {"billinvoicingentity", Role::InvoicingEntity},
      {"billbillingentity", Role::BillingEntity},
      {"billbilltype", Role::BillType},
      {"billpayeraccountid", Role::PayerAccountId},
      {"billpayeraccountname", Role::PayerAccountName},
      {"billbillingperiodstartdate", Role::PeriodStart},
      {"billbillingperiodenddate", Role::PeriodEnd},
      {"lineitemusageaccountid", Role::UsageAccountId},
      {"lineitemusageaccountname", Role::UsageAccountName},
      {"lineitemlineitemtype", Role::LineItemType},
      {"lineitemusagestartdate", Role::UsageStart},
      {"lineitemusageenddate", Role::UsageEnd},
      {"lineitemproductcode", Role::ProductCode},
      {"lineitemusagetype", Role::UsageType},
      {"lineitemoperation", Role::Operation},
      {"lineitemavailabilityzone", Role::AvailabilityZone},
      {"lineitemresourceid", Role::ResourceId},
      {"lineitemusageamount", Role::UsageAmount},
      {"lineitemnormalizationfactor", Role::NormalizationFactor},
      {"lineitemnormalizedusageamount", Role::NormalizedUsageAmount},
      {"lineitemcurrencycode", Role::CurrencyCode},
      {"lineitemunblendedrate", Role::UnblendedRate},
      {"lineitemunblendedcost", Role::UnblendedCost},
      {"lineitemblendedrate", Role::BlendedRate},
      {"lineitemblendedcost", Role::BlendedCost},
      {"lineitemnetunblendedrate", Role::NetUnblendedRate},
      {"lineitemnetunblendedcost", Role::NetUnblendedCost},
      {"lineitemlineitemdescription", Role::Description},
      {"lineitemtaxtype", Role::TaxType},
      {"lineitemlegalentity", Role::LegalEntity},
      {"pricingleasecontractlength", Role::PricingLeaseLength},
      {"pricingofferingclass", Role::PricingOfferingClass},
      {"pricingpurchaseoption", Role::PricingPurchaseOption},
      {"pricingratecode", Role::PricingRateCode},
      {"pricingrateid", Role::PricingRateId},
      {"pricingcurrency", Role::PricingCurrency},
      {"pricingpublicondemandcost", Role::PublicOnDemandCost},
      {"pricingpublicondemandrate", Role::PublicOnDemandRate},
      {"pricingterm", Role::PricingTerm},
      {"pricingunit", Role::PricingUnit},
      {"reservationamortizedupfrontcostforusage", Role::RiAmortizedUpfrontCostForUsage},
      {"reservationnetamortizedupfrontcostforusage", Role::RiAmortizedUpfrontCostForUsage},
      {"reservationamortizedupfrontfeeforbillingperiod", Role::RiAmortizedUpfrontFeeForPeriod},
      {"reservationnetamortizedupfrontfeeforbillingperiod", Role::RiAmortizedUpfrontFeeForPeriod},
      {"reservationavailabilityzone", Role::RiAvailabilityZone},
      {"reservationeffectivecost", Role::RiEffectiveCost},
      {"reservationneteffectivecost", Role::RiEffectiveCost},
      {"reservationendtime", Role::RiEndTime},
      {"reservationmodificationstatus", Role::RiModificationStatus},
      {"reservationnormalizedunitsperreservation", Role::RiNormalizedUnitsPerReservation},
      {"reservationnumberofreservations", Role::RiNumberOfReservations},
      {"reservationrecurringfeeforusage", Role::RiRecurringFeeForUsage},
      {"reservationnetrecurringfeeforusage", Role::RiRecurringFeeForUsage},
      {"reservationreservationarn", Role::RiArn},
      {"reservationstarttime", Role::RiStartTime},
      {"reservationsubscriptionid", Role::RiSubscriptionId},
      {"reservationtotalreservednormalizedunits", Role::RiTotalReservedNormalizedUnits},
      {"reservationtotalreservedunits", Role::RiTotalReservedUnits},
      {"reservationunitsperreservation", Role::RiUnitsPerReservation},
      {"reservationunusedamortizedupfrontfeeforbillingperiod", Role::RiUnusedAmortizedUpfront},
      {"reservationnetunusedamortizedupfrontfeeforbillingperiod", Role::RiUnusedAmortizedUpfront},
      {"reservationunusednormalizedunitquantity", Role::RiUnusedNormalizedUnitQuantity},
      {"reservationunusedquantity", Role::RiUnusedQuantity},
      {"reservationunusedrecurringfee", Role::RiUnusedRecurringFee},
      {"reservationnetunusedrecurringfee", Role::RiUnusedRecurringFee},
      {"reservationupfrontvalue", Role::RiUpfrontValue},
      {"reservationnetupfrontvalue", Role::RiUpfrontValue},
      {"savingsplanamortizedupfrontcommitmentforbillingperiod", Role::SpAmortizedUpfrontCommitment},
      {"savingsplannetamortizedupfrontcommitmentforbillingperiod",
       Role::SpAmortizedUpfrontCommitment},
      {"savingsplanendtime", Role::SpEndTime},
      {"savingsplaninstancetypefamily", Role::SpInstanceTypeFamily},
      {"savingsplanofferingtype", Role::SpOfferingType},
      {"savingsplanpaymentoption", Role::SpPaymentOption},
      {"savingsplanpurchaseterm", Role::SpPurchaseTerm},
      {"savingsplanrecurringcommitmentforbillingperiod", Role::SpRecurringCommitment},
      {"savingsplannetrecurringcommitmentforbillingperiod", Role::SpRecurringCommitment},
      {"savingsplanregion", Role::SpRegion},
      {"savingsplansavingsplanarn", Role::SpArn},
      {"savingsplansavingsplaneffectivecost", Role::SpEffectiveCost},
      {"savingsplannetsavingsplaneffectivecost", Role::SpEffectiveCost},
      {"savingsplansavingsplanrate", Role::SpRate},
      {"savingsplanstarttime", Role::SpStartTime},
      {"savingsplantotalcommitmenttodate", Role::SpTotalCommitment},
      {"savingsplanusedcommitment", Role::SpUsedCommitment},
      {"resourcetagsawscreatedby", Role::TagCreatedBy},
      {"resourcetagsusercostcenter", Role::TagCostCenter},
      {"resourcetagsuserenvironment", Role::TagEnvironment},
      {"resourcetagsusername", Role::TagName},
      {"resourcetagsuserteam", Role::TagTeam},
      {"costcategorycostcenter", Role::CostCategoryCostCenter},
      {"resourcetags", Role::MapResourceTags},
      {"costcategory", Role::MapCostCategory},
      {"discount", Role::MapDiscount},
      {"tags", Role::MapTags},
      {"discountbundleddiscount", Role::DiscountBundled},
      {"discounttotaldiscount", Role::DiscountTotal},
      {"product", Role::ProductMap},
  };
  return table;
}

struct Region {
  const char* code;
  const char* location;
  const char* prefix; // usage type prefix
};
constexpr Region kRegions[] = {
    {"us-east-1", "US East (N. Virginia)", ""},
    {"us-west-2", "US West (Oregon)", "USW2-"},
    {"eu-west-1", "EU (Ireland)", "EU-"},
    {"ap-southeast-2", "Asia Pacific (Sydney)", "APS2-"},
    {"ca-central-1", "Canada (Central)", "CAN1-"},
};

struct InstanceType {
  const char* name;
  const char* family;
  const char* family_description;
  const char* vcpu;
  const char* memory;
  const char* processor;
  const char* clock;
  const char* network;
  const char* ebs_throughput;
  const char* features;
  int normalization_factor;
  std::int64_t rate_mantissa; // rate = mantissa * 10^-4
};
constexpr InstanceType kInstances[] = {
    {"t3.micro", "t3", "General purpose", "2", "1 GiB", "Intel Skylake E5 2686 v5", "3.1 GHz",
     "Up to 5 Gigabit", "Up to 2085 Mbps", "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo", 1,
     104},
    {"m5.large", "m5", "General purpose", "2", "8 GiB", "Intel Xeon Platinum 8175", "3.1 GHz",
     "Up to 10 Gigabit", "Up to 4750 Mbps", "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo", 4,
     960},
    {"m5.2xlarge", "m5", "General purpose", "8", "32 GiB", "Intel Xeon Platinum 8175", "3.1 GHz",
     "Up to 10 Gigabit", "Up to 4750 Mbps", "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo", 16,
     3840},
    {"c6g.xlarge", "c6g", "Compute optimized", "4", "8 GiB", "AWS Graviton2 Processor", "2.5 GHz",
     "Up to 10 Gigabit", "Up to 4750 Mbps", "", 8, 1360},
    {"r6i.4xlarge", "r6i", "Memory optimized", "16", "128 GiB", "Intel Xeon 8375C (Ice Lake)",
     "3.5 GHz", "Up to 12500 Megabit", "Up to 10 Gigabit",
     "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo", 32, 10080},
    {"g5.xlarge", "g5", "GPU instance", "4", "16 GiB", "AMD EPYC 7R32", "3.3 GHz",
     "Up to 10 Gigabit", "Up to 3.5 Gbps", "", 8, 10060},
};

// A stable SKU-like code from a profile's identity (14 upper-case letters and digits).
std::string sku_of(const std::string& seed_text) {
  std::uint64_t hash = 1469598103934665603ull;
  for (char c : seed_text)
    hash = (hash ^ static_cast<std::uint8_t>(c)) * 1099511628211ull;
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 14; ++i) {
    out.push_back(kAlphabet[hash % 32]);
    hash = hash / 32 + static_cast<std::uint64_t>(i + 1) * std::uint64_t{0x9e3779b97f4a7c15};
  }
  return out;
}

void set_rate(ProductProfile& profile, std::int64_t mantissa, int exponent) {
  profile.rate_mantissa = mantissa;
  profile.rate_exponent = exponent;
  // rate text as AWS prints it: plain decimal without trailing zeros
  std::string digits = std::to_string(mantissa);
  int fraction = -exponent;
  while (fraction > 0 && digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    --fraction;
  }
  if (fraction <= 0) {
    profile.rate_text = digits + ".0";
    return;
  }
  std::size_t count = digits.size();
  std::size_t places = static_cast<std::size_t>(fraction);
  std::string text;
  if (count <= places) {
    text = "0.";
    text.append(places - count, '0');
    text += digits;
  } else {
    text = digits.substr(0, count - places);
    text.push_back('.');
    text += digits.substr(count - places);
  }
  profile.rate_text = text;
}

void add_region_attributes(ProductProfile& profile, const Region& region, const char* servicecode,
                           const char* servicename) {
  profile.attributes.insert(profile.attributes.end(), {{"servicecode", servicecode},
                                                       {"servicename", servicename},
                                                       {"location", region.location},
                                                       {"location_type", "AWS Region"},
                                                       {"region", region.code},
                                                       {"region_code", region.code}});
}

} // namespace

std::string attribute_key(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::vector<ColumnSpec> columns_of(Shape shape) {
  std::vector<ColumnSpec> columns;
  auto add = [&](const char* name) {
    ColumnSpec spec;
    spec.name = name;
    std::string key = attribute_key(name);
    auto found = role_table().find(key);
    if (found != role_table().end()) {
      spec.role = found->second;
    } else if (key.rfind("product", 0) == 0) {
      spec.role = Role::ProductStatic;
      spec.attribute = key.substr(7);
    }
    columns.push_back(spec);
  };
  if (shape == Shape::Legacy)
    for (const char* name : kLegacyColumns)
      add(name);
  else
    for (const char* name : kCur2Columns)
      add(name);
  return columns;
}

std::vector<ProductProfile> product_catalogue() {
  std::vector<ProductProfile> catalogue;
  for (const Region& region : kRegions) {
    std::string prefix = region.prefix;
    for (const InstanceType& type : kInstances) {
      ProductProfile p;
      p.service = ProductProfile::Service::Ec2Instance;
      p.product_code = "AmazonEC2";
      p.product_name = "Amazon Elastic Compute Cloud";
      p.usage_type = prefix + "BoxUsage:" + type.name;
      p.operation = "RunInstances";
      p.unit = "Hrs";
      p.region = region.code;
      p.location = region.location;
      p.instance_type = type.name;
      p.instance_family = type.family;
      p.normalization_factor = type.normalization_factor;
      p.hourly_amount = true;
      p.has_az = true;
      set_rate(p, type.rate_mantissa, -4);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Compute Instance"},
                      {"instance_type", type.name},
                      {"instance_family", type.family_description},
                      {"instance_type_family", type.family},
                      {"vcpu", type.vcpu},
                      {"memory", type.memory},
                      {"physical_processor", type.processor},
                      {"clock_speed", type.clock},
                      {"network_performance", type.network},
                      {"dedicated_ebs_throughput", type.ebs_throughput},
                      {"processor_features", type.features},
                      {"processor_architecture", "64-bit"},
                      {"current_generation", "Yes"},
                      {"capacitystatus", "Used"},
                      {"ecu", "Variable"},
                      {"enhanced_networking_supported", "Yes"},
                      {"intel_avx_available", type.features[0] ? "Yes" : "No"},
                      {"intel_avx2_available", type.features[0] ? "Yes" : "No"},
                      {"license_model", "No License required"},
                      {"operating_system", "Linux"},
                      {"operation", "RunInstances"},
                      {"pre_installed_sw", "NA"},
                      {"storage", "EBS only"},
                      {"tenancy", "Shared"},
                      {"marketoption", "OnDemand"},
                      {"normalization_size_factor", std::to_string(type.normalization_factor)},
                      {"usagetype", p.usage_type},
                      {"sku", p.sku},
                      {"instancesku", sku_of(p.sku)},
                      {"pricing_unit", "Hrs"}};
      add_region_attributes(p, region, "AmazonEC2", "Amazon Elastic Compute Cloud");
      catalogue.push_back(std::move(p));
    }
    {
      ProductProfile p;
      p.service = ProductProfile::Service::EbsVolume;
      p.product_code = "AmazonEC2";
      p.product_name = "Amazon Elastic Compute Cloud";
      p.usage_type = prefix + "EBS:VolumeUsage.gp3";
      p.operation = "CreateVolume-Gp3";
      p.unit = "GB-Mo";
      p.region = region.code;
      p.location = region.location;
      p.has_az = true;
      set_rate(p, 8, -2);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Storage"},
                      {"volume_type", "General Purpose"},
                      {"volume_api_name", "gp3"},
                      {"storage_media", "SSD-backed"},
                      {"max_volume_size", "16 TiB"},
                      {"max_iopsvolume", "16000"},
                      {"max_throughputvolume", "1000 MiB/s"},
                      {"operation", p.operation},
                      {"usagetype", p.usage_type},
                      {"sku", p.sku},
                      {"pricing_unit", "GB-Mo"}};
      add_region_attributes(p, region, "AmazonEC2", "Amazon Elastic Compute Cloud");
      catalogue.push_back(std::move(p));
    }
    {
      ProductProfile p;
      p.service = ProductProfile::Service::DataTransfer;
      p.product_code = "AWSDataTransfer";
      p.product_name = "AWS Data Transfer";
      p.usage_type = prefix + "DataTransfer-Out-Bytes";
      p.operation = "RunInstances";
      p.unit = "GB";
      p.region = region.code;
      p.location = region.location;
      set_rate(p, 9, -2);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Data Transfer"},
                      {"from_location", region.location},
                      {"from_location_type", "AWS Region"},
                      {"from_region_code", region.code},
                      {"to_location", "External"},
                      {"to_location_type", "Other"},
                      {"transfer_type", "AWS Outbound"},
                      {"operation", p.operation},
                      {"usagetype", p.usage_type},
                      {"sku", p.sku},
                      {"servicecode", "AWSDataTransfer"},
                      {"servicename", "AWS Data Transfer"},
                      {"region", region.code}};
      catalogue.push_back(std::move(p));
    }
    {
      ProductProfile p;
      p.service = ProductProfile::Service::S3;
      p.product_code = "AmazonS3";
      p.product_name = "Amazon Simple Storage Service";
      p.usage_type = prefix + "TimedStorage-ByteHrs";
      p.operation = "StandardStorage";
      p.unit = "GB-Mo";
      p.region = region.code;
      p.location = region.location;
      set_rate(p, 23, -3);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Storage"},
                      {"storage_class", "General Purpose"},
                      {"volume_type", "Standard"},
                      {"durability", "99.999999999%"},
                      {"availability", "99.99%"},
                      {"usagetype", p.usage_type},
                      {"operation", ""},
                      {"sku", p.sku}};
      add_region_attributes(p, region, "AmazonS3", "Amazon Simple Storage Service");
      catalogue.push_back(std::move(p));
    }
    {
      ProductProfile p;
      p.service = ProductProfile::Service::Rds;
      p.product_code = "AmazonRDS";
      p.product_name = "Amazon Relational Database Service";
      p.usage_type = prefix + "Multi-AZUsage:db.r5.large";
      p.operation = "CreateDBInstance:0014";
      p.unit = "Hrs";
      p.region = region.code;
      p.location = region.location;
      p.instance_type = "db.r5.large";
      p.instance_family = "r5";
      p.normalization_factor = 4;
      p.hourly_amount = true;
      set_rate(p, 4800, -4);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Database Instance"},
                      {"database_engine", "PostgreSQL"},
                      {"deployment_option", "Multi-AZ"},
                      {"engine_code", "14"},
                      {"instance_type", "db.r5.large"},
                      {"instance_family", "Memory optimized"},
                      {"vcpu", "2"},
                      {"memory", "16 GiB"},
                      {"network_performance", "Up to 10 Gigabit"},
                      {"physical_processor", "Intel Xeon Platinum 8175"},
                      {"processor_architecture", "64-bit"},
                      {"current_generation", "Yes"},
                      {"license_model", "No license required"},
                      {"storage", "EBS Only"},
                      {"normalization_size_factor", "4"},
                      {"operation", p.operation},
                      {"usagetype", p.usage_type},
                      {"sku", p.sku},
                      {"pricing_unit", "Hrs"}};
      add_region_attributes(p, region, "AmazonRDS", "Amazon Relational Database Service");
      catalogue.push_back(std::move(p));
    }
    {
      ProductProfile p;
      p.service = ProductProfile::Service::Lambda;
      p.product_code = "AWSLambda";
      p.product_name = "AWS Lambda";
      p.usage_type = prefix + "Lambda-GB-Second";
      p.operation = "Invoke";
      p.unit = "Lambda-GB-Second";
      p.region = region.code;
      p.location = region.location;
      set_rate(p, 166667, -10);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Serverless"},
                      {"group", "AWS-Lambda-Duration"},
                      {"group_description", "Invocation duration, per GB-second"},
                      {"usagetype", p.usage_type},
                      {"operation", p.operation},
                      {"sku", p.sku}};
      add_region_attributes(p, region, "AWSLambda", "AWS Lambda");
      catalogue.push_back(std::move(p));
    }
    {
      ProductProfile p;
      p.service = ProductProfile::Service::CloudWatch;
      p.product_code = "AmazonCloudWatch";
      p.product_name = "AmazonCloudWatch";
      p.usage_type = prefix + "CW:MetricMonitorUsage";
      p.operation = "MetricStorage";
      p.unit = "Metrics";
      p.region = region.code;
      p.location = region.location;
      set_rate(p, 3, -1);
      p.sku = sku_of(p.usage_type);
      p.attributes = {{"product_name", p.product_name},
                      {"product_family", "Metric"},
                      {"group", "Metric"},
                      {"group_description", "Metric, first 10,000 metrics"},
                      {"usagetype", p.usage_type},
                      {"operation", p.operation},
                      {"sku", p.sku}};
      add_region_attributes(p, region, "AmazonCloudWatch", "AmazonCloudWatch");
      catalogue.push_back(std::move(p));
    }
  }
  {
    ProductProfile p;
    p.service = ProductProfile::Service::Marketplace;
    p.product_code = "6njl1pau2w5d7jz9k4ofw8xyz";
    p.product_name = "Acme Firewall, \"Enterprise\" Edition";
    p.usage_type = "SoftwareUsage:m5.large";
    p.operation = "Hourly";
    p.unit = "Hrs";
    p.region = "us-east-1";
    p.location = "US East (N. Virginia)";
    p.billing_entity = "AWS Marketplace";
    p.legal_entity = "Acme Software, Inc.";
    p.hourly_amount = true;
    set_rate(p, 250, -3);
    p.sku = sku_of(p.usage_type);
    p.attributes = {{"product_name", p.product_name}, {"usagetype", p.usage_type},
                    {"operation", p.operation},       {"sku", p.sku},
                    {"region", "us-east-1"},          {"comment", "Seller: Acme Software, Inc."}};
    catalogue.push_back(std::move(p));
  }
  {
    ProductProfile p;
    p.service = ProductProfile::Service::Support;
    p.product_code = "AWSSupportBusiness";
    p.product_name = "AWS Support (Business)";
    p.usage_type = "Dollar";
    p.operation = "";
    p.unit = "Dollar";
    p.region = "";
    p.location = "Any";
    set_rate(p, 1, 0);
    p.sku = sku_of(p.product_code);
    p.attributes = {{"product_name", p.product_name},
                    {"product_family", "AWS Support"},
                    {"fee_code", "AWSSupportBusiness"},
                    {"fee_description", "AWS Support (Business) monthly fee"},
                    {"location", "Any"},
                    {"location_type", "AWS Region"},
                    {"servicecode", "AWSSupportBusiness"},
                    {"servicename", "AWS Support (Business)"},
                    {"usagetype", "Dollar"},
                    {"sku", p.sku}};
    catalogue.push_back(std::move(p));
  }
  {
    ProductProfile p;
    p.service = ProductProfile::Service::SavingsPlans;
    p.product_code = "ComputeSavingsPlans";
    p.product_name = "Savings Plans for AWS Compute usage";
    p.usage_type = "ComputeSP:1yrNoUpfront";
    p.operation = "";
    p.unit = "Hrs";
    p.location = "Any";
    set_rate(p, 1, 0);
    p.sku = sku_of(p.usage_type);
    p.attributes = {{"product_name", p.product_name},
                    {"product_family", "Savings Plans"},
                    {"location", "Any"},
                    {"location_type", "AWS Region"},
                    {"servicecode", "ComputeSavingsPlans"},
                    {"servicename", "Savings Plans for AWS Compute usage"},
                    {"usagetype", p.usage_type},
                    {"sku", p.sku}};
    catalogue.push_back(std::move(p));
  }
  return catalogue;
}

} // namespace ec::bench
