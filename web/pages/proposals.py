"""A unit's proposals (tờ trình đề nghị) on the pages: the list, a new one (with its list
imported from the XLSX template at once, or empty to fill), one proposal with its rows, a
grid to type rows in, an import form, the template and the submit; and "Hồ sơ của đơn vị",
the unit's nominations with their stage, whom each waits for and until when.

Same services as the API (web.services.proposals, web.queries.unit_dossiers). A refused
list is shown with each problem's row and column, and nothing of it is stored.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from engine.errors import EngineError, InvalidTaskData, NotFound
from web import context, transfers
from web.i18n import describe, say_fields, t
from web.pages.common import arg, bp, page_number, render, signed_in, user
from web.paging import page_of
from web.queries import unit_dossiers
from web.schemas.forms import field_errors
from web.schemas.proposals import ProposalIn, ProposalRowIn
from web.services import proposals
from workflows import limits, publicity
from workflows.access import WORKING_ROLES
from workflows.files import intake, proposal_files
from workflows.files.intake import Refused
from workflows.models import Award, Campaign, Organisation, Proposal
from workflows.pipeline import TASK_STAGES, Nominee
from workflows.proposals import DRAFT, UNIT, Header, Row, RowsRefused, SubmitRefused

PER_PAGE = 20
GRID_ROWS = 5  # blank rows the grid offers at a time
PROPOSALS_SHOWN = 10  # the unit's latest tờ trình above its dossiers
_HEADER = ("org", "campaign", "number", "signed_on", "signer")
_ROW = ("name", "kind", "position", "unit", "award", "achievements")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible(proposal_id: int) -> Proposal:
    try:
        return proposals.visible(context.read(), user(), proposal_id)
    except NotFound:
        abort(404)


def _names(codes: set[str]) -> dict[str, str]:
    rows = context.read().execute(
        select(Organisation.code, Organisation.name).where(Organisation.code.in_(codes))
    )
    return dict(rows.all())


@bp.get("/proposals")
@signed_in
def proposal_list() -> Any:
    session = context.read()
    query = proposals.listing(session, user())
    page = page_of(session, query, page_number(), PER_PAGE)
    return render(
        "proposals.html",
        items=proposals.items(session, page["items"]),
        page=page,
        pages=max(1, math.ceil(page["total"] / PER_PAGE)),
    )


def _new_options() -> dict[str, Any]:
    session = context.read()
    return {
        "units": sorted(_names(user().orgs("proposer")).items(), key=lambda i: i[1]),
        "campaigns": session.execute(
            select(Campaign.code, Campaign.name).order_by(Campaign.starts.desc())
        ).all(),
    }


@bp.get("/proposals/new")
@signed_in
def proposal_new() -> Any:
    if not user().orgs("proposer"):
        abort(403)
    return render("proposal_new.html", values={}, errors={}, problems=[], **_new_options())


def _refused_new(refused: Refused) -> Any:
    flash(proposals.refusal_text(refused), "warning")
    return redirect(url_for("pages.proposal_new"))


transfers.streamed("pages.proposal_create", _refused_new)


@bp.post("/proposals/new")
@signed_in
def proposal_create() -> Any:
    who = user()
    if not who.orgs("proposer"):
        abort(403)
    typed = {k: request.form.get(k, "").strip() for k in _HEADER}
    errors: dict[str, Any] = {}
    problems: list[str] = []
    try:
        body = ProposalIn().load({k: v for k, v in typed.items() if v})
    except ValidationError as invalid:
        errors = field_errors(invalid)
    sent = request.files.get(transfers.FIELD)
    has_file = sent is not None and bool(sent.filename)
    if not errors:
        header = Header(*(body[k] for k in _HEADER))
        count = 0
        try:
            if has_file:
                spool, name = transfers.upload()
                proposal_id, count = proposals.create_with_import(who, header, spool, name)
            else:
                proposal_id = proposals.open_proposal(who, header)
        except InvalidTaskData as exc:
            errors = say_fields(exc.errors)
        except Refused as refused:
            errors = {"file": proposals.refusal_text(refused)}
        except RowsRefused as refused:
            problems = [proposals.problem_text(p) for p in refused.problems]
        else:
            flash(t("import_done", count=count) if has_file else t("proposal_opened"), "success")
            return redirect(url_for("pages.proposal", proposal_id=proposal_id))
    return render(
        "proposal_new.html",
        422,
        values=typed,
        errors=errors,
        problems=problems,
        **_new_options(),
    )


def _proposal_page(
    row: Proposal, status: int = 200, problems: list[str] | None = None, grid: Any = None
) -> Any:
    session = context.read()
    who = user()
    editable = row.status == DRAFT and row.kind == UNIT and who.holds("proposer", row.org_code)
    return render(
        "proposal.html",
        status,
        p=proposals.detail(session, row),
        editable=editable,
        problems=problems or [],
        grid=grid or [{} for _ in range(GRID_ROWS)],
        awards=session.execute(select(Award.code, Award.name).order_by(Award.code)).all(),
        files=proposals.files_of(session, row.id),
        may_add_file=proposal_files.may_add(who, row),
        file_documents=proposals.file_documents(row) if editable else [],
        file_limits={
            "allowed": intake.ALLOWED_LABELS,
            "accept": ",".join(e for k in intake.KINDS.values() for e in k.extensions),
            "most_file": limits.MAX_FILE_BYTES // limits.MIB,
            "most_total": limits.MAX_NOMINATION_BYTES // limits.MIB,
        },
    )


@bp.get("/proposals/<int:proposal_id>")
@signed_in
def proposal(proposal_id: int) -> Any:
    return _proposal_page(_visible(proposal_id))


@bp.post("/proposals/<int:proposal_id>/rows")
@signed_in
def proposal_rows(proposal_id: int) -> Any:
    """The grid: every row with anything typed in it, added all together or not at all."""
    row = _visible(proposal_id)
    grid = [{k: request.form.get(f"{k}-{i}", "").strip() for k in _ROW} for i in range(GRID_ROWS)]
    rows: list[Row] = []
    problems: list[str] = []
    for number, typed in enumerate(grid, start=1):
        if not any(v for k, v in typed.items() if k != "kind"):
            continue
        try:
            body = ProposalRowIn().load({k: v for k, v in typed.items() if v})
        except ValidationError as invalid:
            for column, message in field_errors(invalid).items():
                problems.append(
                    t(
                        "import_problem",
                        line=number,
                        column=t(f"import_col_{column}"),
                        message=message,
                    )
                )
            continue
        nominee = Nominee(body["kind"], body["name"], body["position"], body["unit"])
        rows.append(Row(number, nominee, body["award"], body["achievements"]))
    if not rows and not problems:
        flash(t("import_no_rows"), "warning")
        return redirect(url_for("pages.proposal", proposal_id=proposal_id))
    if not problems:
        try:
            added = proposals.add_rows(user(), row.id, rows)
        except RowsRefused as refused:
            problems = [proposals.problem_text(p) for p in refused.problems]
        except InvalidTaskData as exc:
            problems = list(say_fields(exc.errors).values())
        else:
            flash(t("import_done", count=len(added)), "success")
            return redirect(url_for("pages.proposal", proposal_id=proposal_id) + "#list-h")
    return _proposal_page(row, 422, problems, grid)


def _refused_import(refused: Refused) -> Any:
    flash(proposals.refusal_text(refused), "warning")
    proposal_id = (request.view_args or {}).get("proposal_id", 0)
    return redirect(url_for("pages.proposal", proposal_id=proposal_id))


transfers.streamed("pages.proposal_import", _refused_import)


@bp.post("/proposals/<int:proposal_id>/import")
@signed_in
def proposal_import(proposal_id: int) -> Any:
    row = _visible(proposal_id)
    try:
        spool, name = transfers.upload()
        added = proposals.import_rows(user(), row.id, spool, name)
    except Refused as refused:
        return _proposal_page(row, 422, [proposals.refusal_text(refused)])
    except RowsRefused as refused:
        return _proposal_page(row, 422, [proposals.problem_text(p) for p in refused.problems])
    except InvalidTaskData as exc:
        return _proposal_page(row, 422, list(say_fields(exc.errors).values()))
    flash(t("import_done", count=len(added)), "success")
    return redirect(url_for("pages.proposal", proposal_id=proposal_id) + "#list-h")


@bp.post("/proposals/<int:proposal_id>/submit")
@signed_in
def proposal_submit(proposal_id: int) -> Any:
    row = _visible(proposal_id)
    if request.form.get("confirm") != "yes":
        return _proposal_page(row, 422, [t("proposal_submit_confirm")])
    try:
        submitted = proposals.submit(user(), row.id)
    except SubmitRefused as refused:
        problems = [t("proposal_submit_refused", count=len(refused.problems))]
        problems += [describe(e, "conflict") for e in refused.problems.values()]
        return _proposal_page(row, 409, problems)
    except InvalidTaskData as exc:
        return _proposal_page(row, 422, list(say_fields(exc.errors).values()))
    except EngineError as exc:
        return _proposal_page(row, 409, [describe(exc, "conflict")])
    flash(t("proposal_submit_done", count=len(submitted)), "success")
    return redirect(url_for("pages.proposal", proposal_id=proposal_id))


@bp.get("/proposals/template.xlsx")
@signed_in
def proposal_template() -> Any:
    response = Response(proposals.template(), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{proposals.TEMPLATE_NAME}"'
    return response


@bp.get("/dossiers")
@signed_in
def unit_dossiers_home() -> Any:
    """The unit's list for the first unit I work at."""
    units = sorted(user().orgs(*WORKING_ROLES))
    if not units:
        abort(404)
    return redirect(url_for("pages.unit_dossiers", org=units[0]))


