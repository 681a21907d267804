"""Evaluating a Terraform configuration the way Terraform would plan it, offline.

Owns: which folders are root modules, module instances (local sources, and the local copies
`terraform init` left in `.terraform/modules`), input variables (defaults, tfvars, --var-file,
--var, TF_VAR_*), locals in dependency order, count / for_each / dynamic expansion, and turning
every resource instance into a `Resource` with evaluated properties and per-attribute locations,
plus the references between resources, variables, locals, module inputs and outputs.

Everything is evaluated lazily and memoised: a value is computed when something asks for it, so
dependency order comes for free and a cycle is detected (and reported) instead of recursing.
What cannot be known (computed attributes, data sources, missing inputs) is `Unknown`.

Each root module is evaluated under its own evaluation budget (`iacguard.core.limits`): resource and
module instances, the size of the values built, and time. A root whose budget runs out (or that
meets a MemoryError or RecursionError) is left out, but for one "evaluation cut short: " error
note; the other roots are evaluated as usual.
"""
from __future__ import annotations

import itertools
import json
import os
import pickle
import re
from dataclasses import dataclass, field

from iacguard.core import limits as _limits
from .. import parse as _parse
from iacguard.core.model import Location, Notification, Reference, Resource, ScanOptions, Symbol, TERRAFORM, LanguageResult, UnknownValue, end_column
from iacguard.core.unknown import Unknown, as_int, is_unknown
from . import expressions as ex
from . import functions as fn
from . import providers as _providers
from .syntax import Attribute, Block, Body, ConfigFile, ForExpr, FunctionCall, GetAttr, Literal, ObjectExpr, Template, TupleExpr, Variable
from .types import convert
from iacguard.post.redact import secret_strings

META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"})
MAX_MODULE_DEPTH = 32
# count/for_each beyond this are cut, with a note. 100,000: as many as the root's default budget
# of instances (--max-instances, iacguard/core/limits.py), so that a large for_each or count is
# evaluated whole; a count that alone exceeds the root's budget stops the root at once (see
# `_over_budget`), before a scope per instance is built.
MAX_INSTANCES = 100_000


def _is_tfvars(path: str) -> bool:
    return path.endswith((".tfvars", ".tfvars.json"))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@dataclass
class ModuleSource:
    """The parsed files of one module folder, indexed by block kind."""

    dir: str
    files: list
    variables: dict = field(default_factory=dict)  # name -> (Block, path)
    locals: dict = field(default_factory=dict)  # name -> (Attribute, path)
    resources: list = field(default_factory=list)  # (Block, path), "resource"
    data: list = field(default_factory=list)  # (Block, path)
    modules: dict = field(default_factory=dict)  # name -> (Block, path)
    outputs: dict = field(default_factory=dict)  # name -> (Block, path)
    providers: list = field(default_factory=list)  # (Block, path), see iacguard.terraform.providers
    ends: dict = field(default_factory=dict)  # path -> ConfigFile.line_ends (where Locations end)

    @classmethod
    def index(cls, folder: str, files: list) -> "ModuleSource":
        src = cls(folder, files)
        for cf in files:
            src.ends[cf.path] = cf.line_ends
            json_syntax = cf.path.endswith(".json")
            for block in cf.body.blocks:
                if json_syntax and block.type in ("resource", "data", "provider"):
                    block = Block(block.type, block.labels, json_block_body(block.body), block.line, block.end_line)
                t = block.type
                if t == "variable" and block.labels:
                    src.variables[block.labels[0]] = (block, cf.path)
                elif t == "locals":
                    for name, attr in block.body.attributes.items():
                        src.locals[name] = (attr, cf.path)
                elif t == "resource" and len(block.labels) >= 2:
                    src.resources.append((block, cf.path))
                elif t == "data" and len(block.labels) >= 2:
                    src.data.append((block, cf.path))
                elif t == "module" and block.labels:
                    src.modules[block.labels[0]] = (block, cf.path)
                elif t == "output" and block.labels:
                    src.outputs[block.labels[0]] = (block, cf.path)
                elif t == "provider" and block.labels:
                    src.providers.append((block, cf.path))
        return src


def _slot_constructor(cls: type, names: tuple):
    """`cls(*values)` for a frozen dataclass with slots whose fields are `names`, in order, with
    no defaults made by factories and no __post_init__: the object made with `object.__new__`
    and its slots set through their descriptors (what the dataclass's __init__ does through
    `object.__setattr__`, at a third of the cost: a scan of eks makes 17,000 References).
    Any other shape gives `cls` itself."""
    try:
        fields = cls.__dataclass_fields__
        slots = [cls.__dict__[name] for name in names]
    except (AttributeError, KeyError):
        return cls
    if tuple(fields) != names or hasattr(cls, "__post_init__") or any(type(d).__name__ != "member_descriptor" for d in slots):
        return cls
    if len(names) != 5:
        return cls
    new = object.__new__
    s0, s1, s2, s3, s4 = (d.__set__ for d in slots)

    def make(a, b, c, d, e):
        obj = new(cls)
        s0(obj, a)
        s1(obj, b)
        s2(obj, c)
        s3(obj, d)
        s4(obj, e)
        return obj

    return make


# Reference(source, target, path, attribute, kind), every argument given (see _slot_constructor).
_reference = _slot_constructor(Reference, ("source", "target", "path", "attribute", "kind"))
_location = _slot_constructor(Location, ("path", "start_line", "end_line", "start_col", "end_col"))


def _span_location(path: str, start_line: int, end_line: int, ends) -> Location:
    """`span_location` (iacguard.core.model), its Location made through its slots (an eks scan
    makes about 20,000)."""
    return _location(path, start_line, end_line, 1, end_column(ends, start_line, end_line))


# `_keep_instance_keys` keeps the keys of resources of at most this many instances.
_KEYS_KEPT = 256


class _Lazy(dict):
    """A mapping whose values are computed on first access (and memoised).

    It is a dict so that the expression evaluator treats it as an object; only the keys are
    stored eagerly.
    """

    def __init__(self, keys, compute):
        super().__init__()
        self._keys = list(keys)
        self._keyset = set(self._keys)
        self._compute = compute
        self._done: dict = {}

    def _get(self, key):
        if key not in self._done:
            self._done[key] = self._compute(key)
        return self._done[key]

    def __getitem__(self, key):
        done = self._done  # the memoised value first: most reads are of one computed before
        if key in done:
            return done[key]
        if key not in self._keyset:
            raise KeyError(key)
        return self._get(key)

    def get(self, key, default=None):
        done = self._done
        if key in done:
            return done[key]
        return self._get(key) if key in self._keyset else default

    def __contains__(self, key):
        return key in self._keyset

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)

    def keys(self):
        return list(self._keys)

    def values(self):
        return [self._get(k) for k in self._keys]

    def items(self):
        return [(k, self._get(k)) for k in self._keys]

    def __eq__(self, other):
        return dict(self.items()) == other

    __hash__ = None

    def __repr__(self):
        return "_Lazy(%r)" % self._keys


class _CycleGuard:
    def __init__(self):
        self.stack: list = []

    def enter(self, key) -> bool:
        if key in self.stack:
            return False
        self.stack.append(key)
        return True

    def leave(self):
        self.stack.pop()


