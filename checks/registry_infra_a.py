"""The checks of the catalogue slice "infra_a" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .infrastructure import endpoint_auth, imds, nacl_open, public_ip, sg_egress_default, sg_internet_ports

CHECKS: tuple = (
    sg_internet_ports.DATABASE,
    sg_internet_ports.REMOTE,
    sg_egress_default.EGRESS,
    sg_egress_default.DEFAULT_GROUP,
    nacl_open.ALL_TRAFFIC,
    nacl_open.ADMIN,
    public_ip.LAUNCH,
    public_ip.SUBNET,
    endpoint_auth.EKS,
    endpoint_auth.URL,
    endpoint_auth.METHOD,
    imds.CHECK,
)
