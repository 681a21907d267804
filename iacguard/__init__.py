"""iacguard: an offline security policy checker for Terraform and AWS CloudFormation."""

__version__ = "0.1.0"

from iacguard import _codecache

_codecache.install()  # the compiled methods of iacguard's dataclasses, kept between runs