class Evaluation:
    """One scan root's Terraform: every root module and its module instances."""

    def __init__(self, files: dict, root: str, options: ScanOptions):
        self.root = root
        self.options = options
        self.result = LanguageResult()
        self.guard = _CycleGuard()
        self.dirs: dict = {}
        self.tfvars: dict = {}
        for path, cf in files.items():
            if cf is None:
                continue
            folder = os.path.dirname(path)
            if _is_tfvars(path):
                self.tfvars.setdefault(folder, []).append(cf)
            else:
                self.dirs.setdefault(folder, []).append(cf)
        self.sources = {d: ModuleSource.index(d, sorted(fs, key=lambda c: c.path)) for d, fs in self.dirs.items()}
        self._parsed_extra: dict = {}
        # id(node) -> (node, what was worked out for it): see _once
        self._references: dict = {}  # expression -> indexed_references
        self._steps: dict = {}  # expression -> reference_steps
        self._spans: dict = {}  # attribute or block -> its Location
        self._key_plans: dict = {}  # object expression -> key_locations
        self._reference_plans: dict = {}  # resource block -> reference_plan
        # Whether what is worked out once per block or expression (reference_plan,
        # reference_steps, span) is kept: only where it will be asked again, in a module with
        # several instances or a block with count or for_each (set by ModuleInstance.expand).
        # Kept for a module of 100,000 single resources, it was a fifth of the scan's peak.
        self.keep = True
        self._made: dict = {}  # module folder -> ModuleInstances made of it so far
        self._local_folders: dict = {}
        self.file_access = _FileAccess(self, list(getattr(options, "excludes", None) or ()))
        self.where = ("", 0)  # the file and line being evaluated, for notes of file functions

    # -- module tree ------------------------------------------------------------------------
    def root_modules(self) -> list:
        called = set()
        for d, src in self.sources.items():
            for name, (block, path) in src.modules.items():
                target = self._local_source_dir(d, block)
                if target and target != d:  # a folder calling itself is still a root
                    called.add(target)
        return sorted(d for d in self.sources if d not in called)

    def _source_string(self, block: Block):
        attr = block.body.attributes.get("source")
        if attr is None:
            return None
        value = ex.evaluate(attr.expr, ex.Scope({}, base_dir=self.root, root_dir=self.root))
        return value if isinstance(value, str) else None

    def _local_source_dir(self, caller_dir: str, block: Block):
        source = self._source_string(block)
        if source and (source.startswith("./") or source.startswith("../") or source in (".", "..")):
            folder = os.path.join(caller_dir, source)
            known = self.file_access.real_folders  # (folder -> real path, once per evaluation: many callers of one module)
            real = known.get(folder)
            if real is None:
                real = known[folder] = os.path.realpath(folder)
            return real
        return None

    def run(self, jobs: int = 1) -> LanguageResult:
        roots = self.root_modules()
        parts: dict = {}
        order = self._shared_order(roots, jobs)
        tasks = child = None
        if order:
            from iacguard.core import forked

            tasks = forked.Tasks.make(len(order))
            if tasks is not None:
                try:
                    child = forked.Child(lambda: self._sent(order, tasks))
                except OSError:
                    child = None
        try:
            if child is not None:
                # Each process evaluates the next root module neither took yet, until none is left.
                for i in iter(tasks.take, None):
                    parts[order[i]] = self._root_part(order[i])
                got = child.result()
                child = None
                for folder, part in got[1] if got[0] and type(got[1]) is list else ():
                    if folder not in parts:
                        parts[folder] = pickle.loads(part)
            for folder in roots:  # all of them in one process; or what a child that failed left
                if folder not in parts:
                    parts[folder] = self._root_part(folder)
        finally:
            if child is not None:
                child.abandon()
            if tasks is not None:
                tasks.close()
        result = self.result
        for folder in roots:
            result.extend(parts.pop(folder))
        for cf_list in self.dirs.values():
            self.result.files.extend(cf.path for cf in cf_list)
        for cf_list in self.tfvars.values():
            self.result.files.extend(cf.path for cf in cf_list)
        self.file_access = None  # it refers back to this evaluation (see _release)
        return self.result

    def _root_part(self, folder: str) -> LanguageResult:
        """What one root module gives, in a LanguageResult of its own (appended to the
        evaluation's in root order by `run`)."""
        whole, self.result = self.result, LanguageResult()
        try:
            self._run_root(folder)
            return self.result
        finally:
            self.result = whole

    # Blocks (resources and data sources, through every local module call) the root modules of a
    # scan root must declare for a forked child to evaluate some of them (`_shared_order`): eks'
    # eleven roots, 1,255 blocks, took 0.29 s in one process, terragoat's five, 142 blocks, 0.035 s;
    # the fork, the child pickling what it evaluated and this process unpickling it cost about
    # a fifth of the child's part.
    _FORK_MIN_BLOCKS = 400

    def _shared_order(self, roots: list, jobs: int) -> list:
        """The root modules in the order this process and a forked child take them (the heaviest
        first, so neither is left with a long one at the end), when `jobs` allows a child and
        there are enough; else []. Each root module's result depends on it alone (its own
        budget, cycle guard and module instances), whichever roots the same process evaluated
        before, but for notes said once per evaluation, which the scan says once anyway."""
        if jobs == 1 or len(roots) < 2:
            return []
        weights = self._root_weights(roots)
        if sum(weights.values()) < self._FORK_MIN_BLOCKS:
            return []
        from iacguard.core import forked

        if forked.processes(jobs) < 2:
            return []
        return sorted(roots, key=lambda r: (-weights[r], r))

    def _root_weights(self, roots: list) -> dict:
        """Root module -> the resource and data blocks it declares through its local module calls
        (each call once, whatever its count or for_each): what evaluating it costs, about."""
        memo: dict = {}

        def weight(folder: str, path: tuple) -> int:
            found = memo.get(folder)
            if found is not None:
                return found
            src = self.sources.get(folder)
            if src is None or folder in path:
                return 0
            total = len(src.resources) + len(src.data)
            for block, _ in src.modules.values():
                try:
                    target = self._local_source_dir(folder, block)
                except Exception:  # noqa: BLE001 - an estimate: the evaluation says what is wrong
                    target = None
                if target and target != folder:
                    total += weight(target, path + (folder,))
            memo[folder] = total
            return total

        return {r: weight(r, ()) for r in roots}

    def _sent(self, order: list, tasks) -> list:
        """In a forked child: [(root module, its part pickled)] for each root module of `order` it
        took from `tasks`."""
        return [(order[i], pickle.dumps(self._root_part(order[i]), protocol=pickle.HIGHEST_PROTOCOL)) for i in iter(tasks.take, None)]

    def _run_root(self, folder: str):
        rel = os.path.relpath(folder, self.root).replace(os.sep, "/")
        budget = _limits.Budget.of()
        out = self.result
        mark = (len(out.resources), len(out.references), len(out.symbols), len(out.unknowns), len(out.notifications))
        try:
            with _limits.evaluation_budget(budget):
                budget.instance()
                inst = ModuleInstance(self, self.sources[folder], prefix="", root_key=rel, inputs=None, depth=0, root_dir_of_config=folder)
                try:
                    inst.expand()
                finally:
                    _release(inst)
        except (_limits.BudgetExceeded, MemoryError, RecursionError) as exc:
            # What the root produced before is left out, not reported as if it were all: it is
            # an arbitrary part (in evaluation order), and checking and reporting 100,000
            # instances of a bomb would cost far more than building them.
            inst = None  # noqa: F841 - let its values go before anything else is built
            for items, n in zip((out.resources, out.references, out.symbols, out.unknowns, out.notifications), mark):
                del items[n:]
            name = rel if rel != "." else (os.path.basename(folder) or folder)
            self.note("error", _limits.cut_short_message("root module %s" % name, exc), folder)
        finally:
            self.guard.stack.clear()  # a root stopped midway leaves its cycle guard entries

    def _once(self, table: dict, node, make, keep: bool = True):
        """make(node), worked out once per syntax node and kept in `table` while `keep`. The
        node is kept beside its value, so that its id is never reused for another."""
        found = table.get(id(node))
        if found is not None and found[0] is node:
            return found[1]
        value = make(node)
        if keep:
            table[id(node)] = (node, value)
        return value

    def references(self, expr) -> list:
        """`expressions.indexed_references`, once per expression: every instance of a resource
        or module asks again for the same syntax tree (which lives as long as the evaluation)."""
        return self._once(self._references, expr, ex.indexed_references)

    def reference_plan(self, block: Block) -> list:
        """What `_record_references` walks in a resource block, the same for each of its
        instances (and each module instance of its module), built once per block: (property
        path, expression, is the block's own for_each/count, uses `each`/`count`, uses
        `each.value`) per expression, count and for_each last (the graph answers with the first
        path that holds a reference, and `resource_arn = each.value` should say resource_arn,
        not for_each)."""
        return self._once(self._reference_plans, block, self._plan, self.keep)

    def _plan(self, block: Block) -> list:
        attrs = block.body.attributes
        meta = attrs.get("for_each") or attrs.get("count")
        plan = []
        for attr_path, expr in sorted(_expressions(block.body, ()), key=lambda pe: pe[0] in (("count",), ("for_each",))):
            if meta is not None and expr is meta.expr and attr_path in (("for_each",), ("count",)):
                plan.append((attr_path, expr, True, False, False))
                continue
            travs = self.references(expr)
            if not travs:
                continue  # refers to nothing: no reference in any instance (a third of eks' expressions)
            uses_instance = any(t and t[0] in ("each", "count") for t, _, _ in travs)
            uses_each_value = uses_instance and any(t[0] == "each" and (len(t) == 1 or t[1] == "value") for t, _, _ in travs if t)
            plan.append((attr_path, expr, False, uses_instance, uses_each_value))
        return plan

    def span(self, node, path: str, ends):
        """`span_location(path, node.line, node.end_line, ends)` of an attribute or block, built
        once per node (it is the same Location in each instance of its module, and a frozen
        Location costs more to build than to look up)."""
        found = self._spans.get(id(node))  # (_once written out: once per property of every instance)
        if found is not None and found[0] is node:
            return found[1]
        location = _span_location(path, node.line, node.end_line, ends)
        if self.keep:
            self._spans[id(node)] = (node, location)
        return location

    def key_locations(self, obj, path: str, ends) -> list:
        """`_key_location_plan` of an object expression, worked out once per expression in a
        module of several instances (its keys' Locations were built again for each instance,
        a tenth of the Locations of an eks scan)."""
        found = self._key_plans.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        plan = _key_location_plan(obj, path, ends)
        if self.keep:
            self._key_plans[id(obj)] = (obj, plan)
        return plan

    def reference_steps(self, expr) -> list:
        """`references(expr)` sorted out once per expression for `_reference_targets`, which asks
        it for every instance of every module: (0, "var.x" / "local.x") for a variable or local,
        (1, mode, type, name, rest) for a resource or data source, (2, traversal, key, after)
        for what needs the instance (an index to evaluate, a module); nothing for the rest."""
        found = self._steps.get(id(expr))  # (_once written out: once per expression of every instance)
        if found is not None and found[0] is expr:
            return found[1]
        steps = self._steps_of(expr)
        if self.keep:
            self._steps[id(expr)] = (expr, steps)
        return steps

    def _steps_of(self, expr) -> list:
        steps: list = []
        for trav, key, after in self.references(expr):
            if not trav:
                continue
            root = trav[0]
            if (key is not None and len(trav) == (3 if root == "data" else 2)) or (root == "module" and len(trav) >= 2):
                steps.append((2, trav, key, after))
            elif root in ("var", "local") and len(trav) >= 2:
                steps.append((0, root + "." + str(trav[1])))
            elif root == "data" and len(trav) >= 3:
                steps.append((1, "data", str(trav[1]), str(trav[2]), trav[3:]))
            elif root in ("count", "each", "self", "path", "terraform") or len(trav) < 2:
                continue  # (`data.x` alone is looked up as a resource of type "data", as always)
            else:
                steps.append((1, "managed", root, str(trav[1]), trav[2:]))
        return steps

    def local_module_folder(self, caller_dir: str, source: str) -> tuple:
        """(folder, "") of a local module source, or (None, why not); once per caller folder and
        source, however many instances call it."""
        key = (caller_dir, source)
        found = self._local_folders.get(key)
        if found is None:
            folder = os.path.realpath(os.path.join(caller_dir, source))
            if not _inside(folder, self.root):
                found = None, "source %s leads outside the scanned root (scan a folder that holds both, such as the repository root, to evaluate it)" % source
            elif not os.path.isdir(folder):
                found = None, "source folder %s does not exist" % source
            else:
                found = folder, ""
            self._local_folders[key] = found
        return found

    def note(self, level: str, message: str, path: str = "", line: int = 0):
        self.result.notifications.append(Notification(level, message, path, line))

    def load_module_dir(self, folder: str):
        """A module folder not found by discovery (e.g. under `.terraform/modules`)."""
        if folder in self.sources:
            return self.sources[folder]
        if folder in self._parsed_extra:
            return self._parsed_extra[folder]
        # Through the parse stage, under the scan's bounds (--max-file-size, --time-per-file):
        # a file it refuses or cannot parse is named in a note; a folder that cannot be listed
        # gives no files.
        files = []
        for parsed in _parse.parse_folder(folder, self.root):
            self.result.notifications.extend(parsed.notifications)
            if parsed.unread:
                continue
            if parsed.kind == "terraform":
                files.append(parsed.data)
            self.result.files.append(parsed.path)
        src = ModuleSource.index(folder, files) if files else None
        self._parsed_extra[folder] = src
        return src

    def modules_json(self, root_dir: str) -> dict:
        """Key -> folder of modules `terraform init` installed for a root module."""
        cache = getattr(self, "_modules_json", None)
        if cache is None:
            cache = self._modules_json = {}
        if root_dir in cache:
            return cache[root_dir]
        mapping = {}
        path = os.path.join(root_dir, ".terraform", "modules", "modules.json")
        if os.path.isfile(path) and _inside(os.path.realpath(path), self.root):
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
                for m in data.get("Modules", []):
                    key, d = m.get("Key"), m.get("Dir")
                    if key and isinstance(d, str):
                        mapping[key] = os.path.realpath(os.path.join(root_dir, d))
            except (OSError, ValueError, AttributeError):
                self.note("warning", "cannot read .terraform/modules/modules.json", path)
        cache[root_dir] = mapping
        return mapping


