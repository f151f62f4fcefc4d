// bench/cur_generator.cpp - cur_generator: deterministic, realistic CUR files for tests and
// benches.
//
// cur_generator --shape legacy|cur2 --rows N --seed S [--accounts A] [--payers P]
//               [--period YYYY-MM] [--gzip|--zip|--plain] [--members M] [--level L] [--zip64]
//               [--second-currency CUR] [--malformed-ppm N] [--out FILE]
//
// Same arguments, same bytes: an own PRNG (splitmix64 + xoshiro256**), integer-only number
// formatting, fixed gzip/ZIP header fields. Memory is a few MiB whatever the row count.
// A summary goes to stderr: rows, malformed rows injected (and "decoys", which are NOT malformed:
// garbage in cost columns the row does not use, a quote inside an unquoted field), bytes, speed.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/generator/cur_output.h"
#include "bench/generator/cur_schema.h"

namespace ec::bench {
namespace {

// ---- randomness
// ----------------------------------------------------------------------------------

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t state = a * 0x9e3779b97f4a7c15ull + b;
  return splitmix64(state);
}

class Rng {
public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : m_state)
      word = splitmix64(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = rotl(m_state[3], 45);
    return result;
  }
  /// Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  /// Uniform in [low, high].
  std::int64_t range(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low + 1)));
  }
  bool percent(std::uint64_t p) { return below(100) < p; }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t m_state[4];
};

// ---- numbers: value = mantissa * 10^exponent, printed the way AWS (Java) prints doubles
// -----------

struct Num {
  std::int64_t mantissa = 0;
  int exponent = 0;
  bool present = false; ///< false: an empty cell
};

Num num(std::int64_t mantissa, int exponent) {
  return Num{mantissa, exponent, true};
}

constexpr std::int64_t kPow10[] = {1,
                                   10,
                                   100,
                                   1000,
                                   10000,
                                   100000,
                                   1000000,
                                   10000000,
                                   100000000,
                                   1000000000,
                                   10000000000,
                                   100000000000,
                                   1000000000000,
                                   10000000000000,
                                   100000000000000,
                                   1000000000000000,
                                   10000000000000000,
                                   100000000000000000,
                                   1000000000000000000};

/// A random value with `digits` significant digits whose leading digit sits at 10^decade.
Num random_num(Rng& rng, int decade, int digits) {
  std::int64_t low = kPow10[digits - 1];
  std::int64_t mantissa = rng.range(low, low * 10 - 1);
  return num(mantissa, decade - (digits - 1));
}

/// A cost whose leading digit is in [10^min_decade, 10^max_decade], 1-7 significant digits: plain
/// numbers keep at most 10 fractional digits, scientific ones at most 18.
Num random_cost(Rng& rng, int min_decade, int max_decade) {
  int decade = static_cast<int>(rng.range(min_decade, max_decade));
  int digits = static_cast<int>(rng.range(1, 7));
  return random_num(rng, decade, digits);
}

/// value * factor / 10^shift, exactly (the digits grow, the exponent shrinks).
Num scaled(Num value, std::int64_t factor, int shift) {
  if (!value.present)
    return value;
  return num(value.mantissa * factor, value.exponent - shift);
}

Num negated(Num value) {
  value.mantissa = -value.mantissa;
  return value;
}

char* write_uint(char* out, std::uint64_t value) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0)
    *out++ = digits[--count];
  return out;
}

/// Java Double.toString style: "0.0", "1.0", "0.0104", "1.81E-8", "3.1536E7".
char* write_num(char* out, Num value, bool lower_case_e) {
  if (value.mantissa == 0) {
    std::memcpy(out, "0.0", 3);
    return out + 3;
  }
  std::uint64_t magnitude = value.mantissa < 0 ? 0 - static_cast<std::uint64_t>(value.mantissa)
                                               : static_cast<std::uint64_t>(value.mantissa);
  int exponent = value.exponent;
  while (magnitude % 10 == 0) {
    magnitude /= 10;
    ++exponent;
  }
  char digits[24];
  int count = static_cast<int>(write_uint(digits, magnitude) - digits);
  int leading = count - 1 + exponent; // decade of the leading digit
  if (value.mantissa < 0)
    *out++ = '-';
  if (leading < -3 || leading >= 7) {
    *out++ = digits[0];
    *out++ = '.';
    if (count == 1) {
      *out++ = '0';
    } else {
      std::memcpy(out, digits + 1, static_cast<std::size_t>(count - 1));
      out += count - 1;
    }
    *out++ = lower_case_e ? 'e' : 'E';
    if (leading < 0) {
      *out++ = '-';
      return write_uint(out, static_cast<std::uint64_t>(-leading));
    }
    return write_uint(out, static_cast<std::uint64_t>(leading));
  }
  if (exponent >= 0) {
    std::memcpy(out, digits, static_cast<std::size_t>(count));
    out += count;
    for (int i = 0; i < exponent; ++i)
      *out++ = '0';
    std::memcpy(out, ".0", 2);
    return out + 2;
  }
  int fraction = -exponent;
  if (count > fraction) {
    std::memcpy(out, digits, static_cast<std::size_t>(count - fraction));
    out += count - fraction;
    *out++ = '.';
    std::memcpy(out, digits + count - fraction, static_cast<std::size_t>(fraction));
    return out + fraction;
  }
  *out++ = '0';
  *out++ = '.';
  for (int i = 0; i < fraction - count; ++i)
    *out++ = '0';
  std::memcpy(out, digits, static_cast<std::size_t>(count));
  return out + count;
}

// ---- text helpers
// --------------------------------------------------------------------------------

/// The CSV cell for `text`: quoted (quotes doubled) when it holds a comma, quote or line break.
std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"')
      out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

/// A JSON object of string values (CUR 2.0 map column), not yet CSV-quoted.
std::string json_map(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out = "{";
  for (const auto& [key, value] : entries) {
    if (out.size() > 1)
      out.push_back(',');
    out += json_string(key);
    out.push_back(':');
    out += json_string(value);
  }
  out.push_back('}');
  return out;
}

std::string hex_id(std::uint64_t hash, int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < length; ++i) {
    out.push_back(kHex[hash & 15]);
    hash >>= 4;
    if (hash == 0)
      hash = mix(static_cast<std::uint64_t>(i), 77);
  }
  return out;
}

std::string twelve_digits(std::uint64_t hash, bool leading_zeros) {
  char text[16];
  if (leading_zeros)
    std::snprintf(text, sizeof text, "000%09llu",
                  static_cast<unsigned long long>(hash % 1000000000ull));
  else
    std::snprintf(text, sizeof text, "%012llu",
                  static_cast<unsigned long long>(100000000000ull + hash % 899999999999ull));
  return text;
}

// ---- the period
// ----------------------------------------------------------------------------------

