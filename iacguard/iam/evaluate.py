"""AWS's policy evaluation logic over the IAM model (iacguard.iam.model), three-valued.

To be written (issue 12). Entry points:

    evaluate(request, identity=(), resource_policy=None, boundary=None, guardrails=(),
             session=(), unresolved=(), unresolved_guardrails=(), principal_kind="role") -> Decision
    simulate(principal, request, resource_policies=()) -> Decision
    statement_matches(statement, request) -> True | False | Unknown
    action_matches(pattern, action) -> True | False | Unknown
    arn_matches(pattern, value, context) -> True | False | Unknown
"""
