// core/aws/cur_manifest.cpp - The CUR manifest parser and the report key layouts.
#include "core/aws/cur_manifest.h"

#include "core/aws/aws_responses.h"
#include "core/aws/aws_text.h"
#include "core/aws/json_fields.h"
#include "core/aws/json_reader.h"

namespace ec {

namespace jf = json_fields;

namespace {

Result<std::string_view> field(JsonReader& reader, Arena& arena, const char* what) {
  return jf::text(reader, arena, kMaxManifestFieldBytes, what);
}

/// An identifier that a variant might write as a number (an account id): string, number or null.
Result<std::string_view> id_field(JsonReader& reader, Arena& arena, const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind == JsonKind::Number)
    return reader.read_number(what);
  return field(reader, arena, what);
}

Result<UnixSeconds> timestamp_field(JsonReader& reader, Arena& arena, const char* what) {
  EC_TRY(reader.peek()); // past whitespace, so the offset is the value's
  const std::uint64_t offset = reader.offset();
  EC_TRY_ASSIGN(std::string_view text, reader.read_string(arena, 64, what));
  Result<UnixSeconds> seconds = parse_timestamp(text);
  if (!seconds.ok())
    return jf::invalid_at("aws: timestamp is malformed", offset, what);
  return seconds.value();
}

/// The first instant of the UTC month after the one holding `seconds`.
UnixSeconds next_month_start(UnixSeconds seconds) {
  const CivilTime month = civil_from_seconds(seconds);
  CivilTime next;
  next.year = month.month == 12 ? month.year + 1 : month.year;
  next.month = month.month == 12 ? 1 : month.month + 1;
  return seconds_from_civil(next);
}

/// billingPeriod {start, end}. CUR 2.0's manifest is not documented (CUR-FORMATS.md section 2)
/// and some omit `end`, or the whole object: a missing `end` is the next month's start (billing
/// periods are calendar months), a missing `start` leaves the period to the key. What is there
/// must still make sense: a malformed timestamp or an end before the start is an error.
Result<std::optional<BillingPeriod>> billing_period(JsonReader& reader, Arena& arena) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind == JsonKind::Null) {
    EC_TRY(reader.read_null("billingPeriod"));
    return std::optional<BillingPeriod>();
  }
  const std::uint64_t offset = reader.offset();
  std::optional<UnixSeconds> start;
  std::optional<UnixSeconds> end;
  const auto bound = [&](std::optional<UnixSeconds>& out, const char* what) -> Status {
    EC_TRY_ASSIGN(JsonKind bound_kind, reader.peek());
    if (bound_kind == JsonKind::Null)
      return reader.read_null(what);
    EC_TRY_SET(out, timestamp_field(reader, arena, what));
    return {};
  };
  const auto period_member = [&](std::string_view key) -> Status {
    if (key == "start")
      return bound(start, "billingPeriod.start");
    if (key == "end")
      return bound(end, "billingPeriod.end");
    return reader.skip_value();
  };
  EC_TRY(jf::for_each_member(reader, "billingPeriod", period_member));
  if (!start)
    return std::optional<BillingPeriod>();
  const BillingPeriod period{*start, end ? *end : next_month_start(*start)};
  if (period.end <= period.start)
    return jf::invalid_at("aws: billing period ends before it starts", offset, "billingPeriod");
  return std::optional<BillingPeriod>(period);
}

Status column(JsonReader& reader, Arena& arena, ManifestColumn& out) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  const std::uint64_t offset = reader.offset();
  if (kind == JsonKind::String) {
    EC_TRY_SET(out.name, reader.read_string(arena, kMaxManifestFieldBytes, "columns.name"));
  } else {
    const auto column_member = [&](std::string_view key) -> Status {
      if (key == "category")
        EC_TRY_SET(out.category, field(reader, arena, "columns.category"));
      else if (key == "name")
        EC_TRY_SET(out.name, field(reader, arena, "columns.name"));
      else
        EC_TRY(reader.skip_value());
      return {};
    };
    EC_TRY(jf::for_each_member(reader, "columns", column_member));
  }
  if (out.name.empty())
    return jf::missing("columns.name", offset);
  return {};
}

