"""AWS-ECR-609/610: ECR repository with mutable tags; ECR repository not scanning images on push."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

KIND = ("ecr_repository",)


def mutable_tags(facts):
    for repo in facts.of_kind("ecr_repository"):
        attr = repo.tag_mutability
        if not attr.known:
            yield undecided(MUTABLE_TAGS.id, repo.resource, "image tag mutability", attr.value, attr.location)
        elif attr.value in ("mutable", "mutable_with_exclusion"):
            yield Finding(MUTABLE_TAGS.id, repo.resource, "ECR repository %s lets a pushed tag be overwritten with another image (%s%s)." % (
                repo.resource.address, attr.value.upper(), "" if attr.explicit else ", the default"), attr.location)


def scan_on_push(facts):
    for repo in facts.of_kind("ecr_repository"):
        attr = repo.scan_on_push
        if not attr.known:
            yield undecided(SCAN_ON_PUSH.id, repo.resource, "scan on push", attr.value, attr.location)
        elif attr.is_false():
            yield Finding(SCAN_ON_PUSH.id, repo.resource, "ECR repository %s does not scan images for vulnerabilities when they are pushed%s." % (
                repo.resource.address, "" if attr.explicit else " (scan on push is off unless enabled)"), attr.location)


MUTABLE_TAGS = Check(
    id="AWS-ECR-609",
    title="ECR repository lets image tags be overwritten",
    severity="low",
    pillar="data",
    cwe=("CWE-494",),
    kinds=KIND,
    evaluate=mutable_tags,
    equivalents=(("checkov", "CKV_AWS_51"), ("trivy", "AVD-AWS-0031")),
    what="""Finds ECR repositories (`aws_ecr_repository`, `AWS::ECR::Repository`) whose tags are
mutable: `image_tag_mutability` / `ImageTagMutability` `MUTABLE` (the default when left out) or
`MUTABLE_WITH_EXCLUSION`. `IMMUTABLE` and `IMMUTABLE_WITH_EXCLUSION` pass.""",
    why="""With mutable tags, anyone allowed to push can replace the image behind a tag such as
`v1.4.2` or `prod` after it was reviewed and scanned; every deployment that pulls by tag then
runs the new image. Immutable tags make a tag name one image for good, so what was tested is what
runs.""",
    fix_terraform="""```hcl
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}
```""",
    fix_cloudformation="""```yaml
AppRepository:
  Type: AWS::ECR::Repository
  Properties:
    RepositoryName: app
    ImageTagMutability: IMMUTABLE
```""",
    references=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",),
)

SCAN_ON_PUSH = Check(
    id="AWS-ECR-610",
    title="ECR repository does not scan images on push",
    severity="low",
    pillar="data",
    cwe=("CWE-1104",),
    kinds=KIND,
    evaluate=scan_on_push,
    equivalents=(("checkov", "CKV_AWS_163"), ("trivy", "AVD-AWS-0030")),
    what="""Finds ECR repositories (`aws_ecr_repository`, `AWS::ECR::Repository`) whose basic
scanning on push (`image_scanning_configuration.scan_on_push` /
`ImageScanningConfiguration.ScanOnPush`) is false or left out (off unless enabled). A
registry-level scanning configuration (`aws_ecr_registry_scanning_configuration`,
`AWS::ECR::RegistryScanningConfiguration`) is not read yet: a repository it covers is reported
all the same.""",
    why="""Scanning on push reports known vulnerabilities (CVEs) in an image's operating system
packages as soon as it reaches the registry, before it is deployed. Without it, a vulnerable base
image goes unnoticed until someone scans by hand.""",
    fix_terraform="""```hcl
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}
```""",
    fix_cloudformation="""```yaml
AppRepository:
  Type: AWS::ECR::Repository
  Properties:
    RepositoryName: app
    ImageScanningConfiguration:
      ScanOnPush: true
```""",
    references=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-basic.html",),
)
