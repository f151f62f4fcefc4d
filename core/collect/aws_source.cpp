// core/collect/aws_source.cpp - AwsSource: the steps every AWS connection type shares.
#include "core/collect/aws_source.h"

namespace ec {

Status AwsSource::open(Arena& arena) {
  m_arena = &arena;
  return m_access.open(arena);
}

void AwsSource::write_permission_fix(const char* action, TextBuilder& out) const {
  out.append("give ");
  out.append(m_access.uses_role() ? "the role" : "the IAM user");
  out.append(" the permission ");
  out.append(action);
  out.append(" (`edgecur policy` prints the whole policy)");
}

void AwsSource::write_fix(SourceStep step, std::string_view aws_code, TextBuilder& out) const {
  switch (step) {
  case SourceStep::Open:
    out.append("give access_key_id and secret_access_key, or credentials_file (chmod 600)");
    return;
  case SourceStep::Access:
    if (aws_code == "AccessDenied")
      out.append("check role_arn and external_id against what the account owner gave; the "
                 "role's trust policy must allow this user with this external id");
    else if (aws_code == "InvalidClientTokenId" || aws_code == "SignatureDoesNotMatch")
      out.append("the access keys are wrong or deleted: get new ones");
    else
      out.append("check sts_endpoint, region and the network path to AWS");
    return;
  case SourceStep::Locate:
    out.append("check bucket, prefix and report_name");
    return;
  case SourceStep::List:
    write_permission_fix("s3:ListBucket on the bucket", out);
    out.append("; check bucket, region and s3_endpoint");
    return;
  case SourceStep::Manifest:
  case SourceStep::Data:
    write_permission_fix("s3:GetObject on the report prefix", out);
    return;
  }
}

} // namespace ec