Status artifact(JsonReader& reader, Arena& arena, ManifestArtifact& out) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind == JsonKind::String) {
    EC_TRY_SET(out.key, reader.read_string(arena, kMaxS3KeyBytes, "additionalArtifactKeys"));
    return {};
  }
  return jf::for_each_member(reader, "additionalArtifactKeys", [&](std::string_view key) -> Status {
    if (key == "artifactType")
      EC_TRY_SET(out.type, field(reader, arena, "additionalArtifactKeys.artifactType"));
    else if (key == "name")
      EC_TRY_SET(out.key, jf::text(reader, arena, kMaxS3KeyBytes, "additionalArtifactKeys.name"));
    else
      EC_TRY(reader.skip_value());
    return {};
  });
}

bool all_digits(std::string_view text) {
  for (char c : text)
    if (c < '0' || c > '9')
      return false;
  return !text.empty();
}

/// "YYYYMMDD" as the start of that UTC day, checked as a real date.
std::optional<UnixSeconds> compact_date(std::string_view text) {
  if (text.size() != 8 || !all_digits(text))
    return std::nullopt;
  char iso[10] = {text[0], text[1], text[2], text[3], '-', text[4], text[5], '-', text[6], text[7]};
  Result<UnixSeconds> seconds = parse_timestamp(std::string_view(iso, sizeof iso));
  if (!seconds.ok())
    return std::nullopt;
  return seconds.value();
}

/// "20240301-20240401".
std::optional<BillingPeriod> legacy_range(std::string_view text) {
  if (text.size() != 17 || text[8] != '-')
    return std::nullopt;
  const std::optional<UnixSeconds> start = compact_date(text.substr(0, 8));
  const std::optional<UnixSeconds> end = compact_date(text.substr(9));
  if (!start || !end || *end <= *start)
    return std::nullopt;
  return BillingPeriod{*start, *end};
}

/// "BILLING_PERIOD=2024-03".
std::optional<BillingPeriod> cur2_period(std::string_view text) {
  constexpr std::string_view kName = "BILLING_PERIOD=";
  if (text.size() != kName.size() + 7 || text.substr(0, kName.size()) != kName)
    return std::nullopt;
  const std::string_view month_text = text.substr(kName.size());
  if (month_text[4] != '-' || !all_digits(month_text.substr(0, 4)) ||
      !all_digits(month_text.substr(5)))
    return std::nullopt;
  CivilTime first;
  first.year = (month_text[0] - '0') * 1000 + (month_text[1] - '0') * 100 +
               (month_text[2] - '0') * 10 + (month_text[3] - '0');
  first.month = (month_text[5] - '0') * 10 + (month_text[6] - '0');
  if (first.month < 1 || first.month > 12)
    return std::nullopt;
  CivilTime next = first;
  if (++next.month > 12) {
    next.month = 1;
    ++next.year;
  }
  return BillingPeriod{seconds_from_civil(first), seconds_from_civil(next)};
}

CurObjectKind object_kind(std::string_view file_name) {
  if (file_name.ends_with("-Manifest.json"))
    return CurObjectKind::Manifest;
  for (std::string_view suffix : {".csv", ".gz", ".zip", ".parquet"})
    if (file_name.ends_with(suffix))
      return CurObjectKind::DataFile;
  return CurObjectKind::Other;
}

} // namespace

Result<S3Location> parse_s3_url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme)
    return make_error(ErrorCode::InvalidInput, "aws: not an s3:// url");
  const std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
    return make_error(ErrorCode::InvalidInput, "aws: not an s3:// url");
  return S3Location{rest.substr(0, slash), rest.substr(slash + 1)};
}

