"""AWS-IAM-100: no IAM Access Analyzer for external access in the project."""
from __future__ import annotations

from iacguard.check import Check
from iacguard.core.unknown import Unknown
from iacguard.facts.common import Attr

from .detection_a_common import roots_lacking

EXTERNAL = ("account", "organization")


def _external(analyzer) -> Attr:
    attr = analyzer.type
    if not attr.known:
        return attr
    return Attr(attr.value in EXTERNAL, attr.location, attr.explicit)


def evaluate(facts):
    yield from roots_lacking(
        CHECK.id, facts, "access_analyzer", _external, "an external-access analyzer",
        "No IAM Access Analyzer for external access is declared in this project (root module or stack).",
    )


CHECK = Check(
    id="AWS-IAM-100",
    title="No IAM Access Analyzer for external access is declared in the project",
    severity="low",
    pillar="detection",
    scope="project",
    cwe=("CWE-778",),
    kinds=("root", "access_analyzer"),
    evaluate=evaluate,
    what="""Reports each Terraform root module and top-level CloudFormation stack that declares no
IAM Access Analyzer analyzer of type `ACCOUNT` or `ORGANIZATION` (`aws_accessanalyzer_analyzer`,
whose `type` defaults to `ACCOUNT` / `AWS::AccessAnalyzer::Analyzer`). Analyzers for unused or
internal access only do not count, nor analyzers with `count = 0` or a false condition. The finding
sits on the root's first file, line 1. Turn project-level checks off with
`--no-whole-project-checks` when an organization analyzer runs in a delegated administrator
account.""",
    why="""An external-access analyzer continuously reports buckets, keys, roles, queues and secrets
that a policy shares outside the account or organization, including shares made by hand after the
deployment. Without one, such exposure is found by accident.""",
    fix_terraform="""```hcl
resource "aws_accessanalyzer_analyzer" "account" {
  analyzer_name = "account-analyzer"
  type          = "ACCOUNT"
}
```""",
    fix_cloudformation="""```yaml
AccessAnalyzer:
  Type: AWS::AccessAnalyzer::Analyzer
  Properties:
    AnalyzerName: account-analyzer
    Type: ACCOUNT
```""",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html",),
    equivalents=(("trivy", "AVD-AWS-0175"),),
)
