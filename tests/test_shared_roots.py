"""A large CloudFormation root is parsed and evaluated in two processes from the start
(engine._SharedRoots, issue 17): the scan says what a scan in one process says, whatever else
the root holds (Terraform, a plan, other JSON, a broken template, nested stacks) and whichever
process takes which file, and falls back to the usual path when a template of the child's nests
after all or the child fails."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from iacguard import engine
from iacguard.core import forked
from forking import alone

pytestmark = [pytest.mark.skipif(not forked.supported(), reason="fork-based sharing is Linux only"), pytest.mark.catalogue("all")]

PLAN = Path(__file__).resolve().parent / "terraform" / "fixtures" / "eval" / "plan" / "insecure" / "plan.json"

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Pw:
    Type: String
    NoEcho: true
    Default: s3cr3t-value-%(i)d
Conditions:
  IsProd: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Bucket%(i)d:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-%(i)d"
      VersioningConfiguration:
        Status: !If [IsProd, Enabled, Suspended]
  Role%(i)d:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: '*'
                Resource: !GetAtt Bucket%(i)d.Arn
  Sg%(i)d:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  Db%(i)d:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: !Ref Pw
      Engine: postgres
"""

JSON_TEMPLATE = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}}

NESTING = """Resources:
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: t03.yaml
"""


def _tree(tmp_path, extra=None) -> str:
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    for i in range(12):
        (root / ("sub" if i % 3 == 0 else ".") / ("t%02d.yaml" % i)).write_text(TEMPLATE % {"i": i})
    (root / "stack.json").write_text(json.dumps(JSON_TEMPLATE))
    (root / "other.json").write_text(json.dumps({"name": "not a template", "items": [1, 2]}))
    (root / "broken.yaml").write_text("Resources: [unclosed\n")
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "tf-bucket"\n}\n')
    shutil.copy(PLAN, root / "plan.json")
    for name, text in (extra or {}).items():
        (root / name).write_text(text)
    return str(root)


@pytest.fixture
def children(monkeypatch):
    """Children forked for shared roots, counted; roots shared from 1 KB on."""
    made = []
    alone(monkeypatch)
    monkeypatch.setattr(engine._SharedRoots, "_MIN_BYTES", 1024)
    real_start = engine._SharedRoots.start.__func__

    def start(cls, *args, **kwargs):
        shared = real_start(cls, *args, **kwargs)
        if shared:
            made.extend(shared.roots)
        return shared

    monkeypatch.setattr(engine._SharedRoots, "start", classmethod(start))
    monkeypatch.setattr(engine, "_FORK_CHECKS_MIN_RESOURCES", 10 ** 9)  # (the checks' fork has its own tests)
    return made


@pytest.fixture
def taker(monkeypatch):
    """`taker("parent")` or `taker("child")`: only that process takes files (forked.Tasks)."""
    parent = os.getpid()
    real = forked.Tasks.take

    def only(who):
        def take(self):
            if (os.getpid() == parent) != (who == "parent"):
                return None
            return real(self)

        monkeypatch.setattr(forked.Tasks, "take", take)

    return only


def _said(result) -> tuple:
    return (
        [(f.check_id, f.resource.id, f.message, f.location, f.conditions, f.related, f.root) for f in result.findings],
        [(u.check_id, u.resource.id, u.what, u.reason, u.location) for u in result.undecided],
        result.notifications, result.unknowns, result.files, result.resources,
    )


def _scan(tree, jobs, **kwargs):
    return engine.scan([tree], jobs=jobs, cwd=os.path.dirname(tree), **kwargs)


def test_a_shared_root_says_what_one_process_says(tmp_path, children):
    tree = _tree(tmp_path)
    alone = _scan(tree, 1)
    assert children == []
    shared = _scan(tree, 2)
    assert children == [tree]  # the root was shared
    assert _said(shared) == _said(alone)
    # What the root holds besides templates was read as usual.
    files = {os.path.basename(f) for f in shared.files}
    assert {"main.tf", "plan.json", "stack.json", "t11.yaml"} <= files
    assert any("broken.yaml" in n.path for n in shared.notifications)
    assert any(f.resource.type == "aws_s3_bucket" for f in shared.findings)  # the Terraform file's
    assert shared.resources == alone.resources > 12 * 4
    from iacguard.output import render

    assert render("json", shared) == render("json", alone)
    assert "s3cr3t-value" not in render("sarif", shared)  # NoEcho values of the child's templates redacted too


