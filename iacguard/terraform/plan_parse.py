"""The parse half of Terraform plan JSON (`terraform show -json PLAN`): text -> the plan's data.

It lives apart from `plan.py` (the evaluate half: resources, unknowns and references) so that
the parse stage (`iacguard.parse`) can read a plan without importing the evaluator, and the
evaluator can ask the parse stage for the `.tf` files next to a plan: parsing sits below
evaluation, with no import running back up.
"""
from __future__ import annotations

import json


class PlanError(ValueError):
    pass


def parse_plan(text: str, path: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError("not valid JSON: %s" % exc) from None
    except RecursionError:
        raise PlanError("nesting too deep") from None
    if not isinstance(data, dict) or "planned_values" not in data:
        raise PlanError("not a Terraform plan (no planned_values)")
    return {"path": path, "plan": data}
