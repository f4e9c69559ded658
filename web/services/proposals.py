"""Proposals (tờ trình đề nghị) for the pages and the API alike: open one, add rows typed
or imported from the XLSX template, submit the list, read one with its rows; the template.

Writes are one transaction each (workflows.proposals owns it: a list is stored whole or not
at all). Who may see a proposal: people working at its unit or at the organisation it was
sent to, and auditors and admins over its unit; anyone else is told it does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO, TypedDict

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound
from web import context, transfers
from web.i18n import LANGUAGES, speaking, t
from web.queries.nominations import Summary, summaries
from workflows import checklist, orgs, proposal_import
from workflows import proposals as domain
from workflows.access import OVERSIGHT_ROLES, WORKING_ROLES, Principal
from workflows.calendar import TIMEZONE
from workflows.files import intake, proposal_files
from workflows.models import (
    Attachment,
    Award,
    Campaign,
    Nomination,
    Organisation,
    Proposal,
)
from workflows.models import ProposalItem as Link
from workflows.proposals import Header, Row, RowProblem

TEMPLATE_NAME = "mau-danh-sach-de-nghi.xlsx"


class ProposalSummary(TypedDict):
    id: int
    org: dict[str, str]
    to_org: dict[str, str] | None
    campaign: str
    campaign_name: str
    kind: str
    number: str
    signed_on: Any
    signer: str
    status: str
    created_by: str
    created_at: datetime
    submitted_at: datetime | None
    rows: int


class ProposalDetail(ProposalSummary):
    nominations: list[Summary]


def visible_filter(session: Session, who: Principal) -> ColumnElement[bool]:
    """SQL condition on Proposal for what `who` may read."""
    working = who.orgs(*WORKING_ROLES)
    conditions: list[ColumnElement[bool]] = []
    if working:
        conditions += [Proposal.org_code.in_(working), Proposal.to_org.in_(working)]
    for org in who.orgs(*OVERSIGHT_ROLES):
        conditions.append(Proposal.org_code.in_(orgs.subtree(session, org)))
    return or_(*conditions) if conditions else false()


def visible(session: Session, who: Principal, proposal_id: int) -> Proposal:
    """The proposal if `who` may read it; NotFound otherwise, whether it exists or not."""
    found = (
        session.scalars(
            select(Proposal).where(Proposal.id == proposal_id, visible_filter(session, who))
        ).first()
        if 0 < proposal_id < 2**31
        else None
    )
    if found is None:
        raise NotFound("proposal_not_found", id=proposal_id)
    return found


def listing(session: Session, who: Principal, org: str | None = None) -> Any:
    """The proposals `who` may read, newest first (as a query, to page)."""
    query = select(Proposal).where(visible_filter(session, who)).order_by(Proposal.id.desc())
    if org:
        query = query.where(or_(Proposal.org_code == org, Proposal.to_org == org))
    return query


def items(session: Session, rows: Sequence[Proposal]) -> list[ProposalSummary]:
    codes = {p.org_code for p in rows} | {p.to_org for p in rows if p.to_org}
    names = dict(
        session.execute(
            select(Organisation.code, Organisation.name).where(Organisation.code.in_(codes))
        ).all()
    )
    campaigns = dict(
        session.execute(
            select(Campaign.code, Campaign.name).where(
                Campaign.code.in_({p.campaign_code for p in rows})
            )
        ).all()
    )
    counts: dict[int, int] = {}
    if rows:
        counts = dict(
            session.execute(
                select(Link.proposal_id, func.count())
                .where(Link.proposal_id.in_([p.id for p in rows]))
                .group_by(Link.proposal_id)
            ).all()
        )
    return [
        {
            "id": p.id,
            "org": {"code": p.org_code, "name": names.get(p.org_code, p.org_code)},
            "to_org": (
                {"code": p.to_org, "name": names.get(p.to_org, p.to_org)} if p.to_org else None
            ),
            "campaign": p.campaign_code,
            "campaign_name": campaigns.get(p.campaign_code, p.campaign_code),
            "kind": p.kind,
            "number": p.number,
            "signed_on": p.signed_on,
            "signer": p.signer,
            "status": p.status,
            "created_by": p.created_by,
            "created_at": p.created_at,
            "submitted_at": p.submitted_at,
            "rows": counts.get(p.id, 0),
        }
        for p in rows
    ]


def detail(session: Session, proposal: Proposal) -> ProposalDetail:
    ids = domain.nomination_ids(session, proposal.id)
    by_id = {n.id: n for n in session.scalars(select(Nomination).where(Nomination.id.in_(ids)))}
    return {
        **items(session, [proposal])[0],
        "nominations": summaries(session, [by_id[i] for i in ids if i in by_id]),
    }


def fresh_detail(who: Principal, proposal_id: int) -> ProposalDetail:
    """The proposal as a change just left it: a new read session."""
    context.close_read()
    session = context.read()
    return detail(session, visible(session, who, proposal_id))


def open_proposal(who: Principal, header: Header) -> int:
    engine = context.engine()
    with context.write() as session, clock.using(engine.clock):
        return domain.open_proposal(session, who.username, header).id


def add_rows(who: Principal, proposal_id: int, rows: Sequence[Row]) -> list[int]:
    """Rows typed in (the grid, the API): all stored, or RowsRefused naming each problem."""
    return domain.add_rows(context.engine(), who.username, proposal_id, rows)


def import_rows(who: Principal, proposal_id: int, spool: intake.Spool, filename: str) -> list[int]:
    """The rows of an uploaded XLSX added to a draft, all stored or none: intake.Refused
    for a file that is not a list (its type judged from its content, zip bombs refused, as
    for any file), RowsRefused naming every bad row and column."""
    rows, problems = read_list(spool, filename)
    return domain.add_rows(context.engine(), who.username, proposal_id, rows, problems)


def create_with_import(
    who: Principal, header: Header, spool: intake.Spool, filename: str
) -> tuple[int, int]:
    """A new proposal with the uploaded list, both stored or neither: its id and rows."""
    rows, problems = read_list(spool, filename)
    created = domain.create_with_rows(context.engine(), who.username, header, rows, problems)
    return created, len(rows)


def read_list(spool: intake.Spool, filename: str) -> tuple[list[Row], list[RowProblem]]:
    checked = intake.check(spool, filename)
    headers = {c: [_in(lang, f"import_col_{c}") for lang in LANGUAGES] for c in _COLUMNS}
    kinds = {
        _in(lang, f"import_kind_{kind}"): kind
        for lang in LANGUAGES
        for kind in ("individual", "collective")
    } | {"individual": "individual", "collective": "collective"}
    return proposal_import.read(checked, headers, kinds)


_COLUMNS = proposal_import.COLUMNS


def _in(lang: str, code: str) -> str:
    with speaking(lang):
        return t(code)


def submit(who: Principal, proposal_id: int) -> list[int]:
    """Every row's dossier submitted, all or none (engine.errors.ListRefused)."""
    return domain.submit(context.engine(), who.username, proposal_id)


