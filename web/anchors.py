"""The audit chain check against the anchors kept outside the database, as people read it:
what broke, how old the newest anchor is, what to worry about. Shared by the integrity page,
the API's verify, the public board and `laurel audit verify` (in both languages there)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app

from engine import anchoring
from engine.anchoring import AnchorSink, Checked
from engine.audit import Anchor, VerifyResult
from web import context
from web.i18n import known, speaking, t
from workflows.calendar import TIMEZONE


def sink() -> AnchorSink:
    """The application's anchor store (the file from the settings)."""
    anchors: AnchorSink = current_app.extensions["laurel.anchors"]
    return anchors


def check(extra: Iterable[Anchor] = ()) -> Checked:
    """The whole chain against every anchor of the store and `extra` ones, now."""
    return anchoring.check(context.read().connection(), sink(), context.now(), extra)


def say(key: str, lang: str | None = None, **params: object) -> str:
    """A message in `lang`, else the request's language."""
    if lang is None:
        return t(key, **params)
    with speaking(lang):
        return t(key, **params)


def when(at: str) -> str:
    """An anchor's time as dd/mm/yyyy HH:MM in Vietnam."""
    return anchoring.parse_at(at).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")


def problem(result: VerifyResult, lang: str | None = None) -> str:
    """What broke in the chain, in words; "" when nothing did."""
    if result.ok:
        return ""
    params = dict(result.params)
    if "anchored_at" in params:
        params["anchored_at"] = when(params["anchored_at"])
    key = f"verify_{result.code}"
    if not known(key):
        return result.problem
    return say(key, lang, seq=result.broken_seq, **params)


def problems(checked: Checked, lang: str | None = None) -> list[str]:
    """Every reason the check fails: the chain's first broken link, a damaged anchor file."""
    found = [problem(checked.result, lang), damaged(checked, lang)]
    return [text for text in found if text]


def damaged(checked: Checked, lang: str | None = None) -> str:
    """The lines of the anchor file that are not anchors; "" when there are none."""
    if not checked.bad_lines:
        return ""
    lines = ", ".join(str(n) for n in checked.bad_lines[:10])
    return say("anchor_file_damaged", lang, lines=lines)


def age(delta: timedelta, lang: str | None = None) -> str:
    """'12 phút trước' / '12 minutes ago', in the largest whole unit."""
    minutes = max(0, int(delta.total_seconds() // 60))
    for size, unit in ((24 * 60, "days"), (60, "hours"), (1, "minutes")):
        if minutes >= size:
            return say(f"age_{unit}", lang, count=minutes // size)
    return say("age_now", lang)


def newest(checked: Checked, lang: str | None = None) -> str:
    """The newest anchor and how old it is; "" when there is none."""
    if checked.newest is None or checked.age is None:
        return ""
    line = say(
        "anchor_newest",
        lang,
        age=age(checked.age, lang),
        seq=checked.newest.seq,
        time=when(checked.newest.at),
    )
    if checked.result.ok and checked.unanchored:
        line += " " + say("anchor_unanchored", lang, count=checked.unanchored)
    return line


def warning(checked: Checked, lang: str | None = None) -> str:
    """No anchor at all, or one so old that much of the chain stands unprotected; or ""."""
    if not checked.stale:
        return ""
    if checked.newest is None:
        return say("anchor_none", lang)
    hours = int(checked.max_age.total_seconds() // 3600)
    return say("anchor_stale", lang, hours=hours, count=checked.unanchored)
