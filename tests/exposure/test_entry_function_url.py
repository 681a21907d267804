"""Entry kind "function_url" for the attack-path check AWS-PATH-001 (issue 14, "Done when"):
a Lambda function URL (auth NONE vs AWS_IAM) in front of a function in a VPC, in Terraform and
CloudFormation YAML and JSON, each with a vulnerable network, a fully defended twin and traps;
the expected hops are literal (address, file, line) per file."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from entry_harness import facts_of as _facts, rows_of as _rows, scan_path as _scan

pytestmark = pytest.mark.catalogue("all")

HERE = Path(__file__).parent / "fixtures" / "entries" / "function_url"
TF = HERE / "terraform"
CFN = HERE / "cloudformation"






def _undecided(path: Path) -> set:
    return {(u.resource.address, u.what, u.location.start_line) for u in _scan(path).undecided if u.check_id == CHECK.id}


def _paths(path: Path) -> set:
    return {p.addresses for p in _facts(path).of_kind("attack_path")}


# --- Terraform --------------------------------------------------------------------------------

def test_terraform_vulnerable():
    folder = TF / "vulnerable"
    assert _rows(folder) == {
        ("aws_lambda_function_url.api", 103, "low", (
            ("aws_lambda_function_url.api", "main.tf", 103),
            ("aws_lambda_function.api", "main.tf", 91),
            ("aws_iam_role.fn", "main.tf", 67),
            ("aws_iam_role_policy.reports", "main.tf", 75),
            ("aws_s3_bucket.reports", "main.tf", 108),
        ), ("authentication",)),
        # a secret is sensitive: two layers missing is high
        ("aws_lambda_function_url.api", 103, "high", (
            ("aws_lambda_function_url.api", "main.tf", 103),
            ("aws_lambda_function.api", "main.tf", 91),
            ("aws_iam_role.fn", "main.tf", 67),
            ("aws_iam_role_policy.secrets", "main.tf", 83),
            ("aws_secretsmanager_secret.db", "main.tf", 112),
        ), ("authentication", "least-privilege")),
    }
    assert _undecided(folder) == set()


def test_terraform_defended():
    folder = TF / "defended"
    result = _scan(folder)
    assert result.findings == [] and _undecided(folder) == set()
    # the paths exist, every layer is present (AWS_IAM auth; one-resource grants, the secret's
    # ARN with its random suffix included)
    assert _paths(folder) == {
        ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_iam_role.fn", "aws_iam_role_policy.reports", "aws_s3_bucket.reports"),
        ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_iam_role.fn", "aws_iam_role_policy.secrets", "aws_secretsmanager_secret.db"),
    }


# The traps (named in the fixture's comments too):
# - role-other-bucket: aws_iam_role.api may read aws_s3_bucket.other only; aws_s3_bucket.data is
#   read by aws_lambda_function.batch, which nothing on the internet invokes: no path to "data";
# - unused-open-sg: aws_security_group.open admits 22 from the world and is used by nothing;
# - nat-only-subnet: aws_instance.nat_only has a public IP in a subnet routed to a NAT gateway
#   only: not an entry point;
# - no-igw-route: aws_instance.isolated has a public IP in a subnet with no internet route;
# - unknown-auth: aws_lambda_function_url.maybe's auth type is a variable without a value: an
#   undecided record, no finding.
TF_TRAPS = ("aws_s3_bucket.data", "aws_lambda_function.batch", "aws_iam_role.hosts", "aws_iam_role_policy.data",
            "aws_security_group.open", "aws_instance.nat_only", "aws_instance.isolated", "aws_lambda_function_url.maybe")


def test_terraform_traps():
    folder = TF / "traps"
    rows = _rows(folder)
    assert rows == {
        ("aws_lambda_function_url.api", 130, "low", (
            ("aws_lambda_function_url.api", "main.tf", 130),
            ("aws_lambda_function.api", "main.tf", 122),
            ("aws_iam_role.api", "main.tf", 105),
            ("aws_iam_role_policy.other", "main.tf", 114),
            ("aws_s3_bucket.other", "main.tf", 191),
        ), ("authentication",)),
    }
    assert not any(h[0] in TF_TRAPS for row in rows for h in row[3])
    entries = {e.resource.address for e in _facts(folder).of_kind("entry_point")}
    assert entries == {"aws_lambda_function_url.api", "aws_lambda_function_url.maybe"}  # no instance
    assert _undecided(folder) == {
        ("aws_lambda_function_url.maybe", "layer authentication of the path to S3 bucket aws_s3_bucket.other", 139)}


# --- CloudFormation (the same networks in YAML and JSON; lines per file) ------------------------

VULNERABLE = {
    "vulnerable.yaml": dict(url=118, fn=107, role=75, reports=(85, 123), secrets=(96, 127)),
    "vulnerable.json": dict(url=230, fn=202, role=141, reports=(158, 242), secrets=(181, 248)),
}


@pytest.mark.parametrize("name", sorted(VULNERABLE))
def test_cloudformation_vulnerable(name):
    x = VULNERABLE[name]
    head = (("FnUrl", name, x["url"]), ("Fn", name, x["fn"]), ("FnRole", name, x["role"]))
    assert _rows(CFN / name) == {
        ("FnUrl", x["url"], "low", head + (("ReadReports", name, x["reports"][0]), ("Reports", name, x["reports"][1])),
         ("authentication",)),
        ("FnUrl", x["url"], "high", head + (("ReadSecrets", name, x["secrets"][0]), ("DbSecret", name, x["secrets"][1])),
         ("authentication", "least-privilege")),
    }
    assert _undecided(CFN / name) == set()


@pytest.mark.parametrize("name", ["defended.yaml", "defended.json"])
def test_cloudformation_defended(name):
    assert _scan(CFN / name).findings == [] and _undecided(CFN / name) == set()
    assert _paths(CFN / name) == {("FnUrl", "Fn", "FnRole", "ReadReports", "Reports"),
                                  ("FnUrl", "Fn", "FnRole", "ReadSecrets", "DbSecret")}


# The same traps as Terraform's: role-other-bucket (ApiRole reads Other; Batch reads Data and
# has no URL), unused-open-sg (OpenSg), nat-only-subnet (NatOnlyHost), no-igw-route
# (IsolatedHost), unknown-auth (MaybeUrl: parameter UrlAuthType has no default).
CFN_TRAPS = ("Data", "Batch", "HostsRole", "ReadData", "OpenSg", "NatOnlyHost", "IsolatedHost", "MaybeUrl")
TRAPS = {
    "traps.yaml": dict(url=142, fn=134, role=112, policy=123, bucket=212, maybe=153),
    "traps.json": dict(url=247, fn=231, role=191, policy=208, bucket=391, maybe=269),
}


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_cloudformation_traps(name):
    x = TRAPS[name]
    rows = _rows(CFN / name)
    assert rows == {
        ("FnUrl", x["url"], "low", (("FnUrl", name, x["url"]), ("Fn", name, x["fn"]), ("ApiRole", name, x["role"]),
                                    ("ReadOther", name, x["policy"]), ("Other", name, x["bucket"])), ("authentication",)),
    }
    assert not any(h[0] in CFN_TRAPS for row in rows for h in row[3])
    assert {e.resource.address for e in _facts(CFN / name).of_kind("entry_point")} == {"FnUrl", "MaybeUrl"}
    assert _undecided(CFN / name) == {("MaybeUrl", "layer authentication of the path to S3 bucket Other", x["maybe"])}
