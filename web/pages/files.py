"""A nomination's files on the pages: the list in every dossier (the nomination's page and
each task's), the upload form for a proposer of the unit while the dossier is in its hands
(being prepared, or returned as incomplete), and one file shown or downloaded.

The list and the form are template globals, so every page that shows a dossier shows its
files without each view passing them. Same services as the API (web.services.files).
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, request, url_for

from web import context, transfers
from web.i18n import language, t
from web.pages.common import bp, me, signed_in, user
from web.services import files
from workflows import limits
from workflows.access import readable
from workflows.files import intake
from workflows.files.intake import Refused
from workflows.models import Nomination

_UNSAFE = re.compile(r"[\x00-\x20\\]")


def _visible(nomination_id: int) -> Nomination:
    """The nomination if I may read it; otherwise 404, whether it exists or not."""
    found = readable(context.read(), user(), nomination_id)
    if found is None:
        abort(404)
    return found


def _back(nomination_id: int) -> str:
    """Where the form was (the nomination's page, or the task page showing the dossier):
    a path on this site only."""
    back = request.form.get("next", "") if request.form else ""
    # Browsers drop tabs and newlines from URLs and read a backslash as a slash, so any of
    # them could turn "/" into "//elsewhere".
    if back.startswith("/") and not back.startswith("//") and not _UNSAFE.search(back):
        return back
    return url_for("pages.nomination", nomination_id=nomination_id) + "#files-h"


def _refused(refused: Refused) -> Any:
    """A body declared larger than any upload may be, answered before it is read."""
    flash(t(refused.code, **refused.params), "warning")
    nomination_id = (request.view_args or {}).get("nomination_id", 0)
    return redirect(url_for("pages.nomination", nomination_id=nomination_id) + "#files-h")


transfers.streamed("pages.add_file", _refused)


@bp.post("/nominations/<int:nomination_id>/files")
@signed_in
def add_file(nomination_id: int) -> Any:
    nomination = _visible(nomination_id)
    try:
        spool, name = transfers.upload()
        added = files.add(user(), nomination, spool, name, transfers.document())
    except Refused as refused:
        flash(t(refused.code, **refused.params), "warning")
    else:
        flash(t("file_added", name=added["name"]), "success")
    return redirect(_back(nomination_id))


@bp.get("/nominations/<int:nomination_id>/files/<int:file_id>")
@signed_in
def file(nomination_id: int, file_id: int) -> Any:
    nomination = _visible(nomination_id)
    row = files.find(context.read(), nomination.id, file_id)
    if row is None:
        abort(404)
    stream = files.open_to_read(user(), nomination, row)
    return transfers.send(
        stream, name=row.name, media_type=row.media_type, size=row.size, sha256=row.sha256
    )


@bp.app_template_global()
def dossier_files(nomination_id: int) -> dict[str, Any]:
    """What the dossier's files section shows: the files, and whether the signed-in
    person may add one now (with the limits to tell them)."""
    who = me()
    nomination = readable(context.read(), who, nomination_id) if who else None
    if who is None or nomination is None:
        return {"items": [], "may_add": False}
    return {
        "items": files.listing(context.read(), nomination.id),
        "may_add": files.may_add(who, nomination),
        # Auditors check a file against the digest its addition's audit event holds.
        "digests": files.overseen(who, nomination),
        "allowed": intake.ALLOWED_LABELS,
        "accept": ",".join(e for k in intake.KINDS.values() for e in k.extensions),
        "most_file": limits.MAX_FILE_BYTES // limits.MIB,
        "most_total": limits.MAX_NOMINATION_BYTES // limits.MIB,
    }


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A size as people read it: KB under a megabyte, MB with one decimal above."""
    if size < limits.MIB:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = f"{size / limits.MIB:.1f}"
    return f"{megabytes.replace('.', ',') if language() == 'vi' else megabytes} MB"
