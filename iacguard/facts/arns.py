"""ARNs and accounts of resources of the scan, as far as they can be known before deploy.
To be written (issue 12).

    arn_of(graph, resource) -> str | Unknown      # the ARN; an Unknown keeps the known pieces
    account_of(graph, resource) -> str | Unknown  # the account id the resource is deployed into
    resolve(graph, value) -> value                # `value` with each AttributeUnknown piece naming
                                                  # an ARN (or name/id) that can be computed replaced
"""
from __future__ import annotations


def arn_of(graph, resource):
    from iacguard.core.unknown import Unknown

    return Unknown("ARN of %s is not known" % resource.address)


def account_of(graph, resource):
    from iacguard.core.unknown import Unknown

    return Unknown("account of %s is not known" % resource.address)


def resolve(graph, value):
    return value