class ModuleInstance:
    """One instance of a module (the root module is one too) with its inputs."""

    def __init__(self, ev: Evaluation, src: ModuleSource, prefix: str, root_key: str, inputs, depth: int, root_dir_of_config: str, modules_key: str = ""):
        self.ev = ev
        self.src = src
        self.prefix = prefix  # "" or "module.a." / "module.a[0].module.b."
        self.root_key = root_key
        self._id_base = "tf:%s:%s" % (root_key, prefix)  # node ids: this and the local address
        ev._made[src.dir] = ev._made.get(src.dir, 0) + 1
        self.inputs = inputs  # None for a root module, else name -> thunk returning a value
        self.depth = depth
        self.config_root = root_dir_of_config  # the root module folder (for .terraform/modules)
        self.modules_key = modules_key  # "a.b" key path for modules.json
        # The caller (whose default providers it inherits) or its `providers` map; None: a root.
        self.inherited_providers = None
        self.vars = _Lazy(src.variables.keys(), self._variable)
        self.locals = _Lazy(src.locals.keys(), self._local)
        self.module_outputs = _Lazy(src.modules.keys(), self._module_value)
        self._resource_values: dict = {}
        self._children: dict = {}  # module name -> list[(key, ModuleInstance|None)]
        self.scope = _InstanceScope(self)
        self._set_at: dict = {}  # root variable -> Location of the tfvars line that sets it
        self.arguments: dict = {}  # variable -> Location of the caller's module argument setting it
        self._identities = None  # [values indexed, id(instance value) -> node id]
        self._root_values = self._root_variable_values() if inputs is None else {}

    # -- ids ------------------------------------------------------------------------------
    def node_id(self, local_address: str) -> str:
        return self._id_base + local_address

    @property
    def module_path(self) -> str:
        return self.prefix[:-1] if self.prefix else ""

    # -- variables ------------------------------------------------------------------------
    def _root_variable_values(self) -> dict:
        """Values for root module variables: env, tfvars files, --var-file, --var (in Terraform's
        order of precedence, later wins)."""
        ev = self.ev
        values: dict = {}
        opts = ev.options
        for key, raw in sorted((opts.env or {}).items() if getattr(opts, "tf_vars_from_env", False) else ()):
            if key.startswith("TF_VAR_"):
                values[key[7:]] = ("raw", raw)
                self._set_at.pop(key[7:], None)
        folder = self.src.dir
        tfvars = {os.path.basename(cf.path): cf for cf in ev.tfvars.get(folder, [])}
        ordered = []
        for name in ("terraform.tfvars", "terraform.tfvars.json"):
            if name in tfvars:
                ordered.append(tfvars[name])
        ordered.extend(tfvars[n] for n in sorted(tfvars) if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
        for cf in ordered:
            self._apply_tfvars(cf, values)
        for path in opts.tf_var_files:
            cf = self._parse_var_file(path)
            if cf is not None:
                self._apply_tfvars(cf, values)
        for k, raw in opts.tf_vars.items():
            values[k] = ("raw", raw)
            self._set_at.pop(k, None)  # set on the command line: no line to point at
        return values

    def _parse_var_file(self, path: str):
        """A --var-file, read and parsed by the parse stage (its size, encoding and time bounds),
        like every other file."""
        from iacguard.discover import SourceFile

        current = _limits.current()
        parsed = _parse.parse_one(SourceFile(path, os.path.dirname(path), "terraform"), current.max_file_bytes, current.time_per_file)
        if parsed.kind == "terraform":
            for n in parsed.notifications:
                self.ev.note(n.level, n.message, n.path, n.line)
            return parsed.data
        for n in parsed.notifications:  # a variables file the user named and that was not read is an error
            self.ev.note("error", n.message.replace("parse error:", "parse error in variables file:", 1), n.path, n.line)
        if not parsed.notifications:
            self.ev.note("error", "cannot read variables file", path)
        return None

    def _apply_tfvars(self, cf: ConfigFile, values: dict):
        empty = self._plain_scope()
        for name, attr in cf.body.attributes.items():
            values[name] = ("value", self._evaluate_at(attr.expr, empty, cf.path, attr.line))
            self._set_at[name] = _span_location(cf.path, attr.line, attr.end_line, cf.line_ends)
        for block in cf.body.blocks:
            self.ev.note("warning", "blocks are not allowed in a variables file (%s)" % block.type, cf.path, block.line)

    def _variable(self, name: str):
        block, path = self.src.variables[name]
        type_attr = block.body.attributes.get("type")
        type_expr = type_attr.expr if type_attr is not None else None
        if self.inputs is not None:
            if name in self.inputs:
                value = self.inputs[name]()
            else:
                value = self._default(block)
        else:
            given = self._root_values.get(name)
            if given is None:
                value = self._default(block)
            elif given[0] == "raw":
                value = self._raw_variable(given[1], type_expr)
            else:
                value = given[1]
        if value is None and "default" not in block.body.attributes and (self.inputs is None or name not in self.inputs):
            return Unknown("variable %s has no value" % name)
        if value is None and "default" in block.body.attributes and not self._nullable(block):
            value = self._default(block)  # `nullable = false`: a null input means the default
        if type_expr is not None and not is_unknown(value):
            value = convert(value, type_expr)
        if _is_sensitive(block):
            self.ev.result.secrets.extend(secret_strings(value))
        return value

    def _nullable(self, block: Block) -> bool:
        attr = block.body.attributes.get("nullable")
        if attr is None:
            return True
        value = ex.evaluate(attr.expr, ex.Scope({}))
        return value is not False

    def _default(self, block: Block):
        attr = block.body.attributes.get("default")
        if attr is None:
            return None
        return ex.evaluate(attr.expr, self._plain_scope())

    def _plain_scope(self) -> ex.Scope:
        """A scope without names (variable defaults, tfvars) whose file functions still report."""
        scope = ex.Scope({}, base_dir=self.src.dir, root_dir=self.ev.root)
        scope.file_access = self.ev.file_access
        return scope

    def _evaluate_at(self, expr, scope, path: str, line: int):
        """`ex.evaluate`, with notes of file functions placed at `path`:`line`."""
        ev = self.ev
        saved, ev.where = ev.where, (path, line)
        try:
            return ex.evaluate(expr, scope)
        finally:
            ev.where = saved

    def _raw_variable(self, raw: str, type_expr):
        # Terraform reads -var and TF_VAR_ values as strings for primitive types (and for
        # variables without a type) and as HCL expressions for `any` and collection types.
        if type_expr is None or (isinstance(type_expr, Variable) and type_expr.name in ("string", "number", "bool")):
            return raw
        from .parser import HclSyntaxError, parse_expression

        try:
            return ex.evaluate(parse_expression(raw), self._plain_scope())
        except HclSyntaxError:
            return Unknown("cannot parse the value given for a variable")

    # -- locals ---------------------------------------------------------------------------
    def _local(self, name: str):
        attr, path = self.src.locals[name]
        key = ("local", id(self), name)
        if not self.ev.guard.enter(key):
            cycle = [k[2] for k in self.ev.guard.stack[self.ev.guard.stack.index(key):] if k[0] == "local"]
            self.ev.note("error", "cycle between locals: %s" % " -> ".join(cycle + [name]), path, attr.line)
            return Unknown("cycle between locals")
        try:
            return self._evaluate_at(attr.expr, self.scope, path, attr.line)
        finally:
            self.ev.guard.leave()

    # -- modules --------------------------------------------------------------------------
    def _module_children(self, name: str) -> list:
        if name in self._children:
            return self._children[name]
        self._children[name] = []  # guards against a module referring to itself
        block, path = self.src.modules[name]
        children = []
        folder, why = self._module_folder(name, block)
        if folder is None:
            self.ev.note("note", "module %s%s not evaluated: %s; its outputs are unknown" % (self.prefix, "module." + name, why), path, block.line)
            self._children[name] = [(None, None)]
            return self._children[name]
        src = self.ev.load_module_dir(folder) if folder not in self.ev.sources else self.ev.sources[folder]
        if src is None:
            self.ev.note("note", "module %s has no Terraform files in %s" % (name, folder), path, block.line)
            self._children[name] = [(None, None)]
            return self._children[name]
        if self.depth + 1 > MAX_MODULE_DEPTH:
            self.ev.note("warning", "module nesting deeper than %d: %s not evaluated" % (MAX_MODULE_DEPTH, name), path, block.line)
            self._children[name] = [(None, None)]
            return self._children[name]
        for key, inst_scope in self._instances(block, path, "module." + name):
            _limits.ACTIVE.instance()
            suffix = _index_suffix(key)
            prefix = "%smodule.%s%s." % (self.prefix, name, suffix)
            inputs = {}
            for arg, attr in block.body.attributes.items():
                if arg in ("source", "version", "count", "for_each", "providers", "depends_on"):
                    continue
                inputs[arg] = _thunk(attr.expr, inst_scope)
            child = ModuleInstance(self.ev, src, prefix, self.root_key, inputs, self.depth + 1, self.config_root, (self.modules_key + "." if self.modules_key else "") + name)
            child.inherited_providers = _providers.for_child(self, block)
            children.append((key, child))
            # Where each input is set: the argument line in this module's call (value origins).
            ends = self.src.ends.get(path, ())
            child.arguments = {arg: _span_location(path, attr.line, attr.end_line, ends) for arg, attr in block.body.attributes.items() if arg in inputs and arg in src.variables}
            # Graph: the child's variables stand for what the caller passes in.
            for arg, attr in block.body.attributes.items():
                if arg in src.variables:
                    for target, _ in self._reference_targets(attr.expr, inst_scope):
                        self.ev.result.references.append(_reference(child.node_id("var." + arg), target, (), "", "module_input"))
        self._children[name] = children
        return children

    def _module_folder(self, name: str, block: Block):
        source = self.ev._source_string(block)
        if source is None:
            return None, "its source cannot be known"
        if source.startswith(("./", "../")) or source in (".", ".."):
            return self.ev.local_module_folder(self.src.dir, source)
        installed = self.ev.modules_json(self.config_root).get(self.modules_key + ("." if self.modules_key else "") + name)
        if installed:
            if not _inside(installed, self.ev.root):
                return None, "its installed copy leads outside the scanned root"
            return installed, ""
        return None, "remote source %s is not fetched (run `terraform init` to use its local copy)" % source

    def _module_value(self, name: str):
        children = self._module_children(name)
        block, _ = self.src.modules[name]
        objs = []
        for key, child in children:
            if child is None:
                return Unknown("module %s is not evaluated" % name)
            objs.append((key, child.outputs_object()))
        return _collect(block, objs)

    def outputs_object(self):
        return _Lazy(self.src.outputs.keys(), self._output)

    def _output(self, name: str):
        block, path = self.src.outputs[name]
        attr = block.body.attributes.get("value")
        if attr is None:
            return None
        key = ("output", id(self), name)
        if not self.ev.guard.enter(key):
            return Unknown("cycle through output %s" % name)
        try:
            return self._evaluate_at(attr.expr, self.scope, path, attr.line)
        finally:
            self.ev.guard.leave()

    # -- resources ------------------------------------------------------------------------
    def _resource_blocks(self, mode: str) -> dict:
        """(type, name) -> (block, path) of the module's resources or data sources; built once
        per module and mode (every reference asks it: rebuilding it each time was quadratic)."""
        index = self.__dict__.setdefault("_blocks_index", {})
        found = index.get(mode)
        if found is None:
            blocks = self.src.resources if mode == "managed" else self.src.data
            found = index[mode] = {(b.labels[0], b.labels[1]): (b, p) for b, p in blocks}
        return found

    def resource_value(self, mode: str, rtype: str, name: str):
        """What `aws_x.y` (or `data.aws_x.y`) evaluates to: an instance object, a list of them
        (count) or a map of them (for_each)."""
        key = (mode, rtype, name)
        if key in self._resource_values:
            return self._resource_values[key]
        found = self._resource_blocks(mode).get((rtype, name))
        if found is None:
            return Unknown("no %s %s.%s in this module" % ("data source" if mode == "data" else "resource", rtype, name))
        gkey = ("resource", id(self), key)
        if not self.ev.guard.enter(gkey):
            block, path = found
            self.ev.note("error", "cycle: %s%s.%s refers to itself through other values" % (self.prefix, rtype, name), path, block.line)
            return Unknown("cycle through %s.%s" % (rtype, name))
        try:
            block, path = found
            objs = []
            local = ("data." if mode == "data" else "") + "%s.%s" % (rtype, name)
            for ikey, inst_scope in self._instances(block, path, "%s.%s" % (rtype, name)):
                props, _ = self.eval_body(block.body, inst_scope, path, (), top=True, partial=True)
                props.node = self.node_id(local + _index_suffix(ikey))  # absent attributes name it
                objs.append((ikey, props))
            value = _collect(block, objs)
        finally:
            self.ev.guard.leave()
        self._resource_values[key] = value
        return value

    def _instance_keys(self, mode: str, rtype: str, name: str, found: tuple):
        """What `_resource_targets` reads a resource's instance keys from: its value when that is
        known already (or being computed: a cycle, which `resource_value` reports), else a stand-in
        with the same keys built from its count or for_each alone (a list of that length, a map of
        those keys, or the Unknown of an unknown count or for_each). Evaluating every instance's
        body only to name the instances an output refers to was most of what it cost."""
        key = (mode, rtype, name)
        if key in self._resource_values or ("resource", id(self), key) in self.ev.guard.stack:
            return self.resource_value(mode, rtype, name)
        memo = self.__dict__.setdefault("_keys_memo", {})
        if key not in memo:
            block, path = found
            memo[key] = _collect(block, [(ikey, None) for ikey, _ in self._instances(block, path, "%s.%s" % (rtype, name))])
        return memo[key]

    def _keep_instance_keys(self, block: Block, rtype: str, name: str, instances: list) -> None:
        """What `_instance_keys` answers for a counted (for_each) resource, taken from the
        instances `_expand` has just made, so that the references to it that follow (outputs'
        `aws_x.y[*].id`, other resources' `depends_on`) do not evaluate its count (for_each)
        again: a third of the counts evaluated on eks and vpc were evaluated twice. Not when a
        reference asked first (its answer stays), and only for resources (a data source's notes
        name it in two ways) with few instances (what is kept stays until the module is done)."""
        attrs = block.body.attributes
        if "count" not in attrs and "for_each" not in attrs:
            return  # (`_instance_keys` is asked of counted and for_each resources only)
        memo = self.__dict__.setdefault("_keys_memo", {})
        key = ("managed", rtype, name)
        if key not in memo:
            memo[key] = _collect(block, [(ikey, None) for ikey, _ in instances])

    def _instances(self, block: Block, path: str, what: str) -> list:
        """(key, scope) per instance: key None (single), int (count), str (for_each), or
        Unknown (one symbolic instance)."""
        attrs = block.body.attributes
        if "count" in attrs:
            n = as_int(self._evaluate_at(attrs["count"].expr, self.scope, path, attrs["count"].line))
            if is_unknown(n):
                return [(n, self.scope.child(count={"index": Unknown("count.index of an unknown count")}))]
            _over_budget(n)
            if n > MAX_INSTANCES:
                self.ev.note("warning", "%s has count %d; only the first %d instances are evaluated" % (what, n, MAX_INSTANCES), path, attrs["count"].line)
                n = MAX_INSTANCES
            return [(i, self.scope.child(count={"index": i})) for i in range(max(n, 0))]
        if "for_each" in attrs:
            coll = self._evaluate_at(attrs["for_each"].expr, self.scope, path, attrs["for_each"].line)
            if is_unknown(coll):
                unknown = Unknown("each of an unknown for_each")
                return [(coll, self.scope.child(each={"key": unknown, "value": unknown}))]
            if isinstance(coll, dict):
                items = [(k, coll[k]) for k in sorted(coll, key=str)]
            elif isinstance(coll, (list, tuple)):
                if any(is_unknown(v) for v in coll):
                    unknown = Unknown("each of a for_each set with unknown members")
                    return [(Unknown("for_each key"), self.scope.child(each={"key": unknown, "value": unknown}))]
                items = [(v, v) for v in sorted({str(v): v for v in coll}.values(), key=str)]
            else:
                self.ev.note("warning", "for_each of %s is not a map or set" % what, path, attrs["for_each"].line)
                return []
            _over_budget(len(items))
            if len(items) > MAX_INSTANCES:  # cut as count is, and said as count says it
                self.ev.note("warning", "%s has for_each of %d entries; only the first %d instances are evaluated" % (what, len(items), MAX_INSTANCES),
                             path, attrs["for_each"].line)
            return [(str(k), self.scope.child(each={"key": str(k), "value": v})) for k, v in items[:MAX_INSTANCES]]
        return [(None, self.scope)]

    def eval_body(self, body: Body, scope, path: str, prop_path: tuple, top: bool = False, locs: dict | None = None, partial: bool = False):
        """Evaluate a block body into properties (attributes, and nested blocks as lists of
        dicts, dynamic blocks expanded) and the location of each property path.

        `partial`: the value other expressions see (`aws_x.y.attr`). Blocks become
        `PartialObject`s and null attributes are left out, since the provider computes what the
        configuration leaves unset: reading them gives Unknown, not null or an error. Its
        property locations are not recorded: nothing reads them (`resource_value` keeps the value)."""
        locs = {} if locs is None else locs
        ends = self.src.ends.get(path, ())
        span = self.ev.span
        _limits.ACTIVE.grow(1 + len(body.attributes) + len(body.blocks))
        props: dict = ex.PartialObject() if partial else {}
        for name, attr in body.attributes.items():
            if top and name in META_ARGUMENTS:
                continue
            expr = attr.expr
            literal = type(expr) is Literal
            if literal:  # what evaluating it gives, without the calls (a third of attributes)
                value = expr.value
            else:
                value = self._evaluate_at(expr, scope, path, attr.line)
                if isinstance(value, _Lazy):
                    value = _plain(value)
            if partial:
                if value is not None:
                    props[name] = value
                continue
            props[name] = value
            locs[prop_path + (name,)] = span(attr, path, ends)
            if literal:
                continue
            if isinstance(attr.expr, ObjectExpr):
                _object_key_locations(self.ev, attr.expr, path, prop_path + (name,), locs, ends)
            elif _is_jsonencode_object(attr.expr):
                # jsonencode({...}): the lines of what is inside (policy statements, issue 12)
                _object_key_locations(self.ev, attr.expr.args[0], path, prop_path + (name,), locs, ends)
        for block in body.blocks:
            if top and block.type in META_ARGUMENTS:
                continue
            if block.type == "dynamic" and block.labels:
                self._expand_dynamic(block, scope, path, prop_path, props, locs, partial)
                continue
            items = props.setdefault(block.type, [])
            if not isinstance(items, list):
                continue
            index = len(items)
            sub, _ = self.eval_body(block.body, scope, path, prop_path + (block.type, index), locs=locs, partial=partial)
            items.append(sub)
            if not partial:
                locs[prop_path + (block.type, index)] = span(block, path, ends)
        return props, locs

    def _expand_dynamic(self, block: Block, scope, path: str, prop_path: tuple, props: dict, locs: dict, partial: bool = False):
        label = block.labels[0]
        attrs = block.body.attributes
        iterator = label
        if "iterator" in attrs:
            it = attrs["iterator"].expr
            if isinstance(it, Variable):
                iterator = it.name
            elif isinstance(it, Literal) and isinstance(it.value, str) and it.value:
                iterator = it.value  # JSON syntax: "iterator": "rule"
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        items = props.setdefault(label, [])
        if content is None or not isinstance(items, list):
            return
        coll = self._evaluate_at(attrs["for_each"].expr, scope, path, attrs["for_each"].line) if "for_each" in attrs else Unknown("dynamic block without for_each")
        if is_unknown(coll):
            pairs = [(Unknown("dynamic key"), Unknown("element of an unknown collection"))]
        elif isinstance(coll, dict):
            pairs = [(k, coll[k]) for k in sorted(coll, key=str)]
        elif isinstance(coll, (list, tuple)):
            pairs = list(enumerate(coll))
        else:
            return
        _limits.ACTIVE.grow(len(pairs[:MAX_INSTANCES]))
        for k, v in pairs[:MAX_INSTANCES]:
            inner = scope.child(**{iterator: {"key": k, "value": v}})
            index = len(items)
            sub, _ = self.eval_body(content.body, inner, path, prop_path + (label, index), locs=locs, partial=partial)
            items.append(sub)
            if not partial:
                locs[prop_path + (label, index)] = self.ev.span(block, path, self.src.ends.get(path, ()))

    # -- expansion into Resources ---------------------------------------------------------
    def expand(self):
        ev = self.ev
        kept = ev.keep
        try:
            self._expand(ev, ev._made.get(self.src.dir, 0) > 1)
        finally:
            ev.keep = kept

    def _expand(self, ev, shared: bool):
        ev.keep = shared
        # Every local is evaluated, used or not, so that a cycle is always reported.
        for name in self.src.locals:
            self.locals.get(name)
        # Sensitive variables are recorded (as secrets to redact) even when nothing uses them.
        for name, (block, _) in self.src.variables.items():
            if _is_sensitive(block):
                self.vars.get(name)
        for mode, blocks in (("managed", self.src.resources), ("data", self.src.data)):
            for block, path in blocks:
                rtype, name = block.labels[0], block.labels[1]
                local = ("data." if mode == "data" else "") + "%s.%s" % (rtype, name)
                try:
                    instances = self._instances(block, path, local)
                except RecursionError:
                    ev.note("error", "expression nesting too deep in %s" % local, path, block.line)
                    continue
                if mode == "managed" and len(instances) <= _KEYS_KEPT:
                    self._keep_instance_keys(block, rtype, name, instances)
                ev.keep = shared or len(instances) > 1
                for ikey, inst_scope in instances:
                    _limits.ACTIVE.instance()
                    address = self.prefix + local + _index_suffix(ikey)
                    props, locs = self.eval_body(block.body, inst_scope, path, (), top=True)
                    res = Resource(
                        id="tf:%s:%s" % (self.root_key, address),
                        address=address,
                        type=rtype,
                        language=TERRAFORM,
                        properties=props,
                        location=ev.span(block, path, self.src.ends.get(path, ())),
                        property_locations=locs,
                        mode=mode,
                        module=self.module_path,
                        meta={"config_address": local, "base_id": "tf:%s:%s" % (self.root_key, address), "root_module": self.config_root,
                              "provider": _providers.of_resource(self, block, rtype)},
                    )
                    ev.result.resources.append(res)
                    self._record_unknowns(res)
                    self._record_references(res, block, inst_scope, ikey)
                # References to the resource as a whole (`aws_x.y` without index) point at each
                # instance; register the configuration-level name as a symbol-free alias.
        ev.keep = shared
        self._symbols()
        for name in self.src.modules:
            for _, child in self._module_children(name):
                if child is not None:
                    child.expand()

    def _symbols(self):
        ev = self.ev
        symbols = ev.result.symbols
        references = ev.result.references
        plan = _symbol_plan(self.src)
        base = self._id_base
        set_at, arguments = self._set_at, self.arguments
        add = symbols.append
        for name, local, loc in plan.variables:
            if name in arguments:
                meta = {"set_at": arguments[name], "set_label": "argument %s of %s" % (name, self.module_path)}
            elif name in set_at:
                meta = {"set_at": set_at[name]}
            else:
                meta = {}
            add(Symbol(base + local, "variable", name, loc, TERRAFORM, meta))
        for kind, name, local, loc, expr in plan.named:
            sid = base + local
            add(Symbol(sid, kind, name, loc, TERRAFORM, {}))
            if expr is not None:
                for target, _ in self._reference_targets(expr, self.scope):
                    references.append(_reference(sid, target, (), "", "reference"))

    def _record_unknowns(self, res: Resource):
        # Every (path, value) below the properties, like `model.walk`, charging the root's budget
        # per container (a list holding one list twice, nested 30 times, is small in memory but
        # has a billion paths); a loop, not a generator: a step and a call per value was a
        # third of this, once per resource instance.
        # An entry is (the parent's path, key, value): a value's own path is made only for a
        # container or an Unknown, not for each string, number and bool.
        grow = _limits.ACTIVE.grow
        stack = [((), _TOP, res.properties)]
        while stack:
            p, k, v = stack.pop()
            t = type(v)
            if t is str or t is bool or t is int or v is None:
                continue
            if isinstance(v, dict):
                if k is not _TOP:
                    p = p + (k,)
                grow(len(v))
                stack.extend([(p, key, v[key]) for key in reversed(list(v))])
            elif isinstance(v, list):
                if k is not _TOP:
                    p = p + (k,)
                grow(len(v))
                stack.extend([(p, i, v[i]) for i in reversed(range(len(v)))])
            elif isinstance(v, Unknown):
                if k is not _TOP:
                    p = p + (k,)
                loc = res.location_of(*p)
                self.ev.result.unknowns.append(UnknownValue(loc.path, loc.start_line, "%s.%s" % (res.address, ".".join(map(str, p))), v.reason or "unknown"))

    def _record_references(self, res: Resource, block: Block, scope, ikey):
        refs = self.ev.result.references
        per_instance = None  # what `each.*` / `count.index` stand for, computed on first use
        for attr_path, expr, own_meta, uses_instance, uses_each_value in self.ev.reference_plan(block):
            if own_meta:
                # The instance's own for_each (count): instance "k" of `for_each = aws_x.y`
                # comes from aws_x.y["k"], not from every instance (which was N^2 references).
                targets = self._meta_targets(block, scope, ikey)
                _limits.ACTIVE.grow(4 * len(targets))
                for target, attribute in targets:
                    refs.append(_reference(res.id, target, attr_path, attribute, "reference"))
                continue
            for target, attribute in self._reference_targets(expr, scope):
                refs.append(_reference(res.id, target, attr_path, attribute, "reference"))
            if uses_instance:
                # `resource_arn = each.value` refers to what the for_each collection holds.
                if per_instance is None:
                    per_instance = self._instance_targets(block, scope, ikey)
                symbols, resources = per_instance
                targets = symbols
                if uses_each_value:
                    # Only each.value can be a resource instance: `count.index` and `each.key`
                    # are a number and a string, and `aws_x.y[each.key]` is resolved above.
                    targets = symbols + resources
                _limits.ACTIVE.grow(4 * len(targets))
                for target, attribute in targets:
                    refs.append(_reference(res.id, target, attr_path, attribute, "reference"))
        dep = block.body.attributes.get("depends_on")
        if dep is not None:
            for target, _ in self._reference_targets(dep.expr, scope):
                refs.append(_reference(res.id, target, ("depends_on",), "", "depends_on"))

    def _meta_refs(self, block: Block) -> "_MetaRefs":
        """The references of a block's for_each (or count) expression, indexed: built once per
        block (they do not depend on the instance), not once per instance."""
        memo = self.__dict__.setdefault("_meta_memo", {})
        found = memo.get(id(block))
        if found is None or found.block is not block:
            attrs = block.body.attributes
            found = memo[id(block)] = _MetaRefs(self, block, (attrs.get("for_each") or attrs.get("count")).expr)
        return found

    def _meta_targets(self, block: Block, scope, ikey) -> list:
        """What the for_each (count) attribute of one instance refers to: the element of the
        collection this instance comes from where that can be told (see `_narrowed`), else every
        reference of the expression."""
        m = self._meta_refs(block)
        if ikey is None or is_unknown(ikey):
            return m.all
        narrowed = self._narrowed(block, scope, ikey, m)
        if narrowed is None:
            return m.all
        symbols, resources, own = narrowed
        # The expression's other symbols (`var.env` in a filter) stay; outputs of a module are
        # narrowed to its instance of the same key, as resources are.
        return (symbols if own else m.symbols) + resources

    def _instance_targets(self, block: Block, scope, ikey) -> tuple:
        """What this instance's `each` (or `count.index`) stands for: (targets through symbols,
        resource instance targets) among the references of the for_each (or count) expression.

        Narrowed to the instance's own element where that can be told: each.value is the value
        of a resource instance of this module (`for_each = { for k, v in aws_x.y : k => v if
        ... }`); for_each is an object written out with constant keys; or for_each keeps the keys
        of a resource with for_each or count (`aws_x.y`, `{ for k, v in aws_x.y : k => v.id }`).
        Else every reference of the expression, as an over-approximation."""
        attrs = block.body.attributes
        attr = attrs.get("for_each") or attrs.get("count")
        if attr is None:
            return [], []
        m = self._meta_refs(block)
        narrowed = self._narrowed(block, scope, ikey, m) if not is_unknown(ikey) else None
        if narrowed is None:
            return m.symbols, m.resources
        return narrowed[0], narrowed[1]

    def _narrowed(self, block: Block, scope, ikey, m: "_MetaRefs"):
        """(symbols, resources, own) of one instance's own element of its for_each (or count)
        collection, or None when that cannot be told. `own`: the symbols are the element's too
        (the outputs of the module instance of the same key, the value written for the key);
        else they are every symbol of the expression."""
        attrs = block.body.attributes
        if "for_each" in attrs:
            try:
                each_value = scope.lookup("each").get("value")
            except (KeyError, AttributeError):
                each_value = None
            node = self._instance_of(each_value)
            if node is not None:
                return [], [(node, "")], False
        if m.object_keys is not None:
            value_expr = m.object_keys.get(str(ikey))
            if value_expr is None:
                if m.object_open:
                    return None  # a key not known: which element is this instance's cannot be told
                return [], [], True
            resources: list = []
            return self._reference_targets(value_expr, scope, resources), resources, True
        if isinstance(ikey, str) and m.keyed:
            suffixes = (_index_suffix(ikey),) + ((_index_suffix(int(ikey)),) if re.match(r"[0-9]+\Z", ikey) else ())
        elif isinstance(ikey, int) and not isinstance(ikey, bool) and m.counted_from:
            suffixes = (_index_suffix(ikey),)  # `count = length(aws_x.y)`: instance i, aws_x.y[i]
        else:
            return None
        symbols, by_module = m.symbols, False
        if m.module_heads is not None:
            # `for_each = module.m`: instance "x" stands for the outputs of module.m["x"].
            picked = sorted(i for sfx in suffixes for i in m.module_heads.get(m.module_base + sfx + ".", ()))
            if picked:
                symbols, by_module = [m.symbols[i] for i in picked], True
        picked = sorted(i for base in m.bases for sfx in suffixes for i in m.by_node.get(base + sfx, ()))
        if picked:
            return symbols, [m.resources[i] for i in picked], by_module
        if by_module:
            return symbols, m.resources, True
        return None

    def _instance_of(self, value):
        """The node id of the resource instance of this module whose value (`aws_x.y["k"]`) is
        `value` itself (the same object, passed on by a for-expression), or None."""
        if not isinstance(value, ex.PartialObject):
            return None
        values = self._resource_values
        known = self._identities
        if known is None:
            known = self._identities = [0, {}]
        if known[0] != len(values):
            # Values are memoised once each and never dropped: only those added since are new.
            by_id = known[1]
            for (mode, rtype, name), v in list(itertools.islice(values.items(), known[0], None)):
                local = ("data." if mode == "data" else "") + "%s.%s" % (rtype, name)
                if isinstance(v, ex.PartialObject):
                    items = [(None, v)]
                elif isinstance(v, list):
                    items = list(enumerate(v))
                elif isinstance(v, dict):
                    items = list(v.items())
                else:
                    continue
                for k, obj in items:
                    if isinstance(obj, ex.PartialObject):
                        by_id[id(obj)] = self.node_id(local + _index_suffix(k))
            known[0] = len(values)
        return known[1].get(id(value))

    def _reference_targets(self, expr, scope, resources: list | None = None) -> list:
        """Graph node ids an expression refers to, with the attribute named. With `resources`,
        references to resource instances go there instead (the rest are returned)."""
        out = []
        into = out if resources is None else resources
        base = self._id_base
        for step in self.ev.reference_steps(expr):
            kind = step[0]
            if kind == 0:  # a variable or local
                out.append((base + step[1], ""))
            elif kind == 1:  # a resource or data source of this module
                into.extend(self._resource_targets(step[1], step[2], step[3], step[4]))
            else:
                self._one_target(step[1], step[2], step[3], scope, out, into)
        # A reference costs more than a value: each is an object here and an edge in the graph.
        # `aws_x.y[*]` from each of 1,000 instances of a resource is a million of them.
        _limits.ACTIVE.grow(4 * (len(out) + (len(resources) if resources is not None else 0)))
        return out

    def _one_target(self, trav: tuple, key, after: tuple, scope, out: list, into: list) -> None:
        """`_reference_targets` of one traversal that `Evaluation.reference_steps` could not
        settle without the instance: an index to evaluate (`aws_x.y[count.index]`), or a module."""
        root = trav[0]
        if key is not None and len(trav) == (3 if root == "data" else 2):
            # `aws_x.y[count.index]`, `module.m[each.key]`: the instance this instance
            # names, as if its index had been written out. An index not known (or not a
            # number or string) leaves the traversal as it was: every instance.
            index = _instance_key(ex.evaluate(key, scope))
            if index is not None:
                trav = trav + (index,) + after
        if root == "var" and len(trav) >= 2:
            out.append((self.node_id("var." + str(trav[1])), ""))
        elif root == "local" and len(trav) >= 2:
            out.append((self.node_id("local." + str(trav[1])), ""))
        elif root == "module" and len(trav) >= 2:
            name = str(trav[1])
            if name not in self.src.modules:
                return
            rest = trav[2:]
            wanted = None  # a constant instance key: only that instance's output
            if rest and self._module_is_multi(name) and isinstance(rest[0], (int, str)) and len(rest) > 1:
                wanted, rest = rest[0], rest[1:]
            if rest:
                children = self._module_children(name)
                if wanted is not None:
                    children = self._children_of_key(name, children, wanted)
                for key, child in children:
                    if child is not None:
                        out.append((child.node_id("output." + str(rest[0])), ""))
            else:
                # The whole module object (`module.m`, `module.m[*].id`): every output.
                for key, child in self._module_children(name):
                    if child is not None:
                        out.extend((child.node_id("output." + o), "") for o in child.src.outputs)
        elif root == "data" and len(trav) >= 3:
            into.extend(self._resource_targets("data", str(trav[1]), str(trav[2]), trav[3:]))
        elif root in ("count", "each", "self", "path", "terraform") or len(trav) < 2:
            return
        else:
            into.extend(self._resource_targets("managed", root, str(trav[1]), trav[2:]))

    def _children_of_key(self, name: str, children: list, wanted) -> list:
        """The instances of module `name` that `module.name[wanted]` may be: the one of that key,
        or the symbolic one of unknown instances. Indexed once per module call (looking through
        every instance from every instance of a resource was quadratic)."""
        index = self.__dict__.setdefault("_children_index", {})
        found = index.get(name)
        if found is None or found[0] is not children:
            by_key: dict = {}
            unknown = []
            for i, (key, _) in enumerate(children):
                if is_unknown(key):
                    unknown.append(i)
                else:
                    by_key.setdefault(str(key), []).append(i)
            found = index[name] = (children, by_key, unknown)
        _, by_key, unknown = found
        return [children[i] for i in sorted(by_key.get(str(wanted), []) + unknown)]

    def _module_is_multi(self, name: str) -> bool:
        block, _ = self.src.modules[name]
        return "count" in block.body.attributes or "for_each" in block.body.attributes

    def _resource_targets(self, mode: str, rtype: str, name: str, rest: tuple) -> list:
        found = self._resource_blocks(mode).get((rtype, name))
        if found is None:
            return []
        block, path = found
        local = ("data." if mode == "data" else "") + "%s.%s" % (rtype, name)
        counted = "count" in block.body.attributes
        multi = counted or "for_each" in block.body.attributes
        attribute = ""
        if multi:
            key = rest[0] if rest else None
            if counted and isinstance(key, str):
                key = int(key) if re.match(r"-?[0-9]+\Z", key) else None  # "1" indexes a list too
            elif not counted and isinstance(key, int) and not isinstance(key, bool):
                key = str(key)  # a for_each key is a string
            if isinstance(key, (int, str)) and not isinstance(key, bool):
                attribute = str(rest[1]) if len(rest) > 1 else ""
                if is_unknown(self._instance_keys(mode, rtype, name, found)):
                    key = Unknown()  # instances not known: the one symbolic instance `[*]`
                return [(self.node_id(local + _index_suffix(key)), attribute)]
            # No constant index: every instance is referred to. The list is built once per
            # target and attribute (a splat in every instance of a counted resource asked it
            # once per instance); callers copy it.
            attribute = str(rest[-1]) if rest and isinstance(rest[-1], str) else ""
            memo = self.__dict__.setdefault("_every_instance", {})
            mkey = (mode, rtype, name, attribute)
            found = memo.get(mkey)
            if found is None:
                value = self._instance_keys(mode, rtype, name, (block, path))
                keys = range(len(value)) if isinstance(value, list) else (list(value.keys()) if isinstance(value, dict) else [None])
                found = memo[mkey] = [(self.node_id(local + _index_suffix(k if not is_unknown(value) else Unknown())), attribute) for k in keys]
            return found
        attribute = str(rest[0]) if rest else ""
        return [(self.node_id(local), attribute)]


def _types_of(inst, mode: str) -> frozenset:
    """The resource (or data source) types a module declares, computed once per module."""
    index = inst.__dict__.setdefault("_types_index", {})
    found = index.get(mode)
    if found is None:
        found = index[mode] = frozenset(rtype for rtype, _ in inst._resource_blocks(mode))
    return found


class _SymbolPlan:
    """What `_symbols` records of a module source that is the same in each of its instances:
    names, node ids within the module ("var.x", "output.y"), locations (a frozen Location,
    shared) and the expressions whose references are recorded. Built once per source: a module
    called 40 times built its 1,000 locations 40 times."""

    __slots__ = ("variables", "named")

    def __init__(self, src: ModuleSource) -> None:
        ends = src.ends
        self.variables = [(name, "var." + name, _span_location(path, block.line, block.end_line, ends.get(path, ()))) for name, (block, path) in src.variables.items()]
        named: list = []
        for name, (attr, path) in src.locals.items():
            named.append(("local", name, "local." + name, _span_location(path, attr.line, attr.end_line, ends.get(path, ())), attr.expr))
        for name, (block, path) in src.outputs.items():
            value = block.body.attributes.get("value")
            named.append(("output", name, "output." + name, _span_location(path, block.line, block.end_line, ends.get(path, ())), value.expr if value is not None else None))
        for name, (block, path) in src.modules.items():
            named.append(("module", name, "module." + name, _span_location(path, block.line, block.end_line, ends.get(path, ())), None))
        self.named = named


def _symbol_plan(src: ModuleSource) -> _SymbolPlan:
    plan = src.__dict__.get("_symbol_plan")
    if plan is None:
        plan = src.__dict__["_symbol_plan"] = _SymbolPlan(src)
    return plan


class _MetaRefs:
    """The references of one block's for_each (or count) expression, built once per block and
    indexed so that one instance's own element is found without a pass over all of them."""

    __slots__ = ("block", "all", "symbols", "resources", "by_node", "bases", "keyed", "counted_from",
                 "object_keys", "object_open", "module_heads", "module_base")

    def __init__(self, inst: "ModuleInstance", block: Block, expr) -> None:
        self.block = block
        scope = inst.scope  # count and for_each are evaluated in the module's scope
        self.all = inst._reference_targets(expr, scope)
        self.resources: list = []
        self.symbols = inst._reference_targets(expr, scope, self.resources)
        self.by_node: dict = {}
        for i, (t, _) in enumerate(self.resources):
            self.by_node.setdefault(t, []).append(i)
        counted = "count" in block.body.attributes
        keyed = expr
        if isinstance(expr, ForExpr) and not expr.grouping and _names(expr.key_expr, expr.key_var) and _names(expr.value_expr, expr.value_var):
            keyed = expr.collection  # `{ for k, v in aws_x.y : k => v.id }` keeps the keys of aws_x.y
        self.keyed = not counted and isinstance(keyed, (GetAttr, Variable))
        counted_from = None
        if counted and isinstance(expr, FunctionCall) and expr.name == "length" and len(expr.args) == 1 and isinstance(expr.args[0], (GetAttr, Variable)):
            counted_from = expr.args[0]
        self.counted_from = counted_from is not None
        # The resources (of this module) the keyed expression names: node id without the key.
        self.bases: list = []
        for trav, _, _ in inst.ev.references(keyed if self.keyed else (counted_from if counted_from is not None else expr)):
            if not trav:
                continue
            if trav[0] == "data" and len(trav) >= 3:
                base = inst.node_id("data.%s.%s" % (trav[1], trav[2]))
            elif trav[0] not in ("var", "local", "module", "count", "each", "self", "path", "terraform", "data") and len(trav) >= 2:
                base = inst.node_id("%s.%s" % (trav[0], trav[1]))
            else:
                continue
            if base not in self.bases:
                self.bases.append(base)
        # `for_each = module.m`: the outputs of module.m, by module instance.
        self.module_heads = None
        self.module_base = ""
        if self.keyed and isinstance(keyed, GetAttr) and isinstance(keyed.obj, Variable) and keyed.obj.name == "module":
            self.module_base = inst.node_id("module.%s" % keyed.name)
            self.module_heads = {}
            for i, (t, _) in enumerate(self.symbols):
                cut = t.rfind(".output.")
                if cut >= 0:
                    self.module_heads.setdefault(t[: cut + 1], []).append(i)
        # An object written out (`for_each = { a = aws_x.y["a"] }`): its keys, evaluated once,
        # up to the first that is not known (`object_open`: one was not).
        self.object_keys = None
        self.object_open = False
        if isinstance(expr, ObjectExpr):
            self.object_keys = {}
            for key_expr, value_expr in expr.items:
                key = ex.evaluate(key_expr, scope)
                if is_unknown(key):
                    self.object_open = True
                    break
                self.object_keys.setdefault(str(key), value_expr)


class _ConfigScope(ex.Scope):
    """A scope of a configuration: it can render templates (`templatefile`) and its child scopes
    (count/each/iterators, for-expressions) can too."""

    def child(self, **names) -> ex.Scope:
        return _ConfigScope(names, self, self.base_dir, self.root_dir)

    def render_template(self, text: str, variables: dict, line: int = 1):
        from .parser import HclSyntaxError, parse_template

        access = fn._file_access(self)
        # Parsed once per evaluation and text: a module's templatefile() is rendered again in
        # each of its instances (and roots), and parsing was most of what a call cost. Syntax
        # trees are never changed by evaluation; a text that fails is parsed (and fails) again.
        templates = access.templates if isinstance(access, _FileAccess) else None
        template = templates.get((text, line)) if templates is not None else None
        if template is None:
            try:
                template = parse_template(text, line)
            except HclSyntaxError as exc:
                raise fn.FunctionError("template: %s" % exc) from None
            if templates is not None:
                templates[(text, line)] = template
        # A plain Scope: a template sees only its variables and cannot call templatefile again.
        scope = ex.Scope(dict(variables), base_dir=self.base_dir, root_dir=self.root_dir)
        scope.file_access = access
        return ex.evaluate(template, scope)


class _InstanceScope(_ConfigScope):
    """Root names of a module instance, resolved lazily."""

    def __init__(self, inst: ModuleInstance):
        super().__init__({}, base_dir=inst.src.dir, root_dir=inst.ev.root)
        self.inst = inst
        self.file_access = inst.ev.file_access
        self._types: dict = {}

    def lookup(self, name: str):
        inst = self.inst
        if name == "var":
            return inst.vars
        if name == "local":
            return inst.locals
        if name == "module":
            return inst.module_outputs
        if name == "path":
            return {"module": inst.src.dir, "root": inst.config_root, "cwd": inst.config_root}
        if name == "terraform":
            return {"workspace": "default"}
        if name == "data":
            types = sorted(_types_of(inst, "data"))
            return _Lazy(types, lambda t: self._type_object("data", t))
        if name in ("count", "each", "self"):
            raise KeyError(name)
        if name in _types_of(inst, "managed"):
            return self._type_object("managed", name)
        raise KeyError(name)

    def _type_object(self, mode: str, rtype: str):
        key = (mode, rtype)
        if key not in self._types:
            blocks = self.inst.src.resources if mode == "managed" else self.inst.src.data
            names = sorted({b.labels[1] for b, _ in blocks if b.labels[0] == rtype})
            self._types[key] = _Lazy(names, lambda n: self.inst.resource_value(mode, rtype, n))
        return self._types[key]


_TOP = object()  # the key of the properties themselves in _record_unknowns' walk


class _FileAccess:
    """What Terraform's file functions ask of the evaluation (see `functions._file_access`): the
    --exclude patterns, and where to put their notes (once each, at the line being evaluated)."""

    def __init__(self, ev: Evaluation, excludes: list):
        self.ev = ev
        self.excludes = excludes
        self._seen: set = set()
        self.templates: dict = {}  # (text, first line) -> parsed template, see render_template
        self.real_folders: dict = {}  # folder -> its real path, once per evaluation (functions._real_folder, local module sources)

    def note(self, level: str, message: str) -> None:
        path, line = self.ev.where
        key = (level, message, path, line)
        if key not in self._seen:
            self._seen.add(key)
            self.ev.note(level, message, path, line)


def _is_sensitive(block: Block) -> bool:
    attr = block.body.attributes.get("sensitive")
    return attr is not None and ex.evaluate(attr.expr, ex.Scope({})) is True


def _plain(value):
    """A lazily computed mapping (module outputs, resource names) as a plain dict, deeply."""
    if isinstance(value, _Lazy):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dict):
        if not any(isinstance(v, (dict, list)) for v in value.values()):
            return value
        out = type(value)((k, _plain(v)) for k, v in value.items())
        if isinstance(value, ex.PartialObject):
            out.node = value.node  # still the value of that resource instance
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _release(root: "ModuleInstance") -> None:
    """Break the reference cycles of a root's module tree once it is expanded: an instance's lazy
    mappings call its bound methods, its scope refers back to it, and a parent holds its children
    whose inputs hold the parent's scope. Without this every instance, with every value it
    computed, stays in memory until a full collection finds it (the collector is paused during
    evaluation, core/gcpause.py). What the evaluation produced (the LanguageResult) holds plain
    values and no instance."""
    stack = [root]
    while stack:
        inst = stack.pop()
        for children in inst.__dict__.get("_children", {}).values():
            stack.extend(child for _, child in children if child is not None)
        scope = inst.__dict__.get("scope")
        if scope is not None:
            scope.__dict__.clear()
        inst.__dict__.clear()


