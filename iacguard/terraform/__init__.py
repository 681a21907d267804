"""The Terraform front end: parse (native HCL and JSON syntax), evaluate, plan JSON."""
from __future__ import annotations


def parse_file(text: str, path: str):
    """Parse one Terraform file (`.tf`, `.tfvars`, or their `.json` forms) into a ConfigFile.

    Native syntax goes through the one production parser (`fastparse`); a file it refuses raises
    `HclSyntaxError` with its line (the caller reports it as a parse error; there is no second
    parser to fall back on)."""
    from .parser import parse_hcl, parse_tf_json

    if path.lower().endswith(".json"):
        return parse_tf_json(text, path)
    return parse_hcl(text, path)
