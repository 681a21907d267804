"""AWS-CT-105: an S3 bucket the configuration names as holding sensitive data whose object-level
reads or writes no logging CloudTrail trail of the scan records. Off unless configured: the
configuration key `data-event-buckets` lists glob patterns of bucket names or addresses (README
"Configuration"); `configured(check, patterns)` gives the check that reports on them."""
from __future__ import annotations

import dataclasses

from iacguard.check import Check, undecided
from iacguard.core.lazy import lazy_module
from iacguard.core.model import Finding
from iacguard.core.unknown import Unknown, is_unknown

from ..data.s3_customer_key import _named
from .detection_a_common import conditional
from iacguard.facts.common import Attr

_events = lazy_module("iacguard.facts.detection_d_events")  # loaded when the check runs, not when it is listed


def _logging(trail_fact) -> Attr:
    """Whether the trail logs, as far as its existence (conditions, unknown count) and
    `enable_logging` / `IsLogging` say."""
    return conditional(trail_fact, trail_fact.logging)


def _evaluator(patterns: tuple):
    def evaluate(facts):
        if not patterns:
            return  # off: not even the facts are built
        logging = {t.resource.id: _logging(t) for t in facts.of_kind("cloudtrail")}
        trails = []
        for fact in facts.of_kind("trail_s3_selectors"):
            state = logging.get(fact.resource.id)
            if state is None or state.is_false():
                continue
            trails.append((fact, state))
        buckets = facts.of_kind("data_event_bucket")
        ids = frozenset(b.resource.id for b in buckets)
        for bucket in buckets:
            named = _named(bucket, patterns)
            if named is False:
                continue
            name_loc = bucket.resource.location_of("bucket" if bucket.resource.language == "terraform" else "BucketName")
            reads, writes = _covered(trails, bucket.prefix, (bucket.resource.id, ids))
            missing = [(what, value, loc) for what, (value, loc) in (("reads", reads), ("writes", writes)) if not is_unknown(value) and value != _events.ALL]
            unknown = next(((what, value, loc) for what, (value, loc) in (("reads", reads), ("writes", writes)) if is_unknown(value)), None)
            if named is not True:
                if missing or unknown is not None:
                    yield undecided(CHECK.id, bucket.resource, "bucket name", named, name_loc)
                continue
            if missing:
                which = " and ".join(what for what, _, _ in missing)
                parts = " and ".join(what for what, value, _ in missing if value == _events.PART)
                detail = "; a trail records only part of its %s (an object prefix or a filtered selector)" % parts if parts else ""
                yield Finding(CHECK.id, bucket.resource, "S3 bucket %s is named in data-event-buckets but no CloudTrail trail that logs records all of its object-level %s (S3 data events)%s." % (
                    bucket.resource.address, which, detail), bucket.resource.location)
            elif unknown is not None:
                what, value, loc = unknown
                yield undecided(CHECK.id, bucket.resource, "S3 data events for %s of the bucket" % what, value, loc)
    # The scan cache keys checks on this (iacguard.cache.ScanCache.key): other patterns, other findings.
    evaluate.cache_token = ("data-event-buckets",) + patterns
    return evaluate


def _covered(trails: list, prefix, scope: tuple) -> tuple:
    """((reads, location), (writes, location)) over every logging trail: ALL when one trail records
    all of them, else an Unknown when one might, else the most any records."""
    best = [(0, None), (0, None)]
    for fact, state in trails:
        for k, (value, loc) in enumerate(_events.coverage(fact, prefix, scope)):
            if not state.is_true() and not is_unknown(value) and value == _events.ALL:
                value, loc = state.value if is_unknown(state.value) else Unknown("trail %s may not log" % fact.resource.address), state.location
            old = best[k][0]
            if is_unknown(old):
                if not is_unknown(value) and value == _events.ALL:
                    best[k] = (value, loc)
            elif is_unknown(value):
                if old != _events.ALL:
                    best[k] = (value, loc)
            elif value > old:
                best[k] = (value, loc)
    return best[0], best[1]


