"""What pages show in place of codes: organisations, campaigns, awards and people by their
names, and a person with their role at an organisation. Each kind is read whole, once per
request and only if a page asks for it (one query per kind, never one per row); a code with
no name left (a deleted row) shows as itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from web import context
from web.i18n import known, t
from workflows.models import Award, Campaign, Organisation, Person, RoleAssignment

Reader = Callable[[], Session]


class Names:
    """The names of one request's codes, each kind loaded on first use."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self._loaded: dict[str, dict[str, str]] = {}
        self._roles: dict[str, list[tuple[str, str]]] | None = None

    def _kind(self, kind: str) -> dict[str, str]:
        if kind not in self._loaded:
            model: Any = {"org": Organisation, "campaign": Campaign, "award": Award}.get(kind)
            if model is not None:
                rows = self._read().execute(select(model.code, model.name))
            else:
                rows = self._read().execute(select(Person.username, Person.full_name))
            self._loaded[kind] = {code: name for code, name in rows}
        return self._loaded[kind]

    def org(self, code: str | None) -> str:
        return self._kind("org").get(code, code) if code else ""

    def campaign(self, code: str | None) -> str:
        return self._kind("campaign").get(code, code) if code else ""

    def award(self, code: str | None) -> str:
        return self._kind("award").get(code, code) if code else ""

    def person(self, username: str | None) -> str:
        return self._kind("person").get(username, username) if username else ""

    def roles(self, username: str) -> list[tuple[str, str]]:
        if self._roles is None:
            self._roles = {}
            rows = self._read().execute(
                select(
                    RoleAssignment.username, RoleAssignment.role, RoleAssignment.org_code
                ).order_by(RoleAssignment.id)
            )
            for name, role, org in rows:
                self._roles.setdefault(name, []).append((role, org))
        return self._roles.get(username, [])

    def who(self, username: str | None, role: str | None = None, org: str | None = None) -> str:
        """'Full Name (Council secretary, Organisation)': the role this step was done in
        when it is known, else the person's first role; a system step has no person."""
        if not username:
            return ""
        if not role:
            held = self.roles(username)
            matching = [r for r in held if not org or r[1] == org]
            if matching or held:
                role, org = (matching or held)[0]
        parts = [role_name(role) if role else "", self.org(org)]
        what = ", ".join(p for p in parts if p)
        return f"{self.person(username)} ({what})" if what else self.person(username)


# The keys of a step's submitted data that say what the step decided, in the order asked.
OUTCOME_KEYS = ("decision", "result", "outcome", "action")
# Payload keys whose values are codes of a kind Names knows.
_CODED = {"org": "org", "org_scope": "org", "award": "award", "campaign": "campaign"}


def label(prefix: str, value: str) -> str:
    key = f"{prefix}_{value}"
    return t(key) if known(key) else value


def outcome(data: Mapping[str, Any] | None) -> tuple[str, str]:
    """What a step decided, as (the submitted value, its words): ("incomplete", "Chưa đủ,
    trả lại bổ sung"); ("", "") for a step that decides nothing (a vote shows no choice)."""
    for key in OUTCOME_KEYS:
        value = (data or {}).get(key)
        if isinstance(value, str) and value:
            return value, label(key, value)
    return "", ""


def describe(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An audit event's data as (label, sentence) pairs: codes by their names, choices in
    words, nested data flattened; never a ballot's choice (only its check code)."""
    data: Mapping[str, Any] = event.get("data") or {}
    if str(event.get("action", "")).startswith("ballot"):
        digest = data.get("hash") or data.get("ballot_hash") or ""
        return [(t("audit_ballot"), f"{t('audit_voted')} — {digest}")]
    return [(label("field", key), _value(key, value)) for key, value in data.items()]


def _value(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{label('field', k)}: {_value(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_value(key, v) for v in value)
    if isinstance(value, bool):
        return t("audit_yes") if value else t("audit_no")
    if value is None:
        return ""
    if key in _CODED and isinstance(value, str):
        return str(getattr(names(), _CODED[key])(value))
    if key in ("bpmn_id", "step"):
        return label("stage", str(value))
    if key in ("lane", "role"):
        return role_name(str(value))
    return label(key, value) if isinstance(value, str) else str(value)


def role_name(role: str | None) -> str:
    key = f"role_{role}"
    return t(key) if known(key) else (role or "")


def names() -> Names:
    """This request's names (the pages' read session)."""
    found: Names | None = g.get("laurel_names")
    if found is None:
        found = g.laurel_names = Names(context.read)
    return found


def register(app: Flask) -> None:
    """Filters for templates: `{{ code|org_name }}`, `{{ username|person }}`,
    `{{ username|who(role, org) }}`, `{{ role|role_name }}`."""
    app.add_template_filter(lambda code: names().org(code), "org_name")
    app.add_template_filter(lambda code: names().campaign(code), "campaign_name")
    app.add_template_filter(lambda code: names().award(code), "award_name")
    app.add_template_filter(lambda username: names().person(username), "person")
    app.add_template_filter(
        lambda username, role=None, org=None: names().who(username, role, org), "who"
    )
    app.add_template_filter(role_name, "role_name")
    app.add_template_global(describe, "describe_event")
    app.add_template_global(outcome, "step_outcome")
