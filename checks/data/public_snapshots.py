"""AWS-EC2-617: snapshot or machine image shared with every AWS account."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for share in facts.of_kind("public_share"):
        attr = share.public
        if not attr.known:
            yield undecided(CHECK.id, share.resource, "who it is shared with", attr.value, attr.location)
        elif attr.is_true():
            yield Finding(CHECK.id, share.resource, "%s %s shares with every AWS account (group \"all\")." % (share.what, share.resource.address), attr.location)


CHECK = Check(
    id="AWS-EC2-617",
    title="Snapshot or machine image is shared with every AWS account",
    severity="high",
    pillar="data",
    cwe=("CWE-200",),
    kinds=("public_share",),
    evaluate=evaluate,
    what="""Finds snapshots and machine images made public: an AMI launch permission for the
group `all` (`aws_ami_launch_permission`), a DB snapshot or DB cluster snapshot whose
`shared_accounts` holds `all` (`aws_db_snapshot`, `aws_db_cluster_snapshot`), and an EC2 Image
Builder distribution whose AMI launch permission user groups hold `all`
(`aws_imagebuilder_distribution_configuration`,
`AWS::ImageBuilder::DistributionConfiguration`). CloudFormation has no resource for AMI launch
permissions or snapshot sharing, so only Image Builder applies there.""",
    why="""A public AMI or snapshot can be copied by anyone with an AWS account: disks often hold
credentials, keys, application code and customer data, and a public DB snapshot is the whole
database. Share with named accounts or an organization instead.""",
    fix_terraform="""```hcl
resource "aws_ami_launch_permission" "partner" {
  image_id   = aws_ami.app.id
  account_id = "111122223333"
}
```""",
    fix_cloudformation="""```yaml
Distribution:
  Type: AWS::ImageBuilder::DistributionConfiguration
  Properties:
    Name: app
    Distributions:
      - Region: !Ref AWS::Region
        AmiDistributionConfiguration:
          LaunchPermissionConfiguration:
            UserIds:
              - "111122223333"
```""",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html",
    ),
)
