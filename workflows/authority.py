"""The deciding authority: which level decides an award, and whether a head's decision is
within the authority of their level.

Which level decides is a parameter of the award's rule in force (`deciding_level`, see
workflows.rules). Where a nomination goes at each level is decided by the decision table
bpmn/route.dmn, the source of the rule: the script task `prepare_route` gives it the level
of the current organisation and whether it has a parent, and it answers `route`:
`decide` (the level is at or above the deciding level), `forward` (below it, to the parent)
or `outside` (below it, with no parent in the system: the decision is taken outside and
recorded). A head's decision is then checked against that answer here.
"""

from __future__ import annotations

# The answers of bpmn/route.dmn.
DECIDE, FORWARD, OUTSIDE = "decide", "forward", "outside"


def decision_problem(decision: str, route: str | None) -> str | None:
    """Why (a message code) a head at a level the route table answered `route` for may not
    take `decision` ("award", "forward" or "reject"); None when it is within their authority."""
    if decision == "award" and route != DECIDE:
        return "authority_beyond"
    if decision == "forward" and route == DECIDE:
        return "authority_within"
    return None


def route(level: str, deciding_level: str, has_parent: bool) -> str:
    """What bpmn/route.dmn answers for an organisation at `level` (L1…L5) deciding an award
    its rule says `deciding_level` decides: for showing before a decision, which the
    engine then checks against the table's own answer. "" when the award has no rule."""
    if not deciding_level:
        return ""
    if level >= deciding_level:
        return DECIDE
    return FORWARD if has_parent else OUTSIDE
