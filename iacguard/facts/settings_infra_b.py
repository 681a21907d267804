"""Table kinds of the catalogue slice "infra_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table."""
from __future__ import annotations

from .table import FLAG, PRESENT, REQUIRED, TEXT, Setting, TableKind

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

# Redshift `publicly_accessible`: the AWS provider defaulted to true before version 6.0 and to
# false since, and a scan does not know the provider version, so a Terraform cluster that leaves
# it out is undecided. CloudFormation leaves it to the service, whose default is false
# (CreateCluster's PubliclyAccessible).
# https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
REDSHIFT_EXPOSURE = TableKind(
    "redshift_exposure", "RedshiftExposure",
    terraform=("aws_redshift_cluster",),
    cloudformation=("AWS::Redshift::Cluster",),
    settings=(
        Setting("publicly_accessible", ("publicly_accessible",), ("PubliclyAccessible",), FLAG, default=REQUIRED, cfn_default=False),
    ),
    doc="A Redshift provisioned cluster and whether it is publicly accessible.",
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

# OpenSearch / Elasticsearch domains: a domain with no VPC options (subnets) gets a public
# endpoint; VPC access cannot be added to an existing public domain.
# https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html
SEARCH_DOMAIN_NETWORK = TableKind(
    "search_domain_network", "SearchDomainNetwork",
    terraform=("aws_opensearch_domain", "aws_elasticsearch_domain"),
    cloudformation=("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
    settings=(
        Setting("vpc_subnets", ("vpc_options", 0, "subnet_ids"), ("VPCOptions", "SubnetIds"), PRESENT,
                set_by=("aws_subnet", "aws_default_subnet", "AWS::EC2::Subnet")),
    ),
    doc="An OpenSearch or Elasticsearch domain and whether it is placed in VPC subnets.",
)

KINDS: tuple = (API_CUSTOM_DOMAIN, REDSHIFT_EXPOSURE, DMS_EXPOSURE, SEARCH_DOMAIN_NETWORK)
