"""iacguard: an offline security policy checker for Terraform and AWS CloudFormation."""

__version__ = "0.1.0"
