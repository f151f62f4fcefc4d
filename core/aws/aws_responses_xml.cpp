// core/aws/aws_responses_xml.cpp - The XML answers: STS AssumeRole and errors, S3 listings and
// errors.
#include "core/aws/aws_responses.h"
#include "core/aws/aws_text.h"
#include "core/aws/xml_reader.h"

namespace ec {

namespace {

Error invalid_at(ErrorText message, std::uint64_t offset, const char* what) {
  return make_error(ErrorCode::InvalidInput, message)
      .with_detail(what)
      .at(ErrorWhere::ByteOffset, offset);
}

/// Reads up to the root element, which must be named `root` (a literal, the detail on error).
Status open_root(XmlReader& reader, const char* root) {
  EC_TRY_ASSIGN(XmlEvent event, reader.next());
  if (event != XmlEvent::StartElement || reader.name() != std::string_view(root))
    return invalid_at("aws: xml root element is not the expected one", reader.event_offset(), root);
  return {};
}

/// After the root element closed: nothing but the end may follow (the reader checks the rest).
Status close_document(XmlReader& reader) {
  EC_TRY_ASSIGN(XmlEvent event, reader.next());
  EC_CHECK(event == XmlEvent::EndOfDocument); // the root closed, so nothing else can come
  return {};
}

/// Calls `visit(name)` for each child element of the element just started; `visit` returns Status
/// and must consume the child (read_text, skip_element, or a nested for_each_child). Text between
/// children (indentation) is ignored.
template <typename Visit> Status for_each_child(XmlReader& reader, Visit&& visit) {
  for (;;) {
    EC_TRY_ASSIGN(XmlEvent event, reader.next());
    switch (event) {
    case XmlEvent::StartElement:
      EC_TRY(visit(reader.name()));
      break;
    case XmlEvent::EndElement:
      return {};
    case XmlEvent::Text:
      break;
    case XmlEvent::EndOfDocument:
      EC_CHECK(false); // cannot come while an element is open
      break;
    }
  }
}

Result<UnixSeconds> read_timestamp(XmlReader& reader, Arena& arena, const char* what) {
  const std::uint64_t offset = reader.event_offset();
  EC_TRY_ASSIGN(std::string_view text, reader.read_text(arena, 64, what));
  Result<UnixSeconds> seconds = parse_timestamp(text);
  if (!seconds.ok())
    return invalid_at("aws: timestamp is malformed", offset, what);
  return seconds.value();
}

Result<std::uint64_t> read_u64(XmlReader& reader, Arena& arena, const char* what) {
  const std::uint64_t offset = reader.event_offset();
  EC_TRY_ASSIGN(std::string_view text, reader.read_text(arena, 32, what));
  Result<std::uint64_t> value = parse_decimal_u64(text);
  if (!value.ok())
    return value.error().with_detail(what).at(ErrorWhere::ByteOffset, offset);
  return value.value();
}

Result<bool> read_bool(XmlReader& reader, Arena& arena, const char* what) {
  const std::uint64_t offset = reader.event_offset();
  EC_TRY_ASSIGN(std::string_view text, reader.read_text(arena, 8, what));
  if (text == "true")
    return true;
  if (text == "false")
    return false;
  return invalid_at("aws: boolean is malformed", offset, what);
}

/// A credential value without surrounding whitespace (AWS's own examples wrap the token in
/// newlines; a newline in a header value would be refused by the signer).
Result<std::string_view> read_credential(XmlReader& reader, Arena& arena, std::size_t max_bytes,
                                         const char* what) {
  const std::uint64_t offset = reader.event_offset();
  // The limit applies to the trimmed value; allow for a little indentation around it.
  EC_TRY_ASSIGN(std::string_view text, reader.read_text(arena, max_bytes + 256, what));
  while (!text.empty() && is_space_byte(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space_byte(text.back()))
    text.remove_suffix(1);
  if (text.size() > max_bytes)
    return make_error(ErrorCode::LimitExceeded, "aws: credential is too long")
        .with_detail(what)
        .at(ErrorWhere::ByteOffset, offset);
  return text;
}

Result<std::string_view> read_field(XmlReader& reader, Arena& arena, const char* what) {
  return reader.read_text(arena, kMaxAwsFieldBytes, what);
}

/// A key-like value (Key, Prefix): read, then percent-decoded when the listing is url-encoded,
/// and held to kMaxS3KeyBytes once decoded.
Result<std::string_view> read_s3_key(XmlReader& reader, Arena& arena, bool url_encoded,
                                     const char* what) {
  const std::uint64_t offset = reader.event_offset();
  // Encoded, a key can be three times its decoded size.
  EC_TRY_ASSIGN(std::string_view text, reader.read_text(arena, 3 * kMaxS3KeyBytes, what));
  if (url_encoded) {
    Result<std::string_view> decoded = percent_decode_plus(text, arena);
    if (!decoded.ok())
      return decoded.error().with_detail(what).at(ErrorWhere::ByteOffset, offset);
    text = decoded.value();
  }
  if (text.size() > kMaxS3KeyBytes)
    return make_error(ErrorCode::LimitExceeded, "aws: s3 key is too long")
        .with_detail(what)
        .at(ErrorWhere::ByteOffset, offset);
  return text;
}

} // namespace

Result<AssumedRoleCredentials> parse_assume_role_response(std::string_view body, Arena& arena) {
  XmlReader reader(body);
  EC_TRY(open_root(reader, "AssumeRoleResponse"));
  const std::uint64_t root_offset = reader.event_offset();
  AssumedRoleCredentials out;
  bool have_expiration = false;
  const auto credentials = [&](std::string_view name) -> Status {
    if (name == "AccessKeyId")
      EC_TRY_SET(out.access_key_id,
                 read_credential(reader, arena, kMaxAccessKeyIdBytes, "AccessKeyId"));
    else if (name == "SecretAccessKey")
      EC_TRY_SET(out.secret_access_key,
                 read_credential(reader, arena, kMaxSecretKeyBytes, "SecretAccessKey"));
    else if (name == "SessionToken")
      EC_TRY_SET(out.session_token,
                 read_credential(reader, arena, kMaxSessionTokenBytes, "SessionToken"));
    else if (name == "Expiration") {
      EC_TRY_SET(out.expiration, read_timestamp(reader, arena, "Expiration"));
      have_expiration = true;
    } else
      EC_TRY(reader.skip_element());
    return {};
  };
  const auto user = [&](std::string_view name) -> Status {
    if (name == "Arn")
      EC_TRY_SET(out.assumed_role_arn, read_field(reader, arena, "Arn"));
    else
      EC_TRY(reader.skip_element());
    return {};
  };
  const auto result = [&](std::string_view name) -> Status {
    if (name == "Credentials")
      return for_each_child(reader, credentials);
    if (name == "AssumedRoleUser")
      return for_each_child(reader, user);
    return reader.skip_element();
  };
  const auto root_child = [&](std::string_view name) -> Status {
    if (name == "AssumeRoleResult")
      return for_each_child(reader, result);
    return reader.skip_element();
  };
  EC_TRY(for_each_child(reader, root_child));
  EC_TRY(close_document(reader));
  if (out.access_key_id.empty())
    return invalid_at("aws: required field is missing", root_offset, "AccessKeyId");
  if (out.secret_access_key.empty())
    return invalid_at("aws: required field is missing", root_offset, "SecretAccessKey");
  if (out.session_token.empty())
    return invalid_at("aws: required field is missing", root_offset, "SessionToken");
  if (!have_expiration)
    return invalid_at("aws: required field is missing", root_offset, "Expiration");
  return out;
}

Result<StsError> parse_sts_error(std::string_view body, Arena& arena) {
  XmlReader reader(body);
  EC_TRY(open_root(reader, "ErrorResponse"));
  StsError out;
  const auto error = [&](std::string_view name) -> Status {
    if (name == "Type")
      EC_TRY_SET(out.type, read_field(reader, arena, "Type"));
    else if (name == "Code")
      EC_TRY_SET(out.code, read_field(reader, arena, "Code"));
    else if (name == "Message")
      EC_TRY_SET(out.message, reader.read_text(arena, kMaxAwsMessageBytes, "Message"));
    else
      EC_TRY(reader.skip_element());
    return {};
  };
  const auto root_child = [&](std::string_view name) -> Status {
    if (name == "Error")
      return for_each_child(reader, error);
    if (name == "RequestId") {
      EC_TRY_SET(out.request_id, read_field(reader, arena, "RequestId"));
      return {};
    }
    return reader.skip_element();
  };
  EC_TRY(for_each_child(reader, root_child));
  EC_TRY(close_document(reader));
  return out;
}

Result<S3ListPage> parse_list_objects_v2(std::string_view body, Arena& arena) {
  XmlReader reader(body);
  EC_TRY(open_root(reader, "ListBucketResult"));
  const std::uint64_t root_offset = reader.event_offset();

  // Look ahead once: list sizes, and whether keys are url-encoded (EncodingType may come after
  // the first keys). This pass also checks the whole document.
  std::size_t object_count = 0;
  std::size_t prefix_count = 0;
  bool url_encoded = false;
  {
    XmlReader ahead = reader;
    const auto lookahead_child = [&](std::string_view name) -> Status {
      if (name == "Contents")
        ++object_count;
      else if (name == "CommonPrefixes")
        ++prefix_count;
      else if (name == "EncodingType") {
        EC_TRY_ASSIGN(std::string_view type, read_field(ahead, arena, "EncodingType"));
        url_encoded = type == "url";
        return {};
      }
      return ahead.skip_element();
    };
    EC_TRY(for_each_child(ahead, lookahead_child));
  }
  if (object_count > kMaxS3ListKeys)
    return make_error(ErrorCode::LimitExceeded, "aws: list has too many items")
        .with_detail("Contents")
        .at(ErrorWhere::ByteOffset, root_offset);
  if (prefix_count > kMaxS3ListKeys)
    return make_error(ErrorCode::LimitExceeded, "aws: list has too many items")
        .with_detail("CommonPrefixes")
        .at(ErrorWhere::ByteOffset, root_offset);
  S3Object* objects = nullptr;
  std::string_view* prefixes = nullptr;
  if (object_count > 0)
    EC_TRY_SET(objects, arena.try_allocate_array<S3Object>(object_count, "s3 listing"));
  if (prefix_count > 0)
    EC_TRY_SET(prefixes, arena.try_allocate_array<std::string_view>(prefix_count, "s3 listing"));

  S3ListPage out;
  out.url_encoded = url_encoded;
  std::size_t objects_read = 0;
  std::size_t prefixes_read = 0;
  std::uint64_t truncated_offset = root_offset;
  const auto contents = [&](S3Object& object, std::uint64_t offset) -> Status {
    bool have_key = false;
    bool have_size = false;
    const auto object_child = [&](std::string_view name) -> Status {
      if (name == "Key") {
        EC_TRY_SET(object.key, read_s3_key(reader, arena, url_encoded, "Key"));
        have_key = true;
      } else if (name == "Size") {
        EC_TRY_SET(object.size_bytes, read_u64(reader, arena, "Size"));
        have_size = true;
      } else if (name == "ETag")
        EC_TRY_SET(object.etag, read_field(reader, arena, "ETag"));
      else if (name == "LastModified")
        EC_TRY_SET(object.last_modified, read_timestamp(reader, arena, "LastModified"));
      else
        EC_TRY(reader.skip_element());
      return {};
    };
    EC_TRY(for_each_child(reader, object_child));
    if (!have_key)
      return invalid_at("aws: required field is missing", offset, "Key");
    if (!have_size)
      return invalid_at("aws: required field is missing", offset, "Size");
    return {};
  };
  const auto common_prefix = [&](std::string_view& prefix) -> Status {
    return for_each_child(reader, [&](std::string_view name) -> Status {
      if (name == "Prefix")
        EC_TRY_SET(prefix, read_s3_key(reader, arena, url_encoded, "Prefix"));
      else
        EC_TRY(reader.skip_element());
      return {};
    });
  };
  const auto root_child = [&](std::string_view name) -> Status {
    if (name == "Contents") {
      EC_CHECK(objects_read < object_count);
      return contents(objects[objects_read++], reader.event_offset());
    }
    if (name == "CommonPrefixes") {
      EC_CHECK(prefixes_read < prefix_count);
      return common_prefix(prefixes[prefixes_read++]);
    }
    if (name == "Name")
      EC_TRY_SET(out.bucket, read_field(reader, arena, "Name"));
    else if (name == "Prefix")
      EC_TRY_SET(out.prefix, read_s3_key(reader, arena, url_encoded, "Prefix"));
    else if (name == "IsTruncated") {
      truncated_offset = reader.event_offset();
      EC_TRY_SET(out.is_truncated, read_bool(reader, arena, "IsTruncated"));
    } else if (name == "NextContinuationToken")
      EC_TRY_SET(out.next_continuation_token,
                 reader.read_text(arena, kMaxPageTokenBytes, "NextContinuationToken"));
    else if (name == "KeyCount")
      EC_TRY_SET(out.key_count, read_u64(reader, arena, "KeyCount"));
    else
      EC_TRY(reader.skip_element());
    return {};
  };
  EC_TRY(for_each_child(reader, root_child));
  EC_TRY(close_document(reader));
  if (out.is_truncated && out.next_continuation_token.empty())
    return invalid_at("aws: s3 listing is truncated without a continuation token", truncated_offset,
                      "NextContinuationToken");
  out.objects = std::span<const S3Object>(objects, object_count);
  out.common_prefixes = std::span<const std::string_view>(prefixes, prefix_count);
  return out;
}

Result<S3Error> parse_s3_error(std::string_view body, Arena& arena) {
  XmlReader reader(body);
  EC_TRY(open_root(reader, "Error"));
  S3Error out;
  const auto root_child = [&](std::string_view name) -> Status {
    if (name == "Code")
      EC_TRY_SET(out.code, read_field(reader, arena, "Code"));
    else if (name == "Message")
      EC_TRY_SET(out.message, reader.read_text(arena, kMaxAwsMessageBytes, "Message"));
    else if (name == "RequestId")
      EC_TRY_SET(out.request_id, read_field(reader, arena, "RequestId"));
    else if (name == "HostId")
      EC_TRY_SET(out.host_id, read_field(reader, arena, "HostId"));
    else if (name == "Region")
      EC_TRY_SET(out.region, read_field(reader, arena, "Region"));
    else if (name == "Endpoint")
      EC_TRY_SET(out.endpoint, read_field(reader, arena, "Endpoint"));
    else if (name == "Bucket" || name == "BucketName")
      EC_TRY_SET(out.bucket, read_field(reader, arena, "Bucket"));
    else if (name == "ServerTime")
      EC_TRY_SET(out.server_time, read_timestamp(reader, arena, "ServerTime"));
    else
      EC_TRY(reader.skip_element());
    return {};
  };
  EC_TRY(for_each_child(reader, root_child));
  EC_TRY(close_document(reader));
  return out;
}

} // namespace ec