@bp.get("/units/<org>/dossiers", endpoint="unit_dossiers")
@signed_in
def unit_dossiers_page(org: str) -> Any:
    session = context.read()
    if len(org) > 50 or not unit_dossiers.may_read(session, user(), org):
        abort(404)
    filters = {k: arg(k) for k in ("campaign", "award", "stage", "q")}
    page = unit_dossiers.page(session, org, filters, page_number(), PER_PAGE)
    scopes = {w["org"]["code"] for n in page["items"] for w in n["waiting"]}
    latest = session.scalars(proposals.listing(session, user(), org).limit(PROPOSALS_SHOWN)).all()
    return render(
        "unit_dossiers.html",
        org=org,
        org_name=_names({org}).get(org, org),
        latest=proposals.items(session, latest),
        page=page,
        pages=max(1, math.ceil(page["total"] / PER_PAGE)),
        filters=filters,
        names=_names(scopes),
        units=sorted(_names(user().orgs(*WORKING_ROLES)).items(), key=lambda i: i[1]),
        campaigns=session.execute(
            select(Campaign.code, Campaign.name).order_by(Campaign.starts.desc())
        ).all(),
        awards=session.execute(select(Award.code, Award.name).order_by(Award.code)).all(),
        stages=(*TASK_STAGES, publicity.STAGE, "awarded", "rejected", "withdrawn"),
    )


