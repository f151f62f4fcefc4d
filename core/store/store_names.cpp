// core/store/store_names.cpp - Account names: cleaning untrusted text and replacing the names.
#include "core/store/store.h"

#include <sqlite3.h>

namespace ec {

namespace {

// Code points shown as '?': they would act on a terminal or reorder the text around them.
bool is_unsafe_code_point(std::uint32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f) || // C0, DEL, C1
         (code_point >= 0x2028 && code_point <= 0x202e) || // line/paragraph separators, embeddings
         (code_point >= 0x2066 && code_point <= 0x2069);   // bidirectional isolates
}

// Length of the valid UTF-8 sequence at text[at] and its code point; 0 when invalid (overlong
// forms, surrogates and values above U+10FFFF included).
std::size_t decode_utf8(std::string_view text, std::size_t at, std::uint32_t& code_point) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  std::uint8_t lead = byte(at);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t length = 0;
  std::uint8_t low = 0x80; // allowed range of the second byte
  std::uint8_t high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code_point = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code_point = lead & 0x0fu;
    low = lead == 0xe0 ? 0xa0 : 0x80;
    high = lead == 0xed ? 0x9f : 0xbf;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code_point = lead & 0x07u;
    low = lead == 0xf0 ? 0x90 : 0x80;
    high = lead == 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  if (text.size() - at < length)
    return 0;
  for (std::size_t i = 1; i < length; ++i) {
    std::uint8_t next = byte(at + i);
    if (i == 1 ? (next < low || next > high) : (next < 0x80 || next > 0xbf))
      return 0;
    code_point = (code_point << 6) | (next & 0x3fu);
  }
  return length;
}

} // namespace

std::size_t clean_account_name(std::string_view name, char* out, std::size_t out_size) {
  std::size_t capacity = out_size < kAccountNameMaxBytes ? out_size : kAccountNameMaxBytes;
  std::size_t used = 0;
  std::size_t at = 0;
  while (at < name.size()) {
    std::uint32_t code_point = 0;
    std::size_t length = decode_utf8(name, at, code_point);
    bool replace = length == 0 || is_unsafe_code_point(code_point);
    std::size_t written = replace ? 1 : length;
    if (capacity - used < written)
      break; // cut before a character that does not fit whole
    if (replace) {
      out[used] = '?';
    } else {
      for (std::size_t i = 0; i < length; ++i)
        out[used + i] = name[at + i];
    }
    used += written;
    at += length == 0 ? 1 : length;
  }
  return used;
}

Status Store::put_account_names(std::span<const AccountName> names) {
  EC_TRY(require_writable());
  for (const AccountName& entry : names) {
    if (entry.account.length == 0 || entry.account.length > 19)
      return make_error(ErrorCode::InvalidArgument, "store: account name without an account id");
  }
  EC_TRY(run(Statement::Begin, "store: cannot begin account names"));
  Status done = put_names(names);
  if (done.ok())
    done = run(Statement::Commit, "store: cannot commit account names");
  if (!done.ok())
    rollback_quietly();
  return done;
}

Status Store::put_names(std::span<const AccountName> names) {
  EC_TRY(run(Statement::AccountNamesClear, "store: cannot clear account names"));
  EC_TRY_ASSIGN(sqlite3_stmt * insert, statement(Statement::AccountNameInsert));
  for (const AccountName& entry : names) {
    EC_TRY_ASSIGN(std::int64_t account, account_id(entry.account, Lookup::Create));
    char name[kAccountNameMaxBytes];
    std::size_t length = clean_account_name(entry.name, name, sizeof name);
    ResetGuard reset(insert);
    int rc = sqlite3_bind_int64(insert, 1, account);
    if (rc == SQLITE_OK)
      rc = bind_text(insert, 2, std::string_view(name, length));
    if (rc == SQLITE_OK)
      rc = step(insert);
    if (rc != SQLITE_DONE)
      return sqlite_error(rc, "store: cannot write account name");
  }
  return {};
}

} // namespace ec