def _thunk(expr, scope):
    done = []

    def get():
        if not done:
            done.append(ex.evaluate(expr, scope))
        return done[0]

    return get


def _over_budget(n) -> None:
    """Stop the root now (`BudgetExceeded`) when one resource's count or for_each alone has more
    instances than the root may create: a count of 10^9 must not build 10^9 scopes first."""
    budget = _limits.ACTIVE
    if n > budget.max_instances:
        budget.fail("%d instances (--max-instances)" % budget.max_instances)


def _collect(block: Block, objs: list):
    """The value of a resource/module name: a single object, a list (count) or a map (for_each)."""
    attrs = block.body.attributes
    if "count" in attrs:
        if objs and is_unknown(objs[0][0]):
            return Unknown("instances of an unknown count")
        return [o for _, o in objs]
    if "for_each" in attrs:
        if objs and is_unknown(objs[0][0]):
            return Unknown("instances of an unknown for_each")
        return {k: o for k, o in objs}
    return objs[0][1] if objs else Unknown("no instance")


def _names(expr, name) -> bool:
    """`expr` is the name `name`, or an attribute path from it (`v`, `v.id`)."""
    while isinstance(expr, GetAttr):
        expr = expr.obj
    return name is not None and isinstance(expr, Variable) and expr.name == name


