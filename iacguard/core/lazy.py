"""Modules imported when first used.

A check module is imported whenever the catalogue is listed or a scan is answered from the
cache; the engine it calls (the IAM evaluator, the action catalogue) is needed only when it runs.
`lazy_module(name)` gives the module object at once and executes it on its first attribute
access (the standard library's LazyLoader); an already imported module is returned as it is.
"""
from __future__ import annotations

import importlib.util
import sys


def lazy_module(name: str):
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError("no module named %r" % name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
