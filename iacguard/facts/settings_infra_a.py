"""Table kinds of the catalogue slice "infra_a" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table."""
from __future__ import annotations

from .table import ENUM, FLAG, TEXT, VALUE, Setting, TableKind

# A subnet hands out public IPv4 addresses to the instances launched in it only when told to:
# `map_public_ip_on_launch` (provider default false) / `MapPublicIpOnLaunch` (default false).
# (The default subnets of a default VPC do map them, but those are not declared in a scan.)
SUBNET = TableKind(
    "subnet", "Subnet",
    terraform=("aws_subnet",),
    cloudformation=("AWS::EC2::Subnet",),
    settings=(
        Setting("map_public_ip", ("map_public_ip_on_launch",), ("MapPublicIpOnLaunch",), FLAG, default=False),
    ),
    doc="A VPC subnet: whether it gives instances launched in it a public IPv4 address (`map_public_ip`).",
)

# `aws_default_security_group` adopts a VPC's default group and, like `aws_security_group`,
# removes every rule the source does not declare: no `ingress`/`egress` block means no rule.
# CloudFormation cannot manage the default group (it has no such resource type).
DEFAULT_SECURITY_GROUP = TableKind(
    "default_security_group", "DefaultSecurityGroup",
    terraform=("aws_default_security_group",),
    cloudformation=(),
    settings=(
        Setting("ingress", ("ingress",), None, VALUE, default=()),
        Setting("egress", ("egress",), None, VALUE, default=()),
    ),
    doc="A VPC's default security group adopted by Terraform: its inline `ingress` and `egress` blocks as written.",
)

# EKS: the public API endpoint is on unless turned off (`endpoint_public_access` defaults to
# true in the provider, `EndpointPublicAccess` to true in CloudFormation), and open to
# 0.0.0.0/0 unless `public_access_cidrs` / `PublicAccessCidrs` narrows it (EKS API default).
EKS_CLUSTER = TableKind(
    "eks_cluster", "EksCluster",
    terraform=("aws_eks_cluster",),
    cloudformation=("AWS::EKS::Cluster",),
    settings=(
        Setting("public_endpoint", ("vpc_config", 0, "endpoint_public_access"), ("ResourcesVpcConfig", "EndpointPublicAccess"), FLAG, default=True),
        Setting("public_cidrs", ("vpc_config", 0, "public_access_cidrs"), ("ResourcesVpcConfig", "PublicAccessCidrs"), VALUE, default=("0.0.0.0/0",)),
        # EKS control plane logs: none unless listed (`enabled_cluster_log_types`, a list of names /
        # Logging.ClusterLogging.EnabledTypes, a list of {Type: name}).
        Setting("log_types", ("enabled_cluster_log_types",), ("Logging", "ClusterLogging", "EnabledTypes"), VALUE, default=()),
    ),
    doc="An EKS cluster: whether its API endpoint is public (`public_endpoint`) and from which ranges (`public_cidrs`), its control-plane log types.",
)

# Lambda function URLs: the auth type is required in both languages (no default).
FUNCTION_URL = TableKind(
    "function_url", "FunctionUrl",
    terraform=("aws_lambda_function_url",),
    cloudformation=("AWS::Lambda::Url",),
    settings=(
        Setting("auth_type", ("authorization_type",), ("AuthType",), ENUM, choices=("none", "aws_iam")),
    ),
    doc="A Lambda function URL: its auth type, `none` or `aws_iam`.",
)

# API Gateway (REST) methods: `authorization` is required in Terraform; CloudFormation's
# `AuthorizationType` defaults to NONE. An API key is not required unless asked for (both false).
API_METHOD = TableKind(
    "api_method", "ApiMethod",
    terraform=("aws_api_gateway_method",),
    cloudformation=("AWS::ApiGateway::Method",),
    settings=(
        Setting("authorization", ("authorization",), ("AuthorizationType",), ENUM, cfn_default="none",
                choices=("none", "aws_iam", "custom", "cognito_user_pools")),
        Setting("api_key_required", ("api_key_required",), ("ApiKeyRequired",), FLAG, default=False),
        Setting("http_method", ("http_method",), ("HttpMethod",), TEXT),
    ),
    doc="An API Gateway REST API method: how callers are authorized, whether an API key is required, and its HTTP method.",
)

KINDS: tuple = (SUBNET, DEFAULT_SECURITY_GROUP, EKS_CLUSTER, FUNCTION_URL, API_METHOD)
