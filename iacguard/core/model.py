"""The language-neutral model every stage after parsing shares.

Parsers and evaluators produce `Resource` objects (one per deployed resource instance) and
`Reference` objects (one per reference found in an expression); the graph is built from them;
checks produce `Finding` objects; problems met on the way are `Notification` objects.

A finding may carry an attack path (`Finding.path`): `PathStep`s from the entry point the finding
is located at to the asset, each a resource, what happens there and where reports point (the
engine, the cache, suppressions, baselines, redaction and every report format keep it; see
iacguard/output/sarif.py for the code flows, docs/json-format.md for the JSON `path` array).
"""
from __future__ import annotations

from dataclasses import dataclass, field
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Iterator

TERRAFORM = "terraform"
CLOUDFORMATION = "cloudformation"


@dataclass(frozen=True, slots=True)
class Location:
    """A span in a source file. Lines and columns are 1-based; `end_col` 0 means end of line."""

    path: str  # absolute, resolved path of the file
    start_line: int
    end_line: int
    start_col: int = 1
    end_col: int = 0

    def __reduce__(self):
        # Plain tuples pickle several times faster than frozen slotted dataclasses (the parse
        # and evaluation caches hold tens of thousands of these).
        return (Location, (self.path, self.start_line, self.end_line, self.start_col, self.end_col))


class SpanLocations(dict):
    """Property path -> Location within one file, kept as (start_line, end_line, end_col)
    tuples and made a Location when asked for (`get`). A CloudFormation resource has one entry
    per property node; building a Location for each (a frozen dataclass: about 0.9 us) cost a
    fifth of evaluating 100,000 resources, and few are ever read (a finding's location)."""

    __slots__ = ("path",)

    def __init__(self, path: str, spans=()) -> None:
        dict.__init__(self, spans)
        self.path = path

    def get(self, key, default=None):
        span = dict.get(self, key)
        if span is None:
            return default
        return Location(self.path, span[0], span[1], 1, span[2])

    def __getitem__(self, key):
        span = dict.__getitem__(self, key)
        return Location(self.path, span[0], span[1], 1, span[2])

    def __reduce__(self):
        return (SpanLocations, (self.path, dict(self)))


