"""Who may complete a pipeline task: the lane's role at the task's organisation, the assignee
of a ballot, and separation of duties (domain.md; issue: nominee never appraises, votes on or
decides their own nomination; whoever prepared a dossier does not appraise it)."""

from __future__ import annotations

from sqlalchemy import select

from engine import context
from engine.errors import Message, NotAllowed
from engine.models import TaskRow
from engine.ports import HumanTask
from workflows import orgs
from workflows.models import Nomination, Organisation

_JUDGING_LANES = {"secretary", "council", "head"}


class NominationGuard:
    def authorize(self, actor: str, task: HumanTask) -> None:
        session = context.session()
        if task.lane is None or task.org_scope is None:
            raise NotAllowed("task_without_role")
        if not orgs.holds(session, actor, task.lane, task.org_scope):
            org = session.get(Organisation, task.org_scope)
            raise NotAllowed(
                "role_not_held",
                role=Message(f"role_{task.lane}"),
                org=org.name if org is not None else task.org_scope,
            )
        if task.assignee is not None and task.assignee != actor:
            raise NotAllowed("ballot_of_another_member")
        if task.lane not in _JUDGING_LANES:
            return
        nominee = session.scalar(
            select(Nomination.nominee_username).where(Nomination.business_key == task.business_key)
        )
        if nominee == actor:
            raise NotAllowed("nominee_may_not_judge")
        if task.form == "appraise" and actor in _preparers(task.business_key):
            raise NotAllowed("preparer_may_not_appraise")


def _preparers(business_key: str) -> set[str]:
    rows = context.session().scalars(
        select(TaskRow.completed_by).where(
            TaskRow.business_key == business_key,
            TaskRow.form == "prepare_dossier",
            TaskRow.state == "completed",
        )
    )
    return {who for who in rows if who}