def _instance_key(value):
    """An evaluated index as an instance key (int or str), or None when it cannot be one."""
    if isinstance(value, bool) or is_unknown(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, str)):
        return value
    return None


def _index_suffix(key) -> str:
    if key is None:
        return ""
    if is_unknown(key):
        return "[*]"
    if isinstance(key, int):
        return "[%d]" % key
    return '["%s"]' % str(key).replace('"', '\\"')


def _expressions(body: Body, prefix: tuple):
    """(property path, expression) for every attribute in a body, nested blocks included
    (dynamic block content is reported under the dynamic block's label)."""
    counters: dict = {}
    for name, attr in body.attributes.items():
        if name in ("depends_on",):
            continue
        yield prefix + (name,), attr.expr
    for block in body.blocks:
        if block.type == "dynamic" and block.labels:
            label = block.labels[0]
            for name, attr in block.body.attributes.items():
                yield prefix + (label,), attr.expr
            for inner in block.body.blocks:
                if inner.type == "content":
                    yield from _expressions(inner.body, prefix + (label, 0))
            continue
        i = counters.get(block.type, 0)
        counters[block.type] = i + 1
        yield from _expressions(block.body, prefix + (block.type, i))


# -- JSON syntax ------------------------------------------------------------------------------
# In a `.tf.json` file the parser cannot tell a nested block from an attribute holding an object:
# both are a JSON object (or an array of them). Terraform decides by the provider schema; without
# one, an object (or array of objects) whose keys are all attribute-like names is a block, unless
# the name is one of the map-valued attributes below, which hold arbitrary keys.
_MAP_ATTRIBUTES = frozenset({
    "tags", "tags_all", "labels", "annotations", "variables", "environment_variables", "parameters",
    "triggers", "arguments", "default_arguments", "non_overridable_arguments", "properties",
    "request_parameters", "request_templates", "request_models", "response_parameters",
    "response_templates", "response_models", "stage_variables", "advanced_options",
    "connection_properties", "attribute_mapping", "provider_details", "custom_headers",
    "engine_attributes", "context", "metadata_options_map", "policy_attributes", "options",
    "capacity_provider_strategy_map", "environment_map",
})
_BLOCK_KEY = re.compile(r"[a-z_][a-z0-9_]*\Z")


