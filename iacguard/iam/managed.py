"""AWS managed policy documents and SAM policy templates shipped with iacguard. To be written
(issue 12).

    document(arn: str) -> dict | None   # the policy document of an AWS managed policy, None when not shipped
"""
from __future__ import annotations


def document(arn: str):
    return None
