"""The resource graph: one directed multigraph for every language scanned.

A node per resource (attribute `resource`) and per symbol (variables, locals, outputs, module
calls, parameters, conditions: attribute `symbol`); an edge per reference, from the node whose
expression holds the reference to the node it names, with the property path that holds it
(`path`), the attribute referred to (`attribute`) and the relation (`kind`).

CloudFormation resources whose conditions could not be decided come as several variants of one
logical resource; references name the logical resource (its base id), so an edge to a base id
is drawn to every variant.

Root modules: every resource belongs to one root (`root_of`): the Terraform root module folder
that instantiates it, the top-level CloudFormation template of its stack (nested stacks
included), or the plan file it comes from. Roots are separate address spaces and separate
deployments: nothing matched across resources (companions by name, "a companion whose bucket
is unknown might be any bucket", account- and region-wide settings) may cross from one root to
another. `of_type_in_root` and `provider_of` / `same_account` / `same_region` are the questions
to ask for that.

Relations: typed edges between resources ("this rule belongs to this security group", "this
instance runs with this role"), built once per scan, on the first question about them, by the
per-domain builders of `iacguard.graph.relations` (which lists every kind and its direction). They are
drawn into the same multigraph with their `kind` and asked through `related` (targets),
`related_from` (sources), `reachable` and `paths`; a relation never joins two roots. Checks, facts
and analyses ask these methods and never walk the storage themselves.

The storage (`self.g`) is `iacguard.graph.store.MultiDiGraph`, the part of networkx's
MultiDiGraph interface the graph uses, with the same orders: importing networkx 3 costs 100-150
ms (it reads every installed package's entry points for its backends), more than a whole scan of
a small tree, for nothing a scan uses. `to_networkx()` gives the same graph as a networkx
MultiDiGraph, for analyses of your own with networkx's algorithms (it imports networkx then).
"""
from __future__ import annotations

from collections import defaultdict, deque
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Iterable

from iacguard.core.model import CLOUDFORMATION, LanguageResult, Resource
from .store import MultiDiGraph


