// tests/source/account_names_test.cpp - Organizations ListAccounts through the real AwsCaller:
// every page (empty ones too), the exact requests, untrusted names, errors and the page limit.
#include "core/source/account_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "discovery_fakes.h"

namespace ec {
namespace {

using fakes::CallerRig;
using fakes::credential_scope;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kOrganizationsUrl = "https://organizations.us-east-1.amazonaws.com";

struct Collected {
  std::string id;
  std::string name;
  bool operator==(const Collected&) const = default;
};

void PrintTo(const Collected& item, std::ostream* out) {
  *out << item.id << "=" << ::testing::PrintToString(item.name);
}

class CollectingSink final : public AccountNameSink {
public:
  Status on_account_name(const AccountName& account) override {
    char digits[20];
    std::size_t size = account.account.format(digits);
    items.push_back({std::string(digits, size), std::string(account.name)});
    if (fail_after && items.size() == *fail_after)
      return make_error(ErrorCode::Io, "store: disk full");
    return {};
  }
  std::vector<Collected> items;
  std::optional<std::size_t> fail_after;
};

std::string account_json(const std::string& id, const std::string& name) {
  return "{\"Id\":\"" + id + "\",\"Arn\":\"arn:aws:organizations::111111111111:account/o-ex/" + id +
         "\",\"Email\":\"" + id + "@example.com\",\"Name\":\"" + name +
         "\",\"Status\":\"ACTIVE\",\"State\":\"ACTIVE\",\"JoinedMethod\":\"CREATED\"}";
}

std::string accounts_page(const std::vector<std::string>& accounts, const std::string& token) {
  std::string body = "{\"Accounts\":[";
  for (std::size_t i = 0; i < accounts.size(); ++i)
    body += (i ? "," : "") + accounts[i];
  body += "]";
  if (!token.empty())
    body += ",\"NextToken\":\"" + token + "\"";
  return body + "}";
}

struct NamesArena {
  NamesArena() : memory(kAccountNamesArenaBytes), arena(MutableBytes(memory)) {}
  std::vector<std::uint8_t> memory;
  Arena arena;
};

TEST(FetchAccountNames, FollowsTheTokenThroughAnEmptyPage) {
  CallerRig rig(kOrganizationsUrl);
  // Organizations tokens are long base64 with '/', '+' and '='.
  const std::string token1 = "AAAAAQ+/bmV4dA==" + std::string(600, 'Z');
  const std::string token2 = "AAAAAg+/bmV4dA==";
  rig.transport.reply(200, accounts_page({account_json("111111111111", "management"),
                                          account_json("222222222222", "prod")},
                                         token1));
  rig.transport.reply(200, accounts_page({}, token2));
  rig.transport.reply(200,
                      accounts_page({account_json("012345678901", "dev \\u00e9t\\u00e9")}, ""));
  NamesArena memory;
  CollectingSink sink;
  Findings findings;

  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(findings.size(), 0u);
  EXPECT_THAT(sink.items, ElementsAre(Collected{"111111111111", "management"},
                                      Collected{"222222222222", "prod"},
                                      Collected{"012345678901", "dev \xc3\xa9t\xc3\xa9"}));
  EXPECT_EQ(result.value().pages, 3u);
  EXPECT_EQ(result.value().accounts, 3u);
  EXPECT_EQ(result.value().skipped, 0u);
  EXPECT_EQ(result.value().names_cleaned, 0u);
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_LE(memory.arena.high_water(), kAccountNamesArenaBytes);

  const auto& requests = rig.transport.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, "{\"MaxResults\":20}");
  EXPECT_EQ(requests[1].body, "{\"MaxResults\":20,\"NextToken\":\"" + token1 + "\"}");
  EXPECT_EQ(requests[2].body, "{\"MaxResults\":20,\"NextToken\":\"" + token2 + "\"}");
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, HttpMethod::Post);
    EXPECT_EQ(request.url, "https://organizations.us-east-1.amazonaws.com/");
    EXPECT_EQ(request.header("X-Amz-Target"), "AWSOrganizationsV20161128.ListAccounts");
    EXPECT_EQ(request.header("Content-Type"), "application/x-amz-json-1.1");
    EXPECT_EQ(credential_scope(request.header("Authorization")),
              "20231114/us-east-1/organizations/aws4_request");
  }
}

TEST(FetchAccountNames, NamesAreBoundedAndCleanedAndBadIdsSkipped) {
  CallerRig rig(kOrganizationsUrl);
  const std::string long_name(300, 'n');
  rig.transport.reply(
      200, accounts_page({account_json("333333333333", long_name), account_json("4444", "short id"),
                          account_json("55555555555a", "letter"),
                          account_json("666666666666", "line\\nbreak\\u0007")},
                         ""));
  NamesArena memory;
  CollectingSink sink;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(sink.items,
              ElementsAre(Collected{"333333333333", std::string(kAccountNameMaxBytes, 'n')},
                          Collected{"666666666666", "line?break?"}));
  EXPECT_EQ(result.value().accounts, 2u);
  EXPECT_EQ(result.value().skipped, 2u);
  EXPECT_EQ(result.value().names_cleaned, 2u);
}

