"""Logic of AWS-ELASTICACHE-450 (issue 13, slice infra_c) that the fixtures do not pin down
alone: subnet groups that are not known, subnets outside the scan, a main route table, and the
public-subnet test it shares with AWS-EMR-402."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from iacguard.checks.infrastructure import cache_public_subnet
from iacguard.engine import scan
from iacguard.facts import Facts

pytestmark = pytest.mark.catalogue("all")

NETWORK = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
"""


def _run(tmp_path: Path, text: str) -> list:
    (tmp_path / "main.tf").write_text(dedent(NETWORK) + dedent(text))
    seen: dict = {}
    check = cache_public_subnet.CHECK
    scan([str(tmp_path)], checks=[check], cwd=str(tmp_path), postprocess=[lambda result, graph: seen.setdefault("graph", graph)])
    items = list(check.evaluate(Facts(seen["graph"])))
    return sorted((type(i).__name__, i.resource.address) for i in items)


def test_a_subnet_group_from_a_variable_without_a_value_is_undecided(tmp_path):
    assert _run(tmp_path, """
        variable "group" {
          type = string
        }
        resource "aws_elasticache_cluster" "c" {
          cluster_id        = "c"
          engine            = "redis"
          node_type         = "cache.t4g.micro"
          num_cache_nodes   = 1
          subnet_group_name = var.group
        }
    """) == [("Undecided", "aws_elasticache_cluster.c")]


def test_a_subnet_group_whose_subnet_list_is_not_known_is_undecided(tmp_path):
    assert _run(tmp_path, """
        variable "subnets" {
          type = list(string)
        }
        resource "aws_memorydb_subnet_group" "g" {
          name       = "g"
          subnet_ids = var.subnets
        }
        resource "aws_memorydb_cluster" "c" {
          name              = "c"
          node_type         = "db.t4g.small"
          acl_name          = "open-access"
          subnet_group_name = aws_memorydb_subnet_group.g.id
        }
    """) == [("Undecided", "aws_memorydb_cluster.c")]


def test_subnet_groups_and_subnets_outside_the_scan_are_not_judged(tmp_path):
    assert _run(tmp_path, """
        resource "aws_elasticache_subnet_group" "literal" {
          name       = "literal"
          subnet_ids = ["subnet-0123456789abcdef0"]
        }
        resource "aws_elasticache_cluster" "a" {
          cluster_id        = "a"
          engine            = "redis"
          node_type         = "cache.t4g.micro"
          num_cache_nodes   = 1
          subnet_group_name = aws_elasticache_subnet_group.literal.name
        }
        resource "aws_elasticache_cluster" "b" {
          cluster_id        = "b"
          engine            = "redis"
          node_type         = "cache.t4g.micro"
          num_cache_nodes   = 1
          subnet_group_name = "made-elsewhere"
        }
    """) == []


def test_a_literal_name_is_matched_case_insensitively_and_a_main_route_table_counts(tmp_path):
    # The subnet has no explicit association: the VPC's main (default) route table applies.
    assert _run(tmp_path, """
        resource "aws_subnet" "implicit" {
          vpc_id     = aws_vpc.main.id
          cidr_block = "10.0.5.0/24"
        }
        resource "aws_default_route_table" "main" {
          default_route_table_id = aws_vpc.main.default_route_table_id
          route {
            cidr_block = "0.0.0.0/0"
            gateway_id = aws_internet_gateway.main.id
          }
        }
        resource "aws_elasticache_subnet_group" "g" {
          name       = "cache-implicit"
          subnet_ids = [aws_subnet.implicit.id]
        }
        resource "aws_elasticache_replication_group" "r" {
          replication_group_id = "r"
          description          = "r"
          node_type            = "cache.t4g.small"
          num_cache_clusters   = 1
          subnet_group_name    = "Cache-Implicit"
        }
    """) == [("Finding", "aws_elasticache_replication_group.r")]


def test_the_emr_check_shares_the_public_subnet_test():
    from iacguard.facts import infra_b_edge, infra_c_network

    assert infra_c_network.routes_to_internet_gateway is infra_b_edge.routes_to_internet_gateway
