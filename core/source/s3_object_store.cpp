// core/source/s3_object_store.cpp - S3ObjectStore: ListObjectsV2 pages, small GETs, ranged GETs.
#include "core/source/s3_object_store.h"

#include "core/aws/aws_responses.h"
#include "core/base/text_builder.h"

#include <cstdio>
#include <cstring>

namespace ec {
namespace {

// "bytes first-last/total" -> first and total; false when it is not that shape.
bool parse_content_range(std::string_view value, std::uint64_t& first, std::uint64_t& total) {
  constexpr std::string_view kUnit = "bytes ";
  if (value.substr(0, kUnit.size()) != kUnit)
    return false;
  value.remove_prefix(kUnit.size());
  auto number = [&](std::uint64_t& out, char end) {
    std::size_t digits = 0;
    out = 0;
    while (!value.empty() && value.front() >= '0' && value.front() <= '9' && digits < 19) {
      out = out * 10 + static_cast<std::uint64_t>(value.front() - '0');
      value.remove_prefix(1);
      ++digits;
    }
    if (digits == 0)
      return false;
    if (end == '\0')
      return value.empty();
    if (value.empty() || value.front() != end)
      return false;
    value.remove_prefix(1);
    return true;
  };
  std::uint64_t last = 0;
  return number(first, '-') && number(last, '/') && number(total, '\0') && last >= first &&
         last < total;
}

void copy_etag(std::string_view etag, ObjectVersion& version) {
  std::size_t size = etag.size() < sizeof version.etag ? etag.size() : sizeof version.etag;
  if (size > 0)
    std::memcpy(version.etag, etag.data(), size);
  version.etag_size = size;
}

} // namespace

Status S3ObjectStore::init(AwsCaller& caller, CredentialSource& credentials,
                           const Endpoint& endpoint, std::string_view region,
                           std::uint32_t chunk_bytes, Arena& arena) {
  if (chunk_bytes == 0)
    return make_error(ErrorCode::InvalidArgument, "s3: chunk size is zero");
  m_caller = &caller;
  m_credentials = &credentials;
  m_endpoint = &endpoint;
  m_region = region;
  m_chunk_bytes = chunk_bytes;
  m_arena = &arena;
  constexpr std::size_t kPageBytes = 160 * 1024;
  auto page = arena.try_allocate_array<std::uint8_t>(kPageBytes, "s3 listing page");
  if (!page.ok())
    return page.error();
  m_page = MutableBytes(page.value(), kPageBytes);
  m_parse_mark = arena.mark();
  return {};
}

Status S3ObjectStore::object_path(std::string_view key) {
  TextBuilder path(std::span<char>(m_path, sizeof m_path));
  path.append('/');
  uri_encode(key, Slash::Keep, path);
  if (path.overflowed())
    return make_error(ErrorCode::LimitExceeded, "s3: object key too long");
  m_path_size = path.size();
  return {};
}

Error S3ObjectStore::reply_error(const AwsReply& reply, const char* operation) {
  m_last_status = reply.response.status;
  std::string_view code = reply.error.code;
  m_code_size = code.size() < sizeof m_code ? code.size() : sizeof m_code;
  if (m_code_size > 0)
    std::memcpy(m_code, code.data(), m_code_size);
  Error error;
  switch (reply.outcome) {
  case Outcome::Auth:
    error = make_error(ErrorCode::Permission, "s3: access denied");
    break;
  case Outcome::NotFound:
    error = make_error(ErrorCode::NotFound, "s3: not found");
    break;
  case Outcome::Throttled:
    error = make_error(ErrorCode::Io, "s3: still throttled after every retry");
    break;
  case Outcome::Retry:
    error = make_error(ErrorCode::Io, "s3: server error after every retry");
    break;
  case Outcome::ClockSkew:
    error = make_error(ErrorCode::Permission, "s3: request time refused (device clock)");
    break;
  case Outcome::Success:
  case Outcome::Fatal:
    error = make_error(ErrorCode::InvalidInput, "s3: request refused");
    break;
  }
  error.lib = ErrorLib::None;
  error.lib_code = reply.response.status;
  return error.with_detail(operation);
}

Status S3ObjectStore::list(std::string_view prefix, ObjectVisitor& visitor) {
  std::size_t token_size = 0;
  for (std::uint32_t page_index = 0;; ++page_index) {
    if (page_index == kMaxListPages)
      return make_error(ErrorCode::LimitExceeded, "s3: listing has too many pages");
    char max_keys[16];
    std::snprintf(max_keys, sizeof max_keys, "%u", kS3ListPageKeys);
    QueryParameter query[5] = {{"list-type", "2"},
                               {"encoding-type", "url"},
                               {"max-keys", max_keys},
                               {"prefix", prefix},
                               {"continuation-token", std::string_view(m_token, token_size)}};
    AwsCall call;
    call.method = HttpMethod::Get;
    call.endpoint = m_endpoint;
    call.query = std::span<const QueryParameter>(query, token_size > 0 ? 5 : 4);
    call.service = "s3";
    call.region = m_region;
    call.operation = "s3 ListObjectsV2";
    auto reply = m_caller->call(call, *m_credentials, m_page);
    if (!reply.ok())
      return reply.error();
    if (reply.value().outcome != Outcome::Success)
      return reply_error(reply.value(), "ListObjectsV2");
    Bytes body = reply.value().response.body;
    m_arena->rewind(m_parse_mark);
    auto parsed = parse_list_objects_v2(
        std::string_view(reinterpret_cast<const char*>(body.data()), body.size()), *m_arena);
    if (!parsed.ok())
      return parsed.error();
    const S3ListPage& page = parsed.value();
    for (const S3Object& object : page.objects) {
      ObjectEntry entry{object.key, object.etag, object.size_bytes};
      EC_TRY(visitor.on_object(entry));
    }
    if (!page.is_truncated)
      break;
    std::string_view next = page.next_continuation_token;
    if (next.size() > sizeof m_token)
      return make_error(ErrorCode::LimitExceeded, "s3: continuation token too long");
    std::memcpy(m_token, next.data(), next.size());
    token_size = next.size();
  }
  m_arena->rewind(m_parse_mark);
  return {};
}

Result<Bytes> S3ObjectStore::read_small(std::string_view key, MutableBytes buffer,
                                        ObjectVersion& version) {
  EC_TRY(object_path(key));
  AwsCall call;
  call.method = HttpMethod::Get;
  call.endpoint = m_endpoint;
  call.path = std::string_view(m_path, m_path_size);
  call.service = "s3";
  call.region = m_region;
  call.operation = "s3 GetObject";
  auto reply = m_caller->call(call, *m_credentials, buffer);
  if (!reply.ok())
    return reply.error();
  if (reply.value().outcome != Outcome::Success)
    return reply_error(reply.value(), "GetObject");
  copy_etag(reply.value().response.headers.etag(), version);
  version.size = reply.value().response.body.size();
  return reply.value().response.body;
}

Status S3ObjectStore::stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                             StreamObserver* observer) {
  EC_TRY(object_path(key));
  version.etag_size = 0;
  version.size = 0;
  // HEAD first: the ETag and size before any byte is read, so every GET (the first one too)
  // carries If-Match, and a read cut before its headers arrived still resumes on the version
  // whose first bytes the engine already has.
  AwsCall head;
  head.method = HttpMethod::Head;
  head.endpoint = m_endpoint;
  head.path = std::string_view(m_path, m_path_size);
  head.service = "s3";
  head.region = m_region;
  head.operation = "s3 HeadObject";
  std::uint8_t nothing[1];
  auto headed = m_caller->call(head, *m_credentials, MutableBytes(nothing, 0));
  if (!headed.ok())
    return headed.error();
  if (headed.value().outcome != Outcome::Success)
    return reply_error(headed.value(), "HeadObject");
  std::string_view etag = headed.value().response.headers.etag();
  auto length = headed.value().response.headers.content_length();
  if (etag.empty() || etag.size() > kMaxObjectETagBytes || !length)
    return make_error(ErrorCode::InvalidInput, "s3: object has no usable etag or length");
  copy_etag(etag, version);
  const std::uint64_t total = *length;
  version.size = total;
  const std::string_view if_match = version.etag_view();

  CountingSink counted(sink);
  std::uint32_t stalled = 0;
  char range[64];
  while (counted.bytes() < total) {
    std::uint64_t offset = counted.bytes();
    // Reads end on the chunk grid: a read resumed at byte N of a chunk asks only for the rest of
    // that chunk, so every chunk boundary is where it would have been without the cut.
    std::uint64_t last = offset - offset % m_chunk_bytes + m_chunk_bytes - 1;
    if (last >= total)
      last = total - 1;
    std::snprintf(range, sizeof range, "bytes=%llu-%llu", static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(last));
    HttpHeader headers[2] = {{"Range", range}, {"If-Match", if_match}};
    AwsCall call;
    call.method = HttpMethod::Get;
    call.endpoint = m_endpoint;
    call.path = std::string_view(m_path, m_path_size);
    call.headers = headers;
    call.service = "s3";
    call.region = m_region;
    call.operation = "s3 GetObject";
    ++m_range_requests;
    auto reply = m_caller->call(call, *m_credentials, counted);
    if (!reply.ok()) {
      const Error& error = reply.error();
      // A transfer cut after some bytes: resume at the exact byte reached, if it moved on.
      bool cut = error.code == ErrorCode::Network;
      if (!cut)
        return error;
      stalled = counted.bytes() > offset ? 0 : stalled + 1;
      if (stalled > kMaxStalledResumes)
        return error;
      ++m_resumes;
      continue;
    }
    const AwsReply& answer = reply.value();
    if (answer.response.status == 412)
      return kObjectReplaced;
    if (answer.outcome != Outcome::Success)
      return reply_error(answer, "GetObject");
    std::string_view got_etag = answer.response.headers.etag();
    if (!got_etag.empty() && got_etag != if_match)
      return kObjectReplaced; // a server that ignores If-Match (s3rver) still shows the new ETag
    if (answer.response.status == 200) {
      // The range was ignored: the whole object came (only valid from byte 0).
      if (offset != 0 || counted.bytes() != total)
        return make_error(ErrorCode::InvalidInput, "s3: server ignored the range of a resume");
    } else {
      std::uint64_t first = 0;
      std::uint64_t size = 0;
      if (!parse_content_range(answer.response.headers.content_range(), first, size) ||
          first != offset)
        return make_error(ErrorCode::InvalidInput, "s3: unexpected content-range");
      if (size != total)
        return kObjectReplaced;
    }
    stalled = 0;
    if (observer)
      observer->on_bytes(counted.bytes(), total);
  }
  return {};
}

} // namespace ec