CHECK = Check(
    id="AWS-CT-105",
    title="S3 bucket holding sensitive data is not covered by a trail's S3 data events",
    severity="medium",
    pillar="detection",
    scope="project",
    cwe=("CWE-778",),
    kinds=("data_event_bucket", "trail_s3_selectors", "cloudtrail"),
    evaluate=_evaluator(()),
    what="""Off by default: reports only the S3 buckets that the configuration names in
`data-event-buckets`, a list of glob patterns matched against each bucket's address
(`aws_s3_bucket.customer_data`, `module.data.aws_s3_bucket.this`, `CustomerDataBucket`) and its
name (`bucket` / `BucketName`: `acme-payments-*`):

```toml
# .iacguard.toml
data-event-buckets = ["acme-payments-*", "aws_s3_bucket.customer_data"]
```

Such a bucket passes when a CloudTrail trail of the scan (any root module or stack: trails are
account-wide) that logs (`enable_logging` / `IsLogging` not false, not under a false condition,
`count` not 0) records S3 data events for every object of the bucket, reads and writes, in one
trail or two:

- basic selectors: a data resource of type `AWS::S3::Object` with the value `arn:aws:s3` or
  `arn:aws:s3:::` (every bucket), or the bucket's ARN with or without a trailing `/`;
  `read_write_type` / `ReadWriteType` `All` (the default), or `ReadOnly` and `WriteOnly` in two
  selectors;
- advanced selectors: `eventCategory` equals `Data`, `resources.type` equals `AWS::S3::Object`,
  and either no `resources.ARN` field or a condition every object of the bucket meets
  (`StartsWith` the bucket's ARN, a `NotStartsWith` of another bucket); `readOnly` splits reads
  and writes.

A selector that covers only part of the bucket (an object prefix such as
`arn:aws:s3:::bucket/reports/`, `EndsWith`, an `Equals` of one object, a filter on `eventName` or
`userIdentity.arn`) does not count: the bucket was named as sensitive as a whole. The message says
which access (reads, writes) is missing. A bucket whose name is not known (generated, or from a
variable) is undecided unless a trail covers every bucket or names the bucket's own attribute
(`"${aws_s3_bucket.data.arn}/"`); so is a selector value, a selector list or a trail's logging
that is not known. A trail outside the scanned tree (an organization trail, another repository)
is not seen: skip the check (`skip-checks`) or leave `data-event-buckets` empty then. As it reads
every trail of the scan, it is a project-level check (`--no-whole-project-checks` skips it). Not checked:
a single-region trail records data events of the buckets of its own region only.""",
    why="""Management events say who changed a bucket's policy, not who read or deleted its
objects: `GetObject`, `PutObject` and `DeleteObject` are data events, which trails record only when
asked. Without them, an exfiltration with stolen credentials or a deletion of sensitive objects
leaves no trace to investigate (CIS AWS Foundations, object-level logging for read and write
events).""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  name           = "account-trail"
  s3_bucket_name = aws_s3_bucket.trail.id

  event_selector {
    read_write_type           = "All"
    include_management_events = true
    data_resource {
      type   = "AWS::S3::Object"
      values = ["${aws_s3_bucket.customer_data.arn}/"]
    }
  }
}
```""",
    fix_cloudformation="""```yaml
Trail:
  Type: AWS::CloudTrail::Trail
  Properties:
    IsLogging: true
    S3BucketName: !Ref TrailBucket
    EventSelectors:
      - ReadWriteType: All
        IncludeManagementEvents: true
        DataResources:
          - Type: AWS::S3::Object
            Values:
              - !Sub "${CustomerDataBucket.Arn}/"
```""",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/filtering-data-events.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-cloudtrail-logging-for-s3.html",
    ),
)


def configured(check: Check, patterns) -> Check:
    """The check reporting on the buckets `patterns` name (the configuration key
    `data-event-buckets`); `check` itself when there are none."""
    patterns = tuple(p for p in patterns or () if isinstance(p, str) and p)
    return dataclasses.replace(check, evaluate=_evaluator(patterns)) if patterns and check.id == CHECK.id else check
