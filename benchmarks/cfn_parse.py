"""CloudFormation parsing alone: seconds (CPU) to parse every template of a tree, YAML and JSON
apart, and the same on the readers only. Usage: python benchmarks/cfn_parse.py TREE [repeats]"""
import os
import sys
import time

from iacguard.cloudformation.loader import parse_template
from iacguard.cloudformation.json_reader import read_json
from iacguard.cloudformation.yaml_reader import read_yaml


def main() -> None:
    tree = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    files = {"yaml": [], "json": []}
    for root, _, names in os.walk(tree):
        for name in sorted(names):
            ext = name.rsplit(".", 1)[-1]
            if ext in ("yaml", "yml", "json"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    files["json" if ext == "json" else "yaml"].append((name, f.read()))
    for kind, texts in files.items():
        reader = read_json if kind == "json" else read_yaml
        for label, fn in (("parse_template", parse_template), ("reader", None)):
            best = []
            for _ in range(repeats):
                t = time.process_time()
                for name, text in texts:
                    if fn is None:
                        reader(text)
                    else:
                        fn(name, text)
                best.append(time.process_time() - t)
            best.sort()
            print("%-4s %-14s %4d files  median %.3f s  min %.3f s"
                  % (kind, label, len(texts), best[len(best) // 2], best[0]))


if __name__ == "__main__":
    main()