namespace {

/// Both parse_cur_manifest forms: with `key_period`, the manifest's billingPeriod is not read.
Result<CurManifest> parse_manifest(std::string_view body, Arena& arena,
                                   const BillingPeriod* key_period) {
  JsonReader reader(body);
  CurManifest out;
  std::string_view export_name;
  std::span<S3Location> report_keys;
  std::span<S3Location> data_files;
  bool have_report_keys = false;
  bool have_data_files = false;

  const auto report_key = [&](S3Location& item) -> Status {
    EC_TRY_SET(item.key, reader.read_string(arena, kMaxS3KeyBytes, "reportKeys"));
    return {};
  };
  // An s3:// URL: the key plus "s3://", the bucket (at most 63) and a '/'.
  constexpr std::size_t kMaxUrlBytes = kMaxS3KeyBytes + 5 + 63 + 1;
  const auto s3_url = [&](S3Location& item, const char* what) -> Status {
    EC_TRY(reader.peek()); // past whitespace, so the offset is the value's
    const std::uint64_t offset = reader.offset();
    EC_TRY_ASSIGN(std::string_view url, reader.read_string(arena, kMaxUrlBytes, what));
    Result<S3Location> location = parse_s3_url(url);
    if (!location.ok())
      return location.error().with_detail(what).at(ErrorWhere::ByteOffset, offset);
    item = location.value();
    return {};
  };
  // Third-party readers take dataFiles entries as URL strings; an entry written as an object
  // with the URL in "path" is read too (unverified either way: CUR-FORMATS.md section 2).
  const auto data_file = [&](S3Location& item) -> Status {
    EC_TRY_ASSIGN(JsonKind kind, reader.peek());
    if (kind != JsonKind::Object)
      return s3_url(item, "dataFiles");
    const std::uint64_t offset = reader.offset();
    bool have_path = false;
    EC_TRY(jf::for_each_member(reader, "dataFiles", [&](std::string_view key) -> Status {
      if (key != "path")
        return reader.skip_value();
      have_path = true;
      return s3_url(item, "dataFiles.path");
    }));
    if (!have_path)
      return jf::missing("dataFiles.path", offset);
    return {};
  };

  EC_TRY_ASSIGN(JsonKind root, reader.peek());
  if (root != JsonKind::Object)
    return jf::invalid_at("aws: json response is not an object", reader.offset(), "manifest");
  const auto manifest_member = [&](std::string_view key) -> Status {
    if (key == "assemblyId")
      EC_TRY_SET(out.assembly_id, id_field(reader, arena, "assemblyId"));
    else if (key == "executionId")
      EC_TRY_SET(out.execution_id, id_field(reader, arena, "executionId"));
    else if (key == "account")
      EC_TRY_SET(out.account, id_field(reader, arena, "account"));
    else if (key == "reportId")
      EC_TRY_SET(out.report_id, id_field(reader, arena, "reportId"));
    else if (key == "reportName")
      EC_TRY_SET(out.report_name, field(reader, arena, "reportName"));
    else if (key == "exportName")
      EC_TRY_SET(export_name, field(reader, arena, "exportName"));
    else if (key == "bucket")
      EC_TRY_SET(out.bucket, field(reader, arena, "bucket"));
    else if (key == "charset")
      EC_TRY_SET(out.charset, field(reader, arena, "charset"));
    else if (key == "compression")
      EC_TRY_SET(out.compression, field(reader, arena, "compression"));
    else if (key == "contentType")
      EC_TRY_SET(out.content_type, field(reader, arena, "contentType"));
    else if (key == "billingPeriod" && !key_period)
      EC_TRY_SET(out.billing_period, billing_period(reader, arena));
    else if (key == "columns")
      EC_TRY_SET(out.columns, jf::list<ManifestColumn>(reader, arena, kMaxManifestColumns,
                                                       "columns", [&](ManifestColumn& item) {
                                                         return column(reader, arena, item);
                                                       }));
    else if (key == "reportKeys") {
      EC_TRY_ASSIGN(JsonKind kind, reader.peek());
      have_report_keys = have_report_keys || kind != JsonKind::Null;
      EC_TRY_SET(report_keys, jf::list<S3Location>(reader, arena, kMaxManifestDataFiles,
                                                   "reportKeys", report_key));
    } else if (key == "dataFiles") {
      EC_TRY_ASSIGN(JsonKind kind, reader.peek());
      have_data_files = have_data_files || kind != JsonKind::Null;
      EC_TRY_SET(data_files, jf::list<S3Location>(reader, arena, kMaxManifestDataFiles, "dataFiles",
                                                  data_file));
    } else if (key == "additionalArtifactKeys")
      EC_TRY_SET(out.artifacts,
                 jf::list<ManifestArtifact>(
                     reader, arena, kMaxManifestArtifacts, "additionalArtifactKeys",
                     [&](ManifestArtifact& item) { return artifact(reader, arena, item); }));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  EC_TRY(jf::for_each_member(reader, "manifest", manifest_member));
  EC_TRY(reader.finish());

  if (out.report_name.empty())
    out.report_name = export_name;
  if (have_data_files) {
    out.data_files = data_files;
  } else if (have_report_keys) {
    // reportKeys are keys in the manifest's bucket, which may come after them in the document.
    for (S3Location& location : report_keys)
      location.bucket = out.bucket;
    out.data_files = report_keys;
  } else {
    return jf::missing("reportKeys", 0);
  }
  if (key_period)
    out.billing_period = *key_period;
  return out;
}

} // namespace

Result<CurManifest> parse_cur_manifest(std::string_view body, Arena& arena) {
  return parse_manifest(body, arena, nullptr);
}

Result<CurManifest> parse_cur_manifest(std::string_view body, std::string_view manifest_key,
                                       Arena& arena) {
  // The key wins over the manifest's billingPeriod, which is then not even read: the key layout
  // is AWS's documented one while CUR 2.0's manifest fields are not (CUR-FORMATS.md section 2),
  // and the key is what a sync lists, dedupes and replaces periods by, so taking the period from
  // anywhere else could file one period's rows under another. An error on disagreement would
  // stop every period again on a field edgecur cannot verify, which is how issue 11 began.
  Result<CurKeyParts> key = parse_cur_key(manifest_key);
  if (key.ok())
    return parse_manifest(body, arena, &key.value().period);
  EC_TRY_ASSIGN(CurManifest manifest, parse_manifest(body, arena, nullptr));
  if (!manifest.billing_period)
    return make_error(ErrorCode::InvalidInput, "aws: manifest and its key give no billing period")
        .with_detail("BILLING_PERIOD=YYYY-MM in the key or billingPeriod.start");
  return manifest;
}

Result<CurKeyParts> parse_cur_key(std::string_view key) {
  const Error not_cur =
      make_error(ErrorCode::InvalidInput, "aws: key is not in a cur report layout");
  const std::size_t last_slash = key.rfind('/');
  if (last_slash == std::string_view::npos || last_slash + 1 == key.size())
    return not_cur;

  // The (at most five) folders above the file, nearest first.
  struct Segment {
    std::string_view text;
    std::size_t begin = 0;
  };
  Segment segments[5];
  std::size_t count = 0;
  for (std::size_t end = last_slash; count < 5;) {
    const std::size_t slash = end == 0 ? std::string_view::npos : key.rfind('/', end - 1);
    const std::size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
    segments[count++] = {key.substr(begin, end - begin), begin};
    if (slash == std::string_view::npos)
      break;
    end = slash;
  }
  const auto prefix_before = [&](const Segment& segment) {
    return segment.begin == 0 ? std::string_view() : key.substr(0, segment.begin - 1);
  };

  CurKeyParts parts;
  parts.file_name = key.substr(last_slash + 1);
  parts.kind = object_kind(parts.file_name);
  for (std::size_t folders = 0; folders < 2; ++folders) {
    // Legacy: [folder] <- range <- name.
    if (count > folders + 1) {
      if (std::optional<BillingPeriod> period = legacy_range(segments[folders].text)) {
        const Segment& name = segments[folders + 1];
        if (name.text.empty() || (folders == 1 && segments[0].text.empty()))
          return not_cur;
        parts.layout = CurLayout::Legacy;
        parts.period = *period;
        parts.period_text = segments[folders].text;
        parts.delivery_folder = folders == 1 ? segments[0].text : std::string_view();
        parts.report_name = name.text;
        parts.prefix = prefix_before(name);
        return parts;
      }
    }
    // CUR 2.0: [folder] <- BILLING_PERIOD=YYYY-MM <- data|metadata <- export.
    if (count > folders + 2) {
      if (std::optional<BillingPeriod> period = cur2_period(segments[folders].text)) {
        const std::string_view area = segments[folders + 1].text;
        const Segment& name = segments[folders + 2];
        if ((area != "data" && area != "metadata") || name.text.empty() ||
            (folders == 1 && segments[0].text.empty()))
          return not_cur;
        parts.layout = CurLayout::Cur2;
        parts.period = *period;
        parts.period_text = segments[folders].text;
        parts.area = area;
        parts.delivery_folder = folders == 1 ? segments[0].text : std::string_view();
        parts.report_name = name.text;
        parts.prefix = prefix_before(name);
        return parts;
      }
    }
  }
  return not_cur;
}

} // namespace ec
