"""Evaluating parsed CloudFormation templates into the shared model.

Owns: stacks (a template evaluated with parameter values), resource variants for undecided
conditions, nested stacks (local templates evaluated as children, outputs flowing back), and
the graph material (references, symbols), unknowns and notifications of the CloudFormation
front end. Entry point: `evaluate_templates`.

Each top-level template is evaluated, with its nested stacks, under one evaluation budget
(`iacguard.core.limits`): stacks and resource variants count as instances, the values intrinsic
functions build count as size, and the clock runs. A template whose budget runs out is left
out, but for one "evaluation cut short: " error; the others go on.
"""
from __future__ import annotations

import itertools
import os
import pickle
import re

from iacguard.core import limits as _limits
from iacguard.core.placeholders import placeholder
from iacguard.core.model import CLOUDFORMATION, LanguageResult, Location, SpanLocations, span_location, Notification, Reference, Resource, ScanOptions, Symbol, UnknownValue
from iacguard.core.unknown import AttributeUnknown, Unknown
from .declarations import ResourceDecl, declare_resources
from .intrinsics import NO_VALUE, IntrinsicEvaluator, fn_if_conditions, is_intrinsic, span3
from .loader import Template, TemplateError
from iacguard.post.redact import secret_strings
from .parameters import allowed, load_overrides, no_echo, override_locations, typed_value

# Undecided conditions considered per resource: 3 give at most 8 variants; further Fn::If on
# undecided conditions evaluate to Unknown (unless both branches agree).
MAX_VARIANT_CONDITIONS = 3
MAX_NESTING = 8
# Conditions naming conditions, and Refs resolved through names naming other resources, are
# followed this deep (each step costs several Python frames).
MAX_CHAIN = 40

NESTED_STACK_TYPES = ("AWS::CloudFormation::Stack",)

# Resource types whose Ref is a name set in a property: when the property is known, so is the Ref
# (a policy ARN built with `!Sub arn:aws:s3:::${Bucket}/*` then names the bucket).
REF_NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::SSM::Parameter": "Name",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::CloudTrail::Trail": "TrailName",
    "AWS::ECS::Cluster": "ClusterName",
}

_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def resource_has(properties: dict, path: tuple) -> bool:
    cur = properties
    for step in path:
        if isinstance(cur, dict) and step in cur:
            cur = cur[step]
        elif isinstance(cur, list) and isinstance(step, int) and 0 <= step < len(cur):
            cur = cur[step]
        else:
            return False
    return True


def _remote_literal(raw) -> str:
    """The scheme of a TemplateURL built by Fn::Sub or Fn::Join from a remote URL, or ""."""
    if isinstance(raw, dict) and len(raw) == 1:
        name, args = next(iter(raw.items()))
        if name == "Fn::Sub":
            raw = args[0] if isinstance(args, list) and args else args
        elif name == "Fn::Join" and isinstance(args, list) and len(args) == 2 and isinstance(args[1], list):
            raw = args[1][0] if args[1] else None
    match = _REMOTE.match(raw) if isinstance(raw, str) else None
    return match.group(0) if match else ""


_TEMPLATE_NAME = re.compile(r"\.(ya?ml|json|template)$", re.I)


def _url_tail(raw) -> str:
    """The literal end of a TemplateURL: a remote URL's path, the text after the last `${...}`
    of an Fn::Sub, or the last literal part of an Fn::Join ("" when there is none)."""
    if isinstance(raw, dict) and len(raw) == 1:
        name, args = next(iter(raw.items()))
        if name == "Fn::Sub":
            text = args[0] if isinstance(args, list) and args else args
            return text.rsplit("}", 1)[-1] if isinstance(text, str) else ""
        if name == "Fn::Join" and isinstance(args, list) and len(args) == 2 and isinstance(args[1], list) and args[1]:
            last = args[1][-1]
            return last if isinstance(last, str) else ""
        return ""
    if isinstance(raw, str) and _REMOTE.match(raw):
        return raw.split("://", 1)[1].split("?", 1)[0]
    return ""


def _path_text(path: tuple) -> str:
    out = ""
    for step in path:
        out += "[%d]" % step if isinstance(step, int) else ("." if out else "") + str(step)
    return out


class _Sink:
    """What one top-level template contributes; merged into the result only when it succeeds."""

    def __init__(self) -> None:
        self.resources: list = []
        self.references: list = []
        self.symbols: list = []
        self.notifications: list = []
        self.unknowns: list = []
        self.files: list = []
        self.secrets: list = []  # values of NoEcho parameters (iacguard.post.redact)
        self._seen_refs: set = set()
        self._seen_notes: set = set()
        self._seen_unknowns: set = set()

    def reference(self, ref: Reference) -> None:
        self.reference_of(ref.source, ref.target, ref.path, ref.attribute, ref.kind)

    def reference_of(self, source: str, target: str, path: tuple, attribute: str, kind: str) -> None:
        """A Reference of these fields, kept once: seen by its fields (a Reference is equal to
        another of the same fields), built only when new."""
        key = (source, target, path, attribute, kind)
        if key not in self._seen_refs:
            self._seen_refs.add(key)
            self.references.append(Reference(source, target, path, attribute, kind))

    def note(self, note: Notification) -> None:
        if note not in self._seen_notes:
            self._seen_notes.add(note)
            self.notifications.append(note)

    def unknown(self, unknown: UnknownValue) -> None:
        key = (unknown.path, unknown.what, unknown.reason)
        if key not in self._seen_unknowns:
            self._seen_unknowns.add(key)
            self.unknowns.append(unknown)


