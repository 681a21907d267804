"""The built-in check catalogue, installed as `iacguard.checks`.

The registry is this explicit list: a check exists when it is listed here, never by import side
effects. Ids are stable forever and never reused.

The list is made on the first use of `REGISTRY` (a module `__getattr__`), not when the package is
imported: importing one check's module (`iacguard.checks.data.s3_versioning`) imports this package
first, and the `iacguard` executable runs only the checks a scan's graph can give findings to,
importing no other (iacguard/catalogue.py: the check index).
"""
from __future__ import annotations


def _registry() -> tuple:
    from .data import ebs_encryption, rds_encryption, s3_encryption, s3_public_access_block, sqs_encryption
    from .detection import cloudtrail_log_validation, cloudtrail_multi_region
    from .identity import iam_admin_policy
    from .identity import iam_escalation, iam_trust, iam_users, iam_validation, iam_wide_access
    from .infrastructure import alb_waf, rds_public, security_group_admin_ports
    from . import registry_detection_a, registry_detection_b, registry_infra_a, registry_infra_b, registry_data_a, registry_data_b, registry_identity_secrets, registry_incident
    from . import registry_identity2
    from . import registry_detection_c
    from . import registry_secrets_b
    from . import registry_detection_d
    from . import registry_infra_c

    REGISTRY = (
        security_group_admin_ports.CHECK,
        s3_encryption.CHECK,
        s3_public_access_block.CHECK,
        rds_encryption.CHECK,
        rds_public.CHECK,
        ebs_encryption.CHECK,
        iam_admin_policy.CHECK,
        cloudtrail_log_validation.CHECK,
        cloudtrail_multi_region.CHECK,
        alb_waf.CHECK,
        sqs_encryption.CHECK,
        iam_wide_access.ADMIN,
        iam_wide_access.WRITE,
        iam_trust.OPEN_CHECK,
        iam_trust.CROSS_ACCOUNT_CHECK,
        iam_users.USER_POLICIES,
        iam_users.ACCESS_KEYS,
        iam_users.LOGIN_PROFILES,
        iam_escalation.CHECK,
        iam_validation.UNKNOWN_ACTION,
        iam_validation.RESOURCE_MISMATCH,
        iam_validation.UNKNOWN_CONDITION_KEY,
    ) + registry_detection_a.CHECKS + registry_detection_b.CHECKS + registry_infra_a.CHECKS + registry_infra_b.CHECKS + registry_data_a.CHECKS + registry_data_b.CHECKS + registry_identity_secrets.CHECKS + registry_incident.CHECKS + registry_identity2.CHECKS
    REGISTRY += registry_detection_c.CHECKS + registry_secrets_b.CHECKS + registry_detection_d.CHECKS + registry_infra_c.CHECKS
    return REGISTRY


def __getattr__(name: str):
    if name == "REGISTRY":
        value = globals()["REGISTRY"] = _registry()  # (made once: later reads find it in the module)
        return value
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