class ResourceGraph:
    def __init__(self) -> None:
        self.g = MultiDiGraph()
        self.resources: list[Resource] = []
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._variants: dict[str, list[str]] = defaultdict(list)
        self._by_root_type: dict[tuple, list[Resource]] = defaultdict(list)
        # Relations: node id -> kind -> {other node id: rank} (0: found through a reference,
        # 1: matched by name), both ways; None until first asked (see `_relations_out`).
        self._rel_out: dict | None = None
        self._rel_in: dict = {}
        self._refs_index: dict = {}  # node id -> [(keys, path, target)], see `_out_refs`

    def to_networkx(self):
        """The graph as a networkx MultiDiGraph: the same nodes, edges (references and the
        relations built so far), keys and attributes, in the same order."""
        import networkx as nx

        out = nx.MultiDiGraph()
        out.add_nodes_from(self.g.nodes(data=True))
        for u, v, k, data in self.g.edges(keys=True, data=True):
            out.add_edge(u, v, key=k, **data)
        return out

    def release(self) -> None:
        """Empty the graph once a scan is done with it, so that the nodes' data goes at once even
        while something still holds the graph. Resources still held elsewhere (by findings) are
        untouched."""
        self.g.clear()
        self.resources = []
        self._by_type.clear()
        self._variants.clear()
        self._by_root_type.clear()
        self._rel_out, self._rel_in, self._refs_index = None, {}, {}

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, results: Iterable[LanguageResult]) -> "ResourceGraph":
        graph = cls()
        results = list(results)
        for result in results:
            for res in result.resources:
                graph.add_resource(res)
            for sym in result.symbols:
                graph.g.add_node(sym.id, symbol=sym)
        # `add_reference` for each, in one loop (a scan adds tens of thousands): the indexes it
        # resets were reset by the last resource added.
        # Every source and target here is a node already (a resource's variants, or a node
        # found in the graph): the edge goes into the store's tables without its `add_edge`
        # call (same tables, same keys: the lowest unused key of the pair).
        g = graph.g
        nodes, succ, pred = g._node, g._succ, g._pred
        variants = graph._variants
        one: list = [None]
        for result in results:
            for ref in result.references:
                target = ref.target
                targets = variants.get(target)
                if not targets:
                    if target not in nodes:
                        continue
                    targets = [target]
                source = ref.source
                if source in nodes:
                    one[0] = source
                    sources = one
                else:
                    sources = variants.get(source, ())
                path = ref.path
                if type(path) is not tuple:
                    path = tuple(path)
                attribute, kind = ref.attribute, ref.kind
                for s in sources:
                    out = succ[s]
                    for t in targets:
                        if s != t:
                            keydict = out.get(t)
                            if keydict is None:
                                out[t] = pred[t][s] = {0: {"path": path, "attribute": attribute, "kind": kind}}
                            else:
                                key = len(keydict)
                                while key in keydict:
                                    key += 1
                                keydict[key] = {"path": path, "attribute": attribute, "kind": kind}
        graph._rel_out = None
        graph._refs_index = {}
        return graph

    def add_resource(self, res: Resource) -> None:
        self._rel_out = None  # relations are drawn again on the next question
        self._refs_index = {}
        self.g.add_node(res.id, resource=res)
        self.resources.append(res)
        self._by_type[res.type].append(res)
        self._by_root_type[(root_of(res), res.type)].append(res)
        base = res.meta.get("base_id", res.id)
        self._variants[base].append(res.id)

    def add_reference(self, ref) -> None:
        self._rel_out = None
        self._refs_index = {}
        targets = self._variants.get(ref.target) or ([ref.target] if ref.target in self.g else [])
        if ref.source not in self.g:
            sources = self._variants.get(ref.source, [])
        else:
            sources = [ref.source]
        for s in sources:
            for t in targets:
                if s != t:
                    self.g.add_edge(s, t, path=tuple(ref.path), attribute=ref.attribute, kind=ref.kind)

    # -- questions ------------------------------------------------------------------------
    def of_type(self, *types: str) -> list[Resource]:
        out: list[Resource] = []
        for t in types:
            out.extend(self._by_type.get(t, ()))
        return out

    def holds_type(self, types) -> bool:
        """Whether the graph has a resource of one of `types`."""
        by_type = self._by_type
        for t in types:
            if by_type.get(t):
                return True
        return False

    def of_type_in_root(self, root: str, *types: str) -> list:
        """Resources of these types in one root module / top-level stack / plan (`root_of`)."""
        out: list = []
        for t in types:
            out.extend(self._by_root_type.get((root, t), ()))
        return out

    def roots(self) -> list:
        """Every root identity holding resources, sorted."""
        return sorted({root for root, _ in self._by_root_type})

    # The module-level questions below, also as methods so checks and facts need only the graph.
    def root_of(self, res: Resource) -> str:
        return root_of(res)

    def same_root(self, a: Resource, b: Resource) -> bool:
        return root_of(a) == root_of(b)

    def provider_of(self, res: Resource) -> dict:
        return provider_of(res)

    def same_account(self, a: Resource, b: Resource) -> bool:
        return same_account(a, b)

    def same_region(self, a: Resource, b: Resource) -> tuple:
        return same_region(a, b)

    def variants_of(self, base_id: str) -> list:
        """Node ids of the variants of a logical resource (itself when it has none)."""
        return self._variants.get(base_id) or [base_id]

    def symbols_of_kind(self, kind: str) -> list:
        """(node id, Symbol) for every symbol of a kind ("module", "variable", ...), in node order
        (read from the store's node table directly: no generator step per node)."""
        out = []
        for n, data in self.g._node.items():
            sym = data.get("symbol")
            if sym is not None and sym.kind == kind:
                out.append((n, sym))
        return out

    def resource(self, node_id: str) -> Resource | None:
        data = self.g.nodes.get(node_id)
        return data.get("resource") if data else None

    def referrers(self, res: Resource, types: tuple = (), kinds: tuple = ("reference",)) -> list:
        """Resources whose expressions refer to `res`, directly or through symbols (variables,
        locals, module inputs/outputs, parameters). Returns (resource, path) pairs where `path`
        is the property path in the referring resource that holds the reference."""
        return self._traverse(res, types, kinds, reverse=True)

    def referenced(self, res: Resource, types: tuple = (), kinds: tuple = ("reference",)) -> list:
        """Resources `res` refers to, directly or through symbols: (resource, path) pairs where
        `path` is the property path in `res` holding the reference."""
        return self._traverse(res, types, kinds, reverse=False)

    def _traverse(self, res: Resource, types: tuple, kinds: tuple, reverse: bool) -> list:
        g = self.g
        found: dict[str, tuple] = {}
        seen = {res.id}
        queue: deque = deque()

        def edges(node):
            if reverse:
                for src, _, data in g.in_edges(node, data=True):
                    yield src, data
            else:
                for _, dst, data in g.out_edges(node, data=True):
                    yield dst, data

        for other, data in edges(res.id):
            if kinds and data.get("kind") not in kinds and data.get("kind") not in _PASS_THROUGH:
                continue
            # The path that matters is the one held by the referring resource: on the last hop
            # when walking backwards, on the first hop when walking forwards.
            queue.append((other, data.get("path", ())))
        while queue:
            node, path = queue.popleft()
            if node in seen:
                continue
            seen.add(node)
            nd = g.nodes[node]
            other = nd.get("resource")
            if other is not None:
                if not types or other.type in types:
                    found.setdefault(other.id, (other, path))
                continue
            for nxt, data in edges(node):
                if kinds and data.get("kind") not in kinds and data.get("kind") not in _PASS_THROUGH:
                    continue
                queue.append((nxt, data.get("path", ()) if reverse else path))
        return sorted(found.values(), key=lambda pair: pair[0].id)

    # -- references as relation builders and analyses need them ----------------------------
    def referenced_at(self, res: Resource, patterns: tuple, types: tuple = (), exact: bool = False) -> list:
        """Resources (of `types`, all when empty) that `res` refers to from a property whose path
        starts with one of `patterns`, directly or through symbols. A pattern names keys only
        (list indexes are skipped): ("default_action", "target_group_arn") matches the path
        ("default_action", 0, "target_group_arn"). Every reference is followed, so a resource
        referring to the same target from another property as well still counts. Sorted by id.
        `exact`: patterns name list indexes too (("inline_policy", 1, "policy"): that block only)."""
        starts: dict = {}  # path -> [first nodes]
        for keys, path, dst in self._out_refs(res.id):
            for p in patterns:
                if (path if exact else keys)[: len(p)] == p:
                    starts.setdefault(path, []).append(dst)
                    break
        if not starts:
            return []
        found: dict = {}
        for first in starts.values():
            for node in first:
                found.update(self._reaches(node))
        found.pop(res.id, None)  # a walk never comes back to `res` itself
        if types:
            return [found[k] for k in sorted(found) if found[k].type in types]
        return [found[k] for k in sorted(found)]

    def _reaches(self, start: str) -> dict:
        """Resource id -> Resource of the resources a node leads to through references and symbol
        hops (itself, if a resource), stopping at each resource met; once per node while
        relations are drawn (many resources refer to one variable, local or module output)."""
        key = ("reaches", start)  # beside `_out_refs`' node ids (strings), reset with them
        found = self._refs_index.get(key)
        if found is None:
            found = {}
            nodes = self.g.nodes
            seen: set = set()
            queue = deque((start,))
            while queue:
                node = queue.popleft()
                if node in seen:
                    continue
                seen.add(node)
                other = nodes[node].get("resource")
                if other is not None:
                    found.setdefault(other.id, other)
                    continue
                queue.extend(dst for _, _, dst in self._out_refs(node))
            self._refs_index[key] = found
        return found

    def _out_refs(self, node: str) -> list:
        """(keys, path, target) of the references and symbol hops leaving a node, `keys` being
        the path without list indexes; indexed once per node while relations are drawn."""
        cached = self._refs_index.get(node)
        if cached is None:
            cached = []
            for dst, edges in self.g._succ.get(node, {}).items():
                for data in edges.values():
                    if data.get("kind") in _PASS_THROUGH:
                        path = keys = data.get("path", ())
                        for step in path:  # most paths hold no list index: the path is its keys
                            if isinstance(step, int):
                                keys = tuple(step for step in path if not isinstance(step, int))
                                break
                        cached.append((keys, path, dst))
            self._refs_index[node] = cached
        return cached

    def symbols_behind(self, res: Resource, holds) -> Iterable:
        """Symbols (variables, locals, module inputs, parameters, ...) the value of `res` takes
        from, nearest first: starting at its references whose property path `holds(path)`
        accepts, then through references, module inputs and nested-stack parameters. Resources
        met on the way stop the walk (their own attributes are not an input). A generator: stop
        reading when you have enough."""
        g = self.g
        if res.id not in g:
            return
        queue = [dst for _, dst, data in g.out_edges(res.id, data=True) if data.get("kind") == "reference" and holds(tuple(data.get("path", ())))]
        seen: set = set()
        while queue:
            node = queue.pop(0)
            if node in seen:
                continue
            seen.add(node)
            symbol = g.nodes[node].get("symbol")
            if symbol is None:
                continue
            yield symbol
            for _, target, data in g.out_edges(node, data=True):
                if data.get("kind") in ("reference", "module_input", "stack_parameter"):
                    queue.append(target)

    # -- relations ------------------------------------------------------------------------
    def add_relation(self, source: Resource, target: Resource, kind: str, by_name: bool = False) -> None:
        """Record that `source` stands in relation `kind` to `target` (see `iacguard.graph.relations`
        for the kinds and their directions). Never across roots, never to itself; `by_name`
        when matched by a literal name rather than through a reference."""
        if source.id == target.id or root_of(source) != root_of(target):
            return
        out = self._rel_out if self._rel_out is not None else self._relations_out()
        rank = 1 if by_name else 0
        targets = out.setdefault(source.id, {}).setdefault(kind, {})
        if target.id in targets:
            targets[target.id] = min(rank, targets[target.id])
            self._rel_in[target.id][kind][source.id] = targets[target.id]
            return
        targets[target.id] = rank
        self._rel_in.setdefault(target.id, {}).setdefault(kind, {})[source.id] = rank
        self.g.add_edge(source.id, target.id, kind=kind, path=(), attribute="", relation=True)

    # Whether a question about relations draws only the builders of the kinds it asks about
    # (`draw_as_asked`), not every one at once; whether a builder is drawing.
    _as_asked = False
    _drawing = False

    def draw_as_asked(self) -> None:
        """Draw relations per builder, when a question needs that builder's kinds: a process that
        asks about some kinds only (the IAM checks run in a forked child: iacguard.engine) does
        not draw the others (network relations took half of the 0.74 s drawing every relation
        of 100,000 CloudFormation resources took). Every answer is the same (each builder reads
        only its own kinds, and every question's answer is sorted); the graph's relation edges
        are added in another order."""
        self._as_asked = True

    def _relations_out(self, kinds=None) -> dict:
        """The relation index, built by every builder on first use (once per scan); with
        `draw_as_asked`, by the builders of `kinds` (None: all) not drawn yet."""
        from . import relations

        if self._rel_out is None:
            if self._rel_in:  # drawn before resources or references were added: draw them again
                for u, v, k, data in list(self.g.edges(keys=True, data=True)):
                    if data.get("relation"):
                        self.g.remove_edge(u, v, k)
            self._rel_out, self._rel_in, self._refs_index = {}, {}, {}
            self._drawn = set()
        elif self._drawing or len(self._drawn) == len(relations.BUILDERS):
            return self._rel_out  # (a builder asking about its own kinds while it draws them)
        drawn = self._drawn
        builders = relations.builders_of(kinds) if self._as_asked else relations.BUILDERS
        if not drawn.issuperset(builders):
            self._drawing = True
            try:
                for builder in builders:
                    if builder not in drawn:
                        drawn.add(builder)
                        builder(self)
            finally:
                self._drawing = False
            self._refs_index = {}  # needed while drawing only
        return self._rel_out

    def related(self, res: Resource, kind: str, types: tuple = ()) -> list:
        """Resources `res` stands in relation `kind` to (its targets), optionally of `types`:
        those found through references first, then those matched by name, each sorted by id."""
        return self._ranked(self._relations_out((kind,)).get(res.id, {}).get(kind, {}), types)

    def related_from(self, res: Resource, kind: str, types: tuple = ()) -> list:
        """Resources that stand in relation `kind` to `res` (its sources), ordered as `related`."""
        self._relations_out((kind,))
        return self._ranked(self._rel_in.get(res.id, {}).get(kind, {}), types)

    def relations(self, kind: str | None = None) -> list:
        """Every relation (source, kind, target), of one kind or all, sorted by ids."""
        out = []
        for src, kinds in self._relations_out(None if kind is None else (kind,)).items():
            for k, targets in kinds.items():
                if kind is None or k == kind:
                    out.extend((src, k, t) for t in targets)
        return [(self.resource(s), k, self.resource(t)) for s, k, t in sorted(out)]

    def _ranked(self, ids: dict, types: tuple) -> list:
        found = [self.resource(i) for _, i in sorted((rank, i) for i, rank in ids.items())]
        return [r for r in found if not types or r.type in types]

    def _step(self, node: str, step: str) -> list:
        """Node ids one relation step away: `kind` follows the relation, `<kind` goes against it."""
        if step.startswith("<"):
            index, kind = self._rel_in, step[1:]
        else:
            index, kind = self._rel_out, step
        return sorted(index.get(node, {}).get(kind, ()))

    def reachable(self, res: Resource, kinds: Iterable[str]) -> list:
        """Resources reachable from `res` by any number of steps of `kinds` (each `kind` or
        `<kind`, against the relation), `res` itself excluded; sorted by id."""
        kinds = tuple(kinds)
        self._relations_out(kinds)
        seen = {res.id}
        queue = deque([res.id])
        while queue:
            node = queue.popleft()
            for kind in kinds:
                for nxt in self._step(node, kind):
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
        seen.discard(res.id)
        return [self.resource(i) for i in sorted(seen)]

    def paths(self, source: Resource, kinds: Iterable[str], limit: int = 1000) -> list:
        """Every walk from `source` taking one step of each of `kinds` in order (`kind`, or
        `<kind` against the relation), as tuples of resources starting with `source`: e.g.
        `paths(instance, ("in_subnet", "route_table_of", "routes_to"))` gives (instance,
        subnet, route table, gateway) for each way out. At most `limit` walks; no resource twice
        in one walk."""
        kinds = tuple(kinds)
        self._relations_out(kinds)
        walks = [(source.id,)]
        for kind in kinds:
            walks = [w + (n,) for w in walks for n in self._step(w[-1], kind) if n not in w][:limit]
        return [tuple(self.resource(i) for i in w) for w in walks]