TEST(FetchAccountNames, AccessDeniedSaysWhereTheCallWorks) {
  CallerRig rig(kOrganizationsUrl);
  rig.transport.reply(400, "{\"__type\":\"AccessDeniedException\",\"Message\":\"You don't have "
                           "permissions to access this resource.\"}");
  NamesArena memory;
  CollectingSink sink;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Permission);
  EXPECT_STREQ(result.error().message, "organizations: access denied");
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_THAT(sink.items, ::testing::IsEmpty());
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < findings.size(); ++i)
    texts.emplace_back(findings[i].view());
  EXPECT_THAT(texts, ElementsAre("AWS refused organizations:ListAccounts (AccessDeniedException: "
                                 "You don't have permissions to access this resource.): the IAM "
                                 "role or user edgecur signs in as needs the action "
                                 "organizations:ListAccounts (ListAccounts works only with keys "
                                 "of the organization's management account or of a delegated "
                                 "administrator); add it to its IAM policy"));
}

TEST(FetchAccountNames, AnAccountOutsideAnyOrganizationIsUnsupported) {
  CallerRig rig(kOrganizationsUrl);
  rig.transport.reply(400, "{\"__type\":\"AWSOrganizationsNotInUseException\",\"Message\":"
                           "\"Your account is not a member of an organization.\"}");
  NamesArena memory;
  CollectingSink sink;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Unsupported);
  EXPECT_STREQ(result.error().message, "organizations: account is not in an organization");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].view(),
            "this AWS account is not in an organization (AWSOrganizationsNotInUseException: Your "
            "account is not a member of an organization.), so there are no account names to "
            "fetch; set account_names = false in this connection's settings");
}

TEST(FetchAccountNames, ABadTokenIsARefusedRequest) {
  CallerRig rig(kOrganizationsUrl);
  rig.transport.reply(200, accounts_page({account_json("111111111111", "a")}, "tok"));
  rig.transport.reply(400, "{\"__type\":\"InvalidInputException\",\"Message\":\"You specified "
                           "an invalid value for nextToken.\",\"Reason\":"
                           "\"INVALID_PAGINATION_TOKEN\"}");
  NamesArena memory;
  CollectingSink sink;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(result.error().message, "organizations: request refused");
  EXPECT_EQ(sink.items.size(), 1u); // a part only: the caller must not store it
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_THAT(std::string(findings[0].view()),
              HasSubstr("(InvalidInputException: You specified an invalid value for nextToken.); "
                        "check organizations_endpoint"));
}

TEST(FetchAccountNames, TheSinksErrorStopsTheFetch) {
  CallerRig rig(kOrganizationsUrl);
  rig.transport.reply(
      200, accounts_page({account_json("111111111111", "a"), account_json("222222222222", "b")},
                         "more"));
  NamesArena memory;
  CollectingSink sink;
  sink.fail_after = 1;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_STREQ(result.error().message, "store: disk full");
  EXPECT_EQ(sink.items.size(), 1u);
  EXPECT_EQ(rig.transport.requests().size(), 1u);
  EXPECT_EQ(memory.arena.used(), 0u);
}

TEST(FetchAccountNames, StopsAfterThePageLimitOfEmptyPages) {
  CallerRig rig(kOrganizationsUrl);
  rig.transport.repeat_forever(200, accounts_page({}, "again"));
  NamesArena memory;
  CollectingSink sink;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(result.error().message, "organizations: too many pages");
  EXPECT_EQ(rig.transport.requests().size(), kMaxAccountPages);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].view(), "the Organizations API listed more than 1000 pages of accounts "
                                "without the end; check organizations_endpoint in this "
                                "connection's settings");
}

TEST(FetchAccountNames, AFullPageStaysWithinTheArenaBudget) {
  CallerRig rig(kOrganizationsUrl);
  std::vector<std::string> accounts;
  for (int i = 0; i < 20; ++i) {
    char id[13];
    std::snprintf(id, sizeof id, "%012d", 100000 + i);
    accounts.push_back(account_json(id, "Account number " + std::to_string(i) + " \\u00e9"));
  }
  rig.transport.reply(200, accounts_page(accounts, std::string(kMaxPageTokenBytes, 'T')));
  rig.transport.reply(200, accounts_page(accounts, ""));
  NamesArena memory;
  CollectingSink sink;
  Findings findings;
  Result<AccountNameStats> result =
      fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().accounts, 40u);
  EXPECT_EQ(sink.items[19].name, "Account number 19 \xc3\xa9");
  EXPECT_LE(memory.arena.high_water(), kAccountNamesArenaBytes);
  ::testing::Test::RecordProperty("arena_high_water", static_cast<int>(memory.arena.high_water()));
}

TEST(FetchAccountNames, ATooSmallArenaIsOutOfMemoryAndReleased) {
  for (long allowed = 0; allowed < 8; ++allowed) {
    CallerRig rig(kOrganizationsUrl);
    rig.transport.repeat_forever(200,
                                 accounts_page({account_json("111111111111", "a\\u00e9")}, ""));
    NamesArena memory;
    memory.arena.fail_after(allowed);
    CollectingSink sink;
    Findings findings;
    Result<AccountNameStats> result =
        fetch_account_names(rig.caller, rig.keys, *rig.endpoint, memory.arena, sink, findings);
    EXPECT_EQ(memory.arena.used(), 0u);
    if (result.ok()) {
      EXPECT_GE(allowed, 3);
      EXPECT_EQ(sink.items.size(), 1u);
      return;
    }
    EXPECT_TRUE(result.error().code == ErrorCode::OutOfMemory)
        << allowed << " " << result.error().message;
  }
  FAIL() << "never succeeded";
}

} // namespace
} // namespace ec
