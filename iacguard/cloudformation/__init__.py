"""The CloudFormation front end: templates (YAML/JSON, SAM, nested stacks) -> the shared model.

`parse_template` reads one file (pure, cacheable); `evaluate_templates` turns the parsed
templates of a scan into resources, references, symbols, unknowns and notifications.
"""
from .evaluate import evaluate_templates
from .loader import Template, TemplateError, is_cloudformation, looks_like_cloudformation, parse_template

__all__ = [
    "Template",
    "TemplateError",
    "evaluate_templates",
    "is_cloudformation",
    "looks_like_cloudformation",
    "parse_template",
]
