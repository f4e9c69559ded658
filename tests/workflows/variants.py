"""Changed versions of the shipped pipeline that tests deploy: one that fails until an admin
supplies a key on retry, and one whose script reaches for another nomination's data."""

from __future__ import annotations

from engine.ports import InstanceView
from engine.runtime import Engine
from workflows.models import Nomination
from workflows.pipeline import Nominations, Nominee, pipeline_files

ENTER_LEVEL = '<bpmn:scriptTask id="enter_level" name="Tiếp nhận hồ sơ tại cấp xét">'.encode()


def _replace(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert xml.count(old) == 1, old
    return xml.replace(old, new)


def reading_award_code(declared: str | None = "award_code") -> dict[str, bytes]:
    """enter_level reads `award_code`, which no nomination has: it fails until an admin
    retries with it. `declared`: the element's retry_data property (None: none)."""
    files = pipeline_files()
    xml = _replace(
        files["nomination.bpmn"], b"rules = award_rules(award)", b"rules = award_rules(award_code)"
    )
    if declared is not None:
        xml = _replace(
            xml,
            ENTER_LEVEL,
            ENTER_LEVEL
            + b"<bpmn:extensionElements><spiffworkflow:properties>"
            + f'<spiffworkflow:property name="retry_data" value="{declared}"/>'.encode()
            + b"</spiffworkflow:properties></bpmn:extensionElements>",
        )
    return {**files, "nomination.bpmn": xml}


def a_submitted_nomination(engine: Engine) -> tuple[Nomination, InstanceView]:
    """A new Lao động tiên tiến nomination at THCS_THS (the demo), submitted by its proposer:
    on a `reading_award_code` version it stops in error at enter_level."""
    nominations = Nominations(engine)
    nomination, view = nominations.create(
        "canbo.thcs_ths",
        org="THCS_THS",
        award="LDTT",
        campaign="NH2025-2026",
        nominee=Nominee("individual", "Lê Thị Hồng", "Giáo viên"),
        achievements="Hoàn thành tốt nhiệm vụ.",
    )
    view = nominations.complete(view.ready_tasks[0].id, "canbo.thcs_ths", {"action": "submit"})
    return nomination, view


def opening_the_vote_with(script: str) -> dict[str, bytes]:
    """open_vote runs `script` instead of its own (a diagram edited to reach elsewhere)."""
    files = pipeline_files()
    xml = files["nomination.bpmn"]
    own = (
        b"vote_round = vote_round + 1\n"
        b"members = council_members(current_org, nomination_id)\n"
        b"mode = voting_mode(current_org)"
    )
    return {**files, "nomination.bpmn": _replace(xml, own, script.encode())}


def enter_level_with(script: str) -> dict[str, bytes]:
    """enter_level (each level taking up the dossier) runs `script` instead of its own."""
    files = pipeline_files()
    own = b"org_id = current_org\nrules = award_rules(award)"
    return {**files, "nomination.bpmn": _replace(files["nomination.bpmn"], own, script.encode())}
