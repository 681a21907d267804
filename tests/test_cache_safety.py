"""The cache under attack (issue 9): whoever can write the cache folder cannot run code in the
next scan, a foreign entry is a miss, the size bound holds during a scan, and nothing outside the
cache's own entries is ever written or deleted, links included."""
from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from iacguard import cache as parse_cache
from iacguard.engine import scan
from iacguard.core.model import ScanOptions
from checksets import CORE

REPO = Path(__file__).resolve().parents[1]

MAIN_TF = """variable "cidr" {
  default = "0.0.0.0/0"
}

resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = [var.cidr]
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
"""

STACK = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Data:
    Type: AWS::S3::Bucket
"""


EXPECTED = [
    ("AWS-EC2-001", "aws_security_group_rule.ssh", 10),
    ("AWS-S3-001", "Data", 3),
    ("AWS-S3-001", "aws_s3_bucket.logs", 13),
    ("AWS-S3-002", "Data", 3),
    ("AWS-S3-002", "aws_s3_bucket.logs", 13),
]


def make_tree(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(MAIN_TF)
    (root / "stack.yaml").write_text(STACK)
    return root


def run(root: Path, cache: Path | None):
    result = scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache) if cache else None, checks=CORE)
    return sorted((f.check_id, f.resource.address, f.location.start_line) for f in result.findings), result


@pytest.fixture(autouse=True)
def every_file_cached(monkeypatch):
    """Entries for every parsed file, however small (the scan writes them from 16 KB on:
    test_small_files_are_parsed_again_not_cached), so that these tests exercise them."""
    monkeypatch.setattr(parse_cache, "PARSE_CACHE_MIN_BYTES", 0)


def entry_files(cache: Path) -> list:
    """Every file the cache wrote, whatever its layout (not the tag)."""
    return sorted(p for p in cache.rglob("*") if p.is_file() and not p.is_symlink() and p.name != "CACHEDIR.TAG")


def header_of(data: bytes) -> bytes:
    """What precedes the pickle in an entry (nothing in a bare pickle)."""
    return data[: data.index(b"\x80")]


def plant(cache: Path, payload_for) -> int:
    """Overwrite every entry with payload_for(path, its header)."""
    files = entry_files(cache)
    for path in files:
        path.write_bytes(payload_for(path, header_of(path.read_bytes())))
    return len(files)


class SystemCall:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch %s" % self.marker,))


class OpenCall:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import builtins

        return (builtins.open, (str(self.marker), "w"))


class ExecCall:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import builtins

        return (builtins.exec, ("open(%r, 'w').close()" % str(self.marker),))


def no_internal_errors(result) -> bool:
    return not any("internal error" in n.message or "Traceback" in n.message for n in result.notifications)


@pytest.mark.parametrize("gadget", [SystemCall, OpenCall, ExecCall])
def test_planted_pickle_runs_no_code(tmp_path, capsys, gadget):
    root, cache = make_tree(tmp_path / "repo"), tmp_path / "cache"
    marker = tmp_path / "pwned"
    cold, _ = run(root, cache)
    assert cold == EXPECTED
    # With the header each entry had (the attacker read it), and as a bare pickle.
    for keep_header in (True, False):
        assert plant(cache, lambda path, header: (header if keep_header else b"") + pickle.dumps(gadget(marker), protocol=4)) >= 4
        warm, result = run(root, cache)
        assert not marker.exists()
        assert warm == cold
        assert no_internal_errors(result)
    assert "Traceback" not in capsys.readouterr().err


def test_foreign_entries_are_misses(tmp_path):
    root, cache = make_tree(tmp_path / "repo"), tmp_path / "cache"
    cold, _ = run(root, cache)
    originals = {p: p.read_bytes() for p in entry_files(cache)}
    scan_entries = [data for data in originals.values() if b"\0scan\0" in header_of(data)]
    assert scan_entries
    variants = {
        "random bytes": lambda path, data: os.urandom(300),
        "truncated": lambda path, data: data[: len(data) // 2],
        "empty": lambda path, data: b"",
        "another kind's entry": lambda path, data: scan_entries[0],
        "another type under this kind's header": lambda path, data: header_of(data) + pickle.dumps({"kind": "terraform", "data": None}),
        "an older format": lambda path, data: data.replace(b"\0%d\0" % parse_cache.CACHE_FORMAT, b"\0%d\0" % (parse_cache.CACHE_FORMAT - 1), 1),
        "a bare pickle of the right type": lambda path, data: data[len(header_of(data)):],
    }
    for name, change in variants.items():
        for path, data in originals.items():
            path.write_bytes(change(path, data))
        warm, result = run(root, cache)
        assert warm == cold, name
        assert no_internal_errors(result), name


def test_well_formed_entries_with_wrong_field_types_are_misses(tmp_path):
    """Right header, right class, allowed classes only, but a field the reports or the graph
    rely on has the wrong type: a miss, not a traceback later."""
    from iacguard.engine import Analysis, ParsedSource
    from iacguard.core.model import Finding, LanguageResult, Location, Resource
    from iacguard.terraform.syntax import ConfigFile

    root, cache = make_tree(tmp_path / "repo"), tmp_path / "cache"
    cold, _ = run(root, cache)
    loc = Location("/x", 1, 1)
    res = Resource("a", "a", "t", "terraform", {}, loc)
    bad = {
        "parsed": ParsedSource(str(root / "main.tf"), str(root), "terraform", None, [42]),
        "evaluated": LanguageResult(resources=[Resource("a", "a", "t", "terraform", {}, 7)]),
        "scan": Analysis([Finding("AWS-X", res, "m", Location(None, 1, 1))], [], [], [], 0, None),
        "tree": ConfigFile(12, None),
    }
    originals = {p: p.read_bytes() for p in entry_files(cache)}
    # First the trees alone (records intact; a file that is not parsed changes, so evaluation
    # runs again and loads them), then everything.
    for kinds in (("tree",), tuple(bad)):
        for path, data in originals.items():
            kind = header_of(data).split(b"\0")[2].decode()
            if kind in kinds:
                path.write_bytes(header_of(data) + pickle.dumps(bad[kind], protocol=5))
        (root / "notes.txt").write_text(repr(kinds))
        warm, result = run(root, cache)
        assert warm == cold, kinds
        assert no_internal_errors(result), kinds


def test_read_entry_refuses_what_is_not_an_entry_of_its_kind(tmp_path):
    from iacguard.core.model import Notification

    path = tmp_path / "e.pickle"
    note = Notification("note", "hello", "/x", 3)
    path.write_bytes(parse_cache._header("evaluated") + pickle.dumps(note))
    assert parse_cache.read_entry(str(path), "evaluated", (Notification,)) == note
    assert parse_cache.read_entry(str(path), "parsed", (Notification,)) is None  # another kind
    assert parse_cache.read_entry(str(path), "evaluated", (dict,)) is None  # another type
    for module, name in [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("builtins", "getattr"), ("copyreg", "_reconstructor"), ("iacguard.core.model", "Resource.get"), ("iacguard.cache", "read_entry")]:
        path.write_bytes(parse_cache._header("evaluated") + b"c%s\n%s\n." % (module.encode(), name.encode()))
        assert parse_cache.read_entry(str(path), "evaluated", (object,)) is None, (module, name)


def test_an_entry_cannot_change_a_class_or_an_objects_class(tmp_path):
    """BUILD applied to a class object would set class attributes for the rest of the process;
    applied to an instance with `__class__` in its state it would swap the instance's class."""
    from iacguard.engine import ParsedSource
    from iacguard.graph import GraphView
    from iacguard.core.model import Resource
    from iacguard.core.unknown import Unknown

    path = tmp_path / "e.pickle"
    get, kind = Resource.get, ParsedSource.__dict__["kind"]
    attacks = [
        b"ciacguard.core.model\nResource\n(N}S'get'\nS'x'\nstb.",  # slot state on the class
        b"ciacguard.engine\nParsedSource\n(N}S'kind'\nS'other'\nstb.",
        b"ciacguard.graph\nGraphView\n(N}S'of'\nS'x'\nstb.",
        b"ciacguard.cache\n_DEFERRED\n(}S'x'\nS'y'\nsNtb.",
        # an Unknown whose slot state also names __class__
        b"ciacguard.core.unknown\nUnknown\n)\x81(N}S'reason'\nS'r'\nsS'__class__'\nciacguard.graph\nGraphView\nstb.",
    ]
    for attack in attacks:
        path.write_bytes(parse_cache._header("evaluated") + attack)
        assert parse_cache.read_entry(str(path), "evaluated", (object,)) is None, attack
    assert Resource.get is get and ParsedSource.__dict__["kind"] is kind
    assert not hasattr(parse_cache._DEFERRED, "x") and GraphView.of.__name__ == "of"
    # An honest Unknown still loads.
    path.write_bytes(parse_cache._header("evaluated") + pickle.dumps(Unknown("r"), protocol=5))
    assert type(parse_cache.read_entry(str(path), "evaluated", (Unknown,))) is Unknown


