"""Bounds on what one file may cost, in one place.

`apply()` pushes the bounds into the parser modules (whose module-level constants they read at
call time); the engine calls it in the scanning process and in every worker process.

Each bound is configurable on the command line and documented in the README ("Bounds"):
  max_file_bytes   larger files are skipped with a note                    (--max-file-size)
  max_depth        deeper nesting is a parse error, in every syntax        (--max-depth)
  max_yaml_nodes   YAML aliases expanding to more nodes are refused        (--max-yaml-nodes)
  time_per_file    parsing a file longer than this is stopped with a note  (--time-per-file)
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 8 * 1024 * 1024
    # 128: deep enough for any real configuration, and shallow enough that parsed trees still
    # pickle (for the parse cache and worker processes) under Python's default recursion limit.
    max_depth: int = 128
    max_yaml_nodes: int = 100_000
    time_per_file: int = 60


CURRENT = Limits()


def apply(limits: Limits) -> None:
    global CURRENT
    if limits == CURRENT == Limits():
        return  # nothing to change (and no parser modules to import)
    CURRENT = limits
    from .cloudformation import json_reader, source_lines, yaml_reader
    from .terraform import parser

    parser.MAX_DEPTH = limits.max_depth
    for module in (source_lines, json_reader, yaml_reader):
        module.MAX_DEPTH = limits.max_depth
    yaml_reader.MAX_ALIAS_NODES = limits.max_yaml_nodes
