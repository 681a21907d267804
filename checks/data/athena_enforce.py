"""AWS-ATH-900: Athena workgroup lets clients override its settings (next to AWS-ATH-501, which
asks the workgroup to encrypt query results: without enforcement a client may ignore that)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

from .analytics_encryption import ATHENA


def evaluate(facts):
    for group in facts.of_kind("athena_workgroup_encryption"):
        enforce = group.enforce_configuration
        if enforce.is_true():
            continue
        if not enforce.known:
            yield undecided(CHECK.id, group.resource, "enforce workgroup configuration", enforce.value, enforce.location)
        else:
            yield Finding(CHECK.id, group.resource,
                          "Athena workgroup %s does not enforce its configuration: clients may override its result location and encryption." % group.resource.address,
                          enforce.location)


CHECK = Check(
    id="AWS-ATH-900",
    title="Athena workgroup lets clients override its settings",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("athena_workgroup_encryption",),
    evaluate=evaluate,
    what="""Finds Athena workgroups (`aws_athena_workgroup`, `AWS::Athena::WorkGroup`) that set
`configuration.enforce_workgroup_configuration` / `WorkGroupConfiguration.EnforceWorkGroupConfiguration`
to false. Left out, the setting is not reported: the AWS provider's default is true, and neither
CloudFormation nor the Athena API documents another default (the AWS Config rule
`athena-workgroup-enforce-workgroup-configuration` also reports only false). A value not known
before deploy (a variable, a parameter) is reported as undecided.""",
    why="""Without enforcement the workgroup's result configuration is only a suggestion: every
client (a BI tool, a notebook, a script) may send its own output location and encryption
option, and write query results (copies of the data queried) unencrypted or to a bucket of its
choice. Enforcing the configuration is what makes AWS-ATH-501's encryption hold.""",
    # One hardened workgroup answers both Athena checks: the same example as AWS-ATH-501's.
    fix_terraform=ATHENA.fix_terraform,
    fix_cloudformation=ATHENA.fix_cloudformation,
    references=(
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/athena-workgroup-enforce-workgroup-configuration.html",
    ),
    equivalents=(("checkov", "CKV_AWS_82"), ("trivy", "AVD-AWS-0007")),
)