def _literal_key(expr):
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    return None


def _block_objects(name: str, expr) -> list | None:
    """The JSON objects that stand for nested blocks named `name`, or None for an attribute."""
    if name in _MAP_ATTRIBUTES:
        return None
    objects = [expr] if isinstance(expr, ObjectExpr) else list(expr.items) if isinstance(expr, TupleExpr) and expr.items else None
    if objects is None:
        return None
    for obj in objects:
        if not isinstance(obj, ObjectExpr):
            return None
        for key_expr, _ in obj.items:
            key = _literal_key(key_expr)
            if key is None or not _BLOCK_KEY.match(key):
                return None
    return objects


def _object_body(obj: ObjectExpr) -> Body:
    body = Body()
    for key_expr, value in obj.items:
        key = _literal_key(key_expr)
        if key is not None and key != "//":
            body.attributes[key] = Attribute(key, value, key_expr.line, value.end_line)
    return body


def json_block_body(body: Body, depth: int = 0) -> Body:
    """A resource/data body from JSON syntax, shaped as the native syntax would give it: nested
    block objects become `Block`s and the `dynamic` key becomes dynamic blocks."""
    if depth > 64:
        return body
    out = Body(blocks=list(body.blocks))
    for name, attr in body.attributes.items():
        if name == "dynamic" and isinstance(attr.expr, ObjectExpr):
            out.blocks.extend(_json_dynamic_blocks(attr.expr, depth))
            continue
        if name in META_ARGUMENTS:
            out.attributes[name] = attr
            continue
        objects = _block_objects(name, attr.expr)
        if objects is None:
            out.attributes[name] = attr
            continue
        for obj in objects:
            line = attr.line if len(objects) == 1 else obj.line
            out.blocks.append(Block(name, [], json_block_body(_object_body(obj), depth + 1), line, obj.end_line))
    return out