@pytest.mark.parametrize("who", ["parent", "child", "both"])
def test_a_root_with_nested_stacks_is_shared(tmp_path, children, taker, who, monkeypatch):
    """The nesting template is this process's; the template it nests is read again here when the
    child took it, and evaluated only as the nested stack either way."""
    from iacguard.cloudformation.evaluate import Done

    if who != "both":
        taker(who)
    reread = []
    real = Done.reparse
    monkeypatch.setattr(Done, "reparse", lambda self, path: reread.append(os.path.basename(path)) or real(self, path))
    tree = _tree(tmp_path, {"z_nesting.yaml": NESTING.replace("t03.yaml", "sub/t03.yaml"), "y_remote.yaml": NESTING})
    alone = _scan(tree, 1)
    shared = _scan(tree, 2)
    assert children == [tree]
    assert _said(shared) == _said(alone)
    assert reread == {"parent": [], "child": ["t03.yaml"]}.get(who, reread)
    t03 = [f for f in shared.findings if f.location.path.endswith("t03.yaml")]
    assert t03 and {(f.resource.id.split("#")[0], f.root) for f in t03} == {("cfn:sub/t03.yaml@z_nesting.yaml", "tree/z_nesting.yaml")}
    from iacguard.output import render

    assert render("json", shared) == render("json", alone)


@pytest.mark.parametrize("who", ["parent", "child"])
def test_a_nesting_type_spelled_with_escapes_is_found_after_parsing(tmp_path, children, taker, who):
    # JSON's \\u escapes hide the type from the byte search; the parsed template shows it.
    taker(who)
    nesting = '{"Resources": {"Inner": {"Type": "AWS::CloudFormation::\\u0053tack", "Properties": {"TemplateURL": "t03.yaml"}}}}'
    tree = _tree(tmp_path, {"z_nesting.json": nesting})
    alone = _scan(tree, 1)
    shared = _scan(tree, 2)
    assert children[-1] == tree  # shared at first...
    assert _said(shared) == _said(alone)  # ...then evaluated whole: t03 only as the nested stack
    assert sum(1 for f in shared.files if f.endswith("t03.yaml")) == 1


@pytest.mark.parametrize("how", ["raises", "dies", "dies midway", "miscounts"])
def test_a_failing_child_sends_the_root_down_the_usual_path(tmp_path, children, monkeypatch, how):
    tree = _tree(tmp_path)
    alone = _scan(tree, 1)
    real = engine._SharedRoots._sent

    def midway(self, pool, tasks, root, send):
        def dying(data):
            send(data)
            os._exit(1)  # after its first part

        return real(self, pool, tasks, root, dying)

    monkeypatch.setattr(engine._SharedRoots, "_sent", {
        "raises": lambda self, pool, tasks, root, send: tasks.take() / 0,
        "dies": lambda self, pool, tasks, root, send: tasks.take() or os._exit(1),
        "dies midway": midway,
        "miscounts": lambda self, pool, tasks, root, send: real(self, pool, tasks, root, send) + 1,
    }[how])
    shared = _scan(tree, 2)
    assert children == [tree]
    assert _said(shared) == _said(alone)


def test_with_the_cache_a_kept_evaluation_is_read_instead(tmp_path, children, monkeypatch):
    tree = _tree(tmp_path)
    cache = str(tmp_path / "cache")
    alone = _scan(tree, 1)
    first = _scan(tree, 2, cache_dir=cache)
    assert children == [tree]
    assert _said(first) == _said(alone)
    with open(os.path.join(tree, "t05.yaml"), "a") as fh:
        fh.write("  Extra:\n    Type: AWS::SNS::Topic\n")
    again = _scan(tree, 2, cache_dir=cache)  # a changed root: nothing kept for it, shared again
    assert children == [tree, tree]
    assert _said(again) == _said(_scan(tree, 1))
    assert again.resources == alone.resources + 1
    # The same files with other checks: the scan cache misses, the evaluation kept by the
    # second scan (a root's evaluation is kept from its second on) is read, nothing is shared.
    from iacguard.checks import REGISTRY

    evaluated = []
    real = engine._evaluate_cloudformation
    monkeypatch.setattr(engine, "_evaluate_cloudformation", lambda *a: evaluated.append(1) or real(*a))
    some = [c for c in REGISTRY if c.id.startswith("AWS-S3-")]
    third = _scan(tree, 2, cache_dir=cache, checks=some)
    assert children == [tree, tree] and evaluated == []
    assert _said(third) == _said(_scan(tree, 1, checks=some))


def test_small_roots_and_one_job_share_nothing(tmp_path, monkeypatch):
    made = []
    monkeypatch.setattr(forked, "Child", lambda fn: made.append(fn))
    tree = _tree(tmp_path)
    _scan(tree, 4)  # some 20 KB: under the default 1 MB
    monkeypatch.setattr(engine._SharedRoots, "_MIN_BYTES", 1024)
    _scan(tree, 1)
    assert made == []