def test_every_real_entry_loads(tmp_path):
    """The allow-list covers what scans of the sample tree and the fixtures really store."""
    cache = tmp_path / "cache"
    from iacguard.checks import REGISTRY

    for tree in ("sample_iac", "tests/terraform/fixtures", "tests/cloudformation/fixtures", "tests/fixtures"):
        scan([str(REPO / tree)], ScanOptions(), cwd=str(REPO), cache_dir=str(cache))
        # Evaluations are kept from a tree's second scan on (here: other checks, same files).
        scan([str(REPO / tree)], ScanOptions(), cwd=str(REPO), cache_dir=str(cache), checks=REGISTRY[:3])
    kinds = {"parsed": 0, "tree": 0, "evaluated": 0, "scan": 0, "parsed-keys": 0}
    for path in entry_files(cache):
        kind = header_of(path.read_bytes()).split(b"\0")[2].decode()
        assert parse_cache.read_entry(str(path), kind, (object,)) is not None, path
        kinds[kind] += 1
    assert all(kinds.values()), kinds


USER_FILES = {
    "notes.txt": b"my notes",
    "ab/" + "ab" * 32 + ".pickle": b"looks like an old entry",
    "cd/.tmp-0123456789abcdef": b"looks like a temp file",
    ".tmp-leftover": b"x",
    "big.bin": b"y" * 20000,
    "iacguard-cache-v5-notes/readme": b"z",
}