def _json_dynamic_blocks(obj: ObjectExpr, depth: int) -> list:
    blocks = []
    for key_expr, value in obj.items:
        label = _literal_key(key_expr)
        if label is None:
            continue
        specs = [value] if isinstance(value, ObjectExpr) else [v for v in value.items if isinstance(v, ObjectExpr)] if isinstance(value, TupleExpr) else []
        for spec in specs:
            spec_body = _object_body(spec)
            dyn = Body()
            for name, attr in spec_body.attributes.items():
                if name == "content":
                    for content in _block_objects("content", attr.expr) or []:
                        dyn.blocks.append(Block("content", [], json_block_body(_object_body(content), depth + 1), attr.line, content.end_line))
                else:
                    dyn.attributes[name] = attr
            blocks.append(Block("dynamic", [label], dyn, key_expr.line, spec.end_line))
    return blocks


def _object_key_locations(ev: "Evaluation", obj: ObjectExpr, path: str, prop_path: tuple, locs: dict, ends) -> None:
    """The location of each literal key of an object expression (`tags = {...}`,
    `jsonencode({...})`), at any depth, and of each object in a list under one (a policy's
    Statement list), below `prop_path`; a path that has one already keeps it."""
    for rel, location in ev.key_locations(obj, path, ends):
        at = prop_path + rel
        if at not in locs:
            locs[at] = location


