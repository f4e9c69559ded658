"""An upload and a change that takes the dossier away race: whichever commits first, the
rules hold. The upload checks again once the audit chain is its own, so a submit (or another
upload filling the dossier) committed meanwhile refuses it, and it leaves nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.db import create_db_engine, make_session_factory
from engine.models import AuditEvent
from tests.conftest import DEMO_NOW
from tests.files import samples
from tests.files.test_intake import spooled
from workflows import limits
from workflows.access import principal
from workflows.files import attachments, intake
from workflows.files.intake import Refused
from workflows.models import Attachment, Nomination

PROPOSER = "canbo.thcs_ths"
RETURNED = "Trần Văn Nam"  # back at the unit, as incomplete: files may be added


@pytest.fixture
def sessions(demo_database_url: str) -> Iterator[sessionmaker[Session]]:
    db = create_db_engine(demo_database_url)
    yield make_session_factory(db)
    db.dispose()


def returned(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalar(select(Nomination.id).where(Nomination.nominee_name == RETURNED))
    assert found is not None
    return found


def meanwhile(
    sessions: sessionmaker[Session], change: Callable[[Session], None]
) -> threading.Thread:
    """Another writer that holds the audit chain (as the engine's transactions do), makes
    `change`, and commits a moment later; returns once it holds the chain."""
    holding = threading.Event()

    def run() -> None:
        with sessions.begin() as session:
            audit.append(session, DEMO_NOW, [audit.PendingEvent("someone", "test.change")])
            change(session)
            holding.set()
            time.sleep(0.5)

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10)
    return thread


def upload(sessions: sessionmaker[Session], nomination_id: int, file: intake.Checked) -> None:
    with sessions.begin() as session:
        who = principal(session, PROPOSER)
        assert who is not None
        nomination = session.get_one(Nomination, nomination_id)
        attachments.record(session, who, nomination, file, DEMO_NOW)


def left(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        rows = session.scalar(select(func.count()).select_from(Attachment)) or 0
        added = session.scalar(select(func.count()).where(AuditEvent.action == attachments.ADDED))
    return rows, added or 0


def test_a_submit_committed_first_refuses_the_upload_in_flight(
    sessions: sessionmaker[Session],
) -> None:
    nomination_id = returned(sessions)
    file = intake.check(spooled(samples.PDF), "Biên bản.pdf")
    submit = meanwhile(
        sessions,
        lambda s: s.execute(
            update(Nomination).where(Nomination.id == nomination_id).values(stage="appraise")
        ),
    )
    with pytest.raises(Refused) as caught:
        upload(sessions, nomination_id, file)
    submit.join()
    assert caught.value.code == "file_not_editable"
    assert left(sessions) == (0, 0)


def test_another_upload_filling_the_dossier_first_refuses_this_one(
    sessions: sessionmaker[Session],
) -> None:
    nomination_id = returned(sessions)
    file = intake.check(spooled(samples.PDF), "Biên bản.pdf")
    other = meanwhile(
        sessions,
        lambda s: s.add(
            Attachment(
                nomination_id=nomination_id,
                sha256="1" * 64,
                size=limits.MAX_NOMINATION_BYTES - 10,
                media_type=intake.PDF,
                name="lớn.pdf",
                org_code="THCS_THS",
                added_by=PROPOSER,
                added_at=DEMO_NOW,
            )
        ),
    )
    with pytest.raises(Refused) as caught:
        upload(sessions, nomination_id, file)
    other.join()
    assert caught.value.code == "file_total_exceeded"
    assert left(sessions) == (1, 0)  # only the other writer's row


def test_with_no_race_the_file_is_recorded_with_its_digest(
    sessions: sessionmaker[Session],
) -> None:
    nomination_id = returned(sessions)
    file = intake.check(spooled(samples.PDF), "Biên bản.pdf")
    upload(sessions, nomination_id, file)
    with sessions() as session:
        row = session.scalars(select(Attachment)).one()
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == attachments.ADDED)
        ).one()
    assert (row.sha256, row.size, row.name) == (file.sha256, len(samples.PDF), "Biên bản.pdf")
    assert event.actor == PROPOSER and file.sha256 in event.payload
