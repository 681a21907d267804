"""The compiled methods of iacguard's dataclasses are kept between runs (iacguard/_codecache.py):
the second run compiles none, classes behave the same, and a bad or foreign file is ignored."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import types

import pytest

from iacguard import _codecache

RUN = """
import dataclasses, json, sys
import iacguard, iacguard._codecache as c
cache = c.install(sys.argv[1])
before = len(cache.codes)
from iacguard.core.model import Location
import iacguard.check
a, b = Location("f.tf", 1, 2), Location("f.tf", 1, 2)
try:
    a.start_line = 2
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
c.save()
print(json.dumps({"before": before, "added": len(cache.codes) - before, "eq": a == b, "hash": hash(a) == hash(b),
                  "repr": repr(a), "frozen": frozen}))
"""


def _run(path, program: str = RUN) -> dict:
    out = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def test_the_second_run_compiles_no_method_and_classes_behave_the_same(tmp_path):
    path = tmp_path / "methods.bin"
    first = _run(path)
    assert first["before"] == 0 and first["added"] > 50 and path.exists()
    second = _run(path)
    assert second["before"] == first["added"] and second["added"] == 0
    for run in (first, second):
        assert run["eq"] and run["hash"] and run["frozen"]
    assert first["repr"] == second["repr"] and first["repr"].startswith("Location(")


def _source(name: str) -> str:
    return "def __create_fn__(x):\n def %s(self):\n  return x\n return %s" % (name, name)


def test_an_entry_is_the_compilation_of_its_source(tmp_path):
    cache = _codecache.CodeCache(str(tmp_path / "m.bin"))
    code = cache.compiled(_source("f"))
    assert isinstance(code, types.CodeType) and cache.added == 1
    ns: dict = {}
    exec(code, {}, ns)
    assert ns["__create_fn__"](7)(None) == 7
    cache.save()
    again = _codecache.CodeCache(str(tmp_path / "m.bin"))
    assert again.compiled(_source("f")) == code and again.added == 0


def test_only_iacguard_classes_go_through_the_cache(tmp_path, monkeypatch):
    cache = _codecache.CodeCache(str(tmp_path / "m.bin"))
    monkeypatch.setattr(_codecache, "_cache", cache)
    ns: dict = {}
    _codecache._exec(_source("g"), {"__name__": "somebody.else"}, ns)
    assert cache.codes == {} and ns["__create_fn__"](1)(None) == 1
    _codecache._exec(_source("g"), {"__name__": "iacguard.core.x"}, ns)
    assert list(cache.codes) == [_source("g")]
    # A dataclass of another package is made as before; one of iacguard's uses the cache.
    other = dataclasses.make_dataclass("Other", ["a"], frozen=True)
    assert other(1) == other(1) and len(cache.codes) == 1
    mine = dataclasses.make_dataclass("Mine", ["a", "b"], frozen=True, namespace={"__module__": "iacguard.core.model"})
    assert mine(1, 2) == mine(1, 2) and hash(mine(1, 2)) == hash(mine(1, 2)) and len(cache.codes) > 1


def test_a_foreign_damaged_or_oversized_file_is_ignored(tmp_path, monkeypatch):
    path = tmp_path / "m.bin"
    good = _codecache.CodeCache(str(path))
    good.compiled(_source("h"))
    good.save()
    data = path.read_bytes()
    for bad in (b"\0\0\0\0" + data[4:], data[:len(data) // 2], data[:4] + b"not marshal", data[:4] + __import__("marshal").dumps({"a": 1})):
        path.write_bytes(bad)
        assert _codecache.CodeCache(str(path)).codes == {}
    monkeypatch.setattr(_codecache, "MAX_BYTES", len(data) - 1)
    path.write_bytes(data)
    assert _codecache.CodeCache(str(path)).codes == {}


def test_an_unwritable_folder_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = _codecache.CodeCache(str(blocker / "sub" / "m.bin"))  # a folder that cannot be made
    cache.compiled(_source("k"))
    cache.save()
    assert not (tmp_path / "file" / "sub").exists() and os.listdir(tmp_path) == ["file"]


def test_a_file_grown_past_the_trim_size_keeps_what_the_run_used(tmp_path, monkeypatch):
    path = str(tmp_path / "m.bin")
    old = _codecache.CodeCache(path)
    for i in range(50):
        old.compiled(_source("old%d" % i))  # an earlier version's methods
    old.save()
    monkeypatch.setattr(_codecache, "TRIM_BYTES", 1000)
    run = _codecache.CodeCache(path)
    assert len(run.codes) == 50
    run.compiled(_source("old3"))
    run.compiled(_source("new"))
    run.save()
    assert sorted(_codecache.CodeCache(path).codes) == sorted([_source("old3"), _source("new")])


def test_entries_are_read_only_when_used_and_a_damaged_one_is_compiled_again(tmp_path):
    import marshal

    path = tmp_path / "m.bin"
    first = _codecache.CodeCache(str(path))
    for name in ("a", "b"):
        first.compiled(_source(name))
    first.save()
    run = _codecache.CodeCache(str(path))
    assert all(type(v) is memoryview for v in run.codes.values())  # nothing unmarshalled yet (views of the file)
    code = run.compiled(_source("a"))
    assert isinstance(code, types.CodeType) and type(run.codes[_source("b")]) is memoryview and run.added == 0
    # An entry that is not marshalled code (a damaged file, another interpreter's bytes) is compiled afresh.
    path.write_bytes(run._file({_source("a"): b"garbage", _source("b"): marshal.dumps(42)}))
    damaged = _codecache.CodeCache(str(path))
    for name in ("a", "b"):
        ns: dict = {}
        exec(damaged.compiled(_source(name)), {}, ns)
        assert ns["__create_fn__"](5)(None) == 5
    assert damaged.added == 2


def test_an_index_pointing_outside_the_file_or_of_another_shape_leaves_it_unread(tmp_path):
    import marshal

    path = tmp_path / "m.bin"
    first = _codecache.CodeCache(str(path))
    first.compiled(_source("a"))
    first.save()
    good = path.read_bytes()
    assert _codecache.CodeCache(str(path)).codes
    prefix = first.header() + _codecache._FORMAT
    for index in ({_source("a"): (0, len(good))}, {_source("a"): (-5, 3)}, {_source("a"): (0,)}, {7: (0, 1)}, [1, 2]):
        packed = marshal.dumps(index)
        path.write_bytes(prefix + len(packed).to_bytes(8, "little") + packed + b"x" * 10)
        assert _codecache.CodeCache(str(path)).codes == {}
    path.write_bytes(prefix + (1 << 40).to_bytes(8, "little"))  # an index longer than the file
    assert _codecache.CodeCache(str(path)).codes == {}
    path.write_bytes(first.header() + marshal.dumps({_source("a"): marshal.dumps(compile("1", "<string>", "exec"))}))  # the layout before
    assert _codecache.CodeCache(str(path)).codes == {}


@pytest.mark.parametrize("name", ["yaml", "cfn_flip", "iacguard.checks", "inspect", "json.decoder", "no_such_module", "iacguard.no_such_module"])
def test_find_spec_finds_what_importlib_finds(name):
    import importlib.util

    mine, theirs = _codecache.find_spec(name), importlib.util.find_spec(name)
    assert (mine and mine.origin, mine and mine.name) == (theirs and theirs.origin, theirs and theirs.name)


# -- regular expressions -------------------------------------------------------------------------

PATTERNS = [
    (r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(?:-(\d+))?", 0),
    ("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0),  # PyYAML's NON_PRINTABLE
    (r"iacguard:ignore(?![\w-])(.*)", 2),  # re.IGNORECASE
    (r"^\s*(\w+)\s*=\s*(.*?)\s*$", 8 | 16),  # MULTILINE | DOTALL
    (rb"[\x80-\xff]+|(?<=a)b", 0),
    (r"(?x) a  b # spaced\n c", 0),
    (r"(a)(b)?(?(2)c|d)\1", 0),
]


def _module_compile(pattern, flags, module="iacguard.fake"):
    """Compile as a module body of `module` does (the only compiles the cache keeps)."""
    import re

    ns = {"__name__": module, "re": re, "pattern": pattern, "flags": flags}
    exec("compiled = re._compiler.compile(pattern, flags)", ns)
    return ns["compiled"]


@pytest.fixture
def patterns(tmp_path, monkeypatch):
    import re

    monkeypatch.setattr(_codecache, "_patterns", None)
    monkeypatch.setattr(re._compiler, "compile", re._compiler.compile)
    path = str(tmp_path / "re.bin")
    return path, _codecache.install_patterns(path)


def test_a_kept_pattern_is_the_pattern_re_compiles(patterns, monkeypatch):
    import re

    path, cache = patterns
    real = _codecache._real_compile
    for pattern, flags in PATTERNS:
        assert _module_compile(pattern, flags) == real(pattern, flags)
    assert cache.added == len(PATTERNS)
    cache.save()
    again = _codecache.PatternCache(path)
    monkeypatch.setattr(_codecache, "_patterns", again)
    for pattern, flags in PATTERNS:
        kept = _module_compile(pattern, flags)
        fresh = real(pattern, flags)
        # Pattern equality is flags, pattern and the engine's code, word for word.
        assert kept == fresh and kept.groupindex == fresh.groupindex and kept.groups == fresh.groups
    assert again.added == 0 and len(again.used) == len(PATTERNS)
    year = _module_compile(*PATTERNS[0])
    assert year.match("2026-12-07").group("month") == "12" and re.compile(PATTERNS[0][0]).pattern == PATTERNS[0][0]


def test_only_module_and_class_constants_of_known_packages_are_kept(patterns):
    path, cache = patterns
    import re

    def in_a_function(p):
        return re._compiler.compile(p, 0)  # a function may compile a pattern a scanned tree wrote

    in_a_function("tree-(pattern)")
    _module_compile("someone-(else)", 0, module="myapp.rules")
    class_body = {"__name__": "yaml.reader", "re": re}
    exec("class Reader:\n    NON_PRINTABLE = re._compiler.compile('[^ -~]', 0)\n", class_body)
    _module_compile("(debug)", 128)  # re.DEBUG prints the code: never answered from the cache
    assert list(cache.codes) == [("[^ -~]", 0)]


def test_a_damaged_or_foreign_pattern_file_changes_nothing(patterns, monkeypatch):
    import marshal

    path, cache = patterns
    _module_compile("(a+)b", 0)
    cache.save()
    data = open(path, "rb").read()
    # Code the engine refuses, and a value of the wrong shape: both compiled afresh.
    bad_code = marshal.dumps((0, [999999, 1, 2], 0, {}, (None, None)))
    wrong_shape = marshal.dumps(("x",))
    for entry in (bad_code, wrong_shape):
        with open(path, "wb") as fh:
            fh.write(cache._file({("(a+)b", 0): entry}))
        fresh = _codecache.PatternCache(path)
        monkeypatch.setattr(_codecache, "_patterns", fresh)
        assert _module_compile("(a+)b", 0) == _codecache._real_compile("(a+)b", 0)
    # Another interpreter's file (another header) is not read at all.
    with open(path, "wb") as fh:
        fh.write(b"\0\0\0\0" + data[4:])
    assert _codecache.PatternCache(path).codes == {}


def test_the_executable_keeps_patterns_and_a_library_import_leaves_re_alone(tmp_path):
    code = "import re, iacguard, iacguard.engine; print(re._compiler.compile.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout.strip()
    assert out == "re._compiler"
    code = ("import sys\nfrom iacguard import _codecache, launch\norig = _codecache.install_patterns\n"
            "_codecache.install_patterns = lambda: orig(%r)\nsys.argv = ['iacguard', '--version']\nlaunch.run()\n") % str(tmp_path / "re.bin")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "iacguard, version" in proc.stdout and proc.returncode == 0
    kept = _codecache.PatternCache(str(tmp_path / "re.bin"))
    assert kept.codes and all(type(v) is memoryview for v in kept.codes.values())


# --- `inspect` loads on first use (`_codecache._defer_inspect`) ---------------------------------

DEFERRED = """
import json, os, sys, types
import iacguard
from iacguard import launch, scan_command
deferred_at_import = type(sys.modules["inspect"]).__name__
paths, flags = launch.read_scan([sys.argv[1], sys.argv[2], "-q", "--format", "json", "-o", os.devnull, "--no-cache", "--fail-on", "none"], {})
try:
    scan_command.scan(paths, flags)