def _key_location_plan(obj: ObjectExpr, path: str, ends, depth: int = 0, prefix: tuple = (), out: list | None = None) -> list:
    """(path below the expression, Location) for `_object_key_locations`, in the order its walk
    sets them; the same in every instance of a module."""
    if out is None:
        out = []
    if depth > 32:
        return out
    for key_expr, value_expr in obj.items:
        key = None
        if isinstance(key_expr, Literal) and isinstance(key_expr.value, str):
            key = key_expr.value
        elif isinstance(key_expr, Template) and len(key_expr.parts) == 1 and isinstance(key_expr.parts[0], str):
            key = key_expr.parts[0]
        if key is None:
            continue
        here = prefix + (key,)
        out.append((here, _span_location(path, key_expr.line, value_expr.end_line, ends)))
        if isinstance(value_expr, ObjectExpr):
            _key_location_plan(value_expr, path, ends, depth + 1, here, out)
        elif isinstance(value_expr, TupleExpr):
            # list items that are objects: their lines by index (a policy's Statement list)
            for index, item in enumerate(value_expr.items):
                if isinstance(item, ObjectExpr):
                    out.append((here + (index,), _span_location(path, item.line, item.end_line, ends)))
                    _key_location_plan(item, path, ends, depth + 1, here + (index,), out)
    return out


def _is_jsonencode_object(expr) -> bool:
    return isinstance(expr, FunctionCall) and expr.name == "jsonencode" and len(expr.args) == 1 and isinstance(expr.args[0], ObjectExpr)


def evaluate_configuration(files: dict, root: str, options: ScanOptions, jobs: int = 1) -> LanguageResult:
    """Evaluate every Terraform file found under one scan root. `jobs`: processes to evaluate
    in (0: as many as the machine has CPUs free; see `Evaluation._shared_order`); the result is
    the same whatever it is."""
    return Evaluation(files, root, options).run(jobs)