class _Scan:
    def __init__(self, templates: dict, root: str, options: ScanOptions) -> None:
        self.templates = templates
        real_root = os.path.realpath(root)
        # A single file given as the scan root: its folder is the root.
        self.root = os.path.dirname(real_root) if os.path.isfile(real_root) else real_root
        self.options = options
        self._real: dict = {}
        self.by_real = {}
        for path, template in templates.items():
            if isinstance(template, Template):
                self.by_real[self.realpath(path)] = path
        self.evaluated_files: set = set()
        self.nested: set = set()  # templates other templates of the scan nest
        self.done = None  # a Done: templates evaluated elsewhere (see evaluate_templates)
        self.override_at: dict = {}  # top-level parameter -> Location in a --cfn-params file

    def realpath(self, path: str) -> str:
        """os.path.realpath, once per path: a template nested thousands of times is one file."""
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real

    def rel(self, path: str) -> str:
        rel = os.path.relpath(self.realpath(path), self.root)
        return rel.replace(os.sep, "/")

    def resolve_nested(self, parent_file: str, url) -> tuple[str | None, str]:
        """(the scanned template a TemplateURL names, or None and why not)."""
        if isinstance(url, Unknown) or not isinstance(url, str):
            return None, "its template location is not known before deploy"
        if _REMOTE.match(url):
            return None, "template %s is remote; its resources are not scanned" % url
        candidate = self.realpath(os.path.join(os.path.dirname(parent_file), url))
        if not (candidate == self.root or candidate.startswith(self.root.rstrip(os.sep) + os.sep)):
            return None, "template %s is outside the scan root; not followed" % url
        key = self.by_real.get(candidate)
        if key is None:
            return None, "template %s is not among the CloudFormation templates scanned" % url
        return key, ""

    def match_by_name(self, raw) -> str | None:
        """The one scanned template whose path ends like a remote TemplateURL (Quick Start style
        `!Sub https://${Bucket}.s3.../${Prefix}templates/child.yaml`), or None when none or
        several match. The longest matching path suffix decides."""
        parts = [p for p in _url_tail(raw).split("/") if p]
        if not parts or not _TEMPLATE_NAME.search(parts[-1]):
            return None
        for k in range(len(parts), 0, -1):
            suffix = os.sep + os.sep.join(parts[-k:])
            hits = [key for real, key in self.by_real.items() if real.endswith(suffix)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                return None
        return None

    def literal_children(self, path: str, template: Template) -> list:
        """Scanned templates this one names as nested stacks with a literal location."""
        out = []
        for url in _nested_locations(template):
            child = None
            if isinstance(url, str):
                child, _ = self.resolve_nested(path, url)
            if child is None:
                child = self.match_by_name(url)
            if child is not None:
                out.append(child)
        return out


class _Child:
    __slots__ = ("stack", "outputs", "base_ids")

    def __init__(self, stack=None, outputs=None, base_ids=()):
        self.stack = stack
        self.outputs = outputs
        self.base_ids = base_ids


# Exact classes of the leaves _record_unknowns passes by without a look (it walks into
# containers and records Unknowns).
_PLAIN = frozenset((str, int, float, bool, type(None)))


class Stack:
    """One template evaluated with one set of parameter values (a root or a nested stack)."""

    def __init__(self, scan: _Scan, sink: _Sink, file: str, template: Template, chain_name: str,
                 address_prefix: str, given: dict | None, chain: tuple) -> None:
        self.scan = scan
        self.sink = sink
        self.file = file
        self.template = template
        self.data = template.data if isinstance(template.data, dict) else {}
        self.scope = "cfn:%s#%s" % (chain_name, address_prefix)
        self.chain_name = chain_name
        self.address_prefix = address_prefix
        self.given = given  # None for a top-level stack (command-line values apply)
        self.given_at: dict = {}  # parameter -> Location of the Parameters entry a parent stack passes
        self.chain = chain  # real paths of the stacks above, for cycle detection
        self.parameters: dict = {}
        self.conditions = self.data.get("Conditions") if isinstance(self.data.get("Conditions"), dict) else {}
        self.mappings = self.data.get("Mappings") if isinstance(self.data.get("Mappings"), dict) else {}
        self.resources: dict = {}
        self.sam_refs: dict = {}  # SAM referable properties, see declarations.declare_resources
        self._condition_memo: dict = {}
        self._conditions_in_progress: set = set()
        self._ref_values: dict = {}
        self._chain_depth = 0
        self._children: dict = {}
        self.outputs: dict = {}
        self.top_resources: list = []  # this stack's own resources (not its children's)
        self.top_file = file  # the top-level template of the stack tree (a nested stack's is its parent's)

    # -- ids and locations ---------------------------------------------------------------------

    def resource_id(self, logical_id: str) -> str:
        return self.scope + logical_id

    def parameter_id(self, name: str) -> str:
        return self.scope + "param:" + name

    def condition_id(self, name: str) -> str:
        return self.scope + "condition:" + name

    def output_id(self, name: str) -> str:
        return self.scope + "output:" + name

    def location(self, span) -> Location:
        return span_location(self.file, span[0], span[1], self.template.line_ends)

    def span3(self, span) -> tuple:
        """(start_line, end_line, end_col) of a line span: a property's entry in SpanLocations."""
        return span3(span, self.template.line_ends)

    def location_of(self, path: tuple) -> Location:
        span = self.template.lines.get(path)
        if span is None:
            line = self.template.nearest_line(path)
            return span_location(self.file, line, line, self.template.line_ends)
        return self.location(span)

    def warn(self, message: str, src, level: str = "warning") -> None:
        line = self.template.nearest_line(src) if src else 0
        self.sink.note(Notification(level, message, self.file, line))

    def add_reference(self, ref: Reference) -> None:
        self.sink.reference(ref)

    def add_reference_of(self, source: str, target: str, path: tuple = (), attribute: str = "", kind: str = "reference") -> None:
        self.sink.reference_of(source, target, path, attribute, kind)

    # -- parameters and conditions -------------------------------------------------------------

    def _read_parameters(self, overrides: dict) -> None:
        declared = self.data.get("Parameters")
        if not isinstance(declared, dict):
            declared = {}
        for name, body in declared.items():
            body = body if isinstance(body, dict) else {}
            meta = {}
            if name in self.given_at:
                meta = {"set_at": self.given_at[name],
                        "set_label": "parameter %s passed to nested stack %s" % (name, self.address_prefix.rstrip("/"))}
            elif self.given is None and name in overrides and name in self.scan.override_at:
                meta = {"set_at": self.scan.override_at[name]}
            # What the declaration says (AWS-CFN-900/901): NoEcho, and whether a non-empty Default is
            # written; a Default that is a placeholder ("none", "changeme") or names where a secret
            # is (an ARN, a dynamic reference) holds no secret.
            meta = dict(meta, no_echo=no_echo(body), has_default=body.get("Default") not in (None, "", []),
                        # a default that names where a secret is (an ARN, a dynamic reference), not a secret
                        default_reference=placeholder(body.get("Default")),
                        address_prefix=self.address_prefix,
                        type=body.get("Type") if isinstance(body.get("Type"), str) else "String")
            self.sink.symbols.append(Symbol(self.parameter_id(name), "parameter", name,
                                            self.location_of(("Parameters", name)), CLOUDFORMATION, meta))
            ptype = body.get("Type") if isinstance(body.get("Type"), str) else "String"
            given_here = False
            if self.given is not None and name in self.given:
                raw, given_here = self.given[name], True
            elif self.given is None and name in overrides:
                raw, given_here = overrides[name], True
            elif "Default" in body:
                raw = body["Default"]
            else:
                raw = Unknown("parameter %s has no value" % name)
            value, problem = typed_value(name, ptype, raw)
            if no_echo(body):
                self.sink.secrets.extend(secret_strings(raw) + secret_strings(value))
            if problem:
                self.warn(problem, ("Parameters", name))
            if "AllowedValues" in body and not allowed(value, body.get("AllowedValues")):
                what = "value" if given_here else "default"
                self.warn("%s %r of parameter %s is not one of its AllowedValues" % (what, raw, name),
                          ("Parameters", name))
            self.parameters[name] = value
        if self.given is not None:
            for name in self.given:
                if name not in declared:
                    self.warn("nested stack passes parameter %s, which the template does not declare" % name, ())

    def condition_value(self, name: str, assumptions: dict):
        key = (name, tuple(sorted(assumptions.items())))
        if key in self._condition_memo:
            return self._condition_memo[key]
        if name in self._conditions_in_progress:
            self.warn("condition %s refers to itself" % name, ("Conditions", name))
            return Unknown("circular condition %s" % name)
        if self._chain_depth >= MAX_CHAIN:
            return Unknown("conditions chained too deeply")
        self._conditions_in_progress.add(name)
        self._chain_depth += 1
        try:
            ex = IntrinsicEvaluator(self, self.condition_id(name), assumptions)
            value = ex.condition_expr(self.conditions[name], ("Conditions", name))
        finally:
            self._conditions_in_progress.discard(name)
            self._chain_depth -= 1
        self._condition_memo[key] = value
        return value

    # -- what Ref and GetAtt give -------------------------------------------------------------

    def ref_value(self, logical_id: str):
        if logical_id in self._ref_values:
            return self._ref_values[logical_id]
        decl = self.resources[logical_id]
        value = AttributeUnknown("physical id of %s%s is known after deploy" % (self.address_prefix, logical_id), self.resource_id(logical_id), "Ref")
        prop = REF_NAME_PROPERTY.get(decl.type)
        self._ref_values[logical_id] = value  # guards self-reference while evaluating the name
        if prop and isinstance(decl.properties, dict) and prop in decl.properties and self._chain_depth < MAX_CHAIN:
            self._chain_depth += 1
            try:
                name = IntrinsicEvaluator(self, None).value(decl.properties[prop], decl.source_of(prop), (prop,), False)
            finally:
                self._chain_depth -= 1
            if isinstance(name, str):
                value = name
        self._ref_values[logical_id] = value
        return value

    def getatt_value(self, logical_id: str, attribute: str, ex: IntrinsicEvaluator, out: tuple):
        decl = self.resources[logical_id]
        if decl.type in NESTED_STACK_TYPES and attribute.startswith("Outputs."):
            output = attribute[len("Outputs."):]
            child = self.child(logical_id)
            if child.outputs is None:
                return Unknown("output %s of nested stack %s%s is not known" % (output, self.address_prefix, logical_id))
            if output not in child.outputs:
                self.warn("nested stack %s has no output %s" % (logical_id, output), None)
                return Unknown("nested stack %s has no output %s" % (logical_id, output))
            ex._refer(child.stack.output_id(output), out)
            value = child.outputs[output]
            return list(value) if isinstance(value, list) else value
        if decl.type == "AWS::S3::Bucket" and attribute == "Arn":
            name = self.ref_value(logical_id)
            if isinstance(name, str):
                return "arn:aws:s3:::" + name
        return AttributeUnknown("attribute %s%s.%s is known after deploy" % (self.address_prefix, logical_id, attribute), self.resource_id(logical_id), attribute)

    # -- nested stacks -------------------------------------------------------------------------

    def child(self, logical_id: str) -> _Child:
        if logical_id in self._children:
            return self._children[logical_id]
        self._children[logical_id] = _Child()  # cycle guard while the child evaluates
        decl = self.resources[logical_id]
        props = decl.properties if isinstance(decl.properties, dict) and not is_intrinsic(decl.properties) else {}
        ex = IntrinsicEvaluator(self, None)
        url = ex.value(props.get("TemplateURL"), decl.source_of("TemplateURL"), ("TemplateURL",), False)
        child_file, reason = self.scan.resolve_nested(self.file, url)
        if isinstance(url, Unknown) and _remote_literal(props.get("TemplateURL")):
            reason = "its template is at a remote URL (%s...), not scanned" % _remote_literal(props.get("TemplateURL"))
        if child_file is None:
            matched = self.scan.match_by_name(props.get("TemplateURL"))
            if matched is not None and self.scan.realpath(matched) != self.scan.realpath(self.file):
                child_file = matched
                self.sink.note(Notification(
                    "note", "nested stack %s%s: its TemplateURL is remote or built at deploy time; evaluated with the "
                    "scanned template %s, whose path ends the same way" % (self.address_prefix, logical_id, self.scan.rel(matched)),
                    self.file, self.template.lines.get(decl.span_path, (0, 0))[0]))
        real = self.scan.realpath(child_file) if child_file else None
        if child_file is not None and (real in self.chain or len(self.chain) >= MAX_NESTING):
            child_file, reason = None, ("it nests its own ancestor template" if real in self.chain
                                        else "nested more than %d levels deep" % MAX_NESTING)
        address = self.address_prefix + logical_id
        span = self.template.lines.get(decl.span_path, (0, 0))
        if child_file is None:
            self.sink.note(Notification("note", "nested stack %s: %s" % (address, reason), self.file, span[0]))
            symbol_id = self.scope + "stack:" + logical_id
            self.sink.symbols.append(Symbol(symbol_id, "nested_stack", address, self.location(span), CLOUDFORMATION))
            self.add_reference(Reference(self.resource_id(logical_id), symbol_id, (), "", "nested_stack"))
            return self._children[logical_id]
        given: dict = {}
        captured: dict = {}
        params = props.get("Parameters")
        if isinstance(params, dict) and not is_intrinsic(params):
            for name, node in params.items():
                pex = IntrinsicEvaluator(self, None)
                pex.captured = []
                value = pex.value(node, decl.source_of("Parameters") + (name,) if decl.source_of("Parameters") else None,
                                  ("Parameters", name), False)
                if value is not NO_VALUE:
                    given[name] = value
                    captured[name] = pex.captured
        elif params is not None:
            value = ex.value(params, decl.source_of("Parameters"), ("Parameters",), False)
            if isinstance(value, dict):
                given = value
        child_template = self.scan.templates[child_file]
        if self.scan.done is not None:
            child_template = self.scan.done.nested(child_file, child_template)
        _limits.ACTIVE.instance()
        stack = Stack(self.scan, self.sink, child_file, child_template,
                      "%s@%s" % (self.scan.rel(child_file), self.chain_name), address + "/", given,
                      self.chain + (real,))
        stack.top_file = self.top_file
        source = decl.source_of("Parameters")
        if source is not None and isinstance(params, dict) and not is_intrinsic(params):
            for name in given:
                # The parent's line is where the value is set (a literal) or passed on (a Ref to
                # the parent's own parameter, which the stack_parameter edge leads on to).
                stack.given_at[name] = self.location_of(source + (name,))
        stack.run({})
        for name, targets in captured.items():
            if name in stack.parameters:
                for target, attribute in targets:
                    self.add_reference(Reference(stack.parameter_id(name), target, (), attribute, "stack_parameter"))
        base_ids = []
        for resource in stack.top_resources:
            if resource.meta["base_id"] not in base_ids:
                base_ids.append(resource.meta["base_id"])
        result = _Child(stack, stack.outputs, tuple(base_ids))
        self._children[logical_id] = result
        return result

    # -- resources -----------------------------------------------------------------------------

    def run(self, overrides: dict) -> None:
        self._read_parameters(overrides)
        if self.file not in self.scan.evaluated_files:
            self.scan.evaluated_files.add(self.file)
            self.sink.files.append(self.file)
            for line, message in self.template.warnings:
                self.sink.note(Notification("warning", message, self.file, line))
        for name in self.conditions:
            self.sink.symbols.append(Symbol(self.condition_id(name), "condition", name,
                                            self.location_of(("Conditions", name)), CLOUDFORMATION))
        for name in self.conditions:
            self.condition_value(name, {})
        decls, warnings, self.sam_refs = declare_resources(self.data)
        for src, message in warnings:
            self.warn(message, src)
        self.resources = {d.logical_id: d for d in decls}
        for decl in decls:
            self._evaluate_resource(decl)
        self._evaluate_outputs()

    def _variants(self, decl: ResourceDecl) -> list | None:
        """Assumption sets to evaluate the resource under; None when it does not exist."""
        own = decl.condition
        undecided: list = []
        if own is not None:
            if not isinstance(own, str) or own not in self.conditions:
                self.warn("resource %s: condition %r is not defined" % (decl.logical_id, own), decl.span_path + ("Condition",))
                own = None
            else:
                truth = self.condition_value(own, {})
                if truth is False:
                    return None
                if isinstance(truth, Unknown):
                    undecided.append(own)
        # Fn::If names only count when they name a condition of the template that is not known:
        # none, no walk of the properties.
        for name in (fn_if_conditions(decl.properties) if self._open_conditions() else ()):
            if name in self.conditions and name not in undecided and isinstance(self.condition_value(name, {}), Unknown):
                undecided.append(name)
        undecided = undecided[:MAX_VARIANT_CONDITIONS]
        if not undecided:
            return [{}]
        choices = [(True,) if name == own else (True, False) for name in undecided]
        variants = []
        for combo in itertools.product(*choices):
            assumptions = dict(zip(undecided, combo))
            if self._consistent(assumptions):
                variants.append(assumptions)
        return variants or [{undecided[0]: True} if undecided[0] == own else {}]

    def _open_conditions(self) -> bool:
        """Whether some condition of the template is not known without assumptions (memoized:
        run() has evaluated each one by then, so this asks the memo only)."""
        got = self.__dict__.get("_open_conditions_memo")
        if got is None:
            got = self._open_conditions_memo = any(
                isinstance(self.condition_value(name, {}), Unknown) for name in self.conditions)
        return got

    def _consistent(self, assumptions: dict) -> bool:
        """False when some assumed condition is decided otherwise by the others (A and Not A)."""
        for name, value in assumptions.items():
            others = {k: v for k, v in assumptions.items() if k != name}
            if others:
                actual = self.condition_value(name, others)
                if isinstance(actual, bool) and actual != value:
                    return False
        return True

    def _evaluate_resource(self, decl: ResourceDecl) -> None:
        variants = self._variants(decl)
        if variants is None:
            return
        base_id = self.resource_id(decl.logical_id)
        address = self.address_prefix + decl.logical_id
        span = self.template.lines.get(decl.span_path)
        location = self.location(span) if span else span_location(self.file, 0, 0, self.template.line_ends)
        nested = decl.type in NESTED_STACK_TYPES
        for assumptions in variants:
            _limits.ACTIVE.instance()
            rid = base_id
            if assumptions:
                rid += "?" + ",".join("%s=%s" % (k, "true" if v else "false") for k, v in assumptions.items())
            locations = SpanLocations(self.file)
            ex = IntrinsicEvaluator(self, rid, assumptions, locations)
            ex.origin = decl.span_path
            properties = self._properties(decl, ex)
            for out, src in decl.location_src.items():
                span = self.template.lines.get(src)
                if span is not None and resource_has(properties, out):
                    locations[out] = self.span3(span)
            meta: dict = {"base_id": base_id}
            if decl.depends_on:
                meta["depends_on"] = list(decl.depends_on)
            if isinstance(decl.condition, str):
                meta["condition"] = decl.condition
            if decl.metadata is not None:
                meta["metadata"] = decl.metadata
            for key, meta_key in (("DeletionPolicy", "deletion_policy"), ("UpdateReplacePolicy", "update_replace_policy")):
                if key in decl.attributes:
                    meta[meta_key] = decl.attributes[key]
            if decl.sam_source:
                meta["sam_source"] = decl.sam_source
            meta.update(decl.extra_meta)
            resource = Resource(
                id=rid, address=address, type=decl.type, language=CLOUDFORMATION, properties=properties,
                location=location, property_locations=locations, module=self.address_prefix.rstrip("/"),
                conditions=tuple(assumptions.items()), meta=meta,
            )
            self.sink.resources.append(resource)
            self.top_resources.append(resource)
            for target in decl.depends_on:
                if target in self.resources:
                    self.add_reference(Reference(rid, self.resource_id(target), (), "", "depends_on"))
                else:
                    self.warn("resource %s depends on %s, which is not a resource of this template"
                              % (decl.logical_id, target), decl.span_path + ("DependsOn",))
            if isinstance(decl.condition, str) and decl.condition in self.conditions:
                self.add_reference(Reference(rid, self.condition_id(decl.condition), (), "", "condition"))
            if nested:
                for child_id in self.child(decl.logical_id).base_ids:
                    self.add_reference(Reference(rid, child_id, (), "", "nested_stack"))
            self._record_unknowns_of(resource, ex.produced)

    def _properties(self, decl: ResourceDecl, ex: IntrinsicEvaluator) -> dict:
        raw = decl.properties
        if raw is None:
            return {}
        if isinstance(raw, dict) and not is_intrinsic(raw):
            properties = {}
            # decl.source_of and ex._locate written out (once per property of every resource)
            locations = ex.locations
            lines, ends = self.template.lines, self.template.line_ends
            generated, base = decl.property_src, decl.properties_src
            for key, node in raw.items():
                src = generated[key] if key in generated else base + (key,) if base is not None else None
                out = (key,)
                if locations is not None and src is not None and out not in locations:
                    span = lines.get(src)
                    if span is not None:
                        locations[out] = span3(span, ends)
                value = ex.value(node, src, out)
                if value is NO_VALUE:
                    ex._forget((key,))
                    continue
                properties[key] = value
            return properties
        value = ex.value(raw, decl.properties_src, ())
        if isinstance(value, dict):
            return value
        ex.produced.clear()  # none of it is in the properties
        if not isinstance(value, Unknown) and value is not NO_VALUE:
            self.warn("resource %s: Properties is not a mapping" % decl.logical_id, decl.properties_src)
        return {}

    def _record_unknowns(self, resource: Resource) -> None:
        """Every Unknown of `resource`'s properties recorded, walking every property node: the
        definition `_record_unknowns_of` (what scans run) is held to by the tests
        (tests/cloudformation/test_cfn_produced_unknowns.py, tests/test_cfn18_walks.py)."""
        properties = resource.properties
        if isinstance(properties, Unknown):
            self._record_unknown(resource, (), properties)
        elif isinstance(properties, (dict, list)):
            self._walk_unknowns(resource, (), properties)

    def _record_unknowns_of(self, resource: Resource, produced: list) -> None:
        """The Unknowns of `resource`'s properties, as `_record_unknowns` records them, found
        within the values its evaluation `produced` (IntrinsicEvaluator.produced): the plain
        mappings, lists and scalars of the template around them hold none. A value may be
        within another (Fn::If passes its branch on): it is recorded once (`_Sink.unknown`)."""
        for path, value in produced:
            if value.__class__ in _PLAIN:
                continue
            if isinstance(value, Unknown):
                self._record_unknown(resource, path, value)
            elif isinstance(value, (dict, list)):
                self._walk_unknowns(resource, path, value)

    def _walk_unknowns(self, resource: Resource, path: tuple, value) -> None:
        """Each Unknown under `value` recorded, in document order; paths are built for
        containers and Unknowns only. Recursion is bounded by the evaluation's depth limit."""
        for k, v in (value.items() if isinstance(value, dict) else enumerate(value)):
            if v.__class__ in _PLAIN:
                continue
            if isinstance(v, Unknown):
                self._record_unknown(resource, path + (k,), v)
            elif isinstance(v, (dict, list)):
                self._walk_unknowns(resource, path + (k,), v)

    def _record_unknown(self, resource: Resource, path: tuple, value) -> None:
        locations = resource.property_locations
        if locations.__class__ is SpanLocations:
            # Resource.location_of(*path).start_line, read from the spans without making a Location.
            p = path
            while p:
                span = dict.get(locations, p)
                if span is not None:
                    line = span[0]
                    break
                p = p[:-1]
            else:
                line = resource.location.start_line
        else:
            line = resource.location_of(*path).start_line
        what = resource.address + ("." + _path_text(path) if path else "")
        self.sink.unknown(UnknownValue(self.file, line, what, value.reason))

    def _evaluate_outputs(self) -> None:
        outputs = self.data.get("Outputs")
        if not isinstance(outputs, dict):
            return
        for name, body in outputs.items():
            oid = self.output_id(name)
            self.sink.symbols.append(Symbol(oid, "output", name, self.location_of(("Outputs", name)), CLOUDFORMATION))
            if not isinstance(body, dict):
                self.warn("output %s is not a mapping" % name, ("Outputs", name))
                continue
            ex = IntrinsicEvaluator(self, oid)
            condition = body.get("Condition")
            if isinstance(condition, str):
                if condition in self.conditions:
                    self.add_reference(Reference(oid, self.condition_id(condition), (), "", "condition"))
                if ex.condition(condition, ("Outputs", name, "Condition")) is False:
                    self.outputs[name] = Unknown("output %s is not created (condition %s is false)" % (name, condition))
                    continue
            value = ex.value(body.get("Value"), ("Outputs", name, "Value"), (), False)
            if isinstance(body.get("Export"), dict):
                ex.value(body["Export"], ("Outputs", name, "Export"), ("Export",), False)
            self.outputs[name] = value if value is not NO_VALUE else Unknown("output %s has no value" % name)


def _nested_closure(scan: _Scan, parsed: dict, path: str) -> set:
    """`path` and every scanned template it nests, directly or not."""
    seen = {path}
    todo = [path]
    while todo:
        current = todo.pop()
        try:
            children = scan.literal_children(current, parsed[current])
        except Exception:  # noqa: BLE001 - as when the order is worked out
            children = []
        for child in children:
            if child in parsed and child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def evaluate_templates(templates: dict, root: str, options: ScanOptions | None = None, jobs: int = 1, done=None) -> LanguageResult:
    """Evaluate every CloudFormation template found under `root`.

    `templates` maps absolute path -> `Template` (a `TemplateError` value is reported as an
    error notification). A template used as a nested stack by another template of the scan is
    evaluated only as that nested stack. `jobs`: processes to evaluate in (0: as many as the
    machine has CPUs free; see `_evaluate_shared`); the result is the same whatever it is.

    `done` (a `Done`): templates a forked child evaluated one at a time, each as a top-level
    template that nests none; they are among `templates` as stand-ins (emptied as `_let_go`
    leaves a template), so that nested stacks resolve their locations as they would with the
    whole tree. Each one another template nests is read again (`Done.reparse`) and evaluated as
    that nested stack; the others' results are taken as they are, in their place in the order
    (and one a nested stack names through a value known once evaluated reads whole until then:
    `Done.nested`).
    """
    options = options or ScanOptions()
    result = LanguageResult()
    scan = _Scan(templates, root, options)
    overrides, notes = load_overrides(options)
    scan.override_at = override_locations(options)
    result.notifications.extend(notes)
    parsed = {}
    for path in sorted(templates):
        template = templates[path]
        if isinstance(template, TemplateError):
            _report_error(result, path, template)
        elif isinstance(template, Template):
            parsed[path] = template
    nested = scan.nested
    for path, template in parsed.items():
        try:
            nested.update(c for c in scan.literal_children(path, template) if c != path)
        except Exception:  # noqa: BLE001 - reported when the template itself is evaluated
            pass
    if done is not None:
        for path in sorted(nested.intersection(done.parts)):  # (a template nests none of these: see Done)
            del done.parts[path]
            parsed[path] = scan.templates[path] = done.reparse(path)
        scan.done = done
        done.waiting = set(done.parts)
    order = [p for p in parsed if p not in nested]
    if done is not None:
        for path in order:
            part = done.parts.get(path)
            if part is not None:
                result.extend(part)
                done.waiting.discard(path)  # (what _evaluate_run's _let_go does to a template)
            else:
                _evaluate_run(scan, parsed, [path], overrides, result)
    else:
        _evaluate_shared(scan, parsed, order, overrides, result, jobs)
    # Templates only reachable through a cycle of nested stacks get evaluated on their own.
    for path in parsed:
        if path in nested and path not in scan.evaluated_files:
            _evaluate_one(scan, parsed, path, overrides, result)
    result.files = sorted(set(result.files))
    return result


# Resources (declared in top-level templates) a forked process must have to evaluate for the
# fork to pay: its part takes some 60 us a resource (0.3 s here), the fork and the pages it makes
# the two processes copy some tens of milliseconds, and sending the result back a seventh of
# evaluating it.
_FORK_MIN_RESOURCES = 5000


def _evaluate_shared(scan: _Scan, parsed: dict, order: list, overrides, result: LanguageResult, jobs: int) -> None:
    """Evaluate the top-level templates `order` (each with the stacks it nests) into `result`, in
    order. A large tree is shared with forked copies of this process (iacguard.core.forked) when
    `jobs` allows it: contiguous runs of templates, the first here and each other one in a child
    that evaluates it as this process would and sends back each template's result (pickled one
    by one: a single pickle of 50,000 resources took twice as long) and the nested templates it
    evaluated. The parts are appended in the order of the runs, so the result is the one
    evaluating here alone gives. A child that fails (it could not fork, died, or sent nothing)
    leaves its run to this process."""
    from iacguard.core import forked

    weights = [_declared(parsed[p]) for p in order]
    parts = 1
    if sum(weights) >= 2 * _FORK_MIN_RESOURCES:
        parts = min(forked.processes(jobs), sum(weights) // _FORK_MIN_RESOURCES)
    if parts <= 1:
        _evaluate_run(scan, parsed, order, overrides, result)
        return
    runs = [[order[i] for i in run] for run in forked.shares(weights, parts, _HERE_SHARE)]
    children: list = []
    try:
        for run in runs[1:]:
            try:
                children.append(forked.Child(lambda run=run: _evaluate_sent(scan, parsed, run, overrides)))
            except OSError:
                children.append(None)
        _evaluate_run(scan, parsed, runs[0], overrides, result)
        for i, child in enumerate(children):
            got = child.result() if child is not None else (False, "")
            children[i] = None
            if got[0]:
                pickled, evaluated = got[1]
                for path in runs[i + 1]:  # (kept until now: this process evaluates them if the child fails)
                    if path not in scan.nested:
                        _let_go(parsed[path])
                for one in pickled:
                    result.extend(pickle.loads(one))
                scan.evaluated_files.update(evaluated)
            else:
                _evaluate_run(scan, parsed, runs[i + 1], overrides, result)
    finally:
        for child in children:
            if child is not None:
                child.abandon()


# The part of a shared evaluation this process keeps (of two: the rest goes to the child): the
# child also pickles what it evaluates (about a fifth of the time evaluating took) and this
# process unpickles it (about a sixth), so the halves are not even.
_HERE_SHARE = 0.55


def _report_error(result: LanguageResult, path: str, error: TemplateError) -> None:
    result.notifications.append(Notification("error", error.message, path, error.line))
    result.files.append(path)


class Done:
    """Templates a forked child evaluated (`evaluate_templates`' `done`), none of which nests
    another: path -> its result (`OneByOne`); and `reparse(path)`, which gives one of them read
    again as a Template (raising ValueError when it no longer reads as one) for when another
    template nests it. `evaluate_templates` holds each of them as its stand-in: the template
    emptied as `_let_go` leaves it once evaluated."""

    def __init__(self, parts: dict, reparse) -> None:
        self.parts = parts
        self._reparse = reparse
        self.waiting: set = set()  # the templates whose turn as top-level templates has not come
        self._read: dict = {}

    def reparse(self, path: str) -> Template:
        again = self._reparse(path)
        if not isinstance(again, Template) or nests_stacks(again):
            raise ValueError("%s does not read as it did" % path)
        return again

    def nested(self, path: str, template: Template) -> Template:
        """The template a nested stack reads at `path`, whose location is known only once
        evaluated (a parameter, a condition): one evaluated here reads as it is; one evaluated
        elsewhere is read again until its turn as a top-level template has come, then reads as
        the evaluation here leaves a top-level template once evaluated (emptied: `_let_go`)."""
        if path not in self.parts or path not in self.waiting:
            return template  # (for one evaluated elsewhere, its stand-in: emptied as _let_go leaves it)
        found = self._read.get(path)
        if found is None:
            found = self._read[path] = self.reparse(path)
        return found



class OneByOne:
    """Templates evaluated one at a time, each as `evaluate_templates` evaluates it beside others
    none of which nests another or is nested (what both processes of a shared root do with the
    templates they take: iacguard.engine._SharedRoots). The parameter files are read once; their
    notes (`notes`) are left to the caller to report once for the root."""

    def __init__(self, root: str, options: ScanOptions) -> None:
        self.root, self.options = root, options
        self.overrides, self.notes = load_overrides(options)
        self.override_at = override_locations(options)

    def __call__(self, path: str, template) -> LanguageResult:
        result = LanguageResult()
        if isinstance(template, TemplateError):
            _report_error(result, path, template)
        elif isinstance(template, Template):
            scan = _Scan({path: template}, self.root, self.options)
            scan.override_at = self.override_at
            _evaluate_run(scan, {path: template}, [path], self.overrides, result)
        result.files = sorted(set(result.files))
        return result


def _evaluate_run(scan: _Scan, parsed: dict, run: list, overrides, result: LanguageResult) -> None:
    """Evaluate the top-level templates `run` into `result`."""
    for path in run:
        try:
            _evaluate_one(scan, parsed, path, overrides, result)
        finally:
            if path not in scan.nested:
                _let_go(parsed[path])


def _evaluate_sent(scan: _Scan, parsed: dict, run: list, overrides) -> tuple:
    """What a forked child sends back: each template of `run` evaluated and pickled, and the
    nested templates evaluated on the way."""
    scan.evaluated_files = set()
    out = []
    for path in run:
        part = LanguageResult()
        _evaluate_run(scan, parsed, [path], overrides, part)
        out.append(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    return out, scan.evaluated_files


# The resource types through which a template nests another (`_Scan.literal_children`).
NESTING_TYPES = NESTED_STACK_TYPES + ("AWS::Serverless::Application",)


def nests_stacks(template) -> bool:
    """Whether a parsed template declares a nested stack (of any location): evaluated on its own,
    a template then gives what it gives beside the others only if none of them nests."""
    resources = template.data.get("Resources") if isinstance(template, Template) else None
    return isinstance(resources, dict) and any(isinstance(body, dict) and body.get("Type") in NESTING_TYPES for body in resources.values())


def _nested_locations(template) -> list:
    """The location of each nested stack a template declares with properties, as written: its
    TemplateURL, or a Serverless application's Location (None where it has none)."""
    resources = template.data.get("Resources") if isinstance(template, Template) else None
    out: list = []
    for body in resources.values() if isinstance(resources, dict) else ():
        if not isinstance(body, dict) or not isinstance(body.get("Properties"), dict):
            continue
        if body.get("Type") in NESTED_STACK_TYPES:
            out.append(body["Properties"].get("TemplateURL"))
        elif body.get("Type") == "AWS::Serverless::Application":
            out.append(body["Properties"].get("Location"))
    return out


def nested_candidates(templates: dict, paths) -> set | None:
    """The paths among `paths` (a root's data files) that a nested stack of `templates` may
    name: those a literal location resolves to and those ending like its location's literal
    tail (what `_Scan.literal_children` and `_Scan.match_by_name` may find, and more); None
    when a location says nothing of the file (a parameter, a condition), which may then be any
    of them."""
    by_name: dict = {}
    for p in paths:
        by_name.setdefault(os.path.basename(p), []).append(p)
    out: set = set()
    for template in templates.values():
        for url in _nested_locations(template):
            if url is None or (isinstance(url, dict) and not is_intrinsic(url)):
                continue  # (no location, or a Serverless application's id: no file of the scan)
            tail = _url_tail(url) if not isinstance(url, str) or _REMOTE.match(url) else url
            name = tail.rstrip("/").rsplit("/", 1)[-1] if isinstance(tail, str) else ""
            if not name:
                return None
            out.update(by_name.get(name, ()))
    return out


def _declared(template: Template) -> int:
    """Resources a template declares (what its evaluation costs, about)."""
    resources = template.data.get("Resources")
    return len(resources) if isinstance(resources, dict) else 0


def _let_go(template: Template) -> None:
    """Empty a template once evaluated and nested by no other (nothing reads it again): its data
    and line spans (a path tuple per node) are the largest part of a scan's memory, and the
    callers' maps still hold the template itself until every template is evaluated. Each one's
    memory is reused for the next one's resources: at 100,000 resources the peak went from
    parsed trees plus evaluated resources to little more than the larger of the two."""
    template.data = {}
    template.lines = {}
    template.comments = []
    template.line_ends = []


def _evaluate_one(scan: _Scan, parsed: dict, path: str, overrides, result: LanguageResult) -> None:
    """Evaluate one top-level template (and the stacks it nests) into `result`."""
    sink = _Sink()
    budget = _limits.Budget.of()
    try:
        with _limits.evaluation_budget(budget):
            budget.instance()
            stack = Stack(scan, sink, path, parsed[path], scan.rel(path), "", None, (os.path.realpath(path),))
            stack.run(overrides)
    except (_limits.BudgetExceeded, MemoryError, RecursionError) as exc:
        # As for a Terraform root: nothing of the template is reported but the error, and
        # the templates it nests are not evaluated again on their own (each a bomb too).
        scan.evaluated_files.update(_nested_closure(scan, parsed, path))
        result.notifications.append(Notification("error", _limits.cut_short_message("template %s" % scan.rel(path), exc), path))
        result.files.extend(sink.files + [path])
        return
    except Exception as exc:  # noqa: BLE001 - one broken template must not stop the others
        result.secrets.extend(sink.secrets)
        scan.evaluated_files.add(path)
        result.notifications.append(Notification(
            "error", "internal error evaluating %s: %s: %s" % (scan.rel(path), type(exc).__name__, exc), path))
        result.files.append(path)
        return
    for resource in sink.resources:  # the top-level stack is the root (see iacguard.graph)
        resource.meta.setdefault("root_module", path)
    for symbol in sink.symbols:  # parameters too (iacguard.facts.secrets_b_parameters)
        if symbol.kind == "parameter":
            symbol.meta.setdefault("root_module", path)
    result.extend(sink)
