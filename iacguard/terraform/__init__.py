"""The Terraform front end: parse (native HCL and JSON syntax), evaluate, plan JSON."""
from __future__ import annotations


def parse_file(text: str, path: str):
    """Parse one Terraform file (`.tf`, `.tfvars`, or their `.json` forms) into a ConfigFile.

    Native syntax goes through the fast hand-written parser; should it refuse a file, the
    reference parser (python-hcl2's grammar) gets a chance, so a gap in the fast parser never
    costs a scan a file. Raises `HclSyntaxError` when neither can parse it (with the fast
    parser's message, which follows Terraform more closely)."""
    from .parser import HclSyntaxError, parse_hcl, parse_tf_json

    if path.lower().endswith(".json"):
        return parse_tf_json(text, path)
    from .fastparse import parse_hcl_fast

    try:
        return parse_hcl_fast(text, path)
    except HclSyntaxError as first:
        try:
            return parse_hcl(text, path)
        except HclSyntaxError:
            raise first from None
