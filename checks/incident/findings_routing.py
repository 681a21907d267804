"""AWS-GD-801, AWS-SH-802: GuardDuty / Security Hub findings not routed to a live target."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import Unknown, is_unknown

_NAMES = {"guardduty": ("GuardDuty", "GuardDuty detector"), "securityhub": ("Security Hub", "Security Hub account")}


def _rule_answer(rule, service: str) -> tuple:
    """(True / False / Unknown, why not, location of the deciding value) for one rule."""
    parts = (
        (rule.matches(service), "its event pattern does not match %s findings" % _NAMES[service][0], rule.pattern_location),
        (rule.enabled.value, "it is disabled", rule.enabled.location),
        (rule.default_bus.value, "it listens on a custom event bus, where AWS services send no findings", rule.default_bus.location),
    )
    for value, why, loc in parts:
        if value is False:
            return False, why, loc
    live = rule.live_target()
    if live is False:
        whys = "; ".join(t.why for t in rule.targets) or "it has no target"
        return False, "no live target (%s)" % whys, rule.resource.location
    for value, why, loc in parts:
        if is_unknown(value):
            return value, why, loc
    if is_unknown(live):
        t = next(t for t in rule.targets if is_unknown(t.live))
        return live, t.why, t.location
    return True, "", rule.resource.location


def _evaluate(check_id: str, service: str, facts):
    by_root: dict = {}  # root -> [(rule, answer, why, location)]
    routed: dict = {}  # root -> the first rule that routes the findings
    for rule in facts.of_kind("event_rule"):
        root_path = rule.resource.meta.get("root_module", "")
        answer = _rule_answer(rule, service)
        by_root.setdefault(root_path, []).append((rule,) + answer)
        if answer[0] is True:
            routed.setdefault(root_path, rule)
    sources: dict = {}
    for src in facts.of_kind("findings_service"):
        if src.service == service:
            sources.setdefault(src.resource.meta.get("root_module", ""), []).append(src)
    label, source_label = _NAMES[service]
    for root in facts.of_kind("root"):
        mine = sources.get(root.path, ())
        on = [s for s in mine if s.enabled.is_true()]
        maybe = [s for s in mine if not s.enabled.known]
        if not on and not maybe:
            continue  # nothing in this root produces such findings
        unknown = None
        near = []
        for rule, answer, why, loc in by_root.get(root.path, ()):
            if answer is True:
                break
            if is_unknown(answer):
                unknown = unknown or (rule, answer, why, loc)
            elif rule.matches(service) is not False:
                near.append("%s: %s" % (rule.resource.address, why))
        else:
            if unknown is not None:
                rule, value, why, loc = unknown
                yield undecided(check_id, root.resource, "%s (%s)" % (rule.resource.address, why), value, loc)
            elif not on:
                s = maybe[0]
                yield undecided(check_id, root.resource, "%s enabled" % s.resource.address, s.enabled.value, s.enabled.location)
            elif any(path != root.path and path not in sources for path in routed):
                # Routing often lives in a stack or root module of its own (one without a
                # detector or hub); roots are separate deployments and are never matched, so
                # whether it covers this one is not known.
                other = next(r for path, r in sorted(routed.items()) if path != root.path and path not in sources)
                yield undecided(check_id, root.resource, "routing by %s of another root" % other.resource.address,
                                Unknown("%s findings are routed by %s in another root, which may or may not serve this one" % (label, other.resource.address)), other.resource.location)
            else:
                detail = ("; the closest: " + "; ".join(near[:2])) if near else ""
                yield Finding(check_id, root.resource, "%s findings of %s are not routed by any enabled EventBridge rule to a live target (SNS topic with a subscription, Lambda, Step Functions, SQS)%s." % (
                    label, on[0].resource.address, detail), root.resource.location)


def evaluate_guardduty(facts):
    yield from _evaluate(GUARDDUTY.id, "guardduty", facts)


def evaluate_securityhub(facts):
    yield from _evaluate(SECURITYHUB.id, "securityhub", facts)


_WHAT = """Project-level, per root module or top-level stack that declares %(source)s: finds roots
where no EventBridge rule (`aws_cloudwatch_event_rule` with `aws_cloudwatch_event_target`,
`AWS::Events::Rule` with `Targets`) routes %(label)s findings to a live target. A rule counts when
its event pattern matches the finding events (`source` `%(src)s`, `detail-type` `%(dt)s`; prefix,
wildcard and anything-but filters are interpreted; a `detail` filter on severity or finding type
still counts), it is enabled (`state` / `is_enabled` / `State`), it listens on the default event
bus, and one of its targets is live: a Lambda function, a Step Functions state machine, an SQS
queue, or an SNS topic with a subscription (an ARN outside the scan, such as a central security
account's event bus, is trusted). A target with `count = 0` or a condition that is false does not
exist. Reported on the root at line 1 of its first file; roots without %(source)s are left to
the detection checks. Roots are separate deployments and are never matched, but routing often
lives in a stack or root module of its own: when a root without %(source)s routes the findings,
the roots that lack routing are left undecided rather than reported."""

_WHY = """%(label)s findings are only useful when someone acts on them. Without a rule that sends
them to a person or an automated responder they wait in the console until someone looks, which in
practice means an attacker's activity is found weeks later, if ever. A rule that is disabled, on a
custom bus, or pointing at an SNS topic nobody subscribed to gives the same silence while looking
like coverage."""


GUARDDUTY = Check(
    id="AWS-GD-801",
    title="GuardDuty findings are not routed to a live target by an EventBridge rule",
    severity="medium",
    pillar="incident",
    cwe=("CWE-778",),
    kinds=("root", "event_rule", "findings_service"),
    evaluate=evaluate_guardduty,
    scope="project",
    what=_WHAT % {"source": "a GuardDuty detector", "label": "GuardDuty", "src": "aws.guardduty", "dt": "GuardDuty Finding"},
    why=_WHY % {"label": "GuardDuty"},
    fix_terraform="""```hcl
resource "aws_cloudwatch_event_rule" "guardduty" {
  name = "guardduty-findings"
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
  })
}

resource "aws_cloudwatch_event_target" "guardduty" {
  rule = aws_cloudwatch_event_rule.guardduty.name
  arn  = aws_sns_topic.security_alerts.arn
}

resource "aws_sns_topic_subscription" "oncall" {
  topic_arn = aws_sns_topic.security_alerts.arn
  protocol  = "email"
  endpoint  = "security-oncall@example.com"
}
```""",
    fix_cloudformation="""```yaml
GuardDutyFindings:
  Type: AWS::Events::Rule
  Properties:
    EventPattern:
      source: [aws.guardduty]
      detail-type: [GuardDuty Finding]
    Targets:
      - Id: alerts
        Arn: !Ref SecurityAlerts
SecurityAlerts:
  Type: AWS::SNS::Topic
  Properties:
    Subscription:
      - Protocol: email
        Endpoint: security-oncall@example.com
```""",
    references=(
        "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html",
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html",
    ),
)

SECURITYHUB = Check(
    id="AWS-SH-802",
    title="Security Hub findings are not routed to a live target by an EventBridge rule",
    severity="medium",
    pillar="incident",
    cwe=("CWE-778",),
    kinds=("root", "event_rule", "findings_service"),
    evaluate=evaluate_securityhub,
    scope="project",
    what=_WHAT % {"source": "a Security Hub account", "label": "Security Hub", "src": "aws.securityhub", "dt": "Security Hub Findings - Imported"},
    why=_WHY % {"label": "Security Hub"},
    fix_terraform="""```hcl
resource "aws_cloudwatch_event_rule" "securityhub" {
  name = "securityhub-findings"
  event_pattern = jsonencode({
    source        = ["aws.securityhub"]
    "detail-type" = ["Security Hub Findings - Imported"]
  })
}

resource "aws_cloudwatch_event_target" "securityhub" {
  rule = aws_cloudwatch_event_rule.securityhub.name
  arn  = aws_lambda_function.triage.arn
}
```""",
    fix_cloudformation="""```yaml
SecurityHubFindings:
  Type: AWS::Events::Rule
  Properties:
    EventPattern:
      source: [aws.securityhub]
      detail-type: [Security Hub Findings - Imported]
    Targets:
      - Id: triage
        Arn: !GetAtt TriageFunction.Arn
```""",
    references=(
        "https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-integration-types.html",
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html",
    ),
)