def _refused_file(refused: Refused) -> Any:
    flash(t(refused.code, **refused.params), "warning")
    proposal_id = (request.view_args or {}).get("proposal_id", 0)
    return redirect(url_for("pages.proposal", proposal_id=proposal_id) + "#files-h")


transfers.streamed("pages.proposal_add_file", _refused_file)


@bp.post("/proposals/<int:proposal_id>/files")
@signed_in
def proposal_add_file(proposal_id: int) -> Any:
    row = _visible(proposal_id)
    try:
        spool, name = transfers.upload()
        added = proposals.add_file(user(), row, spool, name, transfers.document())
    except Refused as refused:
        flash(t(refused.code, **refused.params), "warning")
    else:
        flash(t("file_added", name=added["name"]), "success")
    return redirect(url_for("pages.proposal", proposal_id=proposal_id) + "#files-h")


@bp.get("/proposals/<int:proposal_id>/files/<int:file_id>")
@signed_in
def proposal_file(proposal_id: int, file_id: int) -> Any:
    row = _visible(proposal_id)
    found = proposal_files.find(context.read(), row.id, file_id)
    if found is None:
        abort(404)
    stream = proposals.open_file(user(), row, found)
    return transfers.send(
        stream, name=found.name, media_type=found.media_type, size=found.size, sha256=found.sha256
    )
