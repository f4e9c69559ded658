"""Who may complete a pipeline task: the lane's role at the task's organisation, the assignee
of a ballot, and separation of duties (domain.md; issue: nominee never appraises, votes on or
decides their own nomination; whoever prepared a dossier does not appraise it)."""

from __future__ import annotations

from sqlalchemy import select

from engine import context
from engine.errors import NotAllowed
from engine.models import TaskRow
from engine.ports import HumanTask
from workflows import orgs
from workflows.models import Nomination
from workflows.roles import ROLES

_JUDGING_LANES = {"secretary", "council", "head"}


class NominationGuard:
    def authorize(self, actor: str, task: HumanTask) -> None:
        session = context.session()
        if task.lane is None or task.org_scope is None:
            raise NotAllowed("Công việc này không thuộc vai trò nào.")
        if not orgs.holds(session, actor, task.lane, task.org_scope):
            raise NotAllowed(
                f"Bạn không giữ vai trò {ROLES.get(task.lane, task.lane).lower()} "
                f"tại đơn vị {task.org_scope}."
            )
        if task.assignee is not None and task.assignee != actor:
            raise NotAllowed("Phiếu này dành cho thành viên Hội đồng khác.")
        if task.lane not in _JUDGING_LANES:
            return
        nominee = session.scalar(
            select(Nomination.nominee_username).where(Nomination.business_key == task.business_key)
        )
        if nominee == actor:
            raise NotAllowed(
                "Người được đề nghị khen thưởng không được thẩm định, bỏ phiếu hoặc quyết định "
                "hồ sơ của chính mình."
            )
        if task.form == "appraise" and actor in _preparers(task.business_key):
            raise NotAllowed("Người lập hồ sơ không được thẩm định hồ sơ do mình lập.")


def _preparers(business_key: str) -> set[str]:
    rows = context.session().scalars(
        select(TaskRow.completed_by).where(
            TaskRow.business_key == business_key,
            TaskRow.form == "prepare_dossier",
            TaskRow.state == "completed",
        )
    )
    return {who for who in rows if who}
