"""Attack paths (`Finding.path`) through the engine: merging (CloudFormation variants, repeated
findings), value origins, the whole-scan cache, suppressions and baselines. A probe check builds
the paths by hand from the graph (no path check is registered yet)."""
from __future__ import annotations

import json
import pickle


from iacguard import cache as scan_cache
from iacguard.check import Check
from iacguard.core.model import Finding, PathStep, ScanOptions
from iacguard.engine import scan
from iacguard.output import render

MAIN_TF = """\
variable "internal" {
  default = false
}

resource "aws_lb" "web" {
  internal = var.internal
}

resource "aws_instance" "app" {
  ami = "ami-1"
}

resource "aws_s3_bucket" "media" {
  bucket = "media"
}

resource "aws_s3_bucket" "orders" {
  bucket = "orders"
}
"""

STACK = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Condition: IsProd
    Properties:
      Name: api
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
  Store:
    Type: AWS::S3::Bucket
"""

CALLS = {"n": 0}


def _by_address(graph) -> dict:
    out: dict = {}
    for r in graph.resources:
        out.setdefault(r.address, []).append(r)
    return out


def probe(facts):
    """Paths lb -> app -> each bucket (located at the lb's `internal`, which comes from a
    variable), the first one twice; and, for every variant of the conditional Api, Api -> Fn ->
    Store."""
    CALLS["n"] += 1
    res = _by_address(facts.graph)
    for asset in ("aws_s3_bucket.media", "aws_s3_bucket.media", "aws_s3_bucket.orders"):
        lb, app, bucket = res["aws_lb.web"][0], res["aws_instance.app"][0], res[asset][0]
        steps = (
            PathStep(lb, "ALB aws_lb.web forwards 80 to aws_instance.app", lb.location),
            PathStep(app, "instance aws_instance.app may read %s" % asset, app.location),
            PathStep(bucket, "bucket %s" % asset, bucket.location),
        )
        yield Finding("AWS-TEST-901", lb, "Internet path to the bucket lacks tls.", lb.location_of("internal"), path=steps)
    for api in res.get("Api", ()):
        fn, store = res["Fn"][0], res["Store"][0]
        steps = (PathStep(api, "API Api invokes Fn", api.location), PathStep(fn, "Fn writes Store", fn.location),
                 PathStep(store, "bucket Store", store.location))
        yield Finding("AWS-TEST-901", api, "Internet path to Store lacks authentication.", api.location, path=steps)


PROBE = Check("AWS-TEST-901", "Internet path lacks layers", "high", "infrastructure", "w", "w", "f", "f", ("bucket",), probe,
              ("https://example.com",))


def make_tree(root):
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(MAIN_TF)
    (root / "stack.yaml").write_text(STACK)
    return root


def run(root, cache=None, **kw):
    return scan([str(root)], ScanOptions(), cwd=str(root), checks=[PROBE], cache_dir=str(cache) if cache else None, **kw)


def shape(result) -> list:
    return [
        (f.resource.address, f.location.start_line, [r[1] for r in f.related], f.conditions,
         [(s.resource.address, s.message, s.location.start_line, s.location.end_line) for s in f.path])
        for f in result.findings
    ]


def test_engine_keeps_paths_through_merge_and_origins(tmp_path):
    result = run(make_tree(tmp_path / "repo"))
    got = shape(result)
    # The repeated lb -> media path is kept once, the orders one apart from it; both keep the
    # variable their location comes from.
    tf = [g for g in got if g[0] == "aws_lb.web"]
    assert [g[4][-1][0] for g in tf] == ["aws_s3_bucket.media", "aws_s3_bucket.orders"]
    assert all(g[2] == ["variable internal"] for g in tf)
    assert tf[0][4][0] == ("aws_lb.web", "ALB aws_lb.web forwards 80 to aws_instance.app", 5, 7)
    # The conditional Api: one finding, its condition named, its path kept.
    cfn = [g for g in got if g[0] == "Api"]
    assert len(cfn) == 1
    assert cfn[0][3] == (("IsProd", True),)
    assert [s[0] for s in cfn[0][4]] == ["Api", "Fn", "Store"]
    # Reports: two distinct fingerprints for the two assets; the JSON path array.
    data = json.loads(render("json", result))
    fps = [f["fingerprint"] for f in data["findings"] if f["resource"]["address"] == "aws_lb.web"]
    assert len(set(fps)) == 2 and not any(":" in fp for fp in fps)
    assert [s["address"] for s in data["findings"][0]["path"]] in (["Api", "Fn", "Store"], ["aws_lb.web", "aws_instance.app", "aws_s3_bucket.media"])


def test_whole_scan_cache_keeps_paths(tmp_path):
    root, cache = make_tree(tmp_path / "repo"), tmp_path / "cache"
    CALLS["n"] = 0
    cold = run(root, cache)
    warm = run(root, cache)
    assert CALLS["n"] == 1  # the warm scan came from the cache
    assert shape(warm) == shape(cold) and any(f.path for f in warm.findings)
    assert render("sarif", warm) == render("sarif", cold)


def test_cache_refuses_a_finding_with_a_malformed_path(tmp_path):
    """An entry whose path holds something else than PathSteps (or a step of the wrong shape) is
    a miss: the scan runs the checks again and gives the same result."""
    root, cache = make_tree(tmp_path / "repo"), tmp_path / "cache"
    cold = run(root, cache)
    entries = [p for p in cache.rglob("*") if p.is_file() and p.name != "CACHEDIR.TAG"]
    scans = [p for p in entries if b"\0scan\0" in p.read_bytes()[:64]]
    assert scans
    for bad_step in ("not a step", PathStep(None, "m", None)):
        for path in scans:
            data = path.read_bytes()
            header = data[: data.index(b"\x80")]
            value = pickle.loads(data[len(header):])
            f = value.findings[0]
            value.findings[0] = Finding(f.check_id, f.resource, f.message, f.location, f.conditions, f.related, f.root, (bad_step,))
            path.write_bytes(header + pickle.dumps(value, protocol=5))
            assert scan_cache.read_entry(str(path), "scan", (type(value),)) is None
        CALLS["n"] = 0
        assert shape(run(root, cache)) == shape(cold)
        assert CALLS["n"] == 1


def test_suppression_and_baseline_treat_path_findings_like_others(tmp_path):
    from iacguard.post.baseline import BaselineFilter, write

    root = make_tree(tmp_path / "repo")
    result = run(root)
    baseline = tmp_path / "baseline.json"
    write(result, str(baseline))
    again = run(root, postprocess=[BaselineFilter(str(baseline))])
    assert again.findings == [] and again.baseline_matched == len(result.findings) == 3
    # A suppression comment above the load balancer accepts its paths, which keep their paths.
    (root / "main.tf").write_text(MAIN_TF.replace('resource "aws_lb"', '# iacguard:ignore AWS-TEST-901 reviewed\nresource "aws_lb"'))
    from iacguard.post.suppressions import Suppressor

    sup = run(root, postprocess=[Suppressor(["AWS-TEST-901"])])
    assert [s.finding.resource.address for s in sup.suppressed] == ["aws_lb.web", "aws_lb.web"]
    assert all(s.finding.path for s in sup.suppressed)
    data = json.loads(render("json", sup))
    assert all(s["path"] for s in data["suppressed"])


def test_root_naming_keeps_the_path(tmp_path):
    """A finding on a module's resource, in a scan of several roots, is renamed with its root;
    its path stays."""
    from iacguard.core.model import Location, Resource
    from iacguard.engine import _name_root_modules

    loc = Location(str(tmp_path / "modules" / "web" / "main.tf"), 1, 3)
    lb = Resource("a", "module.web.aws_lb.this", "aws_lb", "terraform", {}, loc, module="module.web",
                  meta={"root_module": str(tmp_path / "envs" / "prod")})
    steps = (PathStep(lb, "entry", loc),)
    (f,) = _name_root_modules([Finding("AWS-TEST-901", lb, "Path lacks tls.", loc, path=steps)], str(tmp_path), several_roots=True)
    assert f.root == "envs/prod" and f.path == steps and "via root module envs/prod" in f.message
