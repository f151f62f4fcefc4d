// core/collect/source_check.h - What `verify` does for one connection: each step a source takes,
// run in order and reported OK, WARN or FAIL with the cause and the fix, for a technician on site.
#pragma once

#include "core/base/arena.h"
#include "core/base/host.h"
#include "core/config/config.h"
#include "core/source/report_sync.h"

#include <cstdint>
#include <string_view>

namespace ec {

enum class CheckResult : std::uint8_t { Ok, Warn, Fail };

class CheckObserver {
public:
  /// One line: the check's name ("assume role"), what was found, and for a Fail what to change
  /// (may be empty). Views valid during the call.
  virtual void on_check(CheckResult result, std::string_view check, std::string_view text,
                        std::string_view fix) = 0;

protected:
  ~CheckObserver() = default;
};

/// Checks `connection` step by step, stopping at the first failed step: credentials (or the
/// local directory), the role, the report's settings and definition, the listing, the newest
/// manifest (the one `once` reads for the newest period, by ReportSync's own choice), the first
/// bytes of its first data file, and the device's clock. Nothing is written to a store.
/// `arena` holds the source type's arena_bytes; `sync` is initialised. True when nothing failed.
bool check_connection(const ConnectionConfig& connection, Host& host, Arena& arena,
                      ReportSync& sync, CheckObserver& observer);

} // namespace ec
