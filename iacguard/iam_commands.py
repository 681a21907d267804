"""`iacguard iam`: questions asked of the IAM policies of a scan, answered offline.

    iacguard iam simulate PATH --principal ADDRESS --action ACTION --resource ARN [--context K=V ...]
    iacguard iam who-can PATH --action ACTION --resource ARN [--context K=V ...]

ADDRESS is a Terraform address (`aws_iam_role.app`, `module.ci.aws_iam_user.deploy`) or a
CloudFormation logical id; ARN is a literal ARN or the address of a resource of the scan, with an
optional path (`aws_s3_bucket.data/reports/x.csv`). Exit 0 with an answer (whatever it is), 2 on a
usage error (an unknown principal or resource: the closest names are listed).

Nothing here decides: the facts layer (iacguard.facts.iam_access.Authorization) finds the
principal, the resource and their policies; the evaluator (iacguard.iam.evaluate) answers.
"""
from __future__ import annotations

import json
import os
import sys

import click

from iacguard.core.model import Notification

FORMATS = ("text", "json")


def _context(values) -> dict:
    """--context KEY=VALUE, repeatable; a key given several times has several values. Keys are
    case-insensitive (as IAM condition keys are)."""
    out: dict = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError("--context expects KEY=VALUE, got %r" % item)
        out.setdefault(key.strip().lower(), []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def _check_action(action: str) -> None:
    service, sep, name = action.partition(":")
    if not sep or not service or not name or any(c in action for c in "*? "):
        raise click.UsageError("--action expects one action as service:Name (e.g. s3:GetObject), got %r" % action)


def _analysis(path: str):
    from iacguard.core.limits import Limits
    from iacguard.engine import build_graph

    if not os.path.exists(path):
        raise click.UsageError("%s does not exist" % path)
    return build_graph([path], limits=Limits())


def _usage_error(exc) -> None:
    message = str(exc)
    closest = getattr(exc, "closest", ())
    if closest:
        message += "; closest: " + ", ".join(closest)
    click.echo("iacguard: error: %s" % message, err=True)
    sys.exit(2)


class _Output:
    """Renders decisions; every text that comes from the scan is redacted and escaped."""

    def __init__(self, analysis, cwd: str) -> None:
        from iacguard.post.redact import Redactor

        self.redactor = Redactor(analysis.secrets or ())
        self.cwd = cwd

    def text(self, s) -> str:
        from iacguard.output.escape import visible

        return visible(self.redactor.text("" if s is None else str(s)))

    def statement(self, decided) -> dict:
        from iacguard.core.paths import display_path

        stmt, policy = decided.statement, decided.policy
        location = (stmt.location if stmt is not None and stmt.location is not None else None) or policy.location
        effect = stmt.effect if stmt is not None and isinstance(stmt.effect, str) else None
        return {
            "file": display_path(location.path, self.cwd) if location is not None else None,
            "start_line": location.start_line if location is not None else None,
            "end_line": location.end_line if location is not None else None,
            "effect": effect,
            "sid": self.redactor.text(stmt.sid) if stmt is not None and isinstance(stmt.sid, str) else None,
            "policy": self.redactor.text(policy.name),
        }

    def decision(self, decision) -> dict:
        return {
            "decision": decision.decision,
            "statements": [self.statement(d) for d in decision.statements],
            "reason": self.redactor.text(decision.reason),
        }

    def statement_lines(self, decision, indent: str = "  ") -> list:
        lines = []
        for s in (self.statement(d) for d in decision.statements):
            where = "%s:%s-%s" % (s["file"], s["start_line"], s["end_line"]) if s["file"] else "(shipped AWS managed policy)"
            sid = (" sid %s" % self.text(s["sid"])) if s["sid"] else ""
            lines.append("%s%s  %s%s  in %s" % (indent, self.text(where), s["effect"] or "?", sid, self.text(s["policy"])))
        return lines


def _notes(analysis) -> None:
    """Errors and warnings of the scan, on stderr: an answer may rest on a file that failed."""
    for n in analysis.notifications:
        if isinstance(n, Notification) and n.level in ("error", "warning"):
            where = "%s:%s: " % (n.path, n.line) if n.path and n.line else ("%s: " % n.path if n.path else "")
            click.echo("iacguard: %s: %s%s" % (n.level, where, n.message), err=True)


_COMMON = [
    click.argument("path", type=click.Path()),
    click.option("--action", required=True, help="One IAM action, service:Name (e.g. s3:GetObject)."),
    click.option("--resource", "resource", required=True, help="A literal ARN, \"*\", or the address of a resource of the scan (optionally followed by /path for an object)."),
    click.option("--context", "context", multiple=True, metavar="KEY=VALUE", help="A request context value (condition key), repeatable: aws:SourceIp=10.0.0.1, aws:MultiFactorAuthPresent=true."),
    click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."),
]


def _apply(options):
    def wrap(f):
        for o in reversed(options):
            f = o(f)
        return f
    return wrap


@click.group()
def iam():
    """Ask the IAM policies of a scan: may a principal do an action on a resource, and who may."""


@iam.command()
@_apply(_COMMON[:1])
@click.option("--principal", required=True, metavar="ADDRESS", help="The role, user or group: a Terraform address or a CloudFormation logical id.")
@_apply(_COMMON[1:])
def simulate(path, principal, action, resource, context, fmt):
    """May PRINCIPAL do ACTION on RESOURCE? allow, explicit-deny, implicit-deny or unknown."""
    from iacguard.facts.iam_access import Authorization, LookupFailed

    _check_action(action)
    ctx = _context(context)
    analysis = _analysis(path)
    auth = Authorization(analysis.graph)
    try:
        who = auth.principal(principal)
        target = auth.target(resource)
    except LookupFailed as exc:
        _notes(analysis)
        _usage_error(exc)
    decision = auth.simulate(who, action, target, ctx)
    out = _Output(analysis, os.getcwd())
    _notes(analysis)
    if fmt == "json":
        click.echo(json.dumps(out.decision(decision), indent=2))
    else:
        click.echo("%s: %s %s on %s" % (decision.decision, out.text(who.address), out.text(action), out.text(resource)))
        click.echo("reason: %s" % out.text(decision.reason))
        lines = out.statement_lines(decision)
        if lines:
            click.echo("deciding statements:")
            click.echo("\n".join(lines))
    sys.exit(0)


@iam.command("who-can")
@_apply(_COMMON)
def who_can(path, action, resource, context, fmt):
    """Every role and user of the scan allowed to do ACTION on RESOURCE."""
    from iacguard.facts.iam_access import Authorization, LookupFailed

    _check_action(action)
    ctx = _context(context)
    analysis = _analysis(path)
    auth = Authorization(analysis.graph)
    try:
        target = auth.target(resource)
    except LookupFailed as exc:
        _notes(analysis)
        _usage_error(exc)
    answers = auth.who_can(action, target, ctx)
    outside = auth.granted_outside(action, target, ctx)
    out = _Output(analysis, os.getcwd())
    _notes(analysis)
    allowed = [(p, d) for p, d in answers if d.decision == "allow"]
    unknown = [(p, d) for p, d in answers if d.decision == "unknown"]
    if fmt == "json":
        def entry(p, d):
            return {"principal": out.redactor.text(p.address), **out.decision(d)}

        click.echo(json.dumps({
            "action": action,
            "resource": out.redactor.text(resource),
            "allowed": [entry(p, d) for p, d in allowed],
            "unknown": [entry(p, d) for p, d in unknown],
            "principals_evaluated": len(answers),
            # Principals outside the scan that a resource policy grants to (another account's
            # principals also need their own identity policies to allow).
            "outside_the_scan": [{"principal": out.redactor.text(label), **out.decision(d)} for label, d in outside],
        }, indent=2))
    else:
        click.echo("%d of %d principals may %s %s" % (len(allowed), len(answers), out.text(action), out.text(resource)))
        for p, d in allowed:
            click.echo("allow: %s" % out.text(p.address))
            click.echo("\n".join(out.statement_lines(d, "    ")))
        if unknown:
            click.echo("%d more cannot be decided before deploy:" % len(unknown))
            for p, d in unknown:
                click.echo("unknown: %s: %s" % (out.text(p.address), out.text(d.reason)))
        if outside:
            click.echo("outside the scan, granted by a resource policy (another account's principals also need their own identity policies):")
            for label, d in outside:
                click.echo("%s: %s: %s" % (d.decision, out.text(label), out.text(d.reason)))
                click.echo("\n".join(out.statement_lines(d, "    ")))
    sys.exit(0)
