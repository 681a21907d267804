"""CPU seconds of the CloudFormation stages issue 17 names, per scan of a tree (no cache, -j 1):
parsing (parse_all), evaluation (evaluate_templates), the IAM facts (iam_access.collect),
AWS-IAM-002, the embedded-secret facts, and writing the JSON report (to nowhere).

    python benchmarks/cfn_stages.py TREE [RUNS]

Prints the median of RUNS scans (default 3) for each stage and the whole scan. Run it with the
python of each install to compare (a compiled install: not an editable one).
"""
from __future__ import annotations

import statistics
import sys
import time


def main() -> None:
    tree = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    from iacguard import engine
    from iacguard.checks.identity import iam_escalation
    from iacguard.facts import iam_access, secrets_b_text
    from iacguard.output import json_report

    spent: dict = {}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - t
        return wrapper

    def timed_gen(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return list(fn(*args, **kwargs))
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - t
        return wrapper

    engine.parse_all = timed("parse", engine.parse_all)
    engine._evaluate_cloudformation = timed("evaluate", engine._evaluate_cloudformation)
    secrets_b_text.embedded_secrets = timed("secret facts", secrets_b_text.embedded_secrets)
    iam_access.collect = timed("iam facts", iam_access.collect)
    object.__setattr__(iam_escalation.CHECK, "evaluate", timed_gen("AWS-IAM-002", iam_escalation.CHECK.evaluate))
    rows: dict = {}
    for _ in range(runs):
        spent.clear()
        t = time.process_time()
        result = engine.scan([tree], jobs=1)
        spent["scan"] = time.process_time() - t
        t = time.process_time()
        for _chunk in json_report.chunks(result):
            pass
        spent["json report"] = time.process_time() - t
        del result
        for k, v in spent.items():
            rows.setdefault(k, []).append(v)
    for k in ("parse", "evaluate", "iam facts", "AWS-IAM-002", "secret facts", "scan", "json report"):
        print("%-12s %7.2f s" % (k, statistics.median(rows.get(k, [0.0]))))


if __name__ == "__main__":
    main()