except SystemExit as stop:
    code = stop.code
after_scan = type(sys.modules["inspect"]).__name__
unused = [m for m in ("ast", "dis", "tokenize", "linecache") if m in sys.modules]
held = sys.modules["inspect"]
import inspect
import dataclasses
print(json.dumps({"at_import": deferred_at_import, "after_scan": after_scan, "unused": unused, "code": code,
                  "same": inspect is held, "signature": str(inspect.signature(lambda a, b=1: None)),
                  "plain": type(inspect) is types.ModuleType, "globals": inspect.signature.__globals__ is inspect.__dict__,
                  "in_dataclasses": dataclasses.inspect is inspect, "ast": "ast" in sys.modules}))
"""


def test_inspect_waits_for_its_first_use_no_scan_makes_one_and_then_it_is_the_whole_module(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sample = os.path.join(root, "sample_iac")
    out = subprocess.run([sys.executable, "-c", DEFERRED, sample, os.path.join(sample, "cloudformation")],
                         capture_output=True, text=True, timeout=120, check=True, cwd=str(tmp_path))
    got = json.loads(out.stdout)
    # A scan of Terraform and CloudFormation found problems (exit 0 with --fail-on none) ...
    assert got["code"] in (0, None)
    # ... and neither loaded inspect nor what it imports.
    assert got["at_import"] == got["after_scan"] == "_Deferred"
    assert got["unused"] == []
    # The first use runs the module in the very object every import returns.
    assert got["same"] and got["plain"] and got["globals"] and got["in_dataclasses"] and got["ast"]
    assert got["signature"] == "(a, b=1)"


def _deferred(tmp_path, name: str, body: str):
    import importlib.util

    path = tmp_path / ("%s.py" % name)
    path.write_text(body)
    spec = importlib.util.spec_from_file_location(name, str(path))
    module = _codecache._Deferred(name)
    module.__spec__ = spec
    module.__loader__ = spec.loader
    sys.modules[name] = module
    return module


def test_a_module_that_fails_on_first_use_raises_there_and_is_left_unimported(tmp_path):
    module = _deferred(tmp_path, "iacguard_test_broken", "raise RuntimeError('broken on purpose')\n")
    try:
        with pytest.raises(RuntimeError, match="broken on purpose"):
            module.anything
        assert "iacguard_test_broken" not in sys.modules
    finally:
        sys.modules.pop("iacguard_test_broken", None)


def test_two_threads_using_a_deferred_module_at_once_both_get_its_names(tmp_path):
    import threading

    module = _deferred(tmp_path, "iacguard_test_slow", "import time\nruns = []\nruns.append(1)\ntime.sleep(0.3)\nVALUE = 42\n")
    got = []
    try:
        threads = [threading.Thread(target=lambda: got.append(module.VALUE)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert got == [42, 42]
        assert module.runs == [1]  # the module ran once
        assert type(module) is types.ModuleType
    finally:
        sys.modules.pop("iacguard_test_slow", None)


def test_a_missing_name_is_an_attribute_error_after_the_module_ran(tmp_path):
    module = _deferred(tmp_path, "iacguard_test_plain", "A = 1\n")
    try:
        with pytest.raises(AttributeError):
            module.B
        assert module.A == 1
    finally:
        sys.modules.pop("iacguard_test_plain", None)


# -- iacguard's own modules, read from one file (ModuleCache) ------------------------------------

MODULES = """
import json, sys
from iacguard import _codecache as c
cache = c.install_modules(sys.argv[1])
before = len(cache.codes)
import iacguard.facts.network as network, iacguard.output.sarif, inspect
loader = type(network.__spec__.loader).__name__
source = inspect.getsource(network.RuleFact) if hasattr(network, "RuleFact") else inspect.getsource(network)
c.save()
print(json.dumps({"before": before, "loader": loader, "file": network.__file__, "source": "ipaddress" in source,
                  "world": network.__name__ == "iacguard.facts.network"}))
