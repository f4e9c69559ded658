"""A short help page for each role, linked from the header, and the site's icon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import send_from_directory

from web.pages.common import bp, me, render

STATIC = Path(__file__).resolve().parents[1] / "static"
# The roles in the order a nomination meets them; each has help_<role>_title and
# help_<role>_1.. help_<role>_n messages.
ROLES = ("proposer", "secretary", "council", "head", "auditor", "admin", "public")
STEPS = 4


@bp.get("/tro-giup")
def help_page() -> Any:
    who = me()
    mine = {role for role, _ in who.roles} if who else {"public"}
    return render("help.html", roles=ROLES, steps=range(1, STEPS + 1), mine=mine)


@bp.get("/favicon.ico")
def favicon() -> Any:
    return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