def template() -> bytes:
    """The XLSX template in the reader's language: headers, an example row, the choices."""
    session = context.read()
    awards = session.execute(select(Award.name, Award.subject).order_by(Award.code)).all()
    return proposal_import.template(
        {c: t(f"import_col_{c}") for c in _COLUMNS},
        {c: t(f"import_example_{c}") for c in _COLUMNS},
        [t("import_kind_individual"), t("import_kind_collective")],
        [(name, t(f"import_kind_{subject}")) for name, subject in awards],
        (t("import_sheet_list"), t("import_sheet_awards")),
    )


def problem_text(problem: RowProblem) -> str:
    """ "Dòng 7, cột «Danh hiệu»: …" in the reader's language."""
    return t(
        "import_problem",
        line=problem.line,
        column=t(f"import_col_{problem.column}"),
        message=t(problem.message.code, **problem.message.params),
    )


def refusal_text(refused: intake.Refused) -> str:
    """A file refused whole, its column (if any) named in words."""
    params = dict(refused.params)
    if refused.code == "import_missing_column":
        params["column"] = t(f"import_col_{params['column']}")
    return t(refused.code, **params)


# --- the proposal's own files (the tờ trình's scan, the meeting minutes) ---------------------


class ProposalFile(TypedDict):
    id: int
    proposal_id: int
    name: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime
    inline: bool
    document: str | None  # the required document it was said to be (workflows.checklist)


def file_item(row: Attachment) -> ProposalFile:
    assert row.proposal_id is not None
    return {
        "id": row.id,
        "proposal_id": row.proposal_id,
        "name": row.name,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "added_by": row.added_by,
        "added_at": row.added_at,
        "inline": intake.KINDS[row.media_type].inline,
        "document": row.document,
    }


def files_of(session: Session, proposal_id: int) -> list[ProposalFile]:
    return [file_item(row) for row in proposal_files.of_proposal(session, proposal_id)]


def file_documents(proposal: Proposal) -> list[str]:
    """The required documents a file of the tờ trình may be said to be."""
    on = context.now().astimezone(TIMEZONE).date()
    return checklist.names_for_proposal(context.read(), proposal.id, on)


def add_file(
    who: Principal,
    proposal: Proposal,
    spool: intake.Spool,
    filename: str,
    document: str | None = None,
) -> ProposalFile:
    """As a nomination's file (web.services.files.add): every check before the blob is
    stored, the rules checked again in the transaction that records it. `document`: the
    required document the file is, one of `file_documents`."""
    proposal_files.check_may_add(who, proposal)
    if document and document not in file_documents(proposal):
        raise intake.Refused("file_document_unknown")
    checked = intake.check(spool, filename)
    proposal_files.check_room(context.read(), proposal.id, checked)
    transfers.storage().put(checked.sha256, spool)
    with context.write() as session:
        fresh = session.get_one(Proposal, proposal.id)
        row = proposal_files.record(session, who, fresh, checked, context.now(), document or None)
        return file_item(row)


def open_file(who: Principal, proposal: Proposal, row: Attachment) -> BinaryIO:
    """The file's content (the caller closes it); an overseer's reading is logged first."""
    if proposal_files.overseen(context.read(), who, proposal):
        with context.write() as session:
            proposal_files.record_read(session, who, proposal, row, context.now())
    return transfers.storage().open(row.sha256)
