"""AWS-CW-803 .. AWS-CW-816: the CIS AWS Foundations monitoring controls (4.1 to 4.14): a
CloudWatch Logs metric filter on the CloudTrail log group for each kind of event, with an alarm
that has an action. One check per control, all from the table `CONTROLS`."""
from __future__ import annotations

import re

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import Unknown, is_unknown


class Control:
    def __init__(self, number, cis, slug, severity, label, terms, example, trivy):
        self.id = "AWS-CW-%d" % number
        self.cis = cis
        self.slug = slug
        self.severity = severity
        self.label = label  # what is watched, e.g. "root account usage"
        self.terms = terms  # every term must appear in the filter pattern
        self.example = example  # a filter pattern that matches
        self.trivy = trivy
        self._res = None  # compiled on first use: a scan without metric filters never needs them

    def missing(self, pattern: str) -> list:
        if self._res is None:
            self._res = [re.compile(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(t)) for t in self.terms]
        return [t for t, rx in zip(self.terms, self._res) if not rx.search(pattern)]


_IAM = ("DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
        "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
        "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")
_S3 = ("PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
       "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")
_VPC = ("CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
        "DisableVpcClassicLink", "EnableVpcClassicLink")


def _names(names) -> str:
    return "{ %s }" % " || ".join('($.eventName = %s)' % n for n in names)


