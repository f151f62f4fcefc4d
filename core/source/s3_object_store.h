// core/source/s3_object_store.h - S3ObjectStore: a report bucket read through AwsCaller
// (ListObjectsV2 pages, small GETs, ranged GETs with If-Match and exact-byte resume).
#pragma once

#include "core/base/arena.h"
#include "core/base/object_store.h"
#include "core/client/aws_caller.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// Keys asked per ListObjectsV2 page: bounds the page buffer (a page of 1000 keys is ~400 KB of
/// XML) at the price of more requests (200 keys ~ 80 KB).
inline constexpr std::uint32_t kS3ListPageKeys = 200;
/// Arena bytes init() takes: the listing page and its parse (kS3ListPageKeys keys).
inline constexpr std::size_t kS3ObjectStoreArenaBytes = 320 * 1024;
/// Resumes of one object that made no progress in between before giving up (each one already
/// went through the caller's retries).
inline constexpr std::uint32_t kMaxStalledResumes = 3;
/// Pages of one listing (200 keys each: 2 million keys) before it is refused as runaway.
inline constexpr std::uint32_t kMaxListPages = 10'000;

class S3ObjectStore final : public ObjectStore {
public:
  S3ObjectStore() = default;
  S3ObjectStore(const S3ObjectStore&) = delete;
  S3ObjectStore& operator=(const S3ObjectStore&) = delete;

  /// `endpoint` is the bucket's (s3_endpoint()): object paths are base_path + "/" + key. All
  /// references must outlive the store. `chunk_bytes` is the size of each ranged GET.
  Status init(AwsCaller& caller, CredentialSource& credentials, const Endpoint& endpoint,
              std::string_view region, std::uint32_t chunk_bytes, Arena& arena);

  Status list(std::string_view prefix, ObjectVisitor& visitor) override;
  Result<Bytes> read_small(std::string_view key, MutableBytes buffer,
                           ObjectVersion& version) override;
  Status stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                StreamObserver* observer) override;

  /// The last non-2xx reply's AWS code and HTTP status, for `verify` ("AccessDenied", 403).
  [[nodiscard]] std::string_view last_error_code() const { return {m_code, m_code_size}; }
  [[nodiscard]] std::uint16_t last_status() const { return m_last_status; }
  /// Resumes after dropped connections, and ranged GETs sent, since init().
  [[nodiscard]] std::uint64_t resumes() const { return m_resumes; }
  [[nodiscard]] std::uint64_t range_requests() const { return m_range_requests; }

private:
  Status object_path(std::string_view key);
  Error reply_error(const AwsReply& reply, const char* operation);

  AwsCaller* m_caller = nullptr;
  CredentialSource* m_credentials = nullptr;
  const Endpoint* m_endpoint = nullptr;
  std::string_view m_region;
  std::uint32_t m_chunk_bytes = 0;
  Arena* m_arena = nullptr;
  MutableBytes m_page; // one listing page
  Arena::Mark m_parse_mark{0};
  char m_path[3 * 1024 + 16]; // "/" + a 1024-byte key encoded (x3 at worst)
  std::size_t m_path_size = 0;
  char m_token[2048]; // continuation token carried to the next page
  char m_code[64];
  std::size_t m_code_size = 0;
  std::uint16_t m_last_status = 0;
  std::uint64_t m_resumes = 0;
  std::uint64_t m_range_requests = 0;
};

} // namespace ec