std::int64_t days_from_civil(int year, int month, int day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

struct Period {
  int year = 2023;
  int month = 11;
  int hours = 0;
  std::vector<std::string> start_ms;    // per hour (and one past the end): ...T05:00:00.000Z
  std::vector<std::string> start_plain; // ...T05:00:00Z
  std::string label;                    // 2023-11
  std::string range;                    // 20231101-20231201

  void build() {
    int next_year = month == 12 ? year + 1 : year;
    int next_month = month == 12 ? 1 : month + 1;
    std::int64_t days = days_from_civil(next_year, next_month, 1) - days_from_civil(year, month, 1);
    hours = static_cast<int>(days * 24);
    for (int hour = 0; hour <= hours; ++hour) {
      int day = 1 + hour / 24;
      int y = year;
      int m = month;
      if (hour == hours) {
        y = next_year;
        m = next_month;
        day = 1;
      }
      char text[40];
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:00:00.000Z", y, m, day, hour % 24);
      start_ms.emplace_back(text);
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:00:00Z", y, m, day, hour % 24);
      start_plain.emplace_back(text);
    }
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d", year, month);
    label = text;
    std::snprintf(text, sizeof text, "%04d%02d01-%04d%02d01", year, month, next_year, next_month);
    range = text;
  }
};

// ---- options
// -------------------------------------------------------------------------------------

struct Options {
  Shape shape = Shape::Legacy;
  std::uint64_t rows = 1000;
  std::uint64_t seed = 1;
  std::uint32_t accounts = 24;
  std::uint32_t payers = 1;
  Period period;
  Container container = Container::Gzip;
  bool container_given = false;
  std::uint32_t members = 1;
  int level = 6;
  bool zip64 = false;
  std::string second_currency;
  std::uint32_t malformed_ppm = 0;
  std::string out;
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "cur_generator: %s\n"
               "usage: cur_generator --shape legacy|cur2 --rows N --seed S [--accounts A] "
               "[--payers P]\n"
               "       [--period YYYY-MM] [--gzip|--zip|--plain] [--members M] [--level 0-9] "
               "[--zip64]\n"
               "       [--second-currency CUR] [--malformed-ppm N] [--out FILE]\n",
               message);
  std::exit(2);
}

std::uint64_t parse_count(const char* text, const char* what) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0')
    usage(what);
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](const char* what) -> const char* {
      if (i + 1 >= argc)
        usage(what);
      return argv[++i];
    };
    if (arg == "--shape") {
      std::string_view shape = value("--shape needs legacy or cur2");
      if (shape == "legacy")
        options.shape = Shape::Legacy;
      else if (shape == "cur2")
        options.shape = Shape::Cur2;
      else
        usage("--shape must be legacy or cur2");
    } else if (arg == "--rows") {
      options.rows = parse_count(value("--rows needs a count"), "--rows needs a count");
    } else if (arg == "--seed") {
      options.seed = parse_count(value("--seed needs a number"), "--seed needs a number");
    } else if (arg == "--accounts") {
      options.accounts =
          static_cast<std::uint32_t>(parse_count(value("--accounts"), "--accounts needs a count"));
    } else if (arg == "--payers") {
      options.payers =
          static_cast<std::uint32_t>(parse_count(value("--payers"), "--payers needs a count"));
    } else if (arg == "--period") {
      const char* text = value("--period needs YYYY-MM");
      if (std::sscanf(text, "%4d-%2d", &options.period.year, &options.period.month) != 2 ||
          options.period.month < 1 || options.period.month > 12 || std::strlen(text) != 7)
        usage("--period needs YYYY-MM");
    } else if (arg == "--gzip" || arg == "--zip" || arg == "--plain") {
      options.container = arg == "--gzip"  ? Container::Gzip
                          : arg == "--zip" ? Container::Zip
                                           : Container::Plain;
      options.container_given = true;
    } else if (arg == "--members") {
      options.members =
          static_cast<std::uint32_t>(parse_count(value("--members"), "--members needs a count"));
    } else if (arg == "--level") {
      options.level = static_cast<int>(parse_count(value("--level"), "--level needs 0-9"));
      if (options.level > 9)
        usage("--level needs 0-9");
    } else if (arg == "--zip64") {
      options.zip64 = true;
    } else if (arg == "--second-currency") {
      options.second_currency = value("--second-currency needs a code");
    } else if (arg == "--malformed-ppm") {
      options.malformed_ppm = static_cast<std::uint32_t>(
          parse_count(value("--malformed-ppm"), "--malformed-ppm needs a count"));
    } else if (arg == "--out") {
      options.out = value("--out needs a file");
    } else if (arg == "--help" || arg == "-h") {
      usage("deterministic CUR test data");
    } else {
      usage("unknown argument");
    }
  }
  if (options.accounts == 0 || options.payers == 0 || options.members == 0)
    usage("--accounts, --payers and --members must be at least 1");
  if (options.payers > options.accounts)
    options.accounts = options.payers;
  if (!options.container_given && !options.out.empty()) {
    auto ends_with = [&](std::string_view suffix) {
      return options.out.size() >= suffix.size() &&
             options.out.compare(options.out.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".zip"))
      options.container = Container::Zip;
    else if (ends_with(".csv"))
      options.container = Container::Plain;
  }
  options.period.build();
  return options;
}

// ---- the model
// -----------------------------------------------------------------------------------

enum class ItemType : std::uint8_t {
  Usage,
  DiscountedUsage,
  SpCoveredUsage,
  SpNegation,
  SpRecurringFee,
  SpUpfrontFee,
  RiFee,
  FeeRi,
  FeeOther,
  Tax,
  Credit,
  Refund,
  EdpDiscount,
  BundledDiscount,
};

struct TypeWeight {
  ItemType type;
  const char* name;
  int per_10000;
};
constexpr TypeWeight kTypes[] = {
    {ItemType::Usage, "Usage", 6900},
    {ItemType::DiscountedUsage, "DiscountedUsage", 700},
    {ItemType::SpCoveredUsage, "SavingsPlanCoveredUsage", 800},
    {ItemType::SpNegation, "SavingsPlanNegation", 300},
    {ItemType::SpRecurringFee, "SavingsPlanRecurringFee", 300},
    {ItemType::SpUpfrontFee, "SavingsPlanUpfrontFee", 10},
    {ItemType::RiFee, "RIFee", 100},
    {ItemType::FeeRi, "Fee", 40},
    {ItemType::FeeOther, "Fee", 60},
    {ItemType::Tax, "Tax", 300},
    {ItemType::Credit, "Credit", 200},
    {ItemType::Refund, "Refund", 40},
    {ItemType::EdpDiscount, "EdpDiscount", 200},
    {ItemType::BundledDiscount, "BundledDiscount", 50},
};

struct Account {
  std::string id;
  std::string name_cell; // CSV-ready
  std::uint32_t payer = 0;
  bool has_discount = false; // net unblended filled
  bool zero_fill = false;    // 0 rather than blank in RI/SP cost columns that do not apply
  std::string sp_arn;
  std::string ri_arn[3];
  std::string ri_subscription[3];
  Num sp_commitment; // per hour
};

struct Payer {
  std::string id;
  std::string name_cell;
  std::string invoice_id;
  std::string legal_entity_cell;
};

/// A precomputed profile with the cells that do not change from row to row.
struct Product {
  const ProductProfile* profile = nullptr;
  std::vector<std::string> full_cells; // per column: static product cells, CSV-ready
  std::vector<std::string> thin_cells; // Tax, Credit...: product name only
  std::string usage_description_cell;
  std::string product_name_cell;
  std::string region_az[3];
  std::string legal_entity_cell; // empty: the payer's
  std::string rate_id;
};

enum class Malformation : std::uint8_t {
  None,
  DropColumn,
  ExtraColumn,
  QuoteInUnquoted, // `12" rack unit` unquoted: data in edgecur's dialect, so NOT malformed
  TextAfterQuote,
  BadPayer,
  BadAccount,
  BadCurrency,
  BadUsageStart,
  BadPeriodStart,
  BadUnblended,
  BadUsedAmortized,
  Decoy, // garbage in a cost column the row does not use: NOT malformed
};
constexpr int kMalformationKinds = 12; // DropColumn..Decoy

