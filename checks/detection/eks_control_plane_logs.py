"""AWS-EKS-201: EKS cluster without the security-relevant control plane logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

# The control plane logs an investigation needs: API server requests, the Kubernetes audit log
# and IAM authenticator decisions (the others, controllerManager and scheduler, are operational).
REQUIRED = ("api", "audit", "authenticator")


def _names(value):
    """The log type names of an `enabled_cluster_log_types` list (strings) or an `EnabledTypes`
    list ({Type: name}), and the first Unknown met (None when all are known)."""
    if is_unknown(value):
        return set(), value
    names, unknown = set(), None
    items = value if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if isinstance(item, dict):
            item = item.get("Type")
        if is_unknown(item):
            unknown = unknown or item
        elif isinstance(item, str):
            names.add(item.strip())
    return names, unknown


def evaluate(facts):
    for cluster in facts.of_kind("eks_cluster"):
        attr = cluster.log_types
        names, unknown = _names(attr.value)
        missing = [t for t in REQUIRED if t not in names]
        if not missing:
            continue
        if unknown is not None:
            yield undecided(CHECK.id, cluster.resource, "control plane log types", unknown, attr.location)
        else:
            yield Finding(CHECK.id, cluster.resource, "EKS cluster %s does not send the %s control plane log%s to CloudWatch Logs." % (
                cluster.resource.address, ", ".join(missing), "s" if len(missing) > 1 else ""), attr.location)


CHECK = Check(
    id="AWS-EKS-201",
    title="EKS cluster does not log API server, audit and authenticator events",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("eks_cluster",),
    evaluate=evaluate,
    what="""Finds EKS clusters (`aws_eks_cluster`, `AWS::EKS::Cluster`) whose control plane logs
(`enabled_cluster_log_types` / `Logging.ClusterLogging.EnabledTypes`) leave out any of `api`,
`audit` or `authenticator`. None is sent unless listed. The message names the missing types; a
list that is not known before deploy leaves the check undecided.""",
    why="""The Kubernetes audit log, the API server log and the IAM authenticator log are the
record of who did what inside the cluster: which identity created a privileged pod, read a
secret or changed a role binding. EKS keeps none of them unless they are turned on.""",
    fix_terraform="""```hcl
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = var.private_subnet_ids
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}
```""",
    fix_cloudformation="""```yaml
Cluster:
  Type: AWS::EKS::Cluster
  Properties:
    RoleArn: !GetAtt ClusterRole.Arn
    ResourcesVpcConfig:
      SubnetIds: !Ref PrivateSubnets
    Logging:
      ClusterLogging:
        EnabledTypes:
          - Type: api
          - Type: audit
          - Type: authenticator
```""",
    references=("https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",),
    equivalents=(("checkov", "CKV_AWS_37"), ("trivy", "AVD-AWS-0038")),
)
