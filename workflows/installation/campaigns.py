"""Campaigns (installation-wide: they have no organisation of their own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from workflows.installation.common import (
    Check,
    Scope,
    audit_event,
    clean,
    code_field,
    flush_or_refuse,
    refuse,
    text_field,
)
from workflows.models import Campaign
from workflows.vocabulary import CAMPAIGN_CODE_MOST


def _campaign_dict(c: Campaign) -> dict[str, Any]:
    return {"name": c.name, "starts": c.starts.isoformat(), "ends": c.ends.isoformat()}


def _check_period(check: Check, starts: Any, ends: Any) -> None:
    for name, value in (("starts", starts), ("ends", ends)):
        if not isinstance(value, date):
            check.add(name, "date_invalid")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        check.add(
            "ends", "ends_before_starts", starts=f"{starts:%d/%m/%Y}", ends=f"{ends:%d/%m/%Y}"
        )


def create_campaign(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> Campaign:
    check = Check()
    code = code_field(check, values, "code", CAMPAIGN_CODE_MOST)
    name = text_field(check, values, "name", required=True)
    starts, ends = values.get("starts"), values.get("ends")
    _check_period(check, starts, ends)
    if code and session.get(Campaign, code) is not None:
        raise refuse("conflict", "code", "campaign_code_taken", code=code)
    check.done()
    found = Campaign(code=code, name=name, starts=starts, ends=ends)
    session.add(found)
    flush_or_refuse(session, "code", "campaign_code_taken", code=code)
    audit_event(
        session,
        now,
        scope.who.username,
        "admin.campaign.create",
        {"campaign": code, "after": _campaign_dict(found)},
    )
    return found


def update_campaign(
    session: Session, scope: Scope, now: datetime, code: str, values: Mapping[str, Any]
) -> Campaign:
    found = session.get(Campaign, code) if clean(code) else None
    if found is None:
        raise refuse("not_found", "_", "campaign_not_found", code=code)
    before = _campaign_dict(found)
    check = Check()
    name = text_field(check, values, "name", required=True) if "name" in values else found.name
    starts, ends = values.get("starts", found.starts), values.get("ends", found.ends)
    _check_period(check, starts, ends)
    check.done()
    found.name, found.starts, found.ends = name or found.name, starts, ends
    after = _campaign_dict(found)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        session.flush()
        audit_event(
            session,
            now,
            scope.who.username,
            "admin.campaign.update",
            {"campaign": code, "before": {k: before[k] for k in changed}, "after": changed},
        )
    return found
