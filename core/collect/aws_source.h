// core/collect/aws_source.h - AwsSource: the part of a Source every AWS connection type shares
// (AwsAccess behind the Source interface, and the fix advice of its common steps).
#pragma once

#include "core/collect/aws_access.h"
#include "core/collect/source.h"

namespace ec {

class AwsSource : public Source {
public:
  AwsSource(const ConnectionConfig& config, Host& host)
      : m_config(config), m_access(config, host) {}

  Status open(Arena& arena) override;
  Status check_access() override { return m_access.check_role(); }
  ObjectStore& objects() override { return m_access.s3(); }
  const ReportLocation& location() const override { return m_location; }
  std::string_view label() const override { return m_access.label(); }
  std::string_view problem() const override { return m_access.problem(); }
  UnixSeconds now() override { return m_access.now(); }
  AwsAccess* aws() override { return &m_access; }
  /// Open, Access, List, Manifest and Data; a type adds Locate's.
  void write_fix(SourceStep step, std::string_view aws_code, TextBuilder& out) const override;

protected:
  /// "give the role (or the IAM user) the permission <action> (`edgecur policy` prints the whole
  /// policy)".
  void write_permission_fix(const char* action, TextBuilder& out) const;
  /// Opens the bucket of m_location (after a type has found it).
  Status open_bucket(Arena& arena) { return m_access.open_bucket(m_location, arena); }

  const ConnectionConfig& m_config;
  AwsAccess m_access;
  ReportLocation m_location;
  Arena* m_arena = nullptr;
};

} // namespace ec
