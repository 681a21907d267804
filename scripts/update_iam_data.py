#!/usr/bin/env python3
"""Regenerate the IAM data iacguard ships, from two public checkouts (never committed):

    scripts/update_iam_data.py MAMIP_GIT_DIR SAM_GIT_DIR

- MAMIP_GIT_DIR: a git directory of https://github.com/z0ph/MAMIP (every AWS managed policy's
  default version, `policies/<name>`, and `policies-list.json` with each policy's ARN path).
  Writes iacguard/iam/data/aws_managed_policies.json: the documents of the AWS managed policies
  users attach most (`MANAGED` below), keyed by ARN in the `aws` partition.
- SAM_GIT_DIR: a git directory of https://github.com/aws/serverless-application-model
  (`samtranslator/policy_templates_data/policy_templates.json`, Apache-2.0). Writes
  iacguard/cloudformation/data/sam_policy_templates.json: every template's Definition and
  parameter names.

Both are read with `git show HEAD:<path>` (bare or work-tree repositories alike); each output
file records its source, the commit and its date under a top "source" key.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGED_OUT = ROOT / "iacguard" / "iam" / "data" / "aws_managed_policies.json"
SAM_OUT = ROOT / "iacguard" / "cloudformation" / "data" / "sam_policy_templates.json"
SAM_PATH = "samtranslator/policy_templates_data/policy_templates.json"

# The AWS managed policies shipped (by name; the ARN path comes from MAMIP's list).
MANAGED = (
    "AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "ReadOnlyAccess", "ViewOnlyAccess",
    "SecurityAudit", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess", "AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess",
    "AmazonSQSFullAccess", "AmazonSNSFullAccess", "AWSLambda_FullAccess", "AWSLambda_ReadOnlyAccess",
    "AWSLambdaExecute", "CloudWatchFullAccess", "CloudWatchLogsFullAccess", "AmazonECS_FullAccess",
    "AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryFullAccess",
    "AmazonSSMManagedInstanceCore", "AWSCloudFormationFullAccess", "SecretsManagerReadWrite",
    "AWSKeyManagementServicePowerUser", "AmazonRDSFullAccess", "AmazonVPCFullAccess",
    "AWSCodeBuildAdminAccess", "AWSCodeDeployRole", "AWSXrayWriteOnlyAccess",
    # service-role/
    "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaMSKExecutionRole",
    "AmazonECSTaskExecutionRolePolicy", "AWSGlueServiceRole", "AmazonSSMAutomationRole", "AWSConfigRole",
    "AWS_ConfigRole", "AmazonEC2RoleforSSM",
)


def _git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "-C", git_dir, *args], check=True, capture_output=True, text=True).stdout


def _head(git_dir: str) -> tuple[str, str]:
    commit, date = _git(git_dir, "log", "-1", "--format=%H %cI").split()
    return commit, date


def managed_data(mamip: str) -> dict:
    listed = json.loads(_git(mamip, "show", "HEAD:policies-list.json"))["Policies"]
    by_name = {p["PolicyName"]: p for p in listed}
    commit, date = _head(mamip)
    policies = {}
    for name in MANAGED:
        entry = by_name.get(name)
        if entry is None:
            sys.exit("%s is not in MAMIP's policies-list.json" % name)
        version = json.loads(_git(mamip, "show", "HEAD:policies/" + name))["PolicyVersion"]
        policies[entry["Arn"]] = {"VersionId": version["VersionId"], "Document": version["Document"]}
    return {
        "source": {
            "what": "Default versions of AWS managed IAM policies (AWS's published documents, "
                    "as IAM GetPolicyVersion returns them)",
            "from": "https://github.com/z0ph/MAMIP (policies/, policies-list.json)",
            "commit": commit,
            "date": date,
            "licence": "The documents are AWS's public policy content; the MAMIP repository is GPL-3.0, "
                       "only the documents (facts) are used, not its code",
            "generated_by": "scripts/update_iam_data.py",
        },
        "policies": dict(sorted(policies.items())),
    }


def sam_data(sam: str) -> dict:
    templates = json.loads(_git(sam, "show", "HEAD:" + SAM_PATH))["Templates"]
    commit, date = _head(sam)
    out = {}
    for name, template in sorted(templates.items()):
        out[name] = {"Parameters": sorted(template.get("Parameters") or {}), "Definition": template["Definition"]}
    return {
        "source": {
            "what": "AWS SAM policy templates (AWS::Serverless::Function Policies)",
            "from": "https://github.com/aws/serverless-application-model " + SAM_PATH,
            "commit": commit,
            "date": date,
            "licence": "Apache-2.0 (Copyright Amazon.com, Inc. or its affiliates)",
            "generated_by": "scripts/update_iam_data.py",
        },
        "templates": out,
    }


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print("wrote %s (%d bytes)" % (path.relative_to(ROOT), path.stat().st_size))


def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    _write(MANAGED_OUT, managed_data(argv[0]))
    _write(SAM_OUT, sam_data(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