struct Row {
  ItemType type = ItemType::Usage;
  const char* type_name = "Usage";
  const Product* product = nullptr;
  bool thin = false;
  std::uint32_t account = 0;
  int hour = 0;         // start hour index into the period
  bool monthly = false; // runs to the period's end
  bool millis = true;
  const char* currency = "USD";
  Num unblended, net, blended, unblended_rate, usage_amount, public_cost;
  Num ri_effective, ri_recurring_for_usage, ri_upfront_for_usage, ri_unused_upfront,
      ri_unused_recurring, ri_upfront_fee_for_period, ri_upfront_value;
  Num sp_effective, sp_rate, sp_total, sp_used, sp_recurring, sp_upfront;
  int reservation = -1; // which of the account's RIs
  int reservations = 0;
  bool savings_plan = false;
  bool tags = false;
  int variant = 0; // picks tag values and resource ids
  bool newline_in_description = false;
  Malformation malformation = Malformation::None;
};

class Generator {
public:
  explicit Generator(const Options& options)
      : m_options(options), m_rng(mix(options.seed, 0x43555247)), m_period(options.period) {
    m_columns = columns_of(options.shape);
    m_catalogue = product_catalogue();
    build_accounts();
    build_products();
    m_out.resize(kBufferBytes + kRowHeadroom);
    m_zero = options.shape == Shape::Cur2 ? "0" : "0.0";
  }

  bool run(CurOutput& output) {
    write_header();
    std::uint64_t next_boundary_index = 1;
    for (std::uint64_t row_index = 0; row_index < m_options.rows; ++row_index) {
      std::uint64_t boundary = m_options.members > 1 && next_boundary_index < m_options.members
                                   ? m_options.rows * next_boundary_index / m_options.members
                                   : UINT64_MAX;
      std::size_t row_start = m_used;
      Row row = make_row();
      write_row(row);
      if (row_index == boundary) {
        // End a gzip member in the middle of this row: readers must join members seamlessly.
        std::size_t split = row_start + (m_used - row_start) / 3;
        if (!output.write(m_out.data(), split) || !output.next_member())
          return false;
        std::memmove(m_out.data(), m_out.data() + split, m_used - split);
        m_used -= split;
        ++next_boundary_index;
      }
      if (m_used >= kBufferBytes) {
        if (!output.write(m_out.data(), m_used))
          return false;
        m_used = 0;
      }
    }
    if (m_used > 0 && !output.write(m_out.data(), m_used))
      return false;
    m_used = 0;
    return output.finish();
  }

  [[nodiscard]] std::uint64_t malformed() const { return m_malformed; }
  [[nodiscard]] std::uint64_t decoys() const { return m_decoys; }
  [[nodiscard]] std::size_t column_count() const { return m_columns.size(); }

private:
  static constexpr std::size_t kBufferBytes = 1 << 20;
  static constexpr std::size_t kRowHeadroom = 64 * 1024; // a row is a few KiB at most

  // ---- setup
  // -------------------------------------------------------------------------------------

  // Which accounts write 0 into RI/SP cost columns that do not apply (see Account::zero_fill):
  // most of them, so the empty share of cells stays near 50% (legacy) and 43% (CUR 2.0).
  bool options_zero_fill(std::uint32_t account) const {
    return m_options.shape == Shape::Legacy ? account % 5 != 0 : account % 3 != 0;
  }

  void build_accounts() {
    static constexpr const char* kLegalEntities[] = {"Amazon Web Services, Inc.",
                                                     "Amazon Web Services Canada, Inc.",
                                                     "Amazon Web Services EMEA SARL"};
    static constexpr const char* kPayerNames[] = {"Acme Corp Management", "Acme Canada, Inc.",
                                                  "Acme Europe Holding"};
    for (std::uint32_t p = 0; p < m_options.payers; ++p) {
      Payer payer;
      payer.id = twelve_digits(mix(m_options.seed, 1000 + p), false);
      payer.name_cell = csv_cell(std::string(kPayerNames[p % 3]) +
                                 (p >= 3 ? " " + std::to_string(p) : std::string()));
      char invoice[32];
      std::snprintf(invoice, sizeof invoice, "%04d%02d%07llu", m_period.year, m_period.month,
                    static_cast<unsigned long long>(mix(m_options.seed, 2000 + p) % 10000000));
      payer.invoice_id = invoice;
      payer.legal_entity_cell = csv_cell(kLegalEntities[p % 3]);
      m_payers.push_back(payer);
    }
    static constexpr const char* kAccountNames[] = {
        "acme-prod",        "acme-staging", "Acme, Inc. - Data Lake",
        "sandbox \"blue\"", "ml-training",  "shared-services"};
    for (std::uint32_t a = 0; a < m_options.accounts; ++a) {
      Account account;
      account.payer = a % m_options.payers;
      if (a < m_options.payers)
        account.id = m_payers[a].id; // each payer also runs usage of its own
      else
        account.id = twelve_digits(mix(m_options.seed, 3000 + a), a % 5 == 1);
      account.name_cell = csv_cell(std::string(kAccountNames[a % 6]) + "-" + std::to_string(a));
      account.has_discount = a % 2 == 0;
      account.zero_fill = options_zero_fill(a);
      std::string region = "us-east-1";
      account.sp_arn = "arn:aws:savingsplans::" + account.id + ":savingsplan/" +
                       hex_id(mix(a, 11), 8) + "-" + hex_id(mix(a, 12), 4) + "-" +
                       hex_id(mix(a, 13), 4) + "-" + hex_id(mix(a, 14), 12);
      for (int r = 0; r < 3; ++r) {
        account.ri_arn[r] = "arn:aws:ec2:" + region + ":" + account.id + ":reserved-instances/" +
                            hex_id(mix(a, 20 + static_cast<std::uint64_t>(r)), 8) + "-" +
                            hex_id(mix(a, 30 + static_cast<std::uint64_t>(r)), 4) + "-" +
                            hex_id(mix(a, 40 + static_cast<std::uint64_t>(r)), 12);
        account.ri_subscription[r] = std::to_string(
            1000000000ull + mix(a, 50 + static_cast<std::uint64_t>(r)) % 8999999999ull);
      }
      account.sp_commitment = num(static_cast<std::int64_t>(5 + a % 40) * 25, -2); // 1.25 .. 11.0
      m_accounts.push_back(account);
    }
  }

  void build_products() {
    // Which attribute keys have their own column (CUR 2.0 puts the others in `product`).
    std::vector<std::string> flattened;
    for (const ColumnSpec& column : m_columns)
      if (column.role == Role::ProductStatic)
        flattened.push_back(column.attribute);
    auto is_flattened = [&](const std::string& key) {
      for (const std::string& name : flattened)
        if (name == key)
          return true;
      return false;
    };
    m_products.reserve(m_catalogue.size());
    for (const ProductProfile& profile : m_catalogue) {
      Product product;
      product.profile = &profile;
      product.full_cells.resize(m_columns.size());
      product.thin_cells.resize(m_columns.size());
      std::vector<std::pair<std::string, std::string>> in_map;
      for (const auto& [key, value] : profile.attributes)
        if (!is_flattened(attribute_key(key)) && !value.empty())
          in_map.emplace_back(key, value);
      for (std::size_t c = 0; c < m_columns.size(); ++c) {
        const ColumnSpec& column = m_columns[c];
        if (column.role == Role::ProductStatic) {
          for (const auto& [key, value] : profile.attributes) {
            if (attribute_key(key) == column.attribute) {
              product.full_cells[c] = csv_cell(value);
              if (column.attribute == "productname" || column.attribute == "servicecode")
                product.thin_cells[c] = csv_cell(value);
            }
          }
        } else if (column.role == Role::ProductMap) {
          product.full_cells[c] = csv_cell(json_map(in_map));
          product.thin_cells[c] = csv_cell(json_map({{"product_name", profile.product_name}}));
        }
      }
      product.product_name_cell = csv_cell(profile.product_name);
      product.legal_entity_cell = csv_cell(profile.legal_entity);
      std::uint64_t sku_hash = 0;
      for (char c : profile.sku)
        sku_hash = mix(sku_hash, static_cast<unsigned char>(c));
      product.rate_id = std::to_string(sku_hash % 100000000000ull);
      product.usage_description_cell = csv_cell(usage_description(profile));
      for (int z = 0; z < 3; ++z)
        product.region_az[z] = profile.region.empty() ? "" : profile.region + "abc"[z];
      m_products.push_back(std::move(product));
    }
    for (const Product& product : m_products) {
      switch (product.profile->service) {
      case ProductProfile::Service::Ec2Instance:
        m_ec2.push_back(&product);
        break;
      case ProductProfile::Service::Rds:
        m_rds.push_back(&product);
        break;
      case ProductProfile::Service::EbsVolume:
        m_ebs.push_back(&product);
        break;
      case ProductProfile::Service::DataTransfer:
        m_transfer.push_back(&product);
        break;
      case ProductProfile::Service::S3:
        m_s3.push_back(&product);
        break;
      case ProductProfile::Service::Lambda:
        m_lambda.push_back(&product);
        break;
      case ProductProfile::Service::CloudWatch:
        m_cloudwatch.push_back(&product);
        break;
      case ProductProfile::Service::Marketplace:
        m_marketplace = &product;
        break;
      case ProductProfile::Service::Support:
        m_support = &product;
        break;
      case ProductProfile::Service::SavingsPlans:
        m_savings_plans = &product;
        break;
      }
    }
  }

