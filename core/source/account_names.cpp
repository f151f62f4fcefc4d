// core/source/account_names.cpp - Paging through organizations:ListAccounts into a sink.
#include "core/source/account_names.h"

#include "core/agg/hour_key.h"

#include <cstdio>
#include <cstring>

namespace ec {
namespace {

constexpr const char* kListAccounts = "ListAccounts";

bool is_account_id(std::string_view id) {
  if (id.size() != 12)
    return false;
  for (char c : id)
    if (c < '0' || c > '9')
      return false;
  return true;
}

Status deliver_page(const AccountPage& page, AccountNameSink& sink, AccountNameStats& stats) {
  for (const OrgAccount& account : page.accounts) {
    AccountName name;
    if (!is_account_id(account.id) || !AccountId::parse(account.id, name.account)) {
      ++stats.skipped;
      continue;
    }
    char cleaned[kAccountNameMaxBytes];
    const std::size_t size = clean_account_name(account.name, cleaned, sizeof cleaned);
    name.name = std::string_view(cleaned, size);
    if (name.name != account.name)
      ++stats.names_cleaned;
    EC_TRY(sink.on_account_name(name));
    ++stats.accounts;
  }
  return {};
}

Result<AccountNameStats> fetch_pages(AwsCaller& caller, CredentialSource& credentials,
                                     const Endpoint& organizations, Arena& arena,
                                     AccountNameSink& sink, Findings& findings) {
  char head[32];
  const int head_length = std::snprintf(head, sizeof head, "\"MaxResults\":%u", kAccountsPageSize);
  EC_CHECK(head_length > 0 && static_cast<std::size_t>(head_length) < sizeof head);
  EC_TRY_ASSIGN(char* token_storage,
                arena.try_allocate_array<char>(kMaxPageTokenBytes, "page token"));
  std::string_view token;
  AccountNameStats stats;
  for (;;) {
    if (stats.pages == kMaxAccountPages) {
      findings.add(FindingLevel::Error,
                   "the Organizations API listed more than %zu pages of accounts without the "
                   "end; check organizations_endpoint in this connection's settings",
                   kMaxAccountPages);
      return make_error(ErrorCode::LimitExceeded, kOrganizationsApi.too_many_pages);
    }
    const Arena::Mark page_start = arena.mark();
    EC_TRY_ASSIGN(std::string_view body,
                  json_request_body(arena,
                                    std::string_view(head, static_cast<std::size_t>(head_length)),
                                    "NextToken", token));
    auto* buffer = static_cast<std::uint8_t*>(arena.allocate(kAccountsBodyBytes, 1));
    if (!buffer)
      return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("answer");
    EC_TRY_ASSIGN(JsonAnswer answer,
                  call_json_api(caller, credentials, organizations, kOrganizationsApi,
                                kListAccounts, body, MutableBytes(buffer, kAccountsBodyBytes),
                                findings));
    Result<AccountPage> page = parse_list_accounts(answer.body, arena);
    if (!page.ok()) {
      if (page.error().code == ErrorCode::OutOfMemory)
        return page.error();
      char error_text[192];
      format_error(page.error(), error_text, sizeof error_text);
      findings.add(FindingLevel::Error,
                   "the answer of the Organizations API to organizations:ListAccounts could not "
                   "be read (%s); check organizations_endpoint, and if it is right report this "
                   "with the device's log",
                   error_text);
      return page.error();
    }
    ++stats.pages;
    EC_TRY(deliver_page(page.value(), sink, stats));
    const std::string_view next = page.value().next_token;
    if (next.empty())
      return stats;
    EC_CHECK(next.size() <= kMaxPageTokenBytes); // the parser's limit
    std::memcpy(token_storage, next.data(), next.size());
    token = std::string_view(token_storage, next.size());
    arena.rewind(page_start);
  }
}

} // namespace

Result<AccountNameStats> fetch_account_names(AwsCaller& caller, CredentialSource& credentials,
                                             const Endpoint& organizations, Arena& arena,
                                             AccountNameSink& sink, Findings& findings) {
  const Arena::Mark start = arena.mark();
  Result<AccountNameStats> fetched =
      fetch_pages(caller, credentials, organizations, arena, sink, findings);
  arena.rewind(start);
  return fetched;
}

} // namespace ec
