"""Table kinds of the catalogue slice "infra_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table."""
from __future__ import annotations

from .table import FLAG, REQUIRED, TEXT, Setting, TableKind

# API Gateway REST custom domains: without `security_policy` / `SecurityPolicy` the domain
# accepts TLS 1.0 (the API's default, TLS_1_0).
# https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html
API_CUSTOM_DOMAIN = TableKind(
    "api_custom_domain", "ApiCustomDomain",
    terraform=("aws_api_gateway_domain_name",),
    cloudformation=("AWS::ApiGateway::DomainName",),
    settings=(
        Setting("security_policy", ("security_policy",), ("SecurityPolicy",), TEXT, default="TLS_1_0"),
    ),
    doc="An API Gateway (REST) custom domain name and its TLS security policy.",
)

# DMS replication instances are publicly accessible unless told not to: PubliclyAccessible
# "The default value is true" (CreateReplicationInstance); the AWS provider leaves an omitted
# `publicly_accessible` to the service.
# https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html
DMS_EXPOSURE = TableKind(
    "dms_exposure", "DmsExposure",
    terraform=("aws_dms_replication_instance",),
    cloudformation=("AWS::DMS::ReplicationInstance",),
    settings=(
        Setting("publicly_accessible", ("publicly_accessible",), ("PubliclyAccessible",), FLAG, default=True),
    ),
    doc="A DMS replication instance and whether it is publicly accessible.",
)

# EMR block public access (an account and Region setting, Terraform only: CloudFormation has no
# resource for it). `block_public_security_group_rules` is required by the provider; an account
# that declares nothing keeps the service's default, on.
# https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html
EMR_BLOCK_PUBLIC_ACCESS = TableKind(
    "emr_block_public_access", "EmrBlockPublicAccess",
    terraform=("aws_emr_block_public_access_configuration",),
    cloudformation=(),
    settings=(
        Setting("block_public_security_group_rules", ("block_public_security_group_rules",), None, FLAG, default=REQUIRED),
    ),
    doc="The EMR block public access configuration of an account and Region.",
)

# Neptune instances: `publicly_accessible` defaults to false in the AWS provider (CloudFormation's
# AWS::Neptune::DBInstance has no such property).
NEPTUNE_EXPOSURE = TableKind(
    "neptune_exposure", "NeptuneExposure",
    terraform=("aws_neptune_cluster_instance",),
    cloudformation=(),
    settings=(
        Setting("publicly_accessible", ("publicly_accessible",), None, FLAG, default=False),
    ),
    doc="A Neptune cluster instance and whether it is publicly accessible.",
)

KINDS: tuple = (API_CUSTOM_DOMAIN, DMS_EXPOSURE, EMR_BLOCK_PUBLIC_ACCESS, NEPTUNE_EXPOSURE)