"""


def test_the_second_run_reads_iacguard_modules_from_one_file(tmp_path):
    path = tmp_path / "modules.bin"
    first = _run(path, MODULES)
    assert first["before"] == 0 and first["loader"] == "SourceFileLoader" and path.exists()
    second = _run(path, MODULES)
    assert second["before"] > 5 and second["loader"] == "_ModuleLoader"
    assert second["file"] == first["file"] and second["source"] and second["world"]


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """A module iacguard._fake_kept in a folder added to iacguard's package path."""
    import iacguard

    folder = tmp_path / "pkg"
    folder.mkdir()
    source = folder / "_fake_kept.py"
    source.write_text("VALUE = 1\n\ndef where():\n    return __file__\n")
    monkeypatch.setattr(iacguard, "__path__", list(iacguard.__path__) + [str(folder)])
    monkeypatch.delitem(sys.modules, "iacguard._fake_kept", raising=False)
    yield source
    sys.modules.pop("iacguard._fake_kept", None)


def _fresh_import(cache, monkeypatch):
    import importlib

    sys.modules.pop("iacguard._fake_kept", None)
    monkeypatch.setattr(sys, "meta_path", [cache] + list(sys.meta_path))
    importlib.invalidate_caches()
    return importlib.import_module("iacguard._fake_kept")


