"""Supplementing a dossier on the pages: the proposer edits its fields and replaces or takes
out files on the dossier's task page (the missing list at its top); the secretary reads what
the latest submission changed at the next appraisal; comments are read in full and their
handling noted. Same services as the API (web.services.dossiers, web.services.comment_review).

The edit form, the changes and the comments are template globals, so every page that shows
a dossier shows them without each view passing them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request
from marshmallow import ValidationError

from engine.errors import Conflict, InvalidTaskData, NotAllowed, NotFound
from web import context, transfers
from web.i18n import describe, say_fields, t
from web.names import names
from web.pages.common import bp, me, signed_in, user
from web.pages.files import _back
from web.schemas.dossiers import CommentNoteIn, DossierEdit
from web.schemas.forms import field_errors, posted
from web.services import comment_review, dossiers
from workflows import access
from workflows.dossiers import EDITABLE, Changes
from workflows.files.intake import Refused
from workflows.models import Nomination


def _visible(nomination_id: int) -> Nomination:
    """The nomination if I may read it; otherwise 404, whether it exists or not."""
    found = access.readable(context.read(), user(), nomination_id)
    if found is None:
        abort(404)
    return found


# The words the edit form labels its fields with, to name them in a refusal.
_LABELS = {
    "name": "nominee_name",
    "position": "nominee_position",
    "unit": "nominee_unit",
    "achievements": "achievements",
    "documents": "documents",
    "note": "comment_note_label",
}


def _say_all(errors: dict[str, Any]) -> None:
    for name, message in errors.items():
        field = t(_LABELS[name]) if name in _LABELS else ""
        flash(f"{field}: {message}" if field else str(message), "warning")


@bp.post("/nominations/<int:nomination_id>/dossier")
@signed_in
def edit_dossier(nomination_id: int) -> Any:
    nomination = _visible(nomination_id)
    typed = posted(request.form, EDITABLE)
    given: dict[str, Any] = dict(typed)
    if given.get("unit") == names().org(nomination.nominee_unit):
        given["unit"] = nomination.nominee_unit  # shown by its name, kept as it was stored
    if "documents" in typed:
        given["documents"] = [
            line.strip() for line in typed["documents"].splitlines() if line.strip()
        ]
    try:
        changes = DossierEdit().load(given)
        changed = dossiers.edit(user(), nomination, changes)
    except ValidationError as refused:
        _say_all(field_errors(refused))
    except InvalidTaskData as exc:
        _say_all(say_fields(exc.errors))
    except NotAllowed:
        abort(404)
    except Conflict as exc:
        flash(describe(exc, "conflict"), "warning")
    else:
        flash(t("dossier_saved") if changed else t("dossier_unchanged"), "success")
    return redirect(_back(nomination_id))


def _refused(refused: Refused) -> Any:
    flash(t(refused.code, **refused.params), "warning")
    return redirect(_back((request.view_args or {}).get("nomination_id", 0)))


transfers.streamed("pages.replace_file", _refused)


@bp.post("/nominations/<int:nomination_id>/files/<int:file_id>/replace")
@signed_in
def replace_file(nomination_id: int, file_id: int) -> Any:
    nomination = _visible(nomination_id)
    try:
        spool, name = transfers.upload()
        added = dossiers.replace(user(), nomination, file_id, spool, name)
    except Refused as refused:
        flash(t(refused.code, **refused.params), "warning")
    except NotFound:
        abort(404)
    else:
        flash(t("file_replaced", name=added["name"]), "success")
    return redirect(_back(nomination_id))


@bp.post("/nominations/<int:nomination_id>/files/<int:file_id>/remove")
@signed_in
def remove_file(nomination_id: int, file_id: int) -> Any:
    nomination = _visible(nomination_id)
    try:
        dossiers.remove(user(), nomination, file_id)
    except Refused as refused:
        flash(t(refused.code, **refused.params), "warning")
    except NotFound:
        abort(404)
    else:
        flash(t("file_removed"), "success")
    return redirect(_back(nomination_id))


@bp.post("/nominations/<int:nomination_id>/comments/<int:comment_id>/note")
@signed_in
def note_comment(nomination_id: int, comment_id: int) -> Any:
    _visible(nomination_id)
    try:
        note = CommentNoteIn().load(posted(request.form, ("note",)))["note"]
        comment_review.note(user(), nomination_id, comment_id, note)
    except ValidationError as refused:
        flash(field_errors(refused)["note"], "warning")
    except InvalidTaskData as exc:
        _say_all(say_fields(exc.errors))
    except NotFound:
        abort(404)
    except (NotAllowed, Conflict) as exc:
        flash(describe(exc, "conflict"), "warning")
    else:
        flash(t("comment_noted"), "success")
    return redirect(_back(nomination_id))


@bp.app_template_global()
def dossier_edit(nomination_id: int) -> dict[str, Any]:
    """The edit form of a dossier in the proposer's hands: whether the signed-in person may
    edit it now, and its fields as they stand."""
    who = me()
    nomination = access.readable(context.read(), who, nomination_id) if who else None
    if who is None or nomination is None or not dossiers.may_edit(who, nomination):
        return {"may_edit": False}
    return {
        "may_edit": True,
        "values": {
            "name": nomination.nominee_name,
            "position": nomination.nominee_position,
            # An organisation's code (as units are often given) shows as its name.
            "unit": names().org(nomination.nominee_unit),
            "achievements": nomination.achievements,
            "documents": "\n".join(nomination.document_list),
        },
    }


@bp.app_template_global()
def dossier_changes(nomination_id: int) -> Changes | None:
    """What the latest submission changed since the version returned, for whoever may read
    the nomination; None before a dossier was returned and sent again."""
    who = me()
    if who is None or access.readable(context.read(), who, nomination_id) is None:
        return None
    return dossiers.changes(context.read(), nomination_id)


@bp.app_template_global()
def nomination_comments(nomination_id: int) -> list[comment_review.CommentItem]:
    """The public comments the signed-in person may read on the nomination, in full."""
    who = me()
    nomination = access.readable(context.read(), who, nomination_id) if who else None
    if who is None or nomination is None:
        return []
    return comment_review.listing(context.read(), who, nomination)