  static std::string usage_description(const ProductProfile& p) {
    using Service = ProductProfile::Service;
    switch (p.service) {
    case Service::Ec2Instance:
      return "$" + p.rate_text + " per On Demand Linux " + p.instance_type + " Instance Hour";
    case Service::EbsVolume:
      return "$" + p.rate_text + " per GB-month of General Purpose (gp3) provisioned storage - " +
             p.location;
    case Service::DataTransfer:
      return "$" + p.rate_text +
             " per GB - first 10 TB / month data transfer out beyond the global free tier";
    case Service::S3:
      return "$" + p.rate_text + " per GB - first 50 TB / month of storage used";
    case Service::Rds:
      return "$" + p.rate_text + " per RDS " + p.instance_type +
             " Multi-AZ instance hour (or partial hour) running PostgreSQL";
    case Service::Lambda:
      return "AWS Lambda - Total Compute - " + p.location;
    case Service::CloudWatch:
      return "$" + p.rate_text + " per metric-month for the first 10,000 metrics";
    case Service::Marketplace:
      return p.product_name + ": $" + p.rate_text + "/hr for m5.large";
    case Service::Support:
      return "Business Support monthly fee";
    case Service::SavingsPlans:
      return "1 year No Upfront Compute Savings Plan";
    }
    return "";
  }

  // ---- rows
  // --------------------------------------------------------------------------------------

  const Product* pick_usage_product() {
    std::uint64_t roll = m_rng.below(100);
    auto pick = [&](const std::vector<const Product*>& list) {
      return list[m_rng.below(list.size())];
    };
    if (roll < 38)
      return pick(m_ec2);
    if (roll < 53)
      return pick(m_ebs);
    if (roll < 66)
      return pick(m_transfer);
    if (roll < 76)
      return pick(m_s3);
    if (roll < 84)
      return pick(m_rds);
    if (roll < 91)
      return pick(m_lambda);
    if (roll < 97)
      return pick(m_cloudwatch);
    return m_marketplace;
  }

  // A usage cost of the product at one hour: instances by their rate, the rest by magnitude.
  Num usage_cost(const ProductProfile& p, Row& row) {
    using Service = ProductProfile::Service;
    if (p.hourly_amount) {
      if (m_rng.percent(80)) {
        row.usage_amount = num(1, 0);
        return num(p.rate_mantissa, p.rate_exponent);
      }
      std::int64_t quarter = m_rng.range(1, 99);
      row.usage_amount = num(quarter, -2);
      return num(p.rate_mantissa * quarter, p.rate_exponent - 2);
    }
    int low = -6, high = -1;
    switch (p.service) {
    case Service::EbsVolume:
      low = -7, high = -3;
      break;
    case Service::DataTransfer:
      low = -10, high = -1;
      break;
    case Service::S3:
      low = -10, high = -4;
      break;
    case Service::Lambda:
      low = -9, high = -4;
      break;
    case Service::CloudWatch:
      low = -7, high = -3;
      break;
    case Service::Ec2Instance:
    case Service::Rds:
    case Service::Marketplace:
    case Service::Support:
    case Service::SavingsPlans:
      break;
    }
    Num cost = random_cost(m_rng, low, high);
    row.usage_amount = random_cost(m_rng, -6, 2);
    return cost;
  }

