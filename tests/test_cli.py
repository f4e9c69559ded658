"""The `laurel` command as an operator uses it, against a real database file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

from engine.models import AuditEvent, DefinitionVersion
from web.cli import main

FLOWS = Path(__file__).parent / "engine" / "flows"


def _count(tmp_path: Path, model: type) -> int:
    engine = create_engine(f"sqlite:///{tmp_path / 'laurel.db'}")
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model)) or 0


def _approval(tmp_path: Path) -> Path:
    """The engine's two-step test flow in our lanes, each task showing the `check` form."""
    bpmn = tmp_path / "approval.bpmn"
    form = (
        b"<bpmn:extensionElements><spiffworkflow:properties>"
        b'<spiffworkflow:property name="form" value="check"/>'
        b"</spiffworkflow:properties></bpmn:extensionElements>"
    )
    bpmn.write_bytes(
        (FLOWS / "gateway.bpmn")
        .read_bytes()
        .replace(b'"clerk"', b'"proposer"')
        .replace(b'"manager"', b'"head"')
        .replace(b'name="Submit the request">', b'name="Submit the request">' + form)
        .replace(b'name="Review the request">', b'name="Review the request">' + form)
    )
    return bpmn


def test_deploy_prints_the_new_version(run: CliRunner, tmp_path: Path) -> None:
    bpmn = _approval(tmp_path)
    result = run.invoke(main, ["deploy", str(bpmn), "--as", "quantri"])
    assert result.exit_code == 0, result.output
    assert "Deployed approval version 1" in result.output
    assert "by       quantri" in result.output
    again = run.invoke(main, ["deploy", str(bpmn), "--as", "quantri"])
    assert "Unchanged: approval version 1" in again.output
    assert _count(tmp_path, DefinitionVersion) == 1


def test_deploy_refuses_with_every_problem_and_stores_nothing(
    run: CliRunner, tmp_path: Path
) -> None:
    bpmn = tmp_path / "approval.bpmn"
    bpmn.write_bytes((FLOWS / "gateway.bpmn").read_bytes())  # lanes clerk/manager: not our roles
    result = run.invoke(main, ["deploy", str(bpmn)])
    assert result.exit_code == 1
    assert "nothing was stored" in result.output
    assert "submit" in result.output and "review" in result.output
    assert _count(tmp_path, DefinitionVersion) == 0
    assert _count(tmp_path, AuditEvent) == 0


def test_deploy_refuses_hostile_xml(run: CliRunner, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    hostile = tmp_path / "xxe.bpmn"
    hostile.write_text(
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
        "</bpmn:definitions>"
    )
    result = run.invoke(main, ["deploy", str(hostile)])
    assert result.exit_code == 1
    assert "TOP-SECRET-MARKER" not in result.output
    assert _count(tmp_path, DefinitionVersion) == 0


def test_audit_verify_reports_ok_then_the_broken_link(run: CliRunner, tmp_path: Path) -> None:
    bpmn = _approval(tmp_path)
    run.invoke(main, ["deploy", str(bpmn)])
    ok = run.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0
    assert "Checked 1 events" in ok.output and "OK" in ok.output

    engine = create_engine(f"sqlite:///{tmp_path / 'laurel.db'}")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'mallory'"))
    broken = run.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "BROKEN at event 1" in broken.output


def test_demo_installs_once_and_prints_the_logins(run: CliRunner, tmp_path: Path) -> None:
    first = run.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "Đỗ Thị Mai Anh — Bằng khen cấp bộ: đang công khai lấy ý kiến" in first.output
    assert "canbo.thpt_lvt" in first.output and "laurel-demo" in first.output
    again = run.invoke(main, ["demo"])
    assert again.exit_code == 0 and "Hồ sơ mẫu" not in again.output
    engine = create_engine(f"sqlite:///{tmp_path / 'laurel.db'}")
    with engine.connect() as conn:
        stages = dict(conn.execute(text("SELECT nominee_name, stage FROM nominations")).all())
    assert stages["Nguyễn Văn An"] == "awarded"
    assert stages["Trần Văn Nam"] == "prepare_dossier"
    assert run.invoke(main, ["audit", "verify"]).exit_code == 0


def test_timers_run_refuses_the_future_outside_demo_and_test(
    run: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run.invoke(main, ["demo"]).exit_code == 0
    refused = run.invoke(main, ["timers", "run", "--as-of", "2099-01-01T00:00"])
    assert refused.exit_code == 2
    assert "LAUREL_MODE=demo or test" in refused.output

    monkeypatch.setenv("LAUREL_MODE", "test")
    fired = run.invoke(main, ["timers", "run", "--as-of", "2099-01-01T00:00"])
    assert fired.exit_code == 0, fired.output
    assert "Fired the due timers of" in fired.output
    engine = create_engine(f"sqlite:///{tmp_path / 'laurel.db'}")
    with engine.connect() as conn:
        stage = conn.execute(
            text("SELECT stage FROM nominations WHERE nominee_name = 'Đỗ Thị Mai Anh'")
        ).scalar_one()
    assert stage == "decide"  # the publicity window closed with no comment
    bad = run.invoke(main, ["timers", "run", "--as-of", "tomorrow"])
    assert bad.exit_code == 2 and "not an ISO date-time" in bad.output


def test_audit_anchor_is_appended_and_verified_against(run: CliRunner, tmp_path: Path) -> None:
    assert run.invoke(main, ["demo"]).exit_code == 0
    anchors = tmp_path / "anchors.jsonl"
    first = run.invoke(main, ["audit", "anchor", "--out", str(anchors)])
    assert first.exit_code == 0, first.output
    assert run.invoke(main, ["audit", "anchor", "--out", str(anchors)]).exit_code == 0
    assert len(anchors.read_text().splitlines()) == 2
    ok = run.invoke(main, ["audit", "verify", "--anchors", str(anchors)])
    assert ok.exit_code == 0, ok.output
    assert "against 2 anchor(s)" in ok.output and "OK" in ok.output
    missing = run.invoke(main, ["audit", "verify", "--anchors", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no such file" in missing.output
