"""What the attack-path analysis (issue 14) costs on a large tree with networks in it.

    python benchmarks/paths.py [--size 100000] [--networks 0.2] [--keep DIR] [--rounds 3] [TREE]
    python benchmarks/paths.py --profile [TREE]   # cProfile of the analysis alone

Generates the synthetic tree of benchmarks/bench.py with `--networks` (that share of the resources
spent on web tiers: VPCs, subnets, routes, security groups, ALBs, instances with roles, RDS,
function URLs, API Gateway stages, CloudFront; six entry points and a dozen paths each), unless a
TREE is given, then measures it two ways:

1. Phases, in one fresh process (no cache, one job): parse + evaluate + graph, every registered
   check except AWS-PATH-001 on the scan's `Facts`, then the analysis on the same `Facts`:
   `of_kind("entry_point")`, `of_kind("attack_path")` and `layers.missing_layers` for every path.
   "ratio" is (scan + analysis) / scan: what a scan with the analysis costs against one without.
2. Side by side with the CLI, when the check AWS-PATH-001 is registered: `iacguard scan TREE
   --no-cache --jobs 1` against the same with `--skip-check AWS-PATH-001`, interleaved, each in a
   fresh process; median CPU time (user + system) and peak RSS of each. Before the check is
   registered: the CLI scan alone, and (its CPU + the analysis's) / its CPU.

Prints seconds, resources, entry points, paths, the ratio and peak memory. Nothing here runs in
the test suite (tests/test_benchmarks_networks.py checks the generator's output, not its speed).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

PATH_CHECK = "AWS-PATH-001"
_HERE = os.path.dirname(os.path.abspath(__file__))


def _bench():
    spec = importlib.util.spec_from_file_location("iacguard_bench", os.path.join(_HERE, "bench.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def phases(tree: str, profile: str | None = None) -> dict:
    """The phases of one scan of `tree`, in this process (run it in a fresh one)."""
    import resource

    from iacguard.checks import REGISTRY
    from iacguard.core.gcpause import gc_paused
    from iacguard.engine import build_graph
    from iacguard.facts import Facts
    from iacguard.facts.layers import Hops, missing_layers

    out: dict = {}
    with gc_paused():  # as the scan runs its graph, facts and checks
        c0 = _cpu()
        analysis = build_graph([tree])
        c1 = _cpu()
        out["build"] = c1 - c0
        facts = Facts(analysis.graph)
        findings = 0
        for check in sorted(REGISTRY, key=lambda c: c.id):
            if check.id == PATH_CHECK:
                continue
            try:
                findings += sum(1 for _ in check.evaluate(facts))
            except Exception as exc:  # noqa: BLE001 - reported, as the engine does
                print("internal error in check %s: %s" % (check.id, exc), file=sys.stderr)
        c2 = _cpu()
        out["checks"] = c2 - c1
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        def analyse() -> tuple:
            entries = facts.of_kind("entry_point")
            t_entries = _cpu()
            paths = facts.of_kind("attack_path")
            t_paths = _cpu()
            missing = sum(1 for p in paths if missing_layers(facts, Hops.of([h.resource for h in p.hops], getattr(p, "grant", None)))[0])
            return entries, paths, missing, t_entries, t_paths

        if profile:
            import cProfile

            prof = cProfile.Profile()
            entries, paths, missing, t_entries, t_paths = prof.runcall(analyse)
            prof.dump_stats(profile)
        else:
            entries, paths, missing, t_entries, t_paths = analyse()
        c3 = _cpu()
    out.update({
        "entry_points_s": t_entries - c2, "attack_paths_s": t_paths - t_entries, "layers_s": c3 - t_paths,
        "analysis": c3 - c2, "resources": len(analysis.graph.resources), "roots": len(analysis.graph.roots()),
        "findings": findings, "entry_points": len(entries), "decided_entry_points": sum(1 for e in entries if e.exposed),
        "paths": len(paths), "decided_paths": sum(1 for p in paths if p.decided is True),
        "capped_paths": sum(1 for p in paths if p.capped), "paths_missing_a_layer": missing,
        "errors": sum(1 for n in analysis.notifications if n.level == "error"),
        "peak_mb_before_analysis": rss_before, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    return out


def _child(tree: str, profile: str | None) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", tree] + (["--profile-to", profile] if profile else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("measuring failed (%d): %s" % (proc.returncode, proc.stderr[-3000:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cli(exe: list, tree: str, extra: list) -> tuple:
    args = exe + ["scan", tree, "-q", "--format", "json", "-o", os.devnull, "--fail-on", "none", "--no-cache", "--jobs", "1"] + extra
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit("scan failed: %s" % " ".join(args))
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _median(xs: list) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree", nargs="?", help="measure this tree instead of generating one")
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--networks", type=float, default=0.2, help="share of the resources in web tiers (default 0.2)")
    ap.add_argument("--keep", help="generate into this folder and keep it")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the CLI side by side (0: none)")
    ap.add_argument("--profile", action="store_true", help="profile the analysis, print the top functions")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--profile-to", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(phases(a.child, a.profile_to)))
        return
    work = None
    tree = a.tree
    if tree is None:
        work = a.keep or tempfile.mkdtemp(prefix="iacguard-paths-")
        tree = os.path.join(work, "synthetic-%d-networks%g" % (a.size, a.networks))
        if not os.path.isdir(tree):
            _bench().generate(tree, a.size, a.networks)
    try:
        print("machine: %s, %d CPUs, Python %s" % (os.uname().machine, os.cpu_count() or 0, sys.version.split()[0]))
        print("tree: %s" % tree)
        profile = tempfile.mktemp(suffix=".prof") if a.profile else None
        r = _child(tree, profile)
        scan = r["build"] + r["checks"]
        print("  resources %d in %d roots; %d entry points (%d decided); %d attack paths (%d decided, %d capped, %d missing a layer); %d errors"
              % (r["resources"], r["roots"], r["entry_points"], r["decided_entry_points"], r["paths"], r["decided_paths"],
                 r["capped_paths"], r["paths_missing_a_layer"], r["errors"]))
        print("  scan without the analysis: %.2f s CPU (parse + evaluate + graph %.2f s, %d other checks' findings %.2f s), peak %.0f MB"
              % (scan, r["build"], r["findings"], r["checks"], r["peak_mb_before_analysis"]))
        print("  analysis: %.2f s CPU (entry points %.2f s, attack paths %.2f s, layers %.2f s), peak %.0f MB"
              % (r["analysis"], r["entry_points_s"], r["attack_paths_s"], r["layers_s"], r["peak_mb"]))
        print("  ratio with / without the analysis: %.3f (target <= 1.25)" % ((scan + r["analysis"]) / scan if scan else 0))
        if profile:
            import pstats

            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profile).sort_stats("tottime").print_stats(20)
            os.unlink(profile)
        from iacguard.checks import REGISTRY

        if a.rounds and any(c.id == PATH_CHECK for c in REGISTRY):
            exe = [sys.executable, "-m", "iacguard.cli"]
            got: dict = {"with": [], "without": []}
            for i in range(a.rounds):
                runs = [("with", []), ("without", ["--skip-check", PATH_CHECK])]
                for name, extra in (runs if i % 2 == 0 else runs[::-1]):
                    got[name].append(_cli(exe, tree, extra))
            w, wo = _median([x[1] for x in got["with"]]), _median([x[1] for x in got["without"]])
            print("  CLI side by side (--no-cache, median of %d, CPU): with %s %.2f s (wall %.2f s, peak %.0f MB), "
                  "--skip-check %s %.2f s (wall %.2f s, peak %.0f MB): ratio %.3f"
                  % (a.rounds, PATH_CHECK, w, _median([x[0] for x in got["with"]]), max(x[2] for x in got["with"]),
                     PATH_CHECK, wo, _median([x[0] for x in got["without"]]), max(x[2] for x in got["without"]), w / wo if wo else 0))
        elif a.rounds:
            # The check is not there yet: the whole CLI scan (parse to report) against it plus the
            # analysis measured above.
            runs = [_cli([sys.executable, "-m", "iacguard.cli"], tree, []) for _ in range(a.rounds)]
            cpu = _median([x[1] for x in runs])
            print("  CLI scan (--no-cache, median of %d, %s not registered yet): %.2f s CPU (wall %.2f s, peak %.0f MB); "
                  "with the analysis's %.2f s: ratio %.3f" % (a.rounds, PATH_CHECK, cpu, _median([x[0] for x in runs]),
                                                                max(x[2] for x in runs), r["analysis"], (cpu + r["analysis"]) / cpu if cpu else 0))
    finally:
        if work and not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