  Row make_row() {
    Row row;
    std::uint64_t roll = m_rng.below(10000);
    for (const TypeWeight& weight : kTypes) {
      if (roll < static_cast<std::uint64_t>(weight.per_10000)) {
        row.type = weight.type;
        row.type_name = weight.name;
        break;
      }
      roll -= static_cast<std::uint64_t>(weight.per_10000);
    }
    row.account = static_cast<std::uint32_t>(m_rng.below(m_accounts.size()));
    const Account& account = m_accounts[row.account];
    row.hour = static_cast<int>(m_rng.below(static_cast<std::uint64_t>(m_period.hours)));
    row.millis = m_rng.percent(65);
    row.variant = static_cast<int>(m_rng.below(1 << 20));
    if (!m_options.second_currency.empty() && row.account % 5 == 4 && m_rng.percent(10))
      row.currency = m_options.second_currency.c_str();
    row.malformation = Malformation::None;
    if (m_options.malformed_ppm > 0 && m_rng.below(1000000) < m_options.malformed_ppm) {
      row.malformation = static_cast<Malformation>(1 + m_malformation_turn % kMalformationKinds);
      ++m_malformation_turn;
      if (row.malformation == Malformation::BadUsedAmortized)
        row.type = ItemType::DiscountedUsage, row.type_name = "DiscountedUsage";
      if (row.malformation == Malformation::Decoy)
        row.type = ItemType::Usage, row.type_name = "Usage";
      if (row.malformation == Malformation::Decoy ||
          row.malformation == Malformation::QuoteInUnquoted)
        ++m_decoys;
      else
        ++m_malformed;
    }

    auto instance_product = [&]() {
      return m_rng.percent(80) ? m_ec2[m_rng.below(m_ec2.size())]
                               : m_rds[m_rng.below(m_rds.size())];
    };
    auto period_start = [&]() {
      row.hour = 0;
      row.monthly = true;
    };
    switch (row.type) {
    case ItemType::Usage: {
      row.product = pick_usage_product();
      row.unblended = usage_cost(*row.product->profile, row);
      row.unblended_rate =
          num(row.product->profile->rate_mantissa, row.product->profile->rate_exponent);
      row.public_cost = row.unblended;
      row.tags = m_rng.percent(70);
      break;
    }
    case ItemType::DiscountedUsage: {
      row.product = instance_product();
      const ProductProfile& p = *row.product->profile;
      row.reservation = static_cast<int>(m_rng.below(3));
      row.usage_amount = num(1, 0);
      row.unblended = m_rng.percent(85) ? num(0, 0) : num(p.rate_mantissa * 2, p.rate_exponent - 1);
      row.unblended_rate = num(0, 0);
      row.ri_upfront_for_usage = num(p.rate_mantissa * 3, p.rate_exponent - 1);
      row.ri_recurring_for_usage = num(p.rate_mantissa * 4, p.rate_exponent - 1);
      row.ri_effective = num(p.rate_mantissa * 7, p.rate_exponent - 1);
      row.public_cost = num(p.rate_mantissa, p.rate_exponent);
      row.tags = m_rng.percent(70);
      break;
    }
    case ItemType::SpCoveredUsage: {
      row.product = m_rng.percent(85) ? m_ec2[m_rng.below(m_ec2.size())]
                                      : m_lambda[m_rng.below(m_lambda.size())];
      row.savings_plan = true;
      row.unblended = usage_cost(*row.product->profile, row);
      row.unblended_rate =
          num(row.product->profile->rate_mantissa, row.product->profile->rate_exponent);
      row.public_cost = row.unblended;
      row.sp_effective = scaled(row.unblended, 72, 2);
      row.sp_rate = scaled(row.unblended_rate, 72, 2);
      row.tags = m_rng.percent(70);
      break;
    }
    case ItemType::SpNegation: {
      row.product = m_ec2[m_rng.below(m_ec2.size())];
      row.savings_plan = true;
      row.unblended = negated(usage_cost(*row.product->profile, row));
      row.unblended_rate =
          negated(num(row.product->profile->rate_mantissa, row.product->profile->rate_exponent));
      break;
    }
    case ItemType::SpRecurringFee: {
      row.product = m_savings_plans;
      row.savings_plan = true;
      row.usage_amount = num(1, 0);
      row.unblended = account.sp_commitment;
      row.unblended_rate = account.sp_commitment;
      row.sp_total = account.sp_commitment;
      row.sp_used = scaled(account.sp_commitment, m_rng.range(400, 1000), 3);
      row.sp_recurring = account.sp_commitment;
      row.sp_upfront = num(0, 0);
      break;
    }
    case ItemType::SpUpfrontFee: {
      row.product = m_savings_plans;
      row.savings_plan = true;
      period_start();
      row.usage_amount = num(1, 0);
      row.unblended = scaled(account.sp_commitment, 120, 0);
      row.sp_upfront = row.unblended;
      break;
    }
    case ItemType::RiFee: {
      row.product = instance_product();
      const ProductProfile& p = *row.product->profile;
      period_start();
      row.reservation = static_cast<int>(m_rng.below(3));
      row.reservations = static_cast<int>(m_rng.range(1, 4));
      std::int64_t hours = static_cast<std::int64_t>(m_period.hours) * row.reservations;
      row.usage_amount = num(hours, 0);
      row.unblended = num(p.rate_mantissa * 4 * hours, p.rate_exponent - 1);
      row.unblended_rate = num(p.rate_mantissa * 4, p.rate_exponent - 1);
      row.ri_upfront_fee_for_period = num(p.rate_mantissa * 3 * hours, p.rate_exponent - 1);
      if (m_rng.percent(60))
        row.ri_unused_recurring = scaled(row.unblended, m_rng.range(0, 30), 2);
      if (m_rng.percent(70))
        row.ri_unused_upfront = scaled(row.ri_upfront_fee_for_period, m_rng.range(0, 30), 2);
      break;
    }
    case ItemType::FeeRi: {
      row.product = instance_product();
      const ProductProfile& p = *row.product->profile;
      row.reservation = static_cast<int>(m_rng.below(3));
      row.reservations = static_cast<int>(m_rng.range(1, 4));
      row.usage_amount = num(row.reservations, 0);
      row.unblended = num(p.rate_mantissa * 3 * 720 * row.reservations, p.rate_exponent - 1);
      row.ri_upfront_value = row.unblended;
      break;
    }
    case ItemType::FeeOther: {
      bool support = m_rng.percent(70);
      row.product = support ? m_support : m_marketplace;
      if (support)
        period_start();
      row.usage_amount = num(1, 0);
      row.unblended = num(m_rng.range(100, 2500) * 10, -1);
      break;
    }
    case ItemType::Tax: {
      row.product = pick_usage_product();
      row.thin = true;
      period_start();
      row.usage_amount = num(1, 0);
      row.unblended = m_rng.percent(30) ? num(0, 0) : random_cost(m_rng, -2, 1);
      break;
    }
    case ItemType::Credit:
    case ItemType::Refund: {
      row.product = pick_usage_product();
      row.thin = true;
      row.unblended = negated(random_cost(m_rng, -8, 0));
      row.newline_in_description = row.type == ItemType::Credit && m_rng.below(100) == 0;
      break;
    }
    case ItemType::EdpDiscount:
    case ItemType::BundledDiscount: {
      row.product = pick_usage_product();
      row.thin = true;
      row.unblended = negated(random_cost(m_rng, -9, -2));
      break;
    }
    }

    // Now and then a value past 18 fractional digits (the engine rounds it half to even), or an
    // exact half there, on plain usage rows.
    if (row.type == ItemType::Usage && m_rng.below(2000) == 0) {
      row.unblended = m_rng.percent(50)
                          ? random_num(m_rng, static_cast<int>(m_rng.range(-16, -12)), 7)
                          : num(m_rng.percent(50) ? 25 : -15, -19);
      row.public_cost = row.unblended;
    }

    // Net unblended: accounts with discounts have it on every row (sometimes lower), the others
    // never (the report then falls back to unblended).
    bool discount_line = row.type == ItemType::EdpDiscount || row.type == ItemType::BundledDiscount;
    if (account.has_discount) {
      if (m_rng.percent(30) && row.unblended.exponent >= -16 && !discount_line)
        row.net = scaled(row.unblended, 95, 2);
      else
        row.net = row.unblended;
    }
    // Blended: blank on discount lines and now and then, otherwise mostly unblended.
    if (!discount_line && !m_rng.percent(8)) {
      row.blended = m_rng.percent(15) && row.unblended.exponent >= -16
                        ? scaled(row.unblended, 11, 1)
                        : row.unblended;
    }
    return row;
  }

  // ---- writing
  // -----------------------------------------------------------------------------------

  void put(std::string_view text) {
    std::memcpy(m_out.data() + m_used, text.data(), text.size());
    m_used += text.size();
  }
  void put_char(char c) { m_out[m_used++] = c; }
  void put_num(Num value) {
    if (!value.present)
      return;
    char* start = m_out.data() + m_used;
    char* end = write_num(start, value, false);
    m_used += static_cast<std::size_t>(end - start);
  }
  void put_uint(std::uint64_t value) {
    char* start = m_out.data() + m_used;
    m_used += static_cast<std::size_t>(write_uint(start, value) - start);
  }

