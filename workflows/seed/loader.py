"""Checking a whole seed file against itself and the database, then writing it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Base
from workflows.auth import end_sessions
from workflows.checklist import check_documents
from workflows.models import (
    LEVELS,
    SUBJECTS,
    VOTING_MODES,
    Award,
    AwardRule,
    CalendarDay,
    Campaign,
    Organisation,
    PastAward,
    Person,
    RoleAssignment,
)
from workflows.names import nominee_key
from workflows.passwords import hash_password, needs_rehash, verify_password
from workflows.roles import ROLES
from workflows.seed.fields import Fields
from workflows.seed.reader import SECTIONS, Reader, Row
from workflows.seed.report import Counts, Error, SeedReport
from workflows.vocabulary import (
    AWARD_CODE_MOST,
    AWARD_KINDS,
    CALENDAR_KINDS,
    CAMPAIGN_CODE_MOST,
    ORG_CODE_MOST,
    RULE_DEFAULTS,
    RULE_PARAMS,
    VOTE_BASES,
)

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
CHUNK = 500  # keeps IN (...) lists well under every backend's parameter limit


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _sync(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


Plan = tuple[Any, dict[str, Any]]  # a row's key and the column values it sets


def _show(key: Any) -> str:
    return " / ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


def _out_of_order(upper: str | None, lower: str | None) -> bool:
    """Whether `upper`, a parent's level, is not above `lower`, its child's."""
    return upper in LEVELS and lower in LEVELS and LEVELS.index(upper) <= LEVELS.index(lower)


def _rule_values(rule: AwardRule) -> dict[str, Any]:
    return {key: getattr(rule, key) for key in (*RULE_PARAMS, "basis")}


class Loader:
    """Checks a whole file against itself and the database (reading only), then writes it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.errors: list[Error] = []
        self.f = Fields(self.errors)
        self.report = SeedReport()
        self.plans: dict[str, list[Plan]] = {name: [] for name in SECTIONS}
        self.stored: dict[tuple[Any, ...], Any] = {}  # rows read while checking
        self.tree: dict[str, tuple[str | None, str | None]] = {}  # code: (parent, level)
        self.hashes: dict[str, str] = {}
        self.verified: dict[tuple[str, str], bool] = {}
        self.signed_out: set[str] = set()  # people whose sessions this load ends

    # -- checking ----------------------------------------------------------------------

    def check(self, text: str) -> None:
        sections = Reader(self.errors).sections(text)
        for name in SECTIONS:
            if name in sections:
                self.report.sections[name] = Counts()
                for row in sections[name]:
                    self.f.allowed(row, name)

        def rows(name: str) -> list[Row]:
            return sections.get(name, [])

        orgs = self.check_organisations(rows("organisations"))
        awards = {code for (code,) in self.session.execute(select(Award.code))}
        awards |= {str(r.data["code"]).strip() for r in rows("awards") if r.data.get("code")}
        self.read_people(rows("users"))
        self.read_history(rows("awards_history"))
        self.plans["users"] = self.keyed(rows("users"), lambda row: self.user(row, orgs))
        self.plans["campaigns"] = self.keyed(rows("campaigns"), self.campaign)
        self.plans["awards"] = self.keyed(rows("awards"), self.award)
        self.plans["rules"] = self.check_rules(rows("rules"), awards)
        self.plans["awards_history"] = self.keyed(
            rows("awards_history"), lambda row: self.past_award(row, orgs, awards)
        )
        self.plans["calendar"] = self.keyed(rows("calendar"), self.calendar_day)

    def keyed(self, rows: list[Row], parse: Callable[[Row], Plan | None]) -> list[Plan]:
        """Parse rows identified by a key; the same key twice in one file is an error."""
        plans: dict[Any, Plan] = {}
        first: dict[Any, int] = {}
        for row in rows:
            plan = parse(row)
            if plan is None:
                continue
            if plan[0] in first:
                where = f"first at line {first[plan[0]]}"
                self.f.error(row.line, f"'{_show(plan[0])}' is listed twice ({where})")
            else:
                first[plan[0]], plans[plan[0]] = row.line, plan
        return list(plans.values())

    def check_organisations(self, rows: list[Row]) -> set[str]:
        query = select(Organisation.code, Organisation.parent_code, Organisation.level)
        self.tree = {code: (parent, level) for code, parent, level in self.session.execute(query)}
        listed: dict[str, Row] = {}

        def parse(row: Row) -> Plan | None:
            code = self.f.code(row, "code", ORG_CODE_MOST)
            values = {
                "name": self.f.text(row, "name"),
                "level": self.f.choice(row, "level", LEVELS),
            }
            if "voting" in row.data:
                values["voting"] = self.f.choice(row, "voting", VOTING_MODES)
            if "parent" in row.data:
                values["parent_code"] = self.f.text(row, "parent", ORG_CODE_MOST, required=False)
            if code is None:
                return None
            listed.setdefault(code, row)
            return code, values

        plans = self.keyed(rows, parse)
        # Parents are resolved once every row is read: the file may list them in any order.
        for code, values in plans:
            parent = self.tree.get(code, (None, None))[0]
            self.tree[code] = (values.get("parent_code", parent), values["level"])
        children: dict[str, list[str]] = {}
        for code, (parent, _) in self.tree.items():
            if parent is not None:
                children.setdefault(parent, []).append(code)
        for code, _ in plans:
            self.check_place(code, listed, children.get(code, []))
        self.plans["organisations"] = plans
        return set(self.tree)

    def check_place(self, code: str, listed: dict[str, Row], children: list[str]) -> None:
        row, (parent, level) = listed[code], self.tree[code]
        for child in children:  # children listed in the file check their own parent
            child_level = self.tree[child][1]
            if child not in listed and _out_of_order(level, child_level):
                message = f"level {level} is not above '{child}' ({child_level}) below it"
                self.f.error(row.at("level"), message)
        if parent is None:
            return
        if parent not in self.tree:
            self.f.error(row.at("parent"), f"unknown parent organisation '{parent}'")
            return
        chain: list[str] = [code]
        current: str | None = parent
        while current is not None and current in self.tree and current not in chain:
            chain.append(current)
            current = self.tree[current][0]
        if current == code:
            loop = " → ".join([*chain, code])
            self.f.error(row.at("parent"), f"parent chain loops back: {loop}")
            return
        parent_level = self.tree[parent][1]
        if _out_of_order(parent_level, level):
            message = f"parent '{parent}' is at {parent_level}, not above {level}"
            self.f.error(row.at("parent"), message)

    def read_people(self, rows: list[Row]) -> None:
        names = [str(r.data["username"]).strip() for r in rows if r.data.get("username")]
        for chunk in _chunks(names):
            for person in self.session.scalars(select(Person).where(Person.username.in_(chunk))):
                self.stored[("person", person.username)] = person
            query = select(RoleAssignment).where(RoleAssignment.username.in_(chunk))
            for held in self.session.scalars(query):
                roles = self.stored.setdefault(("roles", held.username), {})
                roles[(held.role, held.org_code)] = held

    def user(self, row: Row, orgs: set[str]) -> Plan | None:
        username = self.f.text(row, "username", 100)
        values: dict[str, Any] = {"full_name": self.f.text(row, "full_name", 200)}
        if username is not None and not USERNAME.fullmatch(username):
            rule = "may hold only lower-case letters, digits, '.', '_' and '-'"
            self.f.error(row.at("username"), f"username '{username}' {rule}")
        password = row.data.get("password")
        if password is not None and (not isinstance(password, str) or not password):
            self.f.error(row.at("password"), "password must be text (put it in quotes)")
        elif password is not None:
            values["password"] = password
        elif username is not None and ("person", username) not in self.stored:
            self.f.error(row.line, f"password missing for new user '{username}'")
        if "active" in row.data:
            if not isinstance(row.data["active"], bool):
                self.f.error(row.at("active"), "active must be true or false")
            values["active"] = row.data["active"]
        if "roles" in row.data:
            values["roles"] = self.roles(row, orgs)
        return None if username is None else (username, values)

    def roles(self, row: Row, orgs: set[str]) -> set[tuple[str, str]]:
        held: set[tuple[str, str]] = set()
        items = row.data["roles"] or []
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, Row):
                self.f.error(row.at("roles"), "roles must be a list of {role: ..., org: ...}")
                continue
            self.f.allowed(item, "role")
            role, org = self.f.choice(item, "role", ROLES), self.f.text(item, "org", ORG_CODE_MOST)
            if org is not None and org not in orgs:
                self.f.error(item.at("org"), f"unknown organisation '{org}'")
            elif role is not None and org is not None:
                if (role, org) in held:
                    self.f.error(item.line, f"role {role} at {org} is listed twice")
                held.add((role, org))
        return held

    def campaign(self, row: Row) -> Plan | None:
        code = self.f.code(row, "code", CAMPAIGN_CODE_MOST)
        name, starts, ends = (
            self.f.text(row, "name"),
            self.f.day(row, "starts"),
            self.f.day(row, "ends"),
        )
        if starts and ends and ends < starts:
            self.f.error(row.at("ends"), f"ends {ends:%d/%m/%Y} is before starts {starts:%d/%m/%Y}")
        return None if code is None else (code, {"name": name, "starts": starts, "ends": ends})

    def award(self, row: Row) -> Plan | None:
        code = self.f.code(row, "code", AWARD_CODE_MOST)
        values = {
            "name": self.f.text(row, "name"),
            "subject": self.f.choice(row, "subject", SUBJECTS),
            "kind": self.f.choice(row, "kind", AWARD_KINDS),
        }
        if "criteria" in row.data:
            values["criteria"] = self.f.text(row, "criteria", 10_000, required=False) or ""
        return None if code is None else (code, values)

    def calendar_day(self, row: Row) -> Plan | None:
        day = self.f.day(row, "day")
        values = {"kind": self.f.choice(row, "kind", CALENDAR_KINDS)}
        if "note" in row.data:
            values["note"] = self.f.text(row, "note", 300, required=False) or ""
        return None if day is None else (day, values)

    def read_history(self, rows: list[Row]) -> None:
        keys = {nominee_key(str(r.data["nominee"])) for r in rows if r.data.get("nominee")}
        for chunk in _chunks(keys):
            for past in self.session.scalars(
                select(PastAward).where(PastAward.nominee_key.in_(chunk))
            ):
                key = ("past", past.nominee_key, past.org_code, past.award_code, past.year)
                self.stored.setdefault(key, past)

    def past_award(self, row: Row, orgs: set[str], awards: set[str]) -> Plan | None:
        nominee, year = self.f.text(row, "nominee", 200), self.f.integer(row, "year", 1945, 2100)
        org = self.f.text(row, "org", ORG_CODE_MOST)
        award = self.f.text(row, "award", AWARD_CODE_MOST)
        if org is not None and org not in orgs:
            self.f.error(row.at("org"), f"unknown organisation '{org}'")
        if award is not None and award not in awards:
            self.f.error(row.at("award"), f"unknown award '{award}'")
        values = {"nominee": nominee}
        if "decision_no" in row.data:
            values["decision_no"] = self.f.text(row, "decision_no", 100, required=False) or ""
        if nominee is None or org is None or award is None or year is None:
            return None
        return (nominee_key(nominee), org, award, year), values

    def check_rules(self, rows: list[Row], awards: set[str]) -> list[Plan]:
        def parse(row: Row) -> Plan | None:
            award = self.f.text(row, "award", AWARD_CODE_MOST)
            if award is not None and award not in awards:
                self.f.error(row.at("award"), f"unknown award '{award}'")
                award = None  # nothing to merge with
            effective_from = self.f.day(row, "effective_from")
            values: dict[str, Any] = {"basis": self.f.text(row, "basis", 5000)}
            for key in RULE_PARAMS:
                if key in row.data:
                    values[key] = self.rule_param(row, key, awards)
            if award is None or effective_from is None:
                return None
            return (award, effective_from), {**values, "_line": row.line}

        given = self.keyed(rows, parse)
        for chunk in _chunks({award for (award, _), _ in given}):
            query = select(AwardRule).where(AwardRule.award_code.in_(chunk))
            for rule in self.session.scalars(query):
                self.stored[("rule", rule.award_code, rule.effective_from)] = rule
        timeline = {(k[1], k[2]): _rule_values(r) for k, r in self.stored.items() if k[0] == "rule"}
        plans: list[Plan] = []
        # In date order, so a row inherits from an earlier row of the same file too.
        for (award, effective_from), values in sorted(given, key=lambda plan: plan[0][1]):
            line = values.pop("_line")
            earlier = [day for (code, day) in timeline if code == award and day <= effective_from]
            if earlier:
                merged = {**timeline[(award, max(earlier))], **values}
            else:
                missing = [k for k in RULE_PARAMS if k not in values and k not in RULE_DEFAULTS]
                if missing:
                    needed = ", ".join(missing)
                    self.f.error(line, f"missing {needed}: no earlier rule of {award} to take from")
                    continue
                merged = {**RULE_DEFAULTS, **values}
            timeline[(award, effective_from)] = merged
            plans.append(((award, effective_from), merged))
        return plans

    def rule_param(self, row: Row, key: str, awards: set[str]) -> Any:
        if key == "deciding_level":
            return self.f.choice(row, key, LEVELS)
        if key == "vote_base":
            return self.f.choice(row, key, VOTE_BASES)
        if key == "vote_threshold" or (key == "quota_ratio" and row.data[key] is not None):
            return self.f.ratio(row, key)
        if key == "publicity_working_days":
            return self.f.integer(row, key, 0, 60)
        if key in ("appraisal_sla_days", "vote_sla_days"):
            return self.f.integer(row, key, 1, 365)
        if key == "prerequisites":
            return self.prerequisites(row, awards)
        if key == "documents":
            return self.documents(row)
        return None  # quota_ratio: null, no quota

    def documents(self, row: Row) -> str:
        """The required documents: a list of {name, basis[, applies]} (workflows.checklist)."""
        items = row.data["documents"] or []
        plain = (
            [i.data if isinstance(i, Row) else i for i in items]
            if isinstance(items, list)
            else items
        )

        def problem(code: str, **params: Any) -> None:
            said = f"document '{params['name']}' listed twice" if "name" in params else ""
            shape = "documents must be a list of {name, basis, applies: full|simplified|both}"
            self.f.error(row.at("documents"), said or shape)

        return check_documents(plain, problem)

    def prerequisites(self, row: Row, awards: set[str]) -> str:
        items = row.data["prerequisites"] or []
        found = []
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, Row):
                message = "prerequisites must be a list of {award: ..., consecutive_years: ...}"
                self.f.error(row.at("prerequisites"), message)
                continue
            self.f.allowed(item, "prerequisite")
            award = self.f.text(item, "award", AWARD_CODE_MOST)
            if award is not None and award not in awards:
                self.f.error(item.at("award"), f"unknown award '{award}'")
            rule: dict[str, Any] = {"award": award}
            for key in ("consecutive_years", "count", "within_years"):
                if key in item.data:
                    rule[key] = self.f.integer(item, key, 1, 50)
            if ("consecutive_years" in rule) == ("count" in rule):
                self.f.error(item.line, "a prerequisite needs one of consecutive_years, count")
            elif "within_years" in rule and "count" not in rule:
                self.f.error(item.at("within_years"), "within_years goes with count")
            found.append(rule)
        return json.dumps(found, ensure_ascii=False, sort_keys=True)

    # -- writing -----------------------------------------------------------------------

    def save(
        self,
        section: str,
        model: type[Base],
        existing: Any,
        key: dict[str, Any],
        values: dict[str, Any],
    ) -> None:
        counts = self.report.sections[section]
        if existing is None:
            self.session.add(model(**key, **values))
            counts.created += 1
        elif _sync(existing, values):
            counts.updated += 1
        else:
            counts.unchanged += 1

    def depth(self, code: str | None) -> int:
        return 0 if code is None else 1 + self.depth(self.tree[code][0])

    def apply(self) -> SeedReport:
        get = self.session.get
        orgs = sorted(self.plans["organisations"], key=lambda plan: self.depth(plan[0]))
        stored_orgs = {code: get(Organisation, code) for code, _ in orgs}
        for code, values in orgs:  # parents first: a new organisation's parent may be new
            if stored_orgs[code] is None:
                self.save("organisations", Organisation, None, {"code": code}, values)
        self.session.flush()  # new parents exist before an existing organisation moves under one
        for code, values in orgs:
            if stored_orgs[code] is not None:
                self.save("organisations", Organisation, stored_orgs[code], {}, values)
        for code, values in self.plans["campaigns"]:
            self.save("campaigns", Campaign, get(Campaign, code), {"code": code}, values)
        for code, values in self.plans["awards"]:
            self.save("awards", Award, get(Award, code), {"code": code}, values)
        for day, values in self.plans["calendar"]:
            self.save("calendar", CalendarDay, get(CalendarDay, day), {"day": day}, values)
        self.session.flush()
        self.save_users()
        for (award, day), values in self.plans["rules"]:
            key = {"award_code": award, "effective_from": day}
            self.save("rules", AwardRule, self.stored.get(("rule", award, day)), key, values)
        for (name_key, org, award, year), values in self.plans["awards_history"]:
            past = self.stored.get(("past", name_key, org, award, year))
            key = {"nominee_key": name_key, "org_code": org, "award_code": award, "year": year}
            self.save("awards_history", PastAward, past, key, values)
        self.session.flush()
        return self.report

    def save_users(self) -> None:
        created: set[str] = set()
        updated: set[str] = set()
        for username, values in self.plans["users"]:
            person = self.stored.get(("person", username))
            password = values.get("password")
            columns = {k: v for k, v in values.items() if k in ("full_name", "active")}
            if person is None:
                hashed = self.hash(values["password"])
                self.session.add(Person(username=username, password_hash=hashed, **columns))
                created.add(username)
                continue
            if person.active and columns.get("active") is False:
                self.signed_out.add(username)
            if _sync(person, columns):
                updated.add(username)
            # The stored hash changes only when the file's password no longer matches it.
            if password is None:
                continue
            changed = not self.verify(person, password)
            if changed or needs_rehash(person.password_hash):
                person.password_hash = self.hash(password)
                updated.add(username)
            if changed:
                self.signed_out.add(username)
        self.session.flush()  # people exist before their roles
        for username, values in self.plans["users"]:
            if "roles" not in values:
                continue  # roles left out: the stored ones stay
            held = self.stored.get(("roles", username), {})
            for role, org in values["roles"] - held.keys():
                self.session.add(RoleAssignment(username=username, role=role, org_code=org))
            for pair in held.keys() - values["roles"]:
                self.session.delete(held[pair])
                self.signed_out.add(username)
            if held.keys() != values["roles"] and username not in created:
                updated.add(username)
        self.session.flush()
        # As in the admin pages: a new password, a revoked role or a deactivated account
        # ends the person's tokens and page sessions at once.
        for username in sorted(self.signed_out):
            end_sessions(self.session, username)
        counts = self.report.sections.get("users", Counts())
        counts.created, counts.updated = len(created), len(updated)
        counts.unchanged = len(self.plans["users"]) - len(created) - len(updated)

    # One Argon2 hash per distinct password in a file: hashing costs ~0.15 s by design and a
    # demo gives dozens of accounts one password; sharing tells no more than the file does.
    def hash(self, plain: str) -> str:
        if plain not in self.hashes:
            self.hashes[plain] = hash_password(plain)
        return self.hashes[plain]

    def verify(self, person: Person, plain: str) -> bool:
        key = (person.password_hash, plain)
        if key not in self.verified:
            self.verified[key] = verify_password(person.password_hash, plain)
        return self.verified[key]