def line_end_columns(text: str) -> list:
    """The end column of every line of `text`, as `Location.end_col` takes it: item N-1 is one
    more than the length of line N (1-based, exclusive like SARIF's endColumn). Lines are split on
    "\n" only, as the parsers count them; a leading byte-order mark and the "\r" of "\r\n" are
    not part of a line. Parsers keep this table so that no later stage re-reads a source file."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if "\r" in text:
        return [len(line.rstrip("\r")) + 1 for line in lines]
    return [n + 1 for n in map(len, lines)]


def span_location(path: str, start_line: int, end_line: int, ends) -> Location:
    """The Location of lines `start_line`..`end_line` of `path`, ending at the end of its last
    line (its column from `ends`, a `line_end_columns` table; 0, "end of line", when the line is
    not in it). A start line below 1 means line 1, an end line before the start means the start."""
    return Location(path, start_line, end_line, 1, end_column(ends, start_line, end_line))


def end_column(ends, start_line: int, end_line: int) -> int:
    """The end column of a span of lines, from a `line_end_columns` table (see `span_location`)."""
    last = max(end_line, start_line, 1)
    return ends[last - 1] if last <= len(ends) else 0


PropertyPath = tuple  # e.g. ("ingress", 0, "cidr_blocks") or ("Properties", "BucketName")


@dataclass(slots=True, eq=False)
class Resource:
    """One deployed resource instance (or data source), whatever language declared it.

    `properties` holds evaluated values: str, int, float, bool, None, list, dict, or `Unknown`
    (see `iacguard.core.unknown`). Terraform nested blocks are lists of dicts under the block type name;
    CloudFormation properties are the `Properties` mapping.

    `id` is unique within one scan (addresses repeat across Terraform root modules and logical ids
    across templates); `address` is what a user recognises (`module.db.aws_db_instance.this[0]`,
    `MyBucket`).
    """

    id: str
    address: str
    type: str
    language: str
    properties: dict
    location: Location
    property_locations: dict = field(default_factory=dict)  # PropertyPath -> Location
    mode: str = "managed"  # "managed" or "data" (Terraform data sources)
    module: str = ""  # Terraform module path ("module.a.module.b"), CFN nested stack path
    # CloudFormation: the condition (name, required truth) that must hold for this resource to
    # exist when it cannot be decided; findings on it name the condition.
    conditions: tuple = ()
    # Free-form facts evaluators want to carry (e.g. {"count": 2}, {"sam_source": "Fn"}).
    meta: dict = field(default_factory=dict)

    def __reduce__(self):  # as Location's: the evaluation cache holds one per resource
        return (Resource, (self.id, self.address, self.type, self.language, self.properties, self.location, self.property_locations, self.mode, self.module, self.conditions, self.meta))

    def location_of(self, *path: Any) -> Location:
        """The most precise location known for a property path: the deepest known prefix."""
        p = tuple(path)
        while p:
            loc = self.property_locations.get(p)
            if loc is not None:
                return loc
            p = p[:-1]
        return self.location

    def get(self, *path: Any, default: Any = None) -> Any:
        """Walk `properties` by keys/indexes; `default` when a step is missing."""
        cur: Any = self.properties
        for step in path:
            if isinstance(cur, dict):
                if step not in cur:
                    return default
                cur = cur[step]
            elif isinstance(cur, list) and isinstance(step, int):
                if not -len(cur) <= step < len(cur):
                    return default
                cur = cur[step]
            else:
                return default
        return cur

    def blocks(self, name: str) -> list:
        """Terraform nested blocks of a type (always a list of dicts, possibly empty)."""
        value = self.properties.get(name)
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, dict)]
        return []


@dataclass(frozen=True, slots=True)
class Reference:
    """An expression in `source` (at property path `path`) refers to `target` (a node id).

    `kind` is "reference" (an expression), "depends_on" (explicit ordering) or another relation
    an evaluator knows (e.g. "module_input", "nested_stack").
    """

    source: str
    target: str
    path: PropertyPath = ()
    attribute: str = ""  # the attribute referred to, e.g. "arn", "Arn"; "" for the whole object
    kind: str = "reference"

    def __reduce__(self):
        return (Reference, (self.source, self.target, self.path, self.attribute, self.kind))


from .notification import Notification  # noqa: E402 - (its own module: discovery and the replay memo need it without the model)


@dataclass(frozen=True, slots=True)
class PathStep:
    """One node of an attack path a finding carries (`Finding.path`): a resource on the way from
    an entry point to an asset, what happens there ("ALB aws_lb.web forwards 443 to
    aws_instance.app"), and where reports point (usually the resource's whole block)."""

    resource: Resource
    message: str
    location: Location
    # The defense layers missing at this step (names, e.g. ("waf", "tls")), for reports that mark
    # them on the path; the finding's message says why.
    missing: tuple = ()

    def __reduce__(self):
        return (PathStep, (self.resource, self.message, self.location, self.missing))


@dataclass(frozen=True, slots=True)
class Finding:
    """A check failed on a resource. Metadata lives on the check; a finding names it by id."""

    check_id: str
    resource: Resource
    message: str
    location: Location
    # Names of undecided CloudFormation conditions under which this finding holds.
    conditions: tuple = ()
    # Where the offending value comes from: ((Location, "variable allowed_cidr"), ...), e.g. the
    # Terraform variables and CloudFormation parameters the property refers to.
    related: tuple = ()
    # The root module (or top-level stack) the finding comes through, as reports show it, when
    # the scan has several roots and the file does not say which: a module reached from a root.
    root: str = ""
    # An attack path, when the check found one: PathSteps in order, from the entry point (the
    # finding's own resource, as a rule) to the asset. Empty for single-resource findings.
    path: tuple = ()
    # A severity of this finding's own, for a check whose findings differ in severity (a graded
    # check, `Check.graded`: AWS-PATH-001 grades each path by what it exposes and how many layers
    # it lacks). "" = the check's severity. Reports read it through `iacguard.check.severity_of`.
    severity: str = ""

    def __reduce__(self):  # as Location's: a scan cache entry holds hundreds of thousands
        return (Finding, (self.check_id, self.resource, self.message, self.location, self.conditions, self.related, self.root, self.path, self.severity))

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        if self.path:  # paths from one entry point that read the same: by the addresses they pass
            return (loc.path, loc.start_line, self.check_id, self.resource.address, self.message, tuple(s.resource.address for s in self.path))
        return (loc.path, loc.start_line, self.check_id, self.resource.address, self.message)


@dataclass(frozen=True, slots=True)
class Undecided:
    """A check could not decide on a resource because a value it needed is not known (a
    variable with no value, a parameter, a computed attribute). Checks yield these alongside
    findings; they are reported apart from the other unknown values, and suppressions, baselines
    and changed-file filtering treat them like findings."""

    check_id: str
    resource: Resource
    what: str  # the setting the check needed, e.g. "cidr_blocks", "storage_encrypted"
    reason: str  # why it is not known (the Unknown's reason)
    location: Location  # where the source sets it (the resource when it is left out)
    conditions: tuple = ()
    # Where the unknown value comes from: ((Location, "variable cg_whitelist"), ...).
    related: tuple = ()

    def __reduce__(self):
        return (Undecided, (self.check_id, self.resource, self.what, self.reason, self.location, self.conditions, self.related))

    @property
    def message(self) -> str:
        return "%s of %s is not known (%s)" % (self.what, self.resource.address, self.reason or "no reason given")

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.start_line, self.check_id, self.resource.address, self.what, self.reason)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A reviewed decision to accept findings of some checks: an `iacguard:ignore` comment or a
    CloudFormation `Metadata.iacguard.ignore` entry. `expires` is an ISO date, "" for never."""

    check_ids: tuple
    reason: str
    path: str  # absolute path of the file holding it
    line: int
    expires: str = ""
    origin: str = "comment"  # "comment" | "metadata"
    end_col: int = 0  # where its line ends (Location.end_col), for reports that show the span


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding a suppression accepted: reported with its reason, never counted as failing."""

    finding: Finding
    suppression: Suppression


