"""`laurel deploy` goes the API's and the modeler's way (workflows.deployment): the same
checks, user-task forms included, and the same rule for a registered person it deploys as.
On both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine.db import create_db_engine
from engine.errors import DefinitionRejected
from engine.models import AuditEvent, DefinitionVersion
from tests.workflows.test_added_task import with_legal_check
from web.cli import main
from workflows.models import Organisation, Person, RoleAssignment
from workflows.pipeline import check_definition, pipeline_files


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[CliRunner, Engine]]:
    monkeypatch.setenv("LAUREL_DATABASE_URL", database_url)
    monkeypatch.setenv("LAUREL_ANCHOR_FILE", str(tmp_path / "anchors.jsonl"))
    db = create_db_engine(database_url)
    yield CliRunner(), db
    db.dispose()


def _write(tmp_path: Path, files: dict[str, bytes]) -> list[str]:
    paths = []
    for name, xml in files.items():
        (tmp_path / name).write_bytes(xml)
        paths.append(str(tmp_path / name))
    return paths


def _stored(db: Engine) -> tuple[list[int], int]:
    with Session(db) as session:
        versions = sorted(session.scalars(select(DefinitionVersion.version)))
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return versions, events


def test_a_task_with_a_form_the_application_lacks_is_refused_as_the_api_refuses_it(
    cli: tuple[CliRunner, Engine], tmp_path: Path
) -> None:
    run, db = cli
    files = with_legal_check("legal_opinion")
    with pytest.raises(DefinitionRejected) as api_refusal:  # the API's and modeler's check
        check_definition(files)
    result = run.invoke(main, ["deploy", *_write(tmp_path, files), "--as", "ops"])
    assert result.exit_code == 1
    assert f"Refused: {len(api_refusal.value.problems)} problem(s), nothing was stored." in (
        result.output
    )
    for problem in api_refusal.value.problems:
        assert f"  - {problem}" in result.output
    assert 'legal_check: Task "Kiểm tra pháp lý" shows form "legal_opinion"' in result.output
    assert _stored(db) == ([], 0)


def test_a_registered_person_deploys_only_as_an_admin_at_a_root(
    cli: tuple[CliRunner, Engine], tmp_path: Path
) -> None:
    run, db = cli
    with Session(db) as session, session.begin():
        session.add(Organisation(code="TLD", name="Tổng Liên đoàn", level="L4"))
        session.add(Organisation(code="TRUONG", name="Trường", level="L1", parent_code="TLD"))
        for username, org, active in (
            ("qt.tld", "TLD", True),
            ("qt.truong", "TRUONG", True),
            ("qt.cu", "TLD", False),
        ):
            session.add(
                Person(username=username, full_name=username, password_hash="-", active=active)
            )
            session.flush()
            session.add(RoleAssignment(username=username, role="admin", org_code=org))

    # An operator's own name (not a person of the registry) deploys, as before.
    shipped = _write(tmp_path, pipeline_files())
    first = run.invoke(main, ["deploy", *shipped, "--as", "ops"])
    assert first.exit_code == 0, first.output
    assert "Deployed nomination version 1" in first.output and "by       ops" in first.output

    changed = _write(tmp_path, with_legal_check())
    stored = _stored(db)
    for person in ("qt.truong", "qt.cu"):  # a school's admin; a root's admin, deactivated
        refused = run.invoke(main, ["deploy", *changed, "--as", person])
        assert refused.exit_code == 1
        assert "Refused: Only an admin at the top of the organisation tree" in refused.output
        assert _stored(db) == stored
    deployed = run.invoke(main, ["deploy", *changed, "--as", "qt.tld"])
    assert deployed.exit_code == 0, deployed.output
    assert (
        "Deployed nomination version 2" in deployed.output and "by       qt.tld" in deployed.output
    )
    # The server's path: each deploy anchored the audit chain outside the database.
    assert len((tmp_path / "anchors.jsonl").read_text().splitlines()) == 2
