"""AWS-S3-615: S3 bucket whose policy does not deny requests over plain HTTP.

The IAM engine answers it: a bucket enforces TLS when a Deny statement of its bucket policy
applies to an object request from anyone made without TLS (`aws:SecureTransport` false) and not
to the same request made with TLS (so a statement that denies everything, or denies on another
condition, does not count)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import PartialUnknown, Unknown, is_unknown
from iacguard.core.lazy import lazy_module

_evaluate = lazy_module("iacguard.iam.evaluate")  # loaded when the check runs, not when it is listed
_model = lazy_module("iacguard.iam.model")

ACTIONS = ("s3:GetObject", "s3:PutObject")
SOMEONE = "arn:aws:iam::999999999999:role/any-caller"  # a principal of another account: "*" matches it


def _object_arn(bucket_arn):
    suffix = "/any-object"
    if isinstance(bucket_arn, str):
        return bucket_arn + suffix
    parts = tuple(getattr(bucket_arn, "partial_text", None) or (bucket_arn,)) + (suffix,)
    return PartialUnknown(bucket_arn.reason if is_unknown(bucket_arn) else "", partial_text=parts)


def _enforces(statement, arn):
    """True when the Deny statement blocks plain-HTTP object requests (and not TLS ones); False
    when it does not; an Unknown when a value not known decides."""
    effect = statement.effect
    if is_unknown(effect):
        return effect
    if not isinstance(effect, str) or effect.strip().lower() != "deny":
        return False
    answer = True
    for action in ACTIONS:
        insecure = _model.Request(action, arn, SOMEONE, "999999999999", None, {"aws:securetransport": ("false",)})
        secure = _model.Request(action, arn, SOMEONE, "999999999999", None, {"aws:securetransport": ("true",)})
        plain = _evaluate.statement_matches(statement, insecure)
        if plain is False:
            return False
        tls = _evaluate.statement_matches(statement, secure)
        if tls is True:
            return False  # denies with TLS as well: not a TLS rule
        if is_unknown(plain):
            answer = plain
        elif is_unknown(tls) and answer is True:
            answer = tls
    return answer


def evaluate(facts):
    policies: dict = {}
    for rp in facts.of_kind("iam_resource_policy"):
        policies.setdefault(rp.resource.id, []).append(rp)
    for bucket in facts.of_kind("bucket"):
        mine = policies.get(bucket.resource.id, [])
        unknown = None
        enforced = False
        for rp in mine:
            if not rp.policy.is_known():
                unknown = unknown or (rp.policy.unknown, rp.policy.location or bucket.resource.location)
                continue
            arn = _object_arn(rp.arn)
            for st in rp.policy.statements:
                answer = _enforces(st, arn)
                if answer is True:
                    enforced = True
                    break
                if is_unknown(answer) and unknown is None:
                    unknown = (answer, st.location or rp.policy.location or bucket.resource.location)
            if enforced:
                break
        if enforced:
            continue
        if unknown is not None:
            yield undecided(CHECK.id, bucket.resource, "bucket policy", unknown[0] if is_unknown(unknown[0]) else Unknown("not known"), unknown[1])
        elif not mine:
            yield Finding(CHECK.id, bucket.resource, "S3 bucket %s has no bucket policy denying requests made without TLS (aws:SecureTransport false)." % bucket.resource.address, bucket.resource.location)
        else:
            rp = mine[0]
            yield Finding(CHECK.id, bucket.resource, "The bucket policy of S3 bucket %s (%s) does not deny requests made without TLS (aws:SecureTransport false)." % (
                bucket.resource.address, rp.policy.name), rp.policy.location or bucket.resource.location)


CHECK = Check(
    id="AWS-S3-615",
    title="S3 bucket policy does not deny requests over plain HTTP",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=("bucket", "iam_resource_policy"),
    evaluate=evaluate,
    what="""Finds S3 buckets (`aws_s3_bucket`, `AWS::S3::Bucket`) whose bucket policy has no Deny
statement that applies to object requests (`s3:GetObject`, `s3:PutObject`) from any principal
made without TLS (condition `aws:SecureTransport` false) and not to the same requests made with
TLS. The policy may be the bucket's own (`policy` of provider v3, CloudFormation
`AWS::S3::BucketPolicy`) or an `aws_s3_bucket_policy`, written as JSON, `jsonencode()` or an
`aws_iam_policy_document`: the IAM engine evaluates it as AWS would, so `s3:*`, `*`, `NotAction`,
`Bool` or `BoolIfExists` all count. A bucket without any policy is reported.""",
    why="""S3 answers plain HTTP as well as HTTPS. Without a policy that refuses requests made
without TLS, a client (or an SDK misconfigured with an `http://` endpoint) can read and write
objects in clear text, exposing the data and the request signatures to anyone on the path. AWS
Security Hub control S3.5 asks for this deny.""",
    fix_terraform="""```hcl
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
```""",
    fix_cloudformation="""```yaml
DataBucketPolicy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref DataBucket
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyInsecureTransport
          Effect: Deny
          Principal: "*"
          Action: s3:*
          Resource:
            - !GetAtt DataBucket.Arn
            - !Sub "${DataBucket.Arn}/*"
          Condition:
            Bool:
              aws:SecureTransport: "false"
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5",
    ),
)