def test_a_kept_module_is_served_until_its_source_changes(tmp_path, fake_module, monkeypatch):
    path = tmp_path / "modules.bin"
    cache = _codecache.ModuleCache(str(path))
    module = _fresh_import(cache, monkeypatch)
    assert type(module.__spec__.loader).__name__ == "SourceFileLoader" and module.VALUE == 1
    cache.keep_imported()
    cache.save()
    kept = _codecache.ModuleCache(str(path))
    module = _fresh_import(kept, monkeypatch)
    assert type(module.__spec__.loader) is _codecache._ModuleLoader
    assert module.VALUE == 1 and module.where() == str(fake_module) and module.__spec__.origin == str(fake_module)
    # Another source (another size): imported as usual, and its code kept in place of the old.
    fake_module.write_text("VALUE = 22\n\ndef where():\n    return __file__\n")
    module = _fresh_import(kept, monkeypatch)
    assert type(module.__spec__.loader).__name__ == "SourceFileLoader" and module.VALUE == 22
    kept.keep_imported()
    kept.save()
    module = _fresh_import(_codecache.ModuleCache(str(path)), monkeypatch)
    assert type(module.__spec__.loader) is _codecache._ModuleLoader and module.VALUE == 22


def test_a_kept_module_outside_its_package_folder_or_a_damaged_file_is_not_served(tmp_path, fake_module, monkeypatch):
    import iacguard

    path = tmp_path / "modules.bin"
    cache = _codecache.ModuleCache(str(path))
    _fresh_import(cache, monkeypatch)
    cache.keep_imported()
    cache.save()
    # The folder is no longer where iacguard's modules are imported from: not served from the file.
    monkeypatch.setattr(iacguard, "__path__", [p for p in iacguard.__path__ if p != str(fake_module.parent)] + [str(tmp_path / "elsewhere")])
    kept = _codecache.ModuleCache(str(path))
    assert kept.find_spec("iacguard._fake_kept", iacguard.__path__) is None
    # A package of the same name beside it: the import system would take the package.
    monkeypatch.setattr(iacguard, "__path__", list(iacguard.__path__) + [str(fake_module.parent)])
    assert _codecache.ModuleCache(str(path)).find_spec("iacguard._fake_kept", iacguard.__path__) is not None
    (fake_module.parent / "_fake_kept").mkdir()
    assert _codecache.ModuleCache(str(path)).find_spec("iacguard._fake_kept", iacguard.__path__) is None
    # A damaged or foreign file: nothing is read from it.
    path.write_bytes(b"not a cache file")
    assert _codecache.ModuleCache(str(path)).codes == {}
    path.write_bytes(_codecache.CodeCache(str(tmp_path / "x")).header() + b"\x00" * 10)
    assert _codecache.ModuleCache(str(path)).codes == {}
    # Only iacguard's modules, and only those with a package path.
    assert kept.find_spec("json", None) is None and kept.find_spec("iacguard_other.x", ["/"]) is None


def test_the_executable_keeps_its_modules_and_a_library_import_does_not(tmp_path):
    """The `iacguard` command installs the finder; `import iacguard` alone leaves imports as they are."""
    out = subprocess.run([sys.executable, "-c", "import sys, iacguard; print(any(type(f).__name__ == 'ModuleCache' for f in sys.meta_path))"],
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"
    probe = ("import sys\nfrom iacguard import launch, _codecache\nsys.argv = ['iacguard', 'scan', sys.argv[1], '-q', '--no-cache', '--fail-on', 'none']\n"
             "real = _codecache.save\n"
             "def save():\n    real()\n    print('FINDER', any(f is _codecache._modules for f in sys.meta_path), file=sys.stderr)\n"
             "_codecache.save = save\nlaunch.run()\n")
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    got = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True, timeout=120)
    assert "FINDER True" in got.stderr, got.stderr