CONTROLS = (
    Control(803, "4.1", "unauthorised API calls", "medium", "unauthorised API calls",
            ("UnauthorizedOperation", "AccessDenied"),
            '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', "AVD-AWS-0147"),
    Control(804, "4.2", "console sign-in without MFA", "high", "console sign-in without MFA",
            ("ConsoleLogin", "MFAUsed"),
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }', "AVD-AWS-0148"),
    Control(805, "4.3", "root account usage", "high", "root account usage",
            ("userIdentity.type", "Root"),
            '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', "AVD-AWS-0149"),
    Control(806, "4.4", "IAM policy changes", "medium", "IAM policy changes", _IAM, _names(_IAM), "AVD-AWS-0150"),
    Control(807, "4.5", "CloudTrail configuration changes", "high", "CloudTrail configuration changes",
            ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
            _names(("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")), "AVD-AWS-0151"),
    Control(808, "4.6", "console authentication failures", "medium", "console authentication failures",
            ("ConsoleLogin", "Failed authentication"),
            '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }', "AVD-AWS-0152"),
    Control(809, "4.7", "disabling or scheduled deletion of KMS keys", "medium", "disabling or scheduled deletion of customer managed KMS keys",
            ("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
            '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }', "AVD-AWS-0153"),
    Control(810, "4.8", "S3 bucket policy changes", "medium", "S3 bucket policy changes",
            ("s3.amazonaws.com",) + _S3,
            "{ ($.eventSource = s3.amazonaws.com) && (%s) }" % " || ".join("($.eventName = %s)" % n for n in _S3), "AVD-AWS-0154"),
    Control(811, "4.9", "AWS Config configuration changes", "medium", "AWS Config configuration changes",
            ("config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"),
            "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }", "AVD-AWS-0155"),
    Control(812, "4.10", "security group changes", "medium", "security group changes",
            ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"),
            _names(("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")), "AVD-AWS-0156"),
    Control(813, "4.11", "network ACL changes", "low", "network ACL changes",
            ("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"),
            _names(("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")), "AVD-AWS-0157"),
    Control(814, "4.12", "network gateway changes", "low", "network gateway changes",
            ("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"),
            _names(("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")), "AVD-AWS-0158"),
    Control(815, "4.13", "route table changes", "low", "route table changes",
            ("CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"),
            _names(("CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable")), "AVD-AWS-0159"),
    Control(816, "4.14", "VPC changes", "low", "VPC changes", _VPC, _names(_VPC), "AVD-AWS-0160"),
)


def _filter_answer(control: Control, f) -> tuple:
    """(True / False / Unknown, why not, location) for one metric filter and one control."""
    if not f.pattern.known:
        if f.alarmed() is False or f.on_trail_logs is False:
            return False, "", f.resource.location
        return f.pattern.value, "its pattern", f.pattern.location
    missing = control.missing(str(f.pattern.value))
    if missing:
        if len(missing) == len(control.terms):
            return False, "", f.resource.location
        more = " and %d more" % (len(missing) - 3) if len(missing) > 3 else ""
        return False, "%s does not name %s%s" % (f.resource.address, ", ".join(missing[:3]), more), f.resource.location
    if f.on_trail_logs is False:
        return False, "%s matches but does not read the CloudTrail log group" % f.resource.address, f.resource.location
    alarmed = f.alarmed()
    if alarmed is False:
        return False, "%s matches but no alarm with an action watches its metric" % f.resource.address, f.resource.location
    if is_unknown(f.on_trail_logs):
        return f.on_trail_logs, "%s reads the CloudTrail log group" % f.resource.address, f.resource.location
    if is_unknown(alarmed):
        alarm = next((a for a in f.alarms + f.maybe_alarms if a.has_action is not False), None)
        return alarmed, "%s has an alarm with an action" % f.resource.address, alarm.location if alarm else f.resource.location
    return True, "", f.resource.location


def _make_evaluate(control: Control):
    def evaluate(facts):
        delivering: dict = {}
        for d in facts.of_kind("trail_log_delivery"):
            if d.delivers.value is not False:
                delivering.setdefault(d.resource.meta.get("root_module", ""), []).append(d)
        filters: dict = {}
        watching: dict = {}  # root -> a filter matching the control with an alarm that has an action
        for f in facts.of_kind("log_metric_filter"):
            root_path = f.resource.meta.get("root_module", "")
            filters.setdefault(root_path, []).append(f)
            if f.pattern.known and not control.missing(str(f.pattern.value)) and f.alarmed() is True:
                watching.setdefault(root_path, f)
        for root in facts.of_kind("root"):
            trails = delivering.get(root.path)
            if not trails:
                continue  # no trail of this root delivers to CloudWatch Logs (a detection check's question)
            unknown = None
            near = []
            for f in filters.get(root.path, ()):
                answer, why, loc = _filter_answer(control, f)
                if answer is True:
                    break
                if is_unknown(answer):
                    unknown = unknown or (answer, why, loc)
                elif why:
                    near.append(why)
            else:
                known = [d for d in trails if d.delivers.is_true()]
                if unknown is not None:
                    value, why, loc = unknown
                    yield undecided(control.id, root.resource, why, value, loc)
                elif not known:
                    d = trails[0]
                    yield undecided(control.id, root.resource, "whether %s delivers to CloudWatch Logs" % d.resource.address, d.delivers.value, d.delivers.location)
                elif any(path != root.path and path not in delivering for path in watching):
                    # Monitoring often lives in a stack or root module of its own (one without a
                    # trail); roots are separate deployments and never matched, so whether it
                    # reads this trail's log group is not known.
                    other = next(f for path, f in sorted(watching.items()) if path != root.path and path not in delivering)
                    yield undecided(control.id, root.resource, "the metric filter %s of another root" % other.resource.address,
                                    Unknown("%s in another root watches %s, on a log group that may or may not be this trail's" % (other.resource.address, control.label)), other.resource.location)
                else:
                    detail = (" (%s)" % "; ".join(near[:2])) if near else ""
                    yield Finding(control.id, root.resource, "No CloudWatch metric filter with an alarm watches %s in the CloudTrail logs of %s (CIS %s)%s." % (
                        control.label, known[0].resource.address, control.cis, detail), root.resource.location)
    evaluate.__name__ = "evaluate_%d" % int(control.id.rsplit("-", 1)[1])
    evaluate.__module__ = __name__
    return evaluate


def _check(control: Control) -> Check:
    terms = ", ".join("`%s`" % t for t in control.terms)
    tf_pattern = control.example.replace("\\", "\\\\").replace('"', '\\"')
    return Check(
        id=control.id,
        title="No CloudWatch metric filter and alarm for %s (CIS %s)" % (control.slug, control.cis),
        severity=control.severity,
        pillar="incident",
        cwe=("CWE-778",),
        kinds=("root", "trail_log_delivery", "log_metric_filter"),
        evaluate=_make_evaluate(control),
        scope="project",
        what="""Project-level, per root module or top-level stack with a CloudTrail trail that delivers
to CloudWatch Logs (`cloud_watch_logs_group_arn` / `CloudWatchLogsLogGroupArn`): finds roots with
no metric filter (`aws_cloudwatch_log_metric_filter`, `AWS::Logs::MetricFilter`) for %(label)s
(CIS AWS Foundations %(cis)s) on that log group with an alarm (`aws_cloudwatch_metric_alarm`,
`AWS::CloudWatch::Alarm`, same metric name and namespace) that has an action. The filter pattern
must name every one of %(terms)s (whole words; a pattern naming some only misses the others'
events, and the finding says which filter came closest). The filter's log group is matched to
the trail's by reference or by name; an alarm with `actions_enabled = false` or no
`alarm_actions` does not count. Reported on the root at line 1 of its first file; roots whose
trails do not deliver to CloudWatch Logs are left to the detection checks. Roots are separate
deployments and are never matched, but monitoring often lives in a stack or root module of its
own: when a root without a trail holds a matching filter with an alarm, the roots that lack one
are left undecided rather than reported.""" % {"label": control.label, "cis": control.cis, "terms": terms},
        why="""CloudTrail records %(label)s, but a record nobody reads does not start a response.
A metric filter and an alarm with an action turn the event into a notification within minutes,
which is what the CIS benchmark and Security Hub's CIS controls ask for; without them the event
is found, if ever, in a later review of the logs.""" % {"label": control.label},
        fix_terraform="""```hcl
resource "aws_cloudwatch_log_metric_filter" "cis_%(n)s" {
  name           = "cis-%(cis)s"
  log_group_name = aws_cloudwatch_log_group.cloudtrail.name
  pattern        = "%(pattern)s"
  metric_transformation {
    name      = "cis-%(cis)s"
    namespace = "CISBenchmark"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "cis_%(n)s" {
  alarm_name          = "cis-%(cis)s"
  metric_name         = "cis-%(cis)s"
  namespace           = "CISBenchmark"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = [aws_sns_topic.security_alerts.arn]
}
```""" % {"n": control.id.rsplit("-", 1)[1], "cis": control.cis, "pattern": tf_pattern},
        fix_cloudformation="""```yaml
Cis%(n)sFilter:
  Type: AWS::Logs::MetricFilter
  Properties:
    LogGroupName: !Ref CloudTrailLogGroup
    FilterPattern: '%(pattern)s'
    MetricTransformations:
      - MetricName: cis-%(cis)s
        MetricNamespace: CISBenchmark
        MetricValue: "1"
Cis%(n)sAlarm:
  Type: AWS::CloudWatch::Alarm
  Properties:
    MetricName: cis-%(cis)s
    Namespace: CISBenchmark
    Statistic: Sum
    Period: 300
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    AlarmActions: [!Ref SecurityAlerts]
```""" % {"n": control.id.rsplit("-", 1)[1], "cis": control.cis, "pattern": control.example.replace("'", "''")},
        references=(
            "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
            "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html",
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html",
        ),
        equivalents=(("trivy", control.trivy),),
    )


CHECKS = tuple(_check(c) for c in CONTROLS)
