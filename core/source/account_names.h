// core/source/account_names.h - The names of an organization's accounts, from AWS Organizations
// ListAccounts, every page, for the store.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "core/client/endpoint.h"
#include "core/source/report_discovery.h"
#include "core/store/store.h"

#include <cstddef>
#include <cstdint>

namespace ec {

/// ListAccounts MaxResults (the API's maximum).
inline constexpr std::uint32_t kAccountsPageSize = 20;
/// Pages followed before giving up (LimitExceeded "organizations: too many pages"): 20,000
/// accounts at full pages, far above AWS's default quota, with room for empty pages.
inline constexpr std::size_t kMaxAccountPages = 1000;
/// Body buffer of one ListAccounts answer (20 accounts of about 400 bytes, and the token).
inline constexpr std::size_t kAccountsBodyBytes = 32 * 1024;
/// Arena bytes fetch_account_names uses at most while it runs: the page token (8 KiB), the
/// request sending it back (up to 48 KiB escaped), the answer (kAccountsBodyBytes) and its parse
/// (the account array and decoded copies of escaped strings, at most 20 KiB). A full page of 20
/// accounts after an 8 KiB token takes about 50 KiB (measured in tests/source). All of it is
/// released on return.
inline constexpr std::size_t kAccountNamesArenaBytes = 112 * 1024;

/// Takes the accounts as they arrive, in AWS's order (a store collects them and replaces its
/// names with put_account_names() once the fetch succeeded).
class AccountNameSink {
public:
  /// `account.name` is cleaned (clean_account_name: no control or bidi characters, at most
  /// kAccountNameMaxBytes of UTF-8) and valid during the call only. An error stops the fetch and
  /// is returned from it.
  virtual Status on_account_name(const AccountName& account) = 0;

protected:
  ~AccountNameSink() = default;
};

/// What a fetch saw.
struct AccountNameStats {
  std::uint32_t pages = 0;         ///< answers read, empty ones included
  std::uint32_t accounts = 0;      ///< given to the sink
  std::uint32_t skipped = 0;       ///< an Id that is not 12 digits (not given to the sink)
  std::uint32_t names_cleaned = 0; ///< names changed or cut by clean_account_name
};

/// organizations:ListAccounts with {"MaxResults":20,"NextToken":...} (X-Amz-Target
/// AWSOrganizationsV20161128.ListAccounts, signed for "organizations" in us-east-1), following
/// NextToken until there is none, through pages that are empty while a token is present. Each
/// account with a 12-digit Id goes to `sink` with its cleaned name (Email is never read out).
/// When this fails, what the sink got is a part of the list: do not store it.
/// Errors: those of call_json_api with kOrganizationsApi (an account outside any organization is
/// Unsupported "organizations: account is not in an organization"), of parse_list_accounts, the
/// sink's, LimitExceeded "organizations: too many pages", OutOfMemory; the AWS ones come with a
/// finding.
/// Uses at most kAccountNamesArenaBytes of `arena` and releases it all.
Result<AccountNameStats> fetch_account_names(AwsCaller& caller, CredentialSource& credentials,
                                             const Endpoint& organizations, Arena& arena,
                                             AccountNameSink& sink, Findings& findings);

} // namespace ec