@pytest.fixture(params=[True, False], ids=["dir-fd", "paths"])
def fd_or_paths(request, monkeypatch):
    """Folders held open (Linux, macOS), or path checks with lstat (where the OS cannot)."""
    if request.param and not parse_cache._DIR_FD:
        pytest.skip("this OS cannot open files relative to a folder")
    monkeypatch.setattr(parse_cache, "_DIR_FD", request.param)


def test_cache_dir_full_of_user_files_loses_none(tmp_path, monkeypatch, fd_or_paths):
    root, home = make_tree(tmp_path / "repo"), tmp_path / "home"
    for rel, data in USER_FILES.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_bytes(data)
    past = time.time() - 7 * 24 * 3600
    for dirpath, _, names in os.walk(home):
        for name in names:
            os.utime(os.path.join(dirpath, name), (past, past))
    cold, _ = run(root, home)
    monkeypatch.setattr(parse_cache, "CACHE_LIMIT_BYTES", 1)
    (root / "main.tf").write_text(MAIN_TF + "\n")
    run(root, home)
    parse_cache.prune(str(home), limit=0)
    for rel, data in USER_FILES.items():
        assert (home / rel).read_bytes() == data, rel
    assert (home / parse_cache.CACHE_SUBDIR / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172789f06886806bc55")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_size_bound_holds_during_a_scan(tmp_path, monkeypatch):
    root, cache = tmp_path / "repo", tmp_path / "cache"
    root.mkdir()
    for i in range(40):
        (root / ("f%02d.tf" % i)).write_text(MAIN_TF.replace('"ssh"', '"ssh%d"' % i).replace('"logs"', '"logs%d"' % i).replace('"cidr"', '"cidr%d"' % i).replace("var.cidr", "var.cidr%d" % i))
    expected, _ = run(root, None)
    assert len(expected) >= 40
    limit = 30000
    monkeypatch.setattr(parse_cache, "CACHE_LIMIT_BYTES", limit)
    sizes = []
    write = parse_cache.ParseCache._write

    def measured(self, *args):
        ok = write(self, *args)
        sizes.append(folder_size(cache))
        return ok

    monkeypatch.setattr(parse_cache.ParseCache, "_write", measured)
    for _ in range(3):
        assert run(root, cache)[0] == expected
        assert folder_size(cache) <= limit
    assert len(sizes) > 40 and max(sizes) <= limit
    assert max(sizes) > limit // 2  # it did write


def test_oversized_entries_are_neither_written_nor_read(tmp_path, monkeypatch):
    root, cache = make_tree(tmp_path / "repo"), tmp_path / "cache"
    big = "\n".join('resource "aws_s3_bucket" "b%d" {\n  bucket = "b%d"\n}\n' % (i, i) for i in range(200))
    (root / "big.tf").write_text(big)
    monkeypatch.setattr(parse_cache, "MAX_ENTRY_BYTES", 4000)
    cold, _ = run(root, cache)
    assert entry_files(cache) and max(p.stat().st_size for p in entry_files(cache)) <= 4000
    assert not any(p.name.startswith(".tmp-") for p in cache.rglob("*"))
    assert run(root, cache)[0] == cold
    monkeypatch.undo()

    # Read side: a file past the bound is not read (stat first), even with a valid header.
    path = tmp_path / "huge.pickle"
    with open(path, "wb") as fh:
        fh.write(parse_cache._header("evaluated") + pickle.dumps({}))
        fh.truncate(parse_cache.MAX_ENTRY_BYTES + 1)
    assert parse_cache.read_entry(str(path), "evaluated", (dict,)) is None


def test_links_in_the_cache_are_not_followed(tmp_path, monkeypatch, fd_or_paths):
    root = make_tree(tmp_path / "repo")
    victim = tmp_path / "victim"
    victim.mkdir()
    precious = victim / ("ab" * 32 + ".pickle")
    precious.write_bytes(b"precious")
    past = time.time() - 7 * 24 * 3600
    os.utime(precious, (past, past))
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"outside")
    expected, _ = run(root, None)
    assert expected == EXPECTED
    monkeypatch.setattr(parse_cache, "CACHE_LIMIT_BYTES", 1)

    # Every shard folder is a link to the victim folder.
    cache = tmp_path / "cache1"
    (cache / parse_cache.CACHE_SUBDIR).mkdir(parents=True)
    for i in range(256):
        os.symlink(victim, cache / parse_cache.CACHE_SUBDIR / ("%02x" % i))
    assert run(root, cache)[0] == expected
    parse_cache.prune(str(cache), limit=0)
    assert sorted(os.listdir(victim)) == [precious.name] and precious.read_bytes() == b"precious"

    # The cache's own subfolder is a link to the victim folder.
    cache = tmp_path / "cache2"
    cache.mkdir()
    os.symlink(victim, cache / parse_cache.CACHE_SUBDIR)
    assert run(root, cache)[0] == expected
    parse_cache.prune(str(cache), limit=0)
    assert sorted(os.listdir(victim)) == [precious.name] and precious.read_bytes() == b"precious"

    # Entries (and the tag) replaced by links to a file outside: read as misses, replaced (not
    # written through), never deleted through.
    monkeypatch.setattr(parse_cache, "CACHE_LIMIT_BYTES", 2 * 1024**3)
    cache = tmp_path / "cache3"
    run(root, cache)
    files = entry_files(cache) + [cache / parse_cache.CACHE_SUBDIR / "CACHEDIR.TAG"]
    for path in files:
        path.unlink()
        os.symlink(outside, path)
    assert run(root, cache)[0] == expected
    assert outside.read_bytes() == b"outside"
    monkeypatch.setattr(parse_cache, "CACHE_LIMIT_BYTES", 1)
    (root / "main.tf").write_text(MAIN_TF + "\n")
    assert run(root, cache)[0] == expected
    parse_cache.prune(str(cache), limit=0)
    assert outside.read_bytes() == b"outside"