def walk(value: Any, path: PropertyPath = ()) -> Iterator[tuple[PropertyPath, Any]]:
    """Every (path, value) pair below a nested value, depth first, the value itself first."""
    stack = [(path, value)]
    while stack:
        p, v = stack.pop()
        yield p, v
        if isinstance(v, dict):
            stack.extend((p + (k,), v[k]) for k in reversed(list(v)))
        elif isinstance(v, list):
            stack.extend((p + (i,), v[i]) for i in reversed(range(len(v))))


@dataclass(slots=True)
class Symbol:
    """A graph node that is not a resource: a variable, local, output, module call, parameter,
    condition, mapping or nested stack. `kind` names which."""

    id: str
    kind: str  # "variable" | "local" | "output" | "module" | "parameter" | "condition" | ...
    name: str
    location: Location | None = None
    language: str = ""
    # Facts a front end knows of the symbol, e.g. {"set_at": Location} where a variable's value
    # was given (a tfvars line).
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """Where a value could not be known (counted in the summary, listed with --verbose)."""

    path: str
    line: int
    what: str  # e.g. "aws_db_instance.db.storage_encrypted"
    reason: str  # e.g. "variable encrypted has no value"

    def __reduce__(self):
        return (UnknownValue, (self.path, self.line, self.what, self.reason))


@dataclass(slots=True)
class ScanResult:
    """Everything a formatter needs. Findings are sorted (see Finding.sort_key)."""

    findings: list
    checks: list  # the Check objects that ran, sorted by id
    notifications: list  # list[Notification], sorted
    files: list  # absolute paths of files scanned, sorted
    resources: int = 0
    unknowns: list = field(default_factory=list)  # list[UnknownValue]
    roots: list = field(default_factory=list)  # the paths given to scan, absolute
    cwd: str = ""  # the directory paths in reports are made relative to
    duration: float = 0.0
    # Filled by the stages after the checks (iacguard.post.suppressions, .baseline, .changed_files):
    suppressed: list = field(default_factory=list)  # list[SuppressedFinding], sorted like findings
    baseline_file: str = ""  # the baseline compared against, "" when none
    baseline_matched: int = 0  # findings left out because the baseline holds them
    baseline_fixed: int = 0  # baseline entries no finding matched any more
    outside_changes: int = 0  # findings left out because their file did not change
    # The configuration file used (set by the CLI), {} when none: {"path": absolute path,
    # "changes": [phrases, e.g. "skips AWS-S3-002"], and with --diff-base when it changed since
    # the base ref, "warning": the message also added to the notifications}.
    configuration: dict = field(default_factory=dict)
    # Checks left undecided by unknown values (list[Undecided], sorted like findings), after the
    # same filtering as findings; `undecided_left_out` counts those suppressions, the baseline or
    # the changed-files filter left out.
    undecided: list = field(default_factory=list)
    undecided_left_out: int = 0
    # The internet's entry points of the scan when the attack-path check ran (Analysis.entry_points).
    entry_points: list = field(default_factory=list)
    # Answered from the scan cache (nothing parsed, evaluated or checked).
    from_cache: bool = False
    # --min-severity (set by the CLI): findings below it left out of every report and the exit code.
    min_severity: str = ""
    below_min_severity: int = 0
    # What the scan read, taken before it parsed anything (engine.scan with a cache folder, when
    # every file could be read): the replay memo's proof that a later scan reads the same
    # (iacguard/replay.py). In no report.
    source_state: tuple | None = None