  void write_header() {
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
      if (c > 0)
        put_char(',');
      put(m_columns[c].name);
    }
    put_char('\n');
  }

  void put_timestamp(int hour, bool millis) {
    put(millis ? m_period.start_ms[static_cast<std::size_t>(hour)]
               : m_period.start_plain[static_cast<std::size_t>(hour)]);
  }

  void put_line_item_id() {
    static constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::uint64_t a = m_rng.next();
    std::uint64_t b = m_rng.next();
    std::uint64_t c = m_rng.next();
    char* out = m_out.data() + m_used;
    for (int i = 0; i < 12; ++i, a >>= 5)
      *out++ = kBase32[a & 31];
    for (int i = 0; i < 12; ++i, b >>= 5)
      *out++ = kBase32[b & 31];
    for (int i = 0; i < 12; ++i, c >>= 5)
      *out++ = kBase32[c & 31];
    std::uint64_t d = a ^ (b << 7) ^ (c << 13) ^ 0x5bd1e995u;
    for (int i = 0; i < 16; ++i, d = d * 6364136223846793005ull + 1442695040888963407ull)
      *out++ = kBase32[(d >> 59) & 31];
    m_used += 52;
  }

  void put_resource_id(const Row& row) {
    using Service = ProductProfile::Service;
    const Account& account = m_accounts[row.account];
    std::uint64_t which = mix(row.account, static_cast<std::uint64_t>(row.variant % 400));
    switch (row.product->profile->service) {
    case Service::Ec2Instance:
    case Service::Marketplace:
      put("i-0");
      put(hex_id(which, 16));
      return;
    case Service::EbsVolume:
      put("vol-0");
      put(hex_id(which, 16));
      return;
    case Service::DataTransfer:
      if (row.variant % 2 == 0) {
        put("i-0");
        put(hex_id(which, 16));
      }
      return;
    case Service::S3:
      put("acme-logs-");
      put(account.id);
      put("-");
      put_uint(which % 40);
      return;
    case Service::Rds:
      put("arn:aws:rds:");
      put(row.product->profile->region);
      put(":");
      put(account.id);
      put(":db:prod-db-");
      put_uint(which % 12);
      return;
    case Service::Lambda:
      put("arn:aws:lambda:");
      put(row.product->profile->region);
      put(":");
      put(account.id);
      put(":function:ingest-");
      put_uint(which % 60);
      return;
    case Service::CloudWatch:
    case Service::Support:
    case Service::SavingsPlans:
      return;
    }
  }

  void put_description(const Row& row) {
    const ProductProfile& p = *row.product->profile;
    const Account& account = m_accounts[row.account];
    switch (row.malformation) {
    case Malformation::QuoteInUnquoted:
      put("12\" rack unit"); // a quote inside an unquoted field
      return;
    case Malformation::TextAfterQuote:
      put("\"Tax\"x");
      return;
    default:
      break;
    }
    switch (row.type) {
    case ItemType::Usage:
      put(row.product->usage_description_cell);
      return;
    case ItemType::DiscountedUsage:
      put("\"USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), ");
      put(p.instance_type);
      put(" reserved instance applied\"");
      return;
    case ItemType::SpCoveredUsage:
      put("Savings Plan coverage of ");
      put(p.usage_type);
      put(" at $");
      put_num(row.sp_rate);
      put(" per hour");
      return;
    case ItemType::SpNegation:
      put("SavingsPlanNegation used by AccountId : ");
      put(account.id);
      put(" and UsageSku : ");
      put(p.sku);
      return;
    case ItemType::SpRecurringFee:
      put("1 year No Upfront Compute Savings Plan");
      return;
    case ItemType::SpUpfrontFee:
      put("1 year All Upfront Compute Savings Plan");
      return;
    case ItemType::RiFee:
      put("\"USD ");
      put_num(row.unblended_rate);
      put(" hourly fee per Linux/UNIX (Amazon VPC), ");
      put(p.instance_type);
      put(" instance\"");
      return;
    case ItemType::FeeRi:
      put("\"Sign up charge for subscription: ");
      put(account.ri_subscription[row.reservation]);
      put(", planId: ");
      put_uint(2000000 + static_cast<std::uint64_t>(row.reservation));
      put("\"");
      return;
    case ItemType::FeeOther:
      put(row.product->usage_description_cell);
      return;
    case ItemType::Tax:
      put("Tax for product code ");
      put(p.product_code);
      return;
    case ItemType::Credit:
      put(row.newline_in_description
              ? "\"AWS Credits: promotional credit,\nprogram \"\"Activate\"\"\""
              : "\"AWS Credits: promotional credit, program \"\"Activate\"\"\"");
      return;
    case ItemType::Refund:
      put("Refund for service credit case ");
      put_uint(static_cast<std::uint64_t>(row.variant) % 1000000);
      return;
    case ItemType::EdpDiscount:
      put("Enterprise Discount Program discount");
      return;
    case ItemType::BundledDiscount:
      put("Free tier bundled discount");
      return;
    }
  }

  void put_tag(const Row& row, Role role) {
    if (!row.tags)
      return;
    int v = row.variant;
    switch (role) {
    case Role::TagCreatedBy:
      if (v % 5 < 2)
        put(v % 2 ? "IAMUser:AIDA5BCDEF1234567:alice" : "AssumedRole:AROA5BCDEF7654321:ci-runner");
      return;
    case Role::TagEnvironment: {
      static constexpr const char* kEnvironments[] = {"prod", "staging", "dev", ""};
      put(kEnvironments[(v >> 3) % 4]);
      return;
    }
    case Role::TagName: {
      static constexpr const char* kNames[] = {"web-01", "\"batch-worker, nightly\"",
                                               "\"api \"\"blue\"\" stack\"", "", "etl"};
      put(kNames[(v >> 5) % 5]);
      return;
    }
    case Role::TagTeam: {
      static constexpr const char* kTeams[] = {"platform", "data", "ml", ""};
      put(kTeams[(v >> 8) % 4]);
      return;
    }
    case Role::TagCostCenter:
      if ((v >> 10) % 5 < 2) {
        put("CC-");
        put_uint(1000 + static_cast<std::uint64_t>((v >> 12) % 50));
      }
      return;
    case Role::CostCategoryCostCenter: {
      static constexpr const char* kCategories[] = {"Engineering", "\"R&D, Europe\"", ""};
      put(kCategories[(v >> 14) % 3]);
      return;
    }
    default:
      return;
    }
  }

  void put_map(const Row& row, Role role) {
    int v = row.variant;
    switch (role) {
    case Role::MapResourceTags:
      if (!row.tags) {
        put(v % 3 == 0 ? "" : "{}");
        return;
      }
      switch ((v >> 4) % 4) {
      case 0:
        put(R"("{""user_environment"":""prod"",""user_team"":""platform""}")");
        return;
      case 1:
        put(R"("{""user_name"":""batch-worker, nightly"",""aws_created_by"":""IAMUser:AIDA5BCDEF1234567:alice""}")");
        return;
      case 2:
        put(R"("{""user_name"":""api \""blue\"" stack"",""user_environment"":""staging""}")");
        return;
      default:
        put(R"("{""user_environment"":""dev""}")");
        return;
      }
    case Role::MapCostCategory:
      if ((v >> 9) % 2)
        put(R"("{""cost_center"":""CC-1042"",""team"":""platform, core""}")");
      else
        put("{}");
      return;
    case Role::MapDiscount:
      if (row.net.present && row.net.mantissa != row.unblended.mantissa) {
        put(R"("{""total_discount"":)");
        put_num(num(row.unblended.mantissa * 95 - row.unblended.mantissa * 100,
                    row.unblended.exponent - 2));
        put("}\"");
      } else {
        put("{}");
      }
      return;
    case Role::MapTags:
      put((v >> 6) % 3 == 0 ? R"("{""environment"":""prod""}")" : "{}");
      return;
    default:
      return;
    }
  }

  // Writes the cost `value` of a used column, corrupted when the row is meant to be malformed.
  void put_cost(const Row& row, Role role, Num value) {
    if (row.malformation == Malformation::BadUnblended && role == Role::UnblendedCost) {
      put("N/A");
      return;
    }
    if (row.malformation == Malformation::BadUsedAmortized && role == Role::RiEffectiveCost) {
      put("1.2.3");
      return;
    }
    if (row.malformation == Malformation::Decoy &&
        (role == Role::RiEffectiveCost || role == Role::SpEffectiveCost ||
         role == Role::RiUnusedRecurringFee || role == Role::SpUsedCommitment)) {
      put("n/a");
      return;
    }
    if (!value.present && zero_filled(row, role)) {
      put(m_zero);
      return;
    }
    put_num(value);
  }

  // Accounts with zero_fill write 0 (not blank) into the RI and Savings Plan cost columns of rows
  // those columns do not apply to, as some exports do.
  bool zero_filled(const Row& row, Role role) const {
    if (!m_accounts[row.account].zero_fill)
      return false;
    switch (role) {
    case Role::RiAmortizedUpfrontCostForUsage:
    case Role::RiAmortizedUpfrontFeeForPeriod:
    case Role::RiEffectiveCost:
    case Role::RiRecurringFeeForUsage:
    case Role::RiUnusedAmortizedUpfront:
    case Role::RiUnusedRecurringFee:
    case Role::RiUpfrontValue:
    case Role::RiUnusedNormalizedUnitQuantity:
    case Role::RiUnusedQuantity:
      return row.reservation < 0;
    case Role::SpAmortizedUpfrontCommitment:
    case Role::SpRecurringCommitment:
    case Role::SpEffectiveCost:
    case Role::SpRate:
    case Role::SpTotalCommitment:
    case Role::SpUsedCommitment:
      return !row.savings_plan;
    default:
      return false;
    }
  }

  void write_row(const Row& row) {
    const Product& product = *row.product;
    const ProductProfile& p = *product.profile;
    const Account& account = m_accounts[row.account];
    const Payer& payer = m_payers[account.payer];
    const std::vector<std::string>& static_cells =
        row.thin ? product.thin_cells : product.full_cells;
    bool instance_row = row.type == ItemType::Usage || row.type == ItemType::DiscountedUsage ||
                        row.type == ItemType::SpCoveredUsage;
    bool reserved = row.reservation >= 0;
    std::size_t last = m_columns.size() - 1;
    for (std::size_t c = 0; c <= last; ++c) {
      if (c == last && row.malformation == Malformation::DropColumn)
        break;
      if (c > 0)
        put_char(',');
      const ColumnSpec& column = m_columns[c];
      switch (column.role) {
      case Role::Empty:
        break;
      case Role::ProductStatic:
      case Role::ProductMap:
        put(static_cells[c]);
        break;
      case Role::LineItemId:
        put_line_item_id();
        break;
      case Role::TimeInterval:
        put(m_period.start_plain[static_cast<std::size_t>(row.hour)]);
        put_char('/');
        put(m_period.start_plain[static_cast<std::size_t>(row.monthly ? m_period.hours
                                                                      : row.hour + 1)]);
        break;
      case Role::InvoiceId:
        put(p.service == ProductProfile::Service::Marketplace ? "EUINGB23-0042" : payer.invoice_id);
        break;
      case Role::InvoicingEntity:
        put(payer.legal_entity_cell);
        break;
      case Role::BillingEntity:
        put(p.billing_entity);
        break;
      case Role::BillType:
        put(row.type == ItemType::FeeRi || row.type == ItemType::SpUpfrontFee ? "Purchase"
            : row.type == ItemType::Refund                                    ? "Refund"
                                                                              : "Anniversary");
        break;
      case Role::PayerAccountId:
        put(row.malformation == Malformation::BadPayer ? "12345678901234567890" : payer.id);
        break;
      case Role::PayerAccountName:
        put(payer.name_cell);
        break;
      case Role::PeriodStart:
        if (row.malformation != Malformation::BadPeriodStart)
          put(m_period.start_ms[0]);
        break;
      case Role::PeriodEnd:
        put(m_period.start_ms[static_cast<std::size_t>(m_period.hours)]);
        break;
      case Role::UsageAccountId:
        put(row.malformation == Malformation::BadAccount ? "12345-6789" : account.id);
        break;
      case Role::UsageAccountName:
        put(account.name_cell);
        break;
      case Role::LineItemType:
        put(row.type_name);
        break;
      case Role::UsageStart:
        if (row.malformation == Malformation::BadUsageStart) {
          put(m_period.label);
          put("-32T00:00:00Z");
        } else {
          put_timestamp(row.hour, row.millis);
        }
        break;
      case Role::UsageEnd:
        put_timestamp(row.monthly ? m_period.hours : row.hour + 1, row.millis);
        break;
      case Role::ProductCode:
        put(p.product_code);
        break;
      case Role::UsageType:
        if (!row.thin)
          put(p.usage_type);
        break;
      case Role::Operation:
        if (!row.thin)
          put(p.operation);
        break;
      case Role::AvailabilityZone:
        if (p.has_az && instance_row)
          put(product.region_az[row.variant % 3]);
        break;
      case Role::ResourceId:
        if (instance_row)
          put_resource_id(row);
        break;
      case Role::UsageAmount:
        put_num(row.usage_amount);
        break;
      case Role::NormalizationFactor:
        if (p.normalization_factor > 0 && instance_row)
          put_uint(static_cast<std::uint64_t>(p.normalization_factor));
        break;
      case Role::NormalizedUsageAmount:
        if (p.normalization_factor > 0 && instance_row)
          put_num(scaled(row.usage_amount, p.normalization_factor, 0));
        break;
      case Role::CurrencyCode:
        put(row.malformation == Malformation::BadCurrency ? "usd" : row.currency);
        break;
      case Role::UnblendedRate:
      case Role::NetUnblendedRate:
        if (column.role == Role::UnblendedRate || row.net.present)
          put_num(row.unblended_rate);
        break;
      case Role::UnblendedCost:
        put_cost(row, column.role, row.unblended);
        break;
      case Role::BlendedRate:
        if (row.blended.present)
          put_num(row.unblended_rate);
        break;
      case Role::BlendedCost:
        put_num(row.blended);
        break;
      case Role::NetUnblendedCost:
        put_num(row.net);
        break;
      case Role::Description:
        put_description(row);
        break;
      case Role::TaxType:
        if (row.type == ItemType::Tax)
          put(account.payer % 3 == 1 ? "Canada Tax" : account.payer % 3 == 2 ? "VAT" : "Sales Tax");
        break;
      case Role::LegalEntity:
        put(p.legal_entity.empty() ? payer.legal_entity_cell : product.legal_entity_cell);
        break;
      case Role::PricingLeaseLength:
        if (reserved)
          put("1yr");
        break;
      case Role::PricingOfferingClass:
        if (reserved)
          put(row.reservation == 2 ? "convertible" : "standard");
        break;
      case Role::PricingPurchaseOption:
        if (reserved)
          put("Partial Upfront");
        break;
      case Role::PricingRateCode:
        if (!row.thin) {
          put(p.sku);
          put(reserved ? ".4NA7Y494T4.6QCMYABX3D" : ".JRTCKXETXF.6YS6EN2CT7");
        }
        break;
      case Role::PricingRateId:
        if (!row.thin)
          put(product.rate_id);
        break;
      case Role::PricingCurrency:
        if (!row.thin)
          put(row.currency);
        break;
      case Role::PublicOnDemandCost:
        put_num(row.public_cost);
        break;
      case Role::PublicOnDemandRate:
        if (row.public_cost.present)
          put(p.rate_text);
        break;
      case Role::PricingTerm:
        if (!row.thin)
          put(reserved ? "Reserved" : "OnDemand");
        break;
      case Role::PricingUnit:
        if (!row.thin)
          put(p.unit);
        break;
      case Role::RiAmortizedUpfrontCostForUsage:
        put_cost(row, column.role, row.ri_upfront_for_usage);
        break;
      case Role::RiAmortizedUpfrontFeeForPeriod:
        put_cost(row, column.role, row.ri_upfront_fee_for_period);
        break;
      case Role::RiAvailabilityZone:
        if (reserved && p.has_az)
          put(product.region_az[0]);
        break;
      case Role::RiEffectiveCost:
        put_cost(row, column.role, row.ri_effective);
        break;
      case Role::RiEndTime:
        if (reserved)
          put("2025-01-15T08:00:00.000Z");
        break;
      case Role::RiModificationStatus:
        if (row.type == ItemType::RiFee)
          put("Original");
        break;
      case Role::RiNormalizedUnitsPerReservation:
        if (row.type == ItemType::RiFee)
          put_uint(static_cast<std::uint64_t>(p.normalization_factor) *
                   static_cast<std::uint64_t>(m_period.hours));
        break;
      case Role::RiNumberOfReservations:
        if (row.reservations > 0)
          put_uint(static_cast<std::uint64_t>(row.reservations));
        break;
      case Role::RiRecurringFeeForUsage:
        put_cost(row, column.role, row.ri_recurring_for_usage);
        break;
      case Role::RiArn:
        if (reserved)
          put(account.ri_arn[row.reservation]);
        break;
      case Role::RiStartTime:
        if (reserved)
          put("2024-01-15T08:00:00.000Z");
        break;
      case Role::RiSubscriptionId:
        if (reserved)
          put(account.ri_subscription[row.reservation]);
        break;
      case Role::RiTotalReservedNormalizedUnits:
      case Role::RiTotalReservedUnits:
      case Role::RiUnitsPerReservation:
        if (row.type == ItemType::RiFee)
          put_uint(static_cast<std::uint64_t>(m_period.hours) *
                   static_cast<std::uint64_t>(
                       column.role == Role::RiUnitsPerReservation ? 1 : row.reservations));
        break;
      case Role::RiUnusedAmortizedUpfront:
        put_cost(row, column.role, row.ri_unused_upfront);
        break;
      case Role::RiUnusedNormalizedUnitQuantity:
      case Role::RiUnusedQuantity:
        if (row.type == ItemType::RiFee)
          put_num(row.ri_unused_recurring.present ? num(row.ri_unused_recurring.mantissa % 97, 0)
                                                  : num(0, 0));
        else if (zero_filled(row, column.role))
          put(m_zero);
        break;
      case Role::RiUnusedRecurringFee:
        put_cost(row, column.role, row.ri_unused_recurring);
        break;
      case Role::RiUpfrontValue:
        put_cost(row, column.role, row.ri_upfront_value);
        break;
      case Role::SpAmortizedUpfrontCommitment:
        put_cost(row, column.role, row.sp_upfront);
        break;
      case Role::SpEndTime:
        if (row.savings_plan)
          put("2025-03-01T00:00:00.000Z");
        break;
      case Role::SpInstanceTypeFamily:
        if (row.savings_plan && !p.instance_family.empty())
          put(p.instance_family);
        break;
      case Role::SpOfferingType:
        if (row.savings_plan)
          put("ComputeSavingsPlans");
        break;
      case Role::SpPaymentOption:
        if (row.savings_plan)
          put(row.type == ItemType::SpUpfrontFee ? "All Upfront" : "No Upfront");
        break;
      case Role::SpPurchaseTerm:
        if (row.savings_plan)
          put("1yr");
        break;
      case Role::SpRecurringCommitment:
        put_cost(row, column.role, row.sp_recurring);
        break;
      case Role::SpRegion:
        if (row.savings_plan && !p.region.empty())
          put(p.location);
        break;
      case Role::SpArn:
        if (row.savings_plan)
          put(account.sp_arn);
        break;
      case Role::SpEffectiveCost:
        put_cost(row, column.role, row.sp_effective);
        break;
      case Role::SpRate:
        put_cost(row, column.role, row.sp_rate);
        break;
      case Role::SpStartTime:
        if (row.savings_plan)
          put("2024-03-01T00:00:00.000Z");
        break;
      case Role::SpTotalCommitment:
        put_cost(row, column.role, row.sp_total);
        break;
      case Role::SpUsedCommitment:
        put_cost(row, column.role, row.sp_used);
        break;
      case Role::TagCreatedBy:
      case Role::TagEnvironment:
      case Role::TagName:
      case Role::TagTeam:
      case Role::TagCostCenter:
      case Role::CostCategoryCostCenter:
        put_tag(row, column.role);
        break;
      case Role::MapResourceTags:
      case Role::MapCostCategory:
      case Role::MapDiscount:
      case Role::MapTags:
        put_map(row, column.role);
        break;
      case Role::DiscountBundled:
        if (row.type == ItemType::BundledDiscount)
          put_num(row.unblended);
        break;
      case Role::DiscountTotal:
        if (row.net.present && row.net.mantissa != row.unblended.mantissa)
          put_num(num(row.unblended.mantissa * 95 - row.unblended.mantissa * 100,
                      row.unblended.exponent - 2));
        break;
      }
    }
    if (row.malformation == Malformation::ExtraColumn)
      put(",extra");
    put_char('\n');
  }

  const Options& m_options;
  Rng m_rng;
  const Period& m_period;
  std::vector<ColumnSpec> m_columns;
  std::vector<ProductProfile> m_catalogue;
  std::vector<Product> m_products;
  std::vector<const Product*> m_ec2, m_rds, m_ebs, m_transfer, m_s3, m_lambda, m_cloudwatch;
  const Product* m_marketplace = nullptr;
  const Product* m_support = nullptr;
  const Product* m_savings_plans = nullptr;
  std::vector<Payer> m_payers;
  std::vector<Account> m_accounts;
  std::vector<char> m_out;
  std::size_t m_used = 0;
  const char* m_zero = "0.0";
  std::uint64_t m_malformation_turn = 0;
  std::uint64_t m_malformed = 0;
  std::uint64_t m_decoys = 0;
};