def test_an_evaluation_too_large_to_keep_is_not_pickled_for_the_cache(tmp_path, children, monkeypatch):
    from iacguard.cache import EvaluationCache

    tree = _tree(tmp_path)
    cache = str(tmp_path / "cache")
    _scan(tree, 2, cache_dir=cache)  # (a root's evaluation is kept from its second scan on)
    with open(os.path.join(tree, "t05.yaml"), "a") as fh:
        fh.write("  Extra:\n    Type: AWS::SNS::Topic\n")
    kept = []
    real = EvaluationCache.put
    def put(self, key, value):
        if type(value).__name__ == "LanguageResult":  # (the Terraform file's root is kept too)
            kept.extend({r.language for r in value.resources})
        return real(self, key, value)

    monkeypatch.setattr(EvaluationCache, "put", put)
    monkeypatch.setattr(engine, "MAX_ENTRY_BYTES", 1000)  # the child's part alone pickles to more
    _scan(tree, 2, cache_dir=cache)
    assert children == [tree, tree]
    assert "cloudformation" not in kept
    monkeypatch.setattr(engine, "MAX_ENTRY_BYTES", 64 << 20)
    with open(os.path.join(tree, "t06.yaml"), "a") as fh:
        fh.write("  Extra:\n    Type: AWS::SNS::Topic\n")
    _scan(tree, 2, cache_dir=cache)
    assert "cloudformation" in kept


def test_a_parameter_file_gives_what_one_process_gives(tmp_path, children):
    """The child reads the parameter file once (cloudformation.evaluate.OneByOne) and leaves its
    notes to this process: they are reported once, as in one process."""
    import dataclasses

    from iacguard.core.model import ScanOptions

    tree = _tree(tmp_path)
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"ParameterKey": "Pw", "ParameterValue": "from-the-file"}, {"ParameterKey": "Nowhere", "ParameterValue": "x"}, "junk"]))
    options = dataclasses.replace(ScanOptions(), cfn_param_files=[str(params)])
    alone = _scan(tree, 1, options=options)
    shared = _scan(tree, 2, options=options)
    assert children == [tree]
    assert _said(shared) == _said(alone)
    from iacguard.output import render

    assert render("json", shared) == render("json", alone)


DYNAMIC = """Parameters:
  ChildUrl:
    Type: String
    Default: t05.yaml
Resources:
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Ref ChildUrl
"""


@pytest.mark.parametrize("who", ["parent", "child"])
@pytest.mark.parametrize("name", ["a_dynamic.yaml", "z_dynamic.yaml"])
def test_a_template_nested_through_a_parameter_is_read_as_in_one_process(tmp_path, children, taker, who, name):
    """A TemplateURL known only once evaluated (a parameter's default) names a template that is
    also top-level (no literal location names it): the nested stack reads it whole when its
    parent comes first in path order, and as one process leaves it (emptied once evaluated) when
    it comes after."""
    taker(who)
    tree = _tree(tmp_path, {name: DYNAMIC})
    alone = _scan(tree, 1)
    shared = _scan(tree, 2)
    assert children == [tree]
    assert _said(shared) == _said(alone)
    nested = {f.resource.id.split("#")[0] for f in alone.findings if "@" in f.resource.id}
    assert nested == ({"cfn:t05.yaml@a_dynamic.yaml"} if name.startswith("a") else set())


def test_a_template_named_through_a_link_is_read_again_when_evaluated_at_once(tmp_path, children, taker, monkeypatch):
    """This process evaluates at once the templates no nested stack's location names by its file
    name; one named through a link to it is nested all the same: read again, evaluated as the
    nested stack, as in one process."""
    from iacguard.cloudformation.evaluate import Done

    taker("parent")
    reread = []
    real = Done.reparse
    monkeypatch.setattr(Done, "reparse", lambda self, path: reread.append(os.path.basename(path)) or real(self, path))
    tree = _tree(tmp_path, {"z_nesting.yaml": NESTING.replace("t03.yaml", "sub/alias.yaml")})
    os.symlink("t03.yaml", os.path.join(tree, "sub", "alias.yaml"))
    alone = _scan(tree, 1)
    shared = _scan(tree, 2)
    assert children == [tree]
    assert _said(shared) == _said(alone)
    assert reread == ["t03.yaml"]
    assert {f.root for f in shared.findings if f.location.path.endswith("t03.yaml")} == {"tree/z_nesting.yaml"}


def test_one_child_per_cpu_besides_this_process_the_largest_roots_first(tmp_path, children):
    small = _tree(tmp_path / "small")
    large = _tree(tmp_path / "large", {"t_extra%02d.yaml" % i: TEMPLATE % {"i": 100 + i} for i in range(6)})
    alone = engine.scan([small, large], jobs=1, cwd=str(tmp_path))
    shared = engine.scan([small, large], jobs=2, cwd=str(tmp_path))
    assert children == [large]
    assert _said(shared) == _said(alone)
    children.clear()
    assert _said(engine.scan([small, large], jobs=3, cwd=str(tmp_path))) == _said(alone)
    assert sorted(children) == sorted([small, large])