@dataclass(slots=True)
class ScanOptions:
    """Inputs that change evaluated values. Paths are absolute."""

    tf_var_files: list = field(default_factory=list)  # --var-file
    tf_vars: dict = field(default_factory=dict)  # --var NAME=VALUE (raw strings)
    env: dict = field(default_factory=dict)  # environment, for TF_VAR_name
    cfn_params: dict = field(default_factory=dict)  # --cfn-param KEY=VALUE
    cfn_param_files: list = field(default_factory=list)  # --cfn-params FILE
    # TF_VAR_name from `env` is read only when this is on (--tf-vars-from-env): the CI
    # environment holds values a pull request must not be able to print.
    tf_vars_from_env: bool = False
    # --exclude patterns: Terraform's file functions do not read excluded paths either.
    excludes: list = field(default_factory=list)


@dataclass(slots=True)
class LanguageResult:
    """What one language front end (parse + evaluate) hands to the graph builder."""

    resources: list = field(default_factory=list)  # list[Resource]
    references: list = field(default_factory=list)  # list[Reference]
    symbols: list = field(default_factory=list)  # list[Symbol]
    notifications: list = field(default_factory=list)  # list[Notification]
    unknowns: list = field(default_factory=list)  # list[UnknownValue]
    files: list = field(default_factory=list)  # absolute paths recognised and scanned
    # Values never to print (iacguard.post.redact): of Terraform variables declared `sensitive = true`
    # and CloudFormation parameters with `NoEcho: true`, as strings.
    secrets: list = field(default_factory=list)

    def extend(self, part) -> None:
        """Append what `part` holds (another LanguageResult, or anything with its lists: a
        CloudFormation template's sink), in order: a root evaluated in parts, some of them by a
        forked child, gives the result evaluating it whole gives."""
        self.resources.extend(part.resources)
        self.references.extend(part.references)
        self.symbols.extend(part.symbols)
        self.notifications.extend(part.notifications)
        self.unknowns.extend(part.unknowns)
        self.files.extend(part.files)
        self.secrets.extend(part.secrets)


@dataclass(slots=True)
class Analysis:
    """What evaluation and the checks made of the parsed files, before post-processing (the
    engine builds it; the scan cache keeps it, with the graph as a GraphView)."""

    findings: list
    notifications: list
    files: list
    unknowns: list
    resources: int
    graph: object  # the ResourceGraph, or a GraphView of it when it comes from the cache
    secrets: list = field(default_factory=list)  # values to redact (iacguard.post.redact), sorted
    undecided: list = field(default_factory=list)  # list[Undecided], sorted
    roots: int = 0  # root modules, top-level stacks and plans holding resources
    # The internet's entry points, when a check asked for them (AWS-PATH-001): one PathStep each
    # (the resource, "ALB aws_lb.web accepts tcp 443 from the internet", its block), for reports
    # that draw the exposure (the HTML report's overview).
    entry_points: list = field(default_factory=list)
    # What parsing said of the files (errors, skipped parts), kept with the analysis so that a
    # scan answered from the cache reports it without parsing; and whether a file failed to parse.
    parse_notifications: list = field(default_factory=list)
    parse_failed: bool = False
