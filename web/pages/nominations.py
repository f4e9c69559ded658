"""The proposer's pages: a nomination with its timeline and a withdraw button, and a new
nomination (the subject kind first, so only fitting awards are offered, without script)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import select

from engine.errors import Conflict, InvalidTaskData, NotWaiting
from web import context
from web.i18n import describe, field_errors, t
from web.pages.common import bp, error_page, render, signed_in, user
from web.queries import nominations as nomination_queries
from web.services import nominations
from workflows.access import readable
from workflows.models import Award, Campaign, Nomination, Organisation, Person
from workflows.pipeline import Nominee

KINDS = ("individual", "collective")
MAX_TEXT = 20_000
MAX_DOCUMENTS = 100


@bp.get("/nominations/<int:nomination_id>")
@signed_in
def nomination(nomination_id: int) -> Any:
    return _nomination_page(_visible(nomination_id))


def _visible(nomination_id: int) -> Nomination:
    """The nomination if I may read it; otherwise 404, whether it exists or not."""
    found = readable(context.read(), user(), nomination_id)
    if found is None:
        abort(404)
    return found


def _nomination_page(row: Nomination) -> Any:
    session = context.read()
    who = user()
    return render(
        "nomination.html",
        n=nomination_queries.detail(session, context.engine(), row, context.now()),
        steps=nomination_queries.timeline(session, row.business_key),
        can_withdraw=row.status == "open" and who.holds("proposer", row.origin_org),
    )


@bp.post("/nominations/<int:nomination_id>/withdraw")
@signed_in
def withdraw(nomination_id: int) -> Any:
    row = _visible(nomination_id)
    reason = request.form.get("reason", "").strip()[:2000].replace("\x00", "")
    try:
        nominations.withdraw(user(), row.id, reason)
    except (NotWaiting, Conflict) as exc:  # ended meanwhile, suspended, changed meanwhile
        flash(describe(exc, "conflict"), "warning")
    else:
        flash(t("withdrawn"), "success")
    return redirect(url_for("pages.nomination", nomination_id=nomination_id))


def _options(kind: str) -> dict[str, Any]:
    session = context.read()
    units = sorted(user().orgs("proposer"))
    return {
        "kind": kind,
        "units": session.execute(
            select(Organisation.code, Organisation.name)
            .where(Organisation.code.in_(units))
            .order_by(Organisation.name)
        ).all(),
        "campaigns": session.execute(
            select(Campaign.code, Campaign.name).order_by(Campaign.starts.desc())
        ).all(),
        "awards": session.scalars(
            select(Award).where(Award.subject == kind).order_by(Award.code)
        ).all(),
    }


@bp.get("/nominations/new")
@signed_in
def new() -> Any:
    if not user().orgs("proposer"):
        return error_page(403, t("not_proposer"))
    kind = request.args.get("kind", "")
    if kind not in KINDS:
        return render("new_kind.html")
    return render("new.html", values={}, errors={}, **_options(kind))


@bp.post("/nominations/new")
@signed_in
def create() -> Any:
    who = user()
    kind = request.form.get("kind", "")
    if kind not in KINDS or not who.orgs("proposer"):
        abort(400)
    form = {k: _clean(request.form.get(k, "")) for k in _FIELDS}
    documents = [line.strip() for line in form["documents"].splitlines() if line.strip()]
    errors = _check(form, documents)
    if not errors:
        try:
            created = nominations.create(
                who,
                org=form["org"],
                award=form["award_code"],
                campaign=form["campaign"],
                nominee=Nominee(
                    kind,
                    form["name"],
                    form["position"],
                    form["unit"],
                    form["username"] or None,
                ),
                achievements=form["achievements"],
                documents=documents[:MAX_DOCUMENTS],
            )
        except InvalidTaskData as exc:
            errors = {k.removeprefix("nominee."): v for k, v in field_errors(exc.errors).items()}
        else:
            flash(t("created"), "success")
            return redirect(url_for("pages.nomination", nomination_id=created.id))
    return render("new.html", 422, values=form, errors=errors, **_options(kind))


_FIELDS = (
    "org",
    "campaign",
    "award_code",
    "name",
    "position",
    "unit",
    "username",
    "achievements",
    "documents",
)
_LIMITS = {"achievements": MAX_TEXT, "documents": MAX_TEXT, "username": 100, "org": 50}


def _clean(value: str) -> str:
    return value.replace("\x00", "").strip()


def _check(form: dict[str, str], documents: list[str]) -> dict[str, str]:
    """What the pipeline does not check itself: required fields, lengths, the unit."""
    required = t("blank")
    errors = {
        name: required
        for name in ("org", "campaign", "award_code", "name", "achievements")
        if not form[name]
    }
    for name, value in form.items():
        if len(value) > _LIMITS.get(name, 200):
            errors[name] = t("length_between", low=0, high=_LIMITS.get(name, 200))
    if any(len(d) > 300 for d in documents) or len(documents) > MAX_DOCUMENTS:
        errors["documents"] = t("length_between", low=1, high=300)
    if form["org"] and not user().holds("proposer", form["org"]):
        errors["org"] = t("not_proposer")
    if form["username"] and context.read().get(Person, form["username"]) is None:
        errors["username"] = t("unknown_user")
    return errors
