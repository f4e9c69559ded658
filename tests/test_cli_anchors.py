"""`laurel audit verify` checks the anchor file of the settings without being asked, so a tail
deleted behind an automatic anchor fails it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from engine import audit
from engine.anchoring import AnchorFile, parse_at
from engine.db import create_db_engine
from tests.conftest import tamper
from web import anchors as anchor_text
from web.cli import main


@pytest.fixture
def demo(demo_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo installation as `laurel` sees it; the anchor file of its settings."""
    monkeypatch.setenv("LAUREL_DATABASE_URL", demo_database_url)
    path = tmp_path / "anchors.jsonl"
    monkeypatch.setenv("LAUREL_ANCHOR_FILE", str(path))
    return path


@pytest.fixture
def demo_db(demo_database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(demo_database_url)
    yield engine
    engine.dispose()


def test_without_an_anchor_verify_passes_with_a_warning(demo: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "against 0 anchor(s)" in result.output
    assert "Warning: there is no anchor yet" in result.output
    assert "Cảnh báo: chưa có mốc neo nào" in result.output


def test_a_tail_deleted_after_an_automatic_anchor_fails_verify_without_a_flag(
    demo: Path, demo_db: Engine
) -> None:
    run = CliRunner()
    fired = run.invoke(main, ["timers", "run"])  # what cron runs beside the web processes
    assert fired.exit_code == 0, fired.output
    assert f"Anchored the audit chain in {demo}" in fired.output
    anchor = AnchorFile(demo).newest()
    assert anchor is not None
    with demo_db.connect() as conn:
        assert anchor == audit.head(conn, parse_at(anchor.at))
    ok = run.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "against 1 anchor(s)" in ok.output and "OK" in ok.output
    assert "Newest anchor: just now" in ok.output
    assert "Mốc neo mới nhất: vừa xong" in ok.output
    again = run.invoke(main, ["timers", "run"])
    assert "Anchored" not in again.output  # the head has not moved
    assert len(demo.read_text().splitlines()) == 1

    tamper(demo_db, "DELETE FROM audit_events WHERE seq > :last", params={"last": anchor.seq - 2})
    broken = run.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    when = anchor_text.when(anchor.at)
    assert (
        f"BROKEN at event {anchor.seq - 1}: the chain ends at event {anchor.seq - 2} but was "
        f"anchored at event {anchor.seq} on {when}: events were removed"
    ) in broken.output
    assert (
        f"chuỗi kết thúc ở sự kiện số {anchor.seq - 2} nhưng đã được neo ở sự kiện số "
        f"{anchor.seq} lúc {when}"
    ) in broken.output


def test_a_damaged_anchor_file_fails_verify(demo: Path) -> None:
    demo.write_text('{"seq": 1, "hash": "not a hash", "at": "yesterday"}\n')
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert "The anchor file has lines that are not anchors (line 1)" in result.output


def test_audit_anchor_appends_to_the_settings_file(demo: Path, demo_db: Engine) -> None:
    run = CliRunner()
    assert run.invoke(main, ["audit", "anchor"]).exit_code == 0
    assert run.invoke(main, ["audit", "anchor"]).exit_code == 0
    anchors, bad = AnchorFile(demo).read()
    with demo_db.connect() as conn:
        head = audit.head(conn, parse_at(anchors[-1].at))
    assert bad == [] and [a.seq for a in anchors] == [head.seq, head.seq]
