"""The proposer's pages: a nomination with its timeline and a withdraw button, and a new
nomination (the subject kind first, so only fitting awards are offered, without script)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from engine.errors import Conflict, InvalidTaskData, NotWaiting
from web import context
from web.i18n import describe, say_fields, t
from web.pages import confirm
from web.pages.common import bp, error_page, render, signed_in, user
from web.queries import nominations as nomination_queries
from web.schemas.forms import field_errors, posted
from web.schemas.nominations import KINDS, NominationIn, WithdrawIn
from web.services import nominations
from workflows.access import readable
from workflows.models import Award, Campaign, Nomination, Organisation, Person
from workflows.pipeline import Nominee


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
    try:
        reason = WithdrawIn().load(posted(request.form, ("reason",)))["reason"]
    except ValidationError as refused:
        flash(field_errors(refused)["reason"], "warning")
        return redirect(url_for("pages.nomination", nomination_id=nomination_id))
    if not confirm.confirmed():  # irreversible: asked first (web/pages/confirm.py)
        flash(t("confirm_required_withdraw"), "warning")
        if not reason.strip():
            flash(t("withdraw_reason_required"), "warning")
        return redirect(url_for("pages.nomination", nomination_id=nomination_id))
    try:
        nominations.withdraw(user(), row.id, reason)
    except (NotWaiting, Conflict) as exc:  # ended meanwhile, suspended, changed meanwhile
        flash(describe(exc, "conflict"), "warning")
    except InvalidTaskData as exc:  # no reason given
        for message in say_fields(exc.errors).values():
            flash(message, "warning")
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
    typed = posted(request.form, _FIELDS)
    errors = _unit_errors(typed)
    try:
        body = NominationIn().load(_as_json(kind, typed))
    except ValidationError as refused:
        messages = refused.normalized_messages()  # type: ignore[no-untyped-call]
        nominee = messages.pop("nominee", None)  # its fields are the page's own
        errors = {
            **field_errors(ValidationError(messages)),
            **(field_errors(ValidationError(nominee)) if isinstance(nominee, dict) else {}),
            **errors,
        }
    if not errors:
        try:
            created = nominations.create(
                who,
                org=body["org"],
                award=body["award_code"],
                campaign=body["campaign"],
                nominee=Nominee(**body["nominee"]),
                achievements=body["achievements"],
                documents=body["documents"],
                simplified=body["simplified"],
            )
        except InvalidTaskData as exc:
            errors = say_fields(exc.errors)
        else:
            flash(t("created"), "success")
            return redirect(url_for("pages.nomination", nomination_id=created.id))
    errors = {k.removeprefix("nominee."): v for k, v in errors.items()}
    return render("new.html", 422, values=typed, errors=errors, **_options(kind))


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
    "simplified",  # a checkbox: "on" when ticked, as the schema's Boolean reads it
)
_NOMINEE = ("name", "position", "unit", "username")


def _as_json(kind: str, typed: dict[str, str]) -> dict[str, Any]:
    """The form as the API takes it: the nominee nested, documents one per line, blanks
    left out so the schema says which are required."""
    given: dict[str, Any] = {
        k: v for k, v in typed.items() if v and k not in _NOMINEE and k != "documents"
    }
    given["nominee"] = {"kind": kind, **{k: typed[k] for k in _NOMINEE if typed.get(k)}}
    given["documents"] = [
        line.strip() for line in typed.get("documents", "").splitlines() if line.strip()
    ]
    return given


def _unit_errors(typed: dict[str, str]) -> dict[str, str]:
    """What the page checks before the pipeline, to name the field: the unit is the user's,
    the nominee's account exists."""
    errors = {}
    if typed.get("org") and not user().holds("proposer", typed["org"]):
        errors["org"] = t("not_proposer")
    if typed.get("username") and context.read().get(Person, typed["username"]) is None:
        errors["username"] = t("unknown_user")
    return errors
