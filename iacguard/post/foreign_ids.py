"""Other scanners' rule ids and the iacguard checks equivalent to them.

The equivalents come from the checks themselves (`Check.equivalents`: Checkov ids and Trivy's
`AVD-...` ids). tfsec, and Trivy too, also name a rule by its long id
(`aws-ec2-no-public-ingress-sgr`); `TRIVY_LONG_IDS` gives the long id of each Trivy id an
iacguard check names (ids are facts; nothing else of those tools is taken). tfsec's legacy ids
(`AWS018`) have no equivalent here.
"""
from __future__ import annotations

TOOLS = ("checkov", "tfsec", "trivy")

TRIVY_LONG_IDS = {
    'AVD-AWS-0001': 'aws-apigateway-enable-access-logging',
    'AVD-AWS-0003': 'aws-apigateway-enable-tracing',
    'AVD-AWS-0004': 'aws-apigateway-no-public-access',
    'AVD-AWS-0005': 'aws-apigateway-use-secure-tls-policy',
    'AVD-AWS-0006': 'aws-athena-enable-at-rest-encryption',
    'AVD-AWS-0007': 'aws-athena-no-encryption-override',
    'AVD-AWS-0009': 'aws-ec2-no-public-ip',
    'AVD-AWS-0010': 'aws-cloudfront-enable-logging',
    'AVD-AWS-0011': 'aws-cloudfront-enable-waf',
    'AVD-AWS-0012': 'aws-cloudfront-enforce-https',
    'AVD-AWS-0013': 'aws-cloudfront-use-secure-tls-policy',
    'AVD-AWS-0014': 'aws-cloudtrail-enable-all-regions',
    'AVD-AWS-0015': 'aws-cloudtrail-encryption-customer-managed-key',
    'AVD-AWS-0016': 'aws-cloudtrail-enable-log-validation',
    'AVD-AWS-0017': 'aws-cloudwatch-log-group-customer-key',
    'AVD-AWS-0021': 'aws-documentdb-enable-storage-encryption',
    'AVD-AWS-0024': 'aws-dynamodb-enable-recovery',
    'AVD-AWS-0025': 'aws-dynamodb-table-customer-key',
    'AVD-AWS-0026': 'aws-ec2-enable-volume-encryption',
    'AVD-AWS-0028': 'aws-ec2-enforce-http-token-imds',
    'AVD-AWS-0029': 'aws-ec2-no-secrets-in-user-data',
    'AVD-AWS-0030': 'aws-ecr-enable-image-scans',
    'AVD-AWS-0031': 'aws-ecr-enforce-immutable-repository',
    'AVD-AWS-0033': 'aws-ecr-repository-customer-key',
    'AVD-AWS-0037': 'aws-efs-enable-at-rest-encryption',
    'AVD-AWS-0038': 'aws-eks-enable-control-plane-logging',
    'AVD-AWS-0040': 'aws-eks-no-public-cluster-access',
    'AVD-AWS-0041': 'aws-eks-no-public-cluster-access-to-cidr',
    'AVD-AWS-0042': 'aws-elasticsearch-enable-domain-logging',
    'AVD-AWS-0043': 'aws-elasticsearch-enable-in-transit-encryption',
    'AVD-AWS-0045': 'aws-elasticache-enable-at-rest-encryption',
    'AVD-AWS-0046': 'aws-elasticsearch-enforce-https',
    'AVD-AWS-0047': 'aws-elb-use-secure-tls-policy',
    'AVD-AWS-0048': 'aws-elasticsearch-enable-domain-encryption',
    'AVD-AWS-0051': 'aws-elasticache-enable-in-transit-encryption',
    'AVD-AWS-0052': 'aws-elb-drop-invalid-headers',
    'AVD-AWS-0054': 'aws-elb-http-not-used',
    'AVD-AWS-0056': 'aws-iam-no-password-reuse',
    'AVD-AWS-0057': 'aws-iam-no-policy-wildcards',
    'AVD-AWS-0059': 'aws-iam-require-numbers-in-passwords',
    'AVD-AWS-0060': 'aws-iam-require-symbols-in-passwords',
    'AVD-AWS-0063': 'aws-iam-set-minimum-password-length',
    'AVD-AWS-0064': 'aws-kinesis-enable-in-transit-encryption',
    'AVD-AWS-0065': 'aws-kms-auto-rotate-keys',
    'AVD-AWS-0066': 'aws-lambda-enable-tracing',
    'AVD-AWS-0067': 'aws-lambda-restrict-source-arn',
    'AVD-AWS-0070': 'aws-mq-enable-audit-logging',
    'AVD-AWS-0071': 'aws-mq-enable-general-logging',
    'AVD-AWS-0073': 'aws-msk-enable-in-transit-encryption',
    'AVD-AWS-0076': 'aws-neptune-enable-storage-encryption',
    'AVD-AWS-0077': 'aws-rds-specify-backup-retention',
    'AVD-AWS-0080': 'aws-rds-encrypt-instance-storage-data',
    'AVD-AWS-0084': 'aws-redshift-encryption-customer-key',
    'AVD-AWS-0088': 'aws-s3-enable-bucket-encryption',
    'AVD-AWS-0089': 'aws-s3-enable-logging',
    'AVD-AWS-0090': 'aws-s3-enable-versioning',
    'AVD-AWS-0095': 'aws-sns-enable-topic-encryption',
    'AVD-AWS-0096': 'aws-sqs-enable-queue-encryption',
    'AVD-AWS-0098': 'aws-ssm-secret-use-customer-key',
    'AVD-AWS-0102': 'aws-ec2-no-excessive-port-access',
    'AVD-AWS-0104': 'aws-ec2-no-public-egress-sgr',
    'AVD-AWS-0105': 'aws-ec2-no-public-ingress-acl',
    'AVD-AWS-0107': 'aws-ec2-no-public-ingress-sgr',
    'AVD-AWS-0122': 'aws-ec2-no-sensitive-info',
    'AVD-AWS-0129': 'aws-ec2-no-secrets-in-launch-template-user-data',
    'AVD-AWS-0130': 'aws-ec2-enforce-launch-config-http-token-imds',
    'AVD-AWS-0132': 'aws-s3-encryption-customer-key',
    'AVD-AWS-0147': 'aws-cloudwatch-require-unauthorised-api-call-alarm',
    'AVD-AWS-0148': 'aws-cloudwatch-require-non-mfa-login-alarm',
    'AVD-AWS-0149': 'aws-cloudwatch-require-root-user-usage-alarm',
    'AVD-AWS-0150': 'aws-cloudwatch-require-iam-policy-change-alarm',
    'AVD-AWS-0151': 'aws-cloudwatch-require-cloud-trail-change-alarm',
    'AVD-AWS-0152': 'aws-cloudwatch-require-console-login-failures-alarm',
    'AVD-AWS-0153': 'aws-cloudwatch-require-cmk-disabled-alarm',
    'AVD-AWS-0154': 'aws-cloudwatch-require-s3-bucket-policy-change-alarm',
    'AVD-AWS-0155': 'aws-cloudwatch-require-config-configuration-changes-alarm',
    'AVD-AWS-0156': 'aws-cloudwatch-require-sg-change-alarms',
    'AVD-AWS-0157': 'aws-cloudwatch-require-nacl-changes-alarm',
    'AVD-AWS-0158': 'aws-cloudwatch-require-network-gateway-changes-alarm',
    'AVD-AWS-0159': 'aws-cloudwatch-require-network-gateway-changes-alarm',
    'AVD-AWS-0160': 'aws-cloudwatch-require-vpc-changes-alarm',
    'AVD-AWS-0162': 'aws-cloudtrail-ensure-cloudwatch-integration',
    'AVD-AWS-0164': 'aws-ec2-no-public-ip-subnet',
    'AVD-AWS-0173': 'aws-ec2-restrict-all-in-default-sg',
    'AVD-AWS-0175': 'aws-accessanalyzer-enable-access-analyzer',
    'AVD-AWS-0178': 'aws-ec2-require-vpc-flow-logs-for-all-vpcs',
    'AVD-AWS-0179': 'aws-msk-enable-at-rest-encryption',
}


def equivalents_map(checks) -> dict:
    """tool -> {foreign id (upper case) -> tuple of iacguard check ids}, for TOOLS."""
    out: dict = {tool: {} for tool in TOOLS}

    def add(tool: str, foreign: str, cid: str) -> None:
        ids = out[tool].setdefault(foreign.upper(), [])
        if cid not in ids:
            ids.append(cid)

    for check in checks:
        for tool, foreign in check.equivalents:
            if tool == "checkov":
                add("checkov", foreign, check.id)
            elif tool == "trivy":
                long_id = TRIVY_LONG_IDS.get(foreign)
                for name in (foreign, long_id):
                    if name:
                        add("trivy", name, check.id)
                        add("tfsec", name, check.id)
    return {tool: {k: tuple(v) for k, v in ids.items()} for tool, ids in out.items()}
