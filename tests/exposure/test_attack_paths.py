"""Issue 14, part B: attack paths (`iacguard.facts.attack_paths`, facts kind "attack_path").

Fixture trees under `fixtures/paths/`: a Terraform root and CloudFormation templates (YAML and
JSON) with ALB -> instance -> role -> bucket, ALB -> instance -> RDS through an SG-to-SG
reference, function URL -> function -> role -> table, CloudFront -> S3 origin and a public
database; traps: a bucket the role may not read, an internal load balancer in front of the same
instance, a rule admitting the compute's group on another port; and a root where a variable
decides (an unknown policy resource, an unknown rule port): undecided paths, never decided ones;
`generated/`: buckets whose names are generated at deploy, a grant by reference decides.
Hops are asserted by address, in order, with the line of each hop's resource.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.core.unknown import is_unknown
from iacguard.engine import build_graph
from iacguard.facts import KIND_TYPES, Facts
from iacguard.facts import attack_paths as module
from iacguard.facts.attack_paths import AttackPath, attack_paths

FIXTURES = Path(__file__).parent / "fixtures" / "paths"


def _paths(path: Path) -> list:
    analysis = build_graph([str(path)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    return Facts(analysis.graph).of_kind("attack_path")


def _by_hops(paths: list) -> dict:
    return {p.addresses: p for p in paths}


def _lines(path: AttackPath) -> tuple:
    return tuple(h.resource.location.start_line for h in path.hops)


def test_kind_is_registered():
    assert KIND_TYPES["attack_path"] is AttackPath


TF_PATHS = {
    # hops in order -> (asset, access, lines of the hops)
    ("aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app", "aws_iam_role.app",
     "aws_iam_role_policy.read", "aws_s3_bucket.media"): ("aws_s3_bucket.media", "read", (52, 59, 69, 80, 93, 101, 109)),
    ("aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app", "aws_security_group.db",
     "aws_db_instance.orders"): ("aws_db_instance.orders", "network", (52, 59, 69, 80, 42, 117)),
    ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_iam_role.fn", "aws_iam_role_policy.table",
     "aws_dynamodb_table.orders"): ("aws_dynamodb_table.orders", "read/write", (150, 142, 155, 163, 171)),
    ("aws_cloudfront_distribution.cdn", "aws_s3_bucket.site"): ("aws_s3_bucket.site", "origin", (182, 204)),
    ("aws_db_instance.public",): ("aws_db_instance.public", "itself", (213,)),
}


def test_terraform_paths_and_traps():
    paths = _paths(FIXTURES / "terraform" / "main")
    found = _by_hops(paths)
    assert set(found) == set(TF_PATHS)
    for hops, (asset, access, lines) in TF_PATHS.items():
        path = found[hops]
        assert (path.asset.address, path.access, _lines(path)) == (asset, access, lines), hops
        assert path.decided is True and not path.capped
        assert path.resource is path.entry.resource is path.hops[0].resource
        assert all(h.message for h in path.hops)
    # traps: the role may read media only; the internal load balancer is no entry point
    assets = {p.asset.address for p in paths}
    assert "aws_s3_bucket.other" not in assets
    assert not any("aws_lb.internal" in p.addresses or "aws_lb_listener.internal" in p.addresses for p in paths)
    read = found[next(h for h in TF_PATHS if h[-1] == "aws_s3_bucket.media")]
    assert read.hops[0].message == "ALB aws_lb.web accepts tcp 443 from the internet"
    assert read.hops[1].message == "listener aws_lb_listener.https forwards 443 to aws_lb_target_group.app"
    assert read.hops[5].message == "aws_iam_role_policy.read allows s3:GetObject on aws_s3_bucket.media"


def test_cloudformation_yaml_alb_instance_role_bucket_and_sg_reference():
    found = _by_hops(_paths(FIXTURES / "cloudformation" / "network.yaml"))
    assert set(found) == {
        ("Web", "Https", "AppTargets", "App", "AppRole", "ReadMedia", "Media"),
        ("Web", "Https", "AppTargets", "App", "DbFromApp", "Orders"),
    }
    read = found[("Web", "Https", "AppTargets", "App", "AppRole", "ReadMedia", "Media")]
    assert (read.access, read.decided, _lines(read)) == ("read", True, (62, 68, 77, 85, 96, 105, 116))
    db = found[("Web", "Https", "AppTargets", "App", "DbFromApp", "Orders")]
    assert (db.access, db.decided, _lines(db)) == ("network", True, (62, 68, 77, 85, 54, 124))
    assert "3306" in db.hops[4].message and "AppGroup" in db.hops[4].message


def test_cloudformation_json_function_url_and_cloudfront():
    found = _by_hops(_paths(FIXTURES / "cloudformation" / "edge.json"))
    assert set(found) == {("FnUrl", "Fn", "FnRole", "Orders"), ("Cdn", "Site")}
    table = found[("FnUrl", "Fn", "FnRole", "Orders")]
    # the grant is inline in the role: the role's hop names it, once
    assert (table.asset.address, table.access, table.decided) == ("Orders", "write", True)
    assert "allows dynamodb:PutItem on Orders" in table.hops[2].message
    assert _lines(table) == (13, 4, 20, 36)
    origin = found[("Cdn", "Site")]
    assert (origin.access, _lines(origin)) == ("origin", (45, 44))


def test_unknowns_make_undecided_paths_never_decided_ones():
    found = _by_hops(_paths(FIXTURES / "terraform" / "unknown"))
    assert set(found) == {
        ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_iam_role.fn", "aws_iam_role_policy.maybe", "aws_s3_bucket.data"),
        ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_security_group_rule.cache_from_fn", "aws_elasticache_cluster.cache"),
    }
    for path in found.values():
        assert is_unknown(path.decided) and path.decided.reason
    policy = found[next(k for k in found if k[-1] == "aws_s3_bucket.data")]
    assert policy.access == "read"  # the write action is known to be denied
    assert "bucket_arn" in policy.decided.reason and "undecided" in policy.hops[3].message
    cache = found[next(k for k in found if k[-1] == "aws_elasticache_cluster.cache")]
    assert "db_port" in cache.decided.reason
    # the rule admitting the function's group on port 22 only makes no path to the database
    assert not any(k[-1] == "aws_db_instance.db" for k in found)


def test_paths_are_capped_per_entry_point(monkeypatch):
    monkeypatch.setattr(module, "MAX_PATHS", 1)
    analysis = build_graph([str(FIXTURES / "terraform" / "main")])
    paths = attack_paths(analysis.graph)
    by_entry: dict = {}
    for p in paths:
        by_entry.setdefault(p.entry.resource.address, []).append(p)
    assert len(by_entry["aws_lb.web"]) == 1 and all(p.capped for p in by_entry["aws_lb.web"])
    assert not any(p.capped for p in by_entry["aws_db_instance.public"])


def test_no_entry_points_no_paths(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    assert _paths(tmp_path) == []


@pytest.mark.parametrize("text", [
    'resource "aws_security_group" "g" {\n  ingress = "nonsense"\n}\n',
    'resource "aws_lb_listener" "l" {\n  load_balancer_arn = 3\n  port = "x"\n}\n',
])
def test_bad_input_never_crashes(tmp_path, text):
    (tmp_path / "main.tf").write_text(text)
    assert _paths(tmp_path) == []


MORE_PATHS = {
    ("aws_api_gateway_stage.prod", "aws_lambda_function.worker", "aws_iam_role.worker", "aws_iam_policy.send",
     "aws_sqs_queue.jobs"): ("write", (41, 47, 55, 63, 76)),
    # CloudFront -> load balancer origin -> auto scaling group -> its launch template's role (inline grant)
    ("aws_cloudfront_distribution.cdn", "aws_lb.origin", "aws_lb_listener.origin", "aws_lb_target_group.fleet",
     "aws_autoscaling_group.fleet", "aws_launch_template.fleet", "aws_iam_role.fleet",
     "aws_secretsmanager_secret.db"): ("read", (81, 103, 108, 118, 124, 134, 145, 160)),
    ("aws_lb.origin", "aws_lb_listener.origin", "aws_lb_target_group.fleet", "aws_autoscaling_group.fleet",
     "aws_launch_template.fleet", "aws_iam_role.fleet", "aws_secretsmanager_secret.db"): ("read", (103, 108, 118, 124, 134, 145, 160)),
}


def test_api_stage_managed_policy_queue_and_cloudfront_lb_origin_auto_scaling_group():
    found = _by_hops(_paths(FIXTURES / "terraform" / "more"))
    assert set(found) == set(MORE_PATHS)
    for hops, (access, lines) in MORE_PATHS.items():
        path = found[hops]
        assert (path.access, _lines(path), path.decided) == (access, lines, True), hops
    secret = found[next(h for h in MORE_PATHS if h[0] == "aws_lb.origin")]
    assert "allows secretsmanager:GetSecretValue on aws_secretsmanager_secret.db" in secret.hops[5].message


INSTANCE = '''resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "bastion" {
  ami                         = "ami-12345678"
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.ssh.id]
  iam_instance_profile        = aws_iam_instance_profile.bastion.name
}

resource "aws_iam_instance_profile" "bastion" {
  role = aws_iam_role.bastion.name
}

resource "aws_iam_role" "bastion" {
  name               = "bastion"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "s3" {
  role       = aws_iam_role.bastion.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

resource "aws_s3_bucket" "backups" {
  bucket = "acme-backups"
}
'''


def test_instance_entry_point_is_its_own_compute_and_aws_managed_grant(tmp_path):
    (tmp_path / "main.tf").write_text(INSTANCE)
    paths = _paths(tmp_path)
    assert [p.addresses for p in paths] == [("aws_instance.bastion", "aws_iam_role.bastion", "aws_s3_bucket.backups")]
    path = paths[0]
    assert (path.access, path.decided, _lines(path)) == ("read/write", True, (10, 21, 31))
    assert path.hops[0].message.startswith("instance aws_instance.bastion accepts tcp 22 from the internet")
    assert "AmazonS3FullAccess" in path.hops[1].message and "allows s3:GetObject" in path.hops[1].message


# Generated names (fixtures/paths/generated/): a role granted bucket a by reference to its ARN,
# in a scan where no bucket name but one is known. Two resources of one scan are two AWS
# objects: the grant decides the path to a and rules out every other bucket (before, each other
# bucket got an undecided path, since neither name is known before deploy).
GENERATED = FIXTURES / "generated"


def test_generated_names_terraform_decided_path_to_the_referenced_bucket_only():
    paths = _paths(GENERATED / "terraform")
    assert [p.addresses for p in paths] == [
        ("aws_instance.app", "aws_iam_role.app", "aws_iam_role_policy.read_a", "aws_s3_bucket.a")]
    path = paths[0]
    assert (path.access, path.decided, _lines(path)) == ("read", True, (13, 24, 29, 37))
    assert path.hops[2].message == "aws_iam_role_policy.read_a allows s3:GetObject on aws_s3_bucket.a"


def test_generated_names_cloudformation_getatt_sub_and_ref():
    paths = _paths(GENERATED / "cloudformation" / "template.yaml")
    assert [p.addresses for p in paths] == [("App", "AppRole", "ReadA", "A")]
    path = paths[0]
    # !Sub "${A.Arn}/*" (read), !Sub "arn:...:::${A}/*" (write): both decided on A
    assert (path.access, path.decided, _lines(path)) == ("read/write", True, (47, 62, 71, 89))


def test_generated_names_a_variable_bucket_stays_undecided(tmp_path):
    """A policy naming a bucket by a variable is not a reference to a resource of the scan:
    generated or named, every bucket stays undecided, never decided either way."""
    text = (GENERATED / "terraform" / "main.tf").read_text().replace(
        '"${aws_s3_bucket.a.arn}/*"', '"arn:aws:s3:::${var.bucket}/*"')
    (tmp_path / "main.tf").write_text('variable "bucket" {}\n' + text)
    paths = _paths(tmp_path)
    assert sorted(p.asset.address for p in paths) == [
        "aws_s3_bucket.a", "aws_s3_bucket.archive", "aws_s3_bucket.b", "aws_s3_bucket.c"]
    assert all(is_unknown(p.decided) for p in paths)


def test_a_tree_built_to_multiply_paths_stays_bounded(tmp_path, monkeypatch):
    """One load balancer, 40 listeners forwarding to one target group of 40 instances, whose role
    may read 40 buckets: 64,000 ways through, bounded to MAX_CANDIDATES looked at and MAX_PATHS
    kept (marked capped), in the same order every time."""
    n = 40
    parts = ['resource "aws_lb" "web" {\n  internal = false\n}\n',
             'resource "aws_lb_target_group" "tg" {\n  port = 80\n}\n',
             'resource "aws_iam_role" "r" {\n  name = "r"\n}\n',
             'resource "aws_iam_instance_profile" "p" {\n  role = aws_iam_role.r.name\n}\n',
             'resource "aws_iam_role_policy" "all" {\n  role = aws_iam_role.r.id\n  policy = jsonencode({ Version = "2012-10-17", '
             'Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })\n}\n']
    for i in range(n):
        parts.append('resource "aws_lb_listener" "l%d" {\n  load_balancer_arn = aws_lb.web.arn\n  port = %d\n  protocol = "HTTP"\n'
                     '  default_action {\n    type = "forward"\n    target_group_arn = aws_lb_target_group.tg.arn\n  }\n}\n' % (i, 8000 + i))
        parts.append('resource "aws_instance" "i%d" {\n  ami = "ami-1"\n  iam_instance_profile = aws_iam_instance_profile.p.name\n}\n' % i)
        parts.append('resource "aws_lb_target_group_attachment" "a%d" {\n  target_group_arn = aws_lb_target_group.tg.arn\n'
                     '  target_id = aws_instance.i%d.id\n}\n' % (i, i))
        parts.append('resource "aws_s3_bucket" "b%d" {\n  bucket = "bucket-%d"\n}\n' % (i, i))
    (tmp_path / "main.tf").write_text("\n".join(parts))
    looked_at: list = []
    finish = module._Walker._finish

    def counting(self, entry, found):
        looked_at.append(len(found))
        return finish(self, entry, found)

    monkeypatch.setattr(module._Walker, "_finish", counting)
    first = [p.addresses for p in _paths(tmp_path)]
    assert looked_at and max(looked_at) < 2 * module.MAX_CANDIDATES  # not the 64,000 ways through
    assert len(first) == module.MAX_PATHS
    assert all(p.capped for p in _paths(tmp_path))
    assert [p.addresses for p in _paths(tmp_path)] == first
