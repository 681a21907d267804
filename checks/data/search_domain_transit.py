"""AWS-OPENSEARCH-602/603/604: OpenSearch and Elasticsearch domains without node-to-node
encryption, without HTTPS enforced, or with a TLS policy that allows TLS 1.0."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

KIND = ("search_domain",)
OLD_TLS_POLICY = "policy-min-tls-1-0-2019-07"


def node_to_node(facts):
    for domain in facts.of_kind("search_domain"):
        attr = domain.node_to_node
        if not attr.known:
            yield undecided(NODE_TO_NODE.id, domain.resource, "node-to-node encryption", attr.value, attr.location)
        elif attr.is_false():
            yield Finding(NODE_TO_NODE.id, domain.resource, "Domain %s does not encrypt traffic between its nodes%s." % (
                domain.resource.address, "" if attr.explicit else " (node-to-node encryption is off unless enabled)"), attr.location)


def enforce_https(facts):
    for domain in facts.of_kind("search_domain"):
        https = domain.enforce_https
        if not domain.endpoint_options.known:
            options = domain.endpoint_options
            yield undecided(ENFORCE_HTTPS.id, domain.resource, "domain endpoint options", options.value, options.location)
            continue
        if domain.resource.language == "terraform" and not https.explicit:
            if domain.endpoint_options.value in (None, []):  # no block: the service's default (HTTP allowed) applies
                yield Finding(ENFORCE_HTTPS.id, domain.resource, "Domain %s has no domain_endpoint_options, so it accepts plain HTTP (the service does not enforce HTTPS unless told to)." % domain.resource.address, https.location)
                continue
        if not https.known:
            yield undecided(ENFORCE_HTTPS.id, domain.resource, "enforce HTTPS", https.value, https.location)
        elif https.is_false():
            yield Finding(ENFORCE_HTTPS.id, domain.resource, "Domain %s accepts plain HTTP requests%s." % (
                domain.resource.address, "" if https.explicit else " (EnforceHTTPS is false unless set)"), https.location)


def tls_policy(facts):
    for domain in facts.of_kind("search_domain"):
        policy = domain.tls_policy
        if not policy.known:
            yield undecided(TLS_POLICY.id, domain.resource, "TLS security policy", policy.value, policy.location)
        elif str(policy.value).strip().lower() == OLD_TLS_POLICY:
            yield Finding(TLS_POLICY.id, domain.resource, "Domain %s accepts TLS 1.0 and 1.1 on its HTTPS endpoint (%s%s)." % (
                domain.resource.address, policy.value, "" if policy.explicit else ", the service's default"), policy.location)


_TF_FIX_HTTPS = """```hcl
resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  node_to_node_encryption {
    enabled = true
  }
  encrypt_at_rest {
    enabled = true
  }
  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
  }
}
```"""

_CFN_FIX_HTTPS = """```yaml
Search:
  Type: AWS::OpenSearchService::Domain
  Properties:
    NodeToNodeEncryptionOptions:
      Enabled: true
    EncryptionAtRestOptions:
      Enabled: true
    DomainEndpointOptions:
      EnforceHTTPS: true
      TLSSecurityPolicy: Policy-Min-TLS-1-2-PFS-2023-10
```"""

_TYPES = "(`aws_opensearch_domain`, `aws_elasticsearch_domain`, `AWS::OpenSearchService::Domain`, `AWS::Elasticsearch::Domain`)"

NODE_TO_NODE = Check(
    id="AWS-OPENSEARCH-602",
    title="OpenSearch domain does not encrypt traffic between its nodes",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=KIND,
    evaluate=node_to_node,
    equivalents=(("checkov", "CKV_AWS_6"), ("trivy", "AVD-AWS-0043")),
    what="""Finds OpenSearch and Elasticsearch domains %s whose node-to-node encryption
(`node_to_node_encryption.enabled` / `NodeToNodeEncryptionOptions.Enabled`) is false or left
out: it is off unless enabled.""" % _TYPES,
    why="""Nodes of a domain exchange documents, query results and shard copies. Without
node-to-node encryption that traffic crosses the VPC in clear text. Fine-grained access control
requires node-to-node encryption, and it cannot be turned off again once on.""",
    fix_terraform=_TF_FIX_HTTPS,
    fix_cloudformation=_CFN_FIX_HTTPS,
    references=("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html",),
)

ENFORCE_HTTPS = Check(
    id="AWS-OPENSEARCH-603",
    title="OpenSearch domain accepts plain HTTP requests",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=KIND,
    evaluate=enforce_https,
    equivalents=(("checkov", "CKV_AWS_83"), ("trivy", "AVD-AWS-0046")),
    what="""Finds OpenSearch and Elasticsearch domains %s that do not enforce HTTPS. In
Terraform `enforce_https` defaults to true inside a `domain_endpoint_options` block, but a domain
without the block gets the service's default, which allows HTTP; in CloudFormation
`DomainEndpointOptions.EnforceHTTPS` left out is false.""" % _TYPES,
    why="""Requests to a domain carry the documents indexed and the results returned, and often
signed credentials or basic-auth passwords of fine-grained access control. Over plain HTTP they
can be read and altered by anyone on the path.""",
    fix_terraform=_TF_FIX_HTTPS,
    fix_cloudformation=_CFN_FIX_HTTPS,
    references=("https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainEndpointOptions.html",),
)

TLS_POLICY = Check(
    id="AWS-OPENSEARCH-604",
    title="OpenSearch domain HTTPS endpoint allows TLS 1.0",
    severity="medium",
    pillar="data",
    cwe=("CWE-326",),
    kinds=KIND,
    evaluate=tls_policy,
    equivalents=(("checkov", "CKV_AWS_228"), ("trivy", "AVD-AWS-0047")),
    what="""Finds OpenSearch and Elasticsearch domains %s whose TLS security policy
(`domain_endpoint_options.tls_security_policy` / `DomainEndpointOptions.TLSSecurityPolicy`) is
`Policy-Min-TLS-1-0-2019-07` or left out (the service's default, which accepts TLS 1.0 and 1.1).
`Policy-Min-TLS-1-2-2019-07` and `Policy-Min-TLS-1-2-PFS-2023-10` pass.""" % _TYPES,
    why="""TLS 1.0 and 1.1 are deprecated (RFC 8996): their cipher suites and handshakes have known
weaknesses, and a client can be downgraded to them. A minimum of TLS 1.2 is what AWS and PCI DSS
ask for.""",
    fix_terraform=_TF_FIX_HTTPS,
    fix_cloudformation=_CFN_FIX_HTTPS,
    references=("https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainEndpointOptions.html",
                "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/infrastructure-security.html"),
)
