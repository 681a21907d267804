"""Security group rules normalized by the network facts: protocols by name, port ranges as ints
(every port as 0-65535, CloudFormation's -1 included), CIDRs without blanks and read once."""
from __future__ import annotations

from iacguard.check import Check
from iacguard.engine import scan
from iacguard.facts.network import ALL_PORTS
from iacguard.core.unknown import is_unknown


def _rules(tmp_path) -> dict:
    seen: list = []

    def evaluate(facts):
        seen.extend(facts.of_kind("security_group_rule"))
        return ()

    probe = Check("AWS-TEST-001", "probe", "low", "infrastructure", "w", "w", "f", "f", ("security_group_rule",), evaluate, ("https://example.com",))
    scan([str(tmp_path)], checks=[probe], cwd=str(tmp_path))
    return {(r.resource.address, r.location.start_line): r for r in seen}


def test_cloudformation_rules(tmp_path):
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Parameters:\n"
        "  Cidr:\n"
        "    Type: String\n"
        "Resources:\n"
        "  Sg:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties:\n"
        "      GroupDescription: x\n"
        "      SecurityGroupIngress:\n"
        "        - IpProtocol: tcp\n"          # 11: -1/-1 is every port
        "          FromPort: -1\n"
        "          ToPort: -1\n"
        '          CidrIp: " 0.0.0.0/0 "\n'
        '        - IpProtocol: "6"\n'           # 15: protocol number
        "          FromPort: 20\n"
        "          ToPort: 25\n"
        "          CidrIpv6: ::0/0\n"
        '        - IpProtocol: "-1"\n'          # 19: all protocols
        "          CidrIp: !Ref Cidr\n"
        "        - IpProtocol: udp\n"           # 21
        '          FromPort: "3389"\n'
        "          CidrIp: 10.0.0.0/8\n"
    )
    rules = _rules(tmp_path)
    every = rules[("Sg", 11)]
    assert (every.protocol, every.from_port, every.to_port) == ("tcp",) + ALL_PORTS
    assert every.covers_all_ports() is True and every.covers_port(22) is True
    assert [s.cidr for s in every.sources] == ["0.0.0.0/0"] and every.is_world_open() is True
    numbered = rules[("Sg", 15)]
    assert (numbered.protocol, numbered.from_port, numbered.to_port) == ("tcp", 20, 25)
    assert numbered.covers_port(22) is True and numbered.covers_all_ports() is False
    assert numbered.world_sources() == list(numbered.sources)  # ::0/0 is the whole internet
    anything = rules[("Sg", 19)]
    assert (anything.protocol, anything.from_port, anything.to_port) == ("all",) + ALL_PORTS
    assert is_unknown(anything.is_world_open()) and anything.maybe_world_sources() == list(anything.sources)
    single = rules[("Sg", 21)]
    assert (single.protocol, single.from_port, single.to_port) == ("udp", 3389, 3389)
    assert single.is_world_open() is False and single.maybe_world_sources() == []


def test_terraform_rules(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "port" {}\n'
        'resource "aws_security_group" "sg" {\n'
        "  ingress {\n"                         # 3
        '    protocol    = "-1"\n'
        "    from_port   = 0\n"
        "    to_port     = 0\n"
        '    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]\n'
        "  }\n"
        "  ingress {\n"                         # 9
        '    protocol    = "tcp"\n'
        "    from_port   = var.port\n"
        "    to_port     = 22\n"
        '    cidr_blocks = ["not a cidr"]\n'
        "  }\n"
        "}\n"
    )
    rules = _rules(tmp_path)
    everything = rules[("aws_security_group.sg", 3)]
    assert (everything.protocol, everything.from_port, everything.to_port) == ("all",) + ALL_PORTS
    assert [s.cidr for s in everything.world_sources()] == ["0.0.0.0/0"]
    partial = rules[("aws_security_group.sg", 9)]
    assert is_unknown(partial.covers_port(22)) and is_unknown(partial.unknown_port())
    assert partial.is_world_open() is False
