"""The CloudFormation front end: templates (YAML/JSON, SAM, nested stacks) -> the shared model.

`parse_template` reads one file (pure, cacheable); `evaluate_templates` turns the parsed
templates of a scan into resources, references, symbols, unknowns and notifications.
"""
from .loader import Template, TemplateError, is_cloudformation, looks_like_cloudformation, parse_template


def __getattr__(name: str):
    # The evaluator loads when a scan evaluates templates, not when the parse stage only looks
    # at a YAML or JSON file (a workflow, a package.json) to tell whether it is one.
    if name == "evaluate_templates":
        from .evaluate import evaluate_templates

        return evaluate_templates
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


__all__ = [
    "Template",
    "TemplateError",
    "evaluate_templates",
    "is_cloudformation",
    "looks_like_cloudformation",
    "parse_template",
]