std::string zip_entry_name(const Options& options) {
  if (options.out.empty())
    return "cur.csv";
  std::string name = options.out;
  std::size_t slash = name.rfind('/');
  if (slash != std::string::npos)
    name = name.substr(slash + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".zip") == 0)
    name.resize(name.size() - 4);
  if (name.size() < 4 || name.compare(name.size() - 4, 4, ".csv") != 0)
    name += ".csv";
  return name;
}

} // namespace
} // namespace ec::bench

int main(int argc, char** argv) {
  using namespace ec::bench;
  Options options = parse_options(argc, argv);
  std::FILE* file = stdout;
  if (!options.out.empty()) {
    file = std::fopen(options.out.c_str(), "wb");
    if (file == nullptr) {
      std::fprintf(stderr, "cur_generator: cannot open %s\n", options.out.c_str());
      return 1;
    }
  }
  static char file_buffer[1 << 20];
  std::setvbuf(file, file_buffer, _IOFBF, sizeof file_buffer);

  OutputOptions output_options;
  output_options.container = options.container;
  output_options.level = options.level;
  output_options.zip_entry_name = zip_entry_name(options);
  output_options.dos_date = static_cast<std::uint16_t>(((options.period.year - 1980) << 9) |
                                                       (options.period.month << 5) | 1);
  // Rows average ~1 KiB: past ~2.8M rows the entry may cross 4 GiB, which needs ZIP64.
  output_options.zip64 = options.zip64 || options.rows > 2800000;
  std::unique_ptr<CurOutput> output = make_output(output_options, file);

  auto started = std::chrono::steady_clock::now();
  Generator generator(options);
  bool ok = generator.run(*output);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (file != stdout && std::fclose(file) != 0)
    ok = false;
  if (!ok) {
    std::fprintf(stderr, "cur_generator: %s\n",
                 output->error().empty() ? "write failed" : output->error().c_str());
    return 1;
  }
  std::fprintf(stderr,
               "cur_generator: %s period %s: %llu rows x %zu columns, %llu malformed, %llu decoys; "
               "%llu bytes csv, %llu bytes written; %.2f s, %.0f rows/s, %.1f MB/s csv\n",
               options.shape == Shape::Legacy ? "legacy" : "cur2", options.period.label.c_str(),
               static_cast<unsigned long long>(options.rows), generator.column_count(),
               static_cast<unsigned long long>(generator.malformed()),
               static_cast<unsigned long long>(generator.decoys()),
               static_cast<unsigned long long>(output->bytes_in()),
               static_cast<unsigned long long>(output->bytes_out()), seconds,
               seconds > 0 ? static_cast<double>(options.rows) / seconds : 0.0,
               seconds > 0 ? static_cast<double>(output->bytes_in()) / seconds / 1e6 : 0.0);
  return 0;
}
