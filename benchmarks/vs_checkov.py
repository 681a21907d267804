"""iacguard against Checkov on the six real repositories the project benchmarks on.

    python benchmarks/vs_checkov.py [--corpus DIR] [--checkov PATH] [--iacguard CMD]
                                    [--rounds N] [--checkov-rounds N] [--repos a,b,...]

The corpus folder holds one checkout per repository, named as below. To get them:

    git clone --depth 1 https://github.com/terraform-aws-modules/terraform-aws-vpc        DIR/vpc
    git clone --depth 1 https://github.com/terraform-aws-modules/terraform-aws-eks        DIR/eks
    git clone --depth 1 https://github.com/bridgecrewio/terragoat                         DIR/terragoat
    git clone --depth 1 https://github.com/nccgroup/sadcloud                              DIR/sadcloud
    git clone --depth 1 https://github.com/bridgecrewio/cfngoat                           DIR/cfngoat
    git clone --depth 1 https://github.com/awslabs/aws-cloudformation-templates           DIR/aws-cloudformation-templates

Every run is a fresh process; runs are interleaved (one round: each repository in turn, Checkov
then iacguard cold then iacguard warm). Checkov: `checkov -d REPO --quiet --compact -o json
--skip-download` (offline), output to /dev/null. iacguard cold: an empty cache folder; warm: the
second scan after it (`cold_and_warm`). Figures are medians over the rounds: wall seconds,
CPU seconds (user + system of the process and its children) and peak memory (max RSS, MB; for
Checkov the largest of its processes). Totals add the medians; the speed-up is Checkov's total
over iacguard's. Nothing here runs in the test suite.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale import timed  # noqa: E402  (wall, CPU with children, peak RSS of a fresh process)

REPOS = (
    ("vpc", "terraform-aws-modules/terraform-aws-vpc"),
    ("eks", "terraform-aws-modules/terraform-aws-eks"),
    ("terragoat", "bridgecrewio/terragoat"),
    ("sadcloud", "nccgroup/sadcloud"),
    ("cfngoat", "bridgecrewio/cfngoat"),
    ("aws-cloudformation-templates", "awslabs/aws-cloudformation-templates"),
)


def how_to_get(corpus: str) -> str:
    return "\n".join("  git clone --depth 1 https://github.com/%s %s" % (gh, os.path.join(corpus, name)) for name, gh in REPOS)


def checkov_run(checkov: str, repo: str) -> dict:
    return timed([checkov, "-d", repo, "--quiet", "--compact", "-o", "json", "--skip-download"])


def iacguard_run(cmd: list, repo: str, cache: str) -> dict:
    return timed(cmd + ["scan", repo, "--format", "json", "--fail-on", "none", "--quiet", "--no-config",
                        "--cache-dir", cache, "-o", os.devnull])


def cold_and_warm(cmd: list, repo: str) -> tuple:
    """A cold scan (an empty cache folder) and a warm one: the tree unchanged since the last
    scans. The first scan the cache answers also writes the checks' metadata entry
    (iacguard/catalogue.py): the second is the steady state a user sees, and the one returned."""
    cache = tempfile.mkdtemp(prefix="iacguard-vs-")
    try:
        cold = iacguard_run(cmd, repo, cache)
        iacguard_run(cmd, repo, cache)
        return cold, iacguard_run(cmd, repo, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def machine() -> str:
    model, mem = os.uname().machine, ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), model)
        with open("/proc/meminfo") as fh:
            mem = ", %.0f GiB memory" % (int(fh.readline().split()[1]) / 1024 ** 2)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores%s, Python %s, %s" % (model, os.cpu_count() or 0, mem, sys.version.split()[0], time.strftime("%Y-%m-%d %H:%M %Z"))


def ok(runs: list) -> list:
    """The runs that finished (exit 0, or 1 for findings): a crashed or missing command's time
    says nothing."""
    return [r for r in runs if r["code"] in (0, 1)]


def median(runs: list, key: str) -> float:
    runs = ok(runs)
    return statistics.median(r[key] for r in runs) if runs else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="/work/corpus6", help="folder of the six checkouts (see above)")
    ap.add_argument("--checkov", default="checkov", help="the Checkov command (default: checkov)")
    ap.add_argument("--iacguard", default="iacguard", help="the command that runs iacguard (default: iacguard)")
    ap.add_argument("--rounds", type=int, default=3, help="iacguard runs per repository and mode (default 3)")
    ap.add_argument("--checkov-rounds", type=int, default=1, help="Checkov runs per repository (default 1: it takes minutes)")
    ap.add_argument("--repos", default=",".join(name for name, _ in REPOS), help="a comma-separated subset")
    ap.add_argument("--no-checkov", action="store_true", help="time iacguard only")
    args = ap.parse_args(argv)
    names = [n for n in args.repos.split(",") if n]
    missing = [n for n in names if not os.path.isdir(os.path.join(args.corpus, n))]
    if missing:
        print("missing in %s: %s. Get them with:\n%s" % (args.corpus, ", ".join(missing), how_to_get(args.corpus)), file=sys.stderr)
        return 2
    checkov = shutil.which(args.checkov) or args.checkov
    if not args.no_checkov and not os.path.exists(checkov):
        print("Checkov not found (%s): pip install checkov, or --checkov PATH, or --no-checkov" % args.checkov, file=sys.stderr)
        return 2
    cmd = shlex.split(args.iacguard)
    print("machine: " + machine())
    if not args.no_checkov:
        out = subprocess.run([checkov, "--version"], capture_output=True, text=True)
        print("checkov %s (%s); iacguard: %s" % (out.stdout.strip(), checkov, args.iacguard))
    results = {n: {"checkov": [], "cold": [], "warm": []} for n in names}
    for rnd in range(max(args.rounds, args.checkov_rounds)):
        for n in names:
            repo = os.path.join(args.corpus, n)
            if not args.no_checkov and rnd < args.checkov_rounds:
                results[n]["checkov"].append(checkov_run(checkov, repo))
            if rnd < args.rounds:
                cold, warm = cold_and_warm(cmd, repo)
                results[n]["cold"].append(cold)
                results[n]["warm"].append(warm)
        print("round %d done" % (rnd + 1), file=sys.stderr, flush=True)
    for n in names:
        for mode, runs in results[n].items():
            for r in runs:
                if r["code"] not in (0, 1):
                    print("warning: %s %s exited %d: %s" % (mode, n, r["code"], r["stderr"].strip()[-300:]), file=sys.stderr)
    cols = ("checkov", "cold", "warm")
    print("%-30s" % "repository" + "".join(" | %-7s %8s %8s %6s" % (c, "wall s", "cpu s", "MB") for c in cols)
          + " | cold speed-up wall / cpu")
    totals = {c: {"wall": 0.0, "cpu": 0.0} for c in cols}
    for n in names:
        row = "%-30s" % n
        for c in cols:
            runs = results[n][c]
            w, u, m = median(runs, "wall"), median(runs, "cpu"), max((r["peak_mb"] for r in ok(runs)), default=float("nan"))
            row += " | %-7s %8.2f %8.2f %6.0f" % ("", w, u, m)
            totals[c]["wall"] += w
            totals[c]["cpu"] += u
        ck, cold = ok(results[n]["checkov"]), ok(results[n]["cold"])
        if ck and cold:
            row += " | %6.1fx / %6.1fx" % (median(ck, "wall") / median(cold, "wall"), median(ck, "cpu") / median(cold, "cpu"))
        print(row)
    row = "%-30s" % "total"
    for c in cols:
        row += " | %-7s %8.2f %8.2f %6s" % ("", totals[c]["wall"], totals[c]["cpu"], "")
    if not args.no_checkov:
        row += " | %6.1fx / %6.1fx" % (totals["checkov"]["wall"] / totals["cold"]["wall"], totals["checkov"]["cpu"] / totals["cold"]["cpu"])
    print(row)
    if not args.no_checkov:
        print("speed-up, total: cold %.1fx wall, %.1fx CPU; warm %.1fx wall, %.1fx CPU" % (
            totals["checkov"]["wall"] / totals["cold"]["wall"], totals["checkov"]["cpu"] / totals["cold"]["cpu"],
            totals["checkov"]["wall"] / totals["warm"]["wall"], totals["checkov"]["cpu"] / totals["warm"]["cpu"]))
    print("medians over %d iacguard round(s) and %d Checkov round(s) (failed runs left out, warned above); MB: the largest peak RSS"
          % (args.rounds, 0 if args.no_checkov else args.checkov_rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