def root_of(res: Resource) -> str:
    """The root a resource belongs to: its `meta["root_module"]` (a Terraform root module folder,
    a top-level CloudFormation template, a plan file; absolute paths), "" when a front end
    gives none."""
    return res.meta.get("root_module", "")


def provider_of(res: Resource) -> dict:
    """Where a resource is deployed, as far as the source says: a dict with "config" (one id per
    provider configuration: same id, same region and account), "region" (a string, or None when
    it cannot be known), "why" (why not, when None), "account" (one id per account as far as
    can be told) and "name" (e.g. "aws.west"). Terraform resources carry theirs (see
    `iacguard.terraform.providers`); anything else (a CloudFormation stack deploys to one region
    and account, a plan is one deployment) is one configuration per root."""
    scope = res.meta.get("provider")
    if scope is not None:
        return scope
    root = root_of(res)
    return {"config": root, "region": None, "why": "", "account": root, "name": ""}


def same_account(a: Resource, b: Resource) -> bool:
    """Whether two resources deploy to the same account: never across roots."""
    return root_of(a) == root_of(b) and provider_of(a)["account"] == provider_of(b)["account"]


def same_region(a: Resource, b: Resource) -> tuple:
    """(True | False | None, reason): whether two resources of one root deploy to the same
    region; None when that cannot be known, with the reason in words."""
    if root_of(a) != root_of(b):
        return False, "they are in different root modules"
    pa, pb = provider_of(a), provider_of(b)
    if pa["config"] == pb["config"]:
        return True, ""
    ra, rb = pa["region"], pb["region"]
    if ra is not None and rb is not None:
        return ra == rb, "" if ra == rb else "%s is not %s" % (ra, rb)
    if ra is None:
        return None, "the region of %s is not known%s" % (a.address, " (%s)" % pa["why"] if pa.get("why") else "")
    return None, "the region of %s is not known%s" % (b.address, " (%s)" % pb["why"] if pb.get("why") else "")


# Relations through which a reference flows on to what a symbol stands for.
_PASS_THROUGH = ("reference", "module_input", "module_output", "stack_parameter", "stack_output")


class GraphView:
    """What post-processing steps (suppressions) read of a graph, small enough to cache with a
    scan's findings: module calls and the CloudFormation resources that carry Metadata."""

    def __init__(self, resources: list, symbols: dict):
        self.resources = resources
        self._symbols = symbols

    @classmethod
    def of(cls, graph) -> "GraphView":
        if isinstance(graph, GraphView):
            return graph
        resources = [r for r in graph.resources if r.language == CLOUDFORMATION and "metadata" in r.meta]
        return cls(resources, {"module": graph.symbols_of_kind("module")})

    def symbols_of_kind(self, kind: str) -> list:
        return list(self._symbols.get(kind, ()))
