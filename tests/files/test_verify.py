"""Checking the stored files against what was added: each blob read back and hashed, and
each digest against the audit event that added it (`laurel files verify`), on both backends."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import create_db_engine, make_session_factory
from tests.conftest import DEMO_NOW
from tests.files import samples
from tests.files.test_intake import spooled
from web.cli import main
from workflows.access import principal
from workflows.files import attachments, intake
from workflows.files.storage import Storage
from workflows.models import Attachment, Nomination

PROPOSER = "canbo.thcs_ths"
RETURNED = "Trần Văn Nam"


@pytest.fixture
def sessions(demo_database_url: str) -> Iterator[sessionmaker[Session]]:
    db = create_db_engine(demo_database_url)
    yield make_session_factory(db)
    db.dispose()


def add(sessions: sessionmaker[Session], storage: Storage, content: bytes, name: str) -> int:
    file = intake.check(spooled(content), name)
    storage.put(file.sha256, file.spool)
    with sessions.begin() as session:
        who = principal(session, PROPOSER)
        assert who is not None
        nomination = session.scalars(
            select(Nomination).where(Nomination.nominee_name == RETURNED)
        ).one()
        return attachments.record(session, who, nomination, file, DEMO_NOW).id


def test_stored_files_hold_until_one_is_altered_or_lost(
    sessions: sessionmaker[Session], storage: Storage
) -> None:
    pdf = add(sessions, storage, samples.PDF, "Tờ trình.pdf")
    png = add(sessions, storage, samples.png(), "Bằng khen.png")
    with sessions() as session:
        assert attachments.verify(session, storage) == (2, [])
        digests = {row.id: row.sha256 for row in session.scalars(select(Attachment))}

    # Someone with access to the store swaps the PDF's content, and the PNG goes missing.
    storage.delete(digests[pdf])
    storage.put(digests[pdf], io.BytesIO(b"%PDF-1.4 forged"))
    storage.delete(digests[png])
    with sessions() as session:
        checked, problems = attachments.verify(session, storage)
    assert checked == 2
    assert [(p.file_id, p.problem) for p in problems] == [(pdf, "altered"), (png, "missing")]


def test_a_file_that_no_audit_event_added_is_named(
    sessions: sessionmaker[Session], storage: Storage
) -> None:
    add(sessions, storage, samples.PDF, "Tờ trình.pdf")
    with sessions.begin() as session:
        # A row written behind the app's back, its blob in place but no event for it.
        row = session.scalars(select(Attachment)).one()
        sneaked = Attachment(
            nomination_id=row.nomination_id,
            sha256=row.sha256,
            size=row.size,
            media_type=row.media_type,
            name="thêm lén.pdf",
            org_code=row.org_code,
            added_by=PROPOSER,
            added_at=DEMO_NOW,
        )
        session.add(sneaked)
        session.flush()
        sneaked_id = sneaked.id
    with sessions() as session:
        checked, problems = attachments.verify(session, storage)
    assert (checked, [(p.file_id, p.problem) for p in problems]) == (
        2,
        [(sneaked_id, "unrecorded")],
    )


def test_the_command_says_what_does_not_hold(
    run: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAUREL_FILES_DIR", str(tmp_path / "files"))
    result = run.invoke(main, ["files", "verify"])
    assert result.exit_code == 0 and "0 files checked" in result.output
    db: Engine = create_engine(f"sqlite:///{tmp_path / 'laurel.db'}")
    with Session(db) as session, session.begin():
        session.add(
            Attachment(
                sha256="ab" * 32,
                size=3,
                media_type=intake.PDF,
                name="x.pdf",
                org_code="X",
                added_by="someone",
                added_at=DEMO_NOW,
            )
        )
    db.dispose()
    result = run.invoke(main, ["files", "verify"])
    assert result.exit_code == 1
    assert f"{'ab' * 32}): missing" in result.output
    assert "1 of 1 files do not hold." in result.output
