// core/collect/source.h - Source: one connection type's whole story, from its credentials to its
// report's objects. One folder per type beside this file; source_registry.cpp lists them.
#pragma once

#include "core/base/arena.h"
#include "core/base/findings.h"
#include "core/base/object_store.h"
#include "core/base/result.h"
#include "core/base/text_builder.h"
#include "core/base/timestamp.h"
#include "core/source/report_location.h"

#include <cstdint>
#include <string_view>

namespace ec {

class AwsAccess;

/// The steps `verify` walks and `once` runs, in order; a source's fix advice is per step.
enum class SourceStep : std::uint8_t {
  Open,     ///< credentials, HTTP client (remote) or the folder (local)
  Access,   ///< the role assumed now, when there is one
  Locate,   ///< the report's definition (discovery or the INI) and its object store
  List,     ///< the report's manifests listed
  Manifest, ///< the newest manifest read
  Data,     ///< the first bytes of its first data file
};

/// A connection type. Made in the connection's arena by its SourceType (source_registry.h), used
/// for one pass, then destroyed; one at a time per Host.
class Source {
public:
  virtual ~Source() = default;

  /// Credentials and the HTTP client, or the folder; no request yet. On failure problem() names
  /// the setting at fault ("credentials_file /x: cannot be read").
  virtual Status open(Arena& arena) = 0;
  /// Proves the credentials now (AssumeRole) when the connection has a role; Ok otherwise. Run
  /// before locate() so a role's failure is not blamed on the API discovery calls.
  virtual Status check_access() { return {}; }
  /// Finds the report (discovery, or the INI) and opens its object store. What is wrong with the
  /// report's settings goes to `findings`; an Error-level finding means it cannot be read.
  virtual Status locate(Findings& findings) = 0;

  [[nodiscard]] virtual ObjectStore& objects() = 0;
  [[nodiscard]] virtual const ReportLocation& location() const = 0;
  /// "s3://bucket" or the local directory: the delivery records' source.
  [[nodiscard]] virtual std::string_view label() const = 0;
  /// What went wrong in words, beyond the Error (which setting); empty when nothing did.
  [[nodiscard]] virtual std::string_view problem() const = 0;
  /// The clock corrected by what AWS said of it (the wall clock for a local folder).
  [[nodiscard]] virtual UnixSeconds now() = 0;
  /// The AWS side (caller, credentials, role, S3), or nullptr for a source without one.
  [[nodiscard]] virtual AwsAccess* aws() { return nullptr; }
  /// What a technician changes when `step` fails; `aws_code` is AWS's error code, if any.
  virtual void write_fix(SourceStep step, std::string_view aws_code, TextBuilder& out) const = 0;
};

} // namespace ec
