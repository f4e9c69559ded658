"""A public comment from the board or the API: counted against its client's hourly limit,
then stored with its audit event."""

from __future__ import annotations

from datetime import datetime

from engine.errors import NotFound
from web import context
from workflows import comments
from workflows.models import Nomination


class TooManyComments(Exception):
    """The client sent its hourly share of comments; `retry_after_s` until one more fits."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(retry_after_s)


def submit(nomination_id: int, data: dict[str, str], client: str, now: datetime) -> int:
    """The stored comment's id, for `data` as CommentIn loaded it from `client`
    (limits.client_key of its address). TooManyComments over the limit; NotFound when the
    nomination is not in publicity, CommentRefused when its window has closed.

    The submission is counted in a transaction of its own, so a refused comment still
    counts; the comment and its audit event are a second one."""
    with context.write() as session:
        wait = comments.admit(session, client, now)
    if wait is not None:
        raise TooManyComments(wait)
    with context.write() as session:
        # Not locked FOR UPDATE: an engine change appends to the audit chain before it writes
        # the nomination row, so holding the row while appending could deadlock. The
        # window's end is checked against the clock, and its timer fires only after it.
        nomination = session.get(Nomination, nomination_id)
        if nomination is None or nomination.stage != "publicity":
            raise NotFound("notice_not_found")
        received = comments.receive(
            session,
            nomination,
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            content=data["content"],
            now=now,
        )
        return received.id
