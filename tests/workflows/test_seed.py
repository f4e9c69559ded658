"""Seed files as an operator loads them: the shipped catalogue and demo, reloading, rule
overrides, refused files with every bad line named, and the `laurel seed` command."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from engine.db import make_session_factory
from web.cli import main
from workflows import auth
from workflows.models import (
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
from workflows.seed import SeedError, SeedReport, load_seed

SEEDS = Path(__file__).parents[2] / "workflows" / "seeds"
CATALOGUE = SEEDS / "catalogue.yaml"
DEMO = SEEDS / "demo.yaml"


def _load(db: Engine, *sources: str | Path) -> list[SeedReport]:
    with make_session_factory(db).begin() as session:
        return [load_seed(session, source) for source in sources]


def _count(db: Engine, model: type) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _rule(session: Session, award: str, effective_from: str) -> AwardRule:
    day = date.fromisoformat(effective_from)
    query = select(AwardRule).filter_by(award_code=award, effective_from=day)
    return session.scalars(query).one()


def _counts(report: SeedReport) -> dict[str, tuple[int, int, int]]:
    return {name: (c.created, c.updated, c.unchanged) for name, c in report.sections.items()}


def test_catalogue_and_demo_load_with_vietnamese_intact(db: Engine) -> None:
    catalogue, demo = _load(db, CATALOGUE, DEMO)

    assert _counts(catalogue) == {"awards": (14, 0, 0), "rules": (14, 0, 0)}
    assert _counts(demo) == {
        "organisations": (11, 0, 0),
        "users": (64, 0, 0),
        "campaigns": (2, 0, 0),
        "awards_history": (22, 0, 0),
        "calendar": (2, 0, 0),
    }
    assert _count(db, RoleAssignment) == 65  # the admin holds a role on both chains
    with Session(db) as session:
        nb = session.get(Organisation, "CDGD_NB")
        assert nb is not None and nb.name == "Công đoàn Giáo dục tỉnh Ninh Bình"
        assert (nb.level, nb.parent_code) == ("L2", "CDGDVN")
        university = session.get(Organisation, "DH_HL")
        assert university is not None and (university.level, university.parent_code) == (
            "L1",
            "CDGDVN",
        )
        assert {
            o.code for o in session.scalars(select(Organisation).filter_by(voting="meeting"))
        } == {"TH_DTH"}
        lan = session.get(Person, "thuky.cdgdvn")
        assert lan is not None and lan.full_name == "Nguyễn Thị Lan"
        hcld = session.get(Award, "HCLD3")
        assert hcld is not None and hcld.name == "Huân chương Lao động hạng Ba"
        for text in session.scalars(select(Award.name)):
            assert unicodedata.is_normalized("NFC", text)

        cstd = _rule(session, "CSTD_BO_TINH", "2024-01-01")
        assert (cstd.deciding_level, cstd.vote_threshold, cstd.vote_base) == (
            "L3",
            0.9,
            "all_members",
        )
        assert cstd.prerequisite_list == [{"award": "CSTDCS", "consecutive_years": 3}]
        assert "Điều 22" in cstd.basis and "[H]" in cstd.basis
        assert _rule(session, "CSTDCS", "2024-01-01").quota_ratio == 0.15
        assert _rule(session, "BK_TTG", "2024-01-01").vote_threshold == 0.8
        state = ("CSTD_TQ", "CO_CP", "BK_TTG", "HCLD3")
        for rule in session.scalars(select(AwardRule)):
            assert rule.deciding_level == (
                "L5" if rule.award_code in state else rule.deciding_level
            )
            assert rule.publicity_working_days == (10 if rule.award_code in state else 5)

        # Every level has its secretary, head and council; every base unit its proposer.
        held = {(r.role, r.org_code) for r in session.scalars(select(RoleAssignment))}
        for org in session.scalars(select(Organisation)):
            for role in (
                "secretary",
                "head",
                "council",
                *(["proposer"] if org.level == "L1" else []),
            ):
                assert (role, org.code) in held, (role, org.code)
        assert {("auditor", "CDGDVN"), ("auditor", "SO_GDDT_ND"), ("admin", "TLD")} <= held
        assert {role for role, _ in held} == set(ROLES)

        huong = session.scalars(
            select(PastAward.year)
            .filter_by(nominee_key=nominee_key("Phạm Thị Hương"), award_code="CSTDCS")
            .order_by(PastAward.year)
        ).all()
        assert huong == [2023, 2024, 2025]
        campaign = session.get(Campaign, "NH2025-2026")
        assert campaign is not None
        assert (campaign.starts, campaign.ends) == (date(2025, 9, 5), date(2026, 5, 31))
        off = session.get(CalendarDay, date(2026, 1, 2))
        assert off is not None and off.kind == "off"  # YAML 1.1 would have read `off` as false


def test_loading_twice_changes_nothing(db: Engine) -> None:
    _load(db, CATALOGUE, DEMO)
    with Session(db) as session:
        hashes = dict(session.execute(select(Person.username, Person.password_hash)).all())

    again = _load(db, CATALOGUE, DEMO)

    assert sum(report.created + report.updated for report in again) == 0
    assert _counts(again[1])["users"] == (0, 0, 64)
    assert (_count(db, Award), _count(db, AwardRule), _count(db, PastAward)) == (14, 14, 22)
    with Session(db) as session:
        assert dict(session.execute(select(Person.username, Person.password_hash)).all()) == hashes


def test_changed_values_update_their_rows(db: Engine) -> None:
    _load(db, CATALOGUE, DEMO)
    (report,) = _load(
        db,
        """
organisations:
  - {code: TH_DTH, name: "Công đoàn Trường Tiểu học Đinh Tiên Hoàng", level: L1, voting: ballot}
users:
  - username: thuky.cdgdnb
    full_name: "Đinh Thị Thu Huyền"
    roles: [{role: secretary, org: CDGD_NB}, {role: council, org: CDGD_NB}]
  - {username: hoidong3.cdgdnb, full_name: "Tống Thị Hạnh", roles: []}
awards:
  - {code: LDTT, name: Lao động tiên tiến, subject: individual, kind: thuong_xuyen}
""",
    )

    assert _counts(report) == {
        "organisations": (0, 1, 0),
        "users": (0, 2, 0),
        "awards": (0, 0, 1),  # criteria left out: the stored text stays
    }
    with Session(db) as session:
        primary = session.get(Organisation, "TH_DTH")
        assert primary is not None and (primary.voting, primary.parent_code) == (
            "ballot",
            "CDGD_NB",
        )
        person = session.get(Person, "thuky.cdgdnb")
        assert person is not None and person.full_name == "Đinh Thị Thu Huyền"
        roles = session.execute(
            select(RoleAssignment.username, RoleAssignment.role).filter_by(org_code="CDGD_NB")
        ).all()
        assert ("thuky.cdgdnb", "council") in roles
        assert all(username != "hoidong3.cdgdnb" for username, _ in roles)
        ldtt = session.get(Award, "LDTT")
        assert ldtt is not None and ldtt.criteria.startswith("Hoàn thành tốt nhiệm vụ")


def test_a_rule_row_overrides_only_what_it_names(db: Engine) -> None:
    _load(db, CATALOGUE)
    overrides = """
rules:
  - award: LDTT
    effective_from: 2027-01-01
    vote_threshold: 0.6
    basis: "Ngưỡng mới (ví dụ)"
  - award: LDTT
    effective_from: 2026-01-01
    publicity_working_days: 7
    basis: "Công khai 7 ngày làm việc (ví dụ)"
"""
    (report,) = _load(db, overrides)

    assert _counts(report) == {"rules": (2, 0, 0)}
    with Session(db) as session:
        base = _rule(session, "LDTT", "2024-01-01")
        assert (base.publicity_working_days, base.vote_threshold) == (5, 0.5)
        middle = _rule(session, "LDTT", "2026-01-01")
        assert (middle.publicity_working_days, middle.vote_threshold) == (7, 0.5)
        assert (middle.deciding_level, middle.appraisal_sla_days) == ("L1", 10)
        assert middle.basis == "Công khai 7 ngày làm việc (ví dụ)"
        # A later row of the same file inherits from the earlier one, whatever the file order.
        late = _rule(session, "LDTT", "2027-01-01")
        assert (late.publicity_working_days, late.vote_threshold) == (7, 0.6)

    assert _counts(_load(db, overrides)[0]) == {"rules": (0, 0, 2)}
    # Reloading the catalogue does not touch the rows that override it.
    assert _counts(_load(db, CATALOGUE)[0])["rules"] == (0, 0, 14)


BAD = """\
organisations:
  - {code: TRUONG_B, name: "Trường B", level: L1, parent: PHONG_X}
  - {code: TRUONG_C, name: "Trường C", level: L9, voting: raise_hands}
  - {code: TRUONG_B, name: "Trường B (lặp)", level: L1}
users:
  - {username: canbo.b, full_name: "Lê Văn B", roles: [{role: proposer, org: TRUONG_B}]}
  - username: canbo.c
    full_name: "Lê Văn C"
    password: "laurel-demo"
    roles: [{role: chairman, org: TRUONG_C}, {role: head, org: NOWHERE}]
campaigns:
  - {code: NH2026-2027, name: "Năm học 2026–2027", starts: 2026-09-31, ends: 2027-05-31}
awards:
  - {code: KHEN_MOI, name: "Khen mới", subject: individual, kind: thuong_xuyen}
rules:
  - {award: KHEN_MOI, effective_from: 2026-01-01, vote_threshold: 1.2, basis: "Thử"}
awards_history:
  - {nominee: "Lê Văn B", org: TRUONG_B, award: LDTT, year: 2025}
"""


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_stored(db: Engine) -> None:
    _load(db, CATALOGUE)
    with make_session_factory(db)() as session, session.begin():
        with pytest.raises(SeedError) as refused:
            load_seed(session, BAD)
        assert not (session.new or session.dirty or session.deleted)

    assert [(line, message.split(" (")[0]) for line, message in refused.value.errors] == [
        (2, "unknown parent organisation 'PHONG_X'"),
        (3, "level must be one of L1, L2, L3, L4, L5, not 'L9'"),
        (3, "voting must be one of ballot, meeting, not 'raise_hands'"),
        (4, "'TRUONG_B' is listed twice"),
        (6, "password missing for new user 'canbo.b'"),
        (10, f"role must be one of {', '.join(ROLES)}, not 'chairman'"),
        (10, "unknown organisation 'NOWHERE'"),
        (12, "starts: bad date '2026-09-31'"),
        (
            16,
            "missing deciding_level, publicity_working_days, appraisal_sla_days, vote_sla_days: "
            "no earlier rule of KHEN_MOI to take from",
        ),
        (16, "vote_threshold must be a number between 0 and 1, not '1.2'"),
    ]
    assert "line 2: unknown parent organisation 'PHONG_X'" in str(refused.value)
    assert _count(db, Organisation) == _count(db, Person) == _count(db, Campaign) == 0
    assert _count(db, Award) == 14


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("awards:\n  - code: A\n\tname: B\n", (3, "not valid YAML")),
        ("- just a list\n", (1, "expected sections")),
        ("awards: {code: X}\n", (1, "section 'awards' must be a list")),
        (
            "calendar:\n  - day: 2026-01-01\n    kind: off\n    day: 2026-01-02\n",
            (4, "field 'day'"),
        ),
        (
            "rules:\n  - {award: LDTT, effective_from: 2026-01-01, basis: x, colour: red}\n",
            (2, "unknown field 'colour'"),
        ),
        ("users:\n  - {username: a, full_name: A, password: 1234}\n", (2, "password must be text")),
    ],
)
def test_malformed_files_name_the_line(db: Engine, text: str, expected: tuple[int, str]) -> None:
    _load(db, CATALOGUE)
    with pytest.raises(SeedError) as refused:
        _load(db, text)
    line, start = expected
    assert any(n == line and m.startswith(start) for n, m in refused.value.errors), refused.value


def test_codes_follow_the_one_code_rule_and_a_bad_one_names_its_line(db: Engine) -> None:
    # The rule the admin pages and the API apply (workflows.vocabulary): ASCII letters,
    # digits, '_', '.' and '-'; a seed file may not bring in a code they would refuse.
    bad = """\
organisations:
  - {code: "TRƯỜNG A", name: "Trường A", level: L1}
campaigns:
  - {code: CD2026-DOT1, name: "Đợt 1", starts: 2026-01-01, ends: 2026-06-30}
  - {code: "đợt 2", name: "Đợt 2", starts: 2026-07-01, ends: 2026-12-31}
awards:
  - {code: "LĐTT", name: "Lao động tiên tiến", subject: individual, kind: thuong_xuyen}
"""
    with pytest.raises(SeedError) as refused:
        _load(db, bad)
    rule = "may hold only ASCII letters, digits, '_', '.' and '-'"
    assert refused.value.errors == [
        (2, f"code 'TRƯỜNG A' {rule}"),
        (5, f"code 'đợt 2' {rule}"),
        (7, f"code 'LĐTT' {rule}"),
    ]
    assert _count(db, Organisation) == _count(db, Campaign) == _count(db, Award) == 0

    good = """\
organisations:
  - {code: TRUONG.A, name: "Trường A", level: L1}
campaigns:
  - {code: CD2026-DOT1, name: "Đợt 1", starts: 2026-01-01, ends: 2026-06-30}
"""
    (report,) = _load(db, good)
    assert _counts(report) == {"organisations": (1, 0, 0), "campaigns": (1, 0, 0)}


def test_organisations_in_any_order_but_never_in_a_loop(db: Engine) -> None:
    (report,) = _load(
        db,
        """
organisations:
  - {code: TRUONG_A, name: "Trường A", level: L1, parent: SO}
  - {code: SO, name: "Sở GDĐT", level: L3, parent: BO}
  - {code: BO, name: "Bộ GDĐT", level: L4}
""",
    )
    assert _counts(report) == {"organisations": (3, 0, 0)}

    loop = """
organisations:
  - {code: X, name: "X", level: L2, parent: "Y"}
  - {code: "Y", name: "Y", level: L2, parent: X}
  - {code: BO, name: "Bộ GDĐT", level: L1, parent: TRUONG_A}
"""
    with pytest.raises(SeedError) as refused:
        _load(db, loop)
    messages = dict(refused.value.errors)
    assert messages[3] == "parent chain loops back: X → Y → X"
    assert messages[4] == "parent chain loops back: Y → X → Y"
    assert messages[5].startswith("parent chain loops back: BO → TRUONG_A → SO → BO")

    levels = """\
organisations:
  - {code: TRUONG_D, name: "Trường D", level: L3, parent: SO}
  - {code: SO, name: "Sở GDĐT", level: L1}
"""
    with pytest.raises(SeedError) as refused:
        _load(db, levels)
    assert refused.value.errors == [
        (2, "parent 'SO' is at L1, not above L3"),
        (3, "level L1 is not above 'TRUONG_A' (L1) below it"),
    ]
    assert _count(db, Organisation) == 3


def test_passwords_are_hashed_and_changed_only_when_the_file_changes_them(db: Engine) -> None:
    user = "users:\n  - {{username: quantri, full_name: Quản trị, password: {password}}}\n"
    _load(db, user.format(password="'mật khẩu cũ'"))
    with Session(db) as session:
        first = session.scalars(select(Person.password_hash)).one()
    assert first.startswith("$argon2id$") and "mật khẩu cũ" not in first
    assert verify_password(first, "mật khẩu cũ") and not verify_password(first, "khác")

    assert _counts(_load(db, user.format(password="'mật khẩu cũ'"))[0]) == {"users": (0, 0, 1)}
    assert _counts(_load(db, "users:\n  - {username: quantri, full_name: Quản trị}\n")[0]) == {
        "users": (0, 0, 1)
    }
    assert _counts(_load(db, user.format(password="'mật khẩu mới'"))[0]) == {"users": (0, 1, 0)}
    with Session(db) as session:
        second = session.scalars(select(Person.password_hash)).one()
    assert second != first and verify_password(second, "mật khẩu mới")


def test_password_helpers() -> None:
    hashed = hash_password("laurel-demo")
    assert hashed != hash_password("laurel-demo")  # salted
    assert verify_password(hashed, "laurel-demo")
    assert not verify_password(hashed, "Laurel-demo")
    assert not verify_password("not a hash", "laurel-demo")
    assert not needs_rehash(hashed)
    assert needs_rehash("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaA")
    assert needs_rehash("not a hash")


@pytest.mark.parametrize(
    "variant",
    ["Vũ Thị Thúy", "  vũ   thị THÚY ", "Vũ Thị Thuý", unicodedata.normalize("NFD", "Vũ Thị Thúy")],
)
def test_nominee_key_matches_spelling_variants(variant: str) -> None:
    assert nominee_key(variant) == nominee_key("Vũ Thị Thúy") == "vũ thị thuý"
    assert nominee_key("Hòa") == nominee_key("Hoà") and nominee_key("Hoàng") == "hoàng"
    assert nominee_key("Vũ Thị Thủy") != nominee_key("Vũ Thị Thúy")


# -- laurel seed ----------------------------------------------------------------------------


def _db_count(tmp_path: Path, model: Any) -> int:
    engine = create_engine(f"sqlite:///{tmp_path / 'laurel.db'}")
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_cli_seed_prints_counts_and_is_idempotent(run: CliRunner, tmp_path: Path) -> None:
    result = run.invoke(main, ["seed", str(CATALOGUE), str(DEMO)])
    assert result.exit_code == 0, result.output
    assert "awards          14 created, 0 updated, 0 unchanged" in result.output
    assert "users           64 created, 0 updated, 0 unchanged" in result.output
    assert _db_count(tmp_path, Person) == 64

    again = run.invoke(main, ["seed", str(CATALOGUE), str(DEMO)])
    assert again.exit_code == 0, again.output
    assert "organisations   0 created, 0 updated, 11 unchanged" in again.output


def test_cli_seed_refuses_a_bad_file_and_stores_nothing(run: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "don_vi.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = run.invoke(main, ["seed", str(CATALOGUE), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: 10 error(s), nothing was stored." in result.stderr
    assert f"{bad}: line 2: unknown parent organisation 'PHONG_X'" in result.stderr
    assert f"{bad}: line 12: starts: bad date '2026-09-31'" in result.stderr
    assert _db_count(tmp_path, Award) == 0  # the good file before it was rolled back too


def test_a_seed_that_changes_a_password_revokes_a_role_or_deactivates_ends_sessions(
    db: Engine,
) -> None:
    people = """users:
  - {username: a, full_name: A, password: "mật khẩu a", roles: [{role: admin, org: TLD}]}
  - {username: b, full_name: B, password: "mật khẩu b", roles: [{role: admin, org: TLD}]}
  - {username: c, full_name: C, password: "mật khẩu c", roles: [{role: admin, org: TLD}]}
  - {username: d, full_name: D, password: "mật khẩu d", roles: [{role: admin, org: TLD}]}
"""
    orgs = "organisations:\n  - {code: TLD, name: Tổng LĐLĐ VN, level: L4}\n"
    _load(db, orgs, people)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    with make_session_factory(db).begin() as session:
        tokens = {u: auth.issue_token(session, u, now).token for u in "abcd"}

    changed = """users:
  - {username: a, full_name: A, password: "mật khẩu mới", roles: [{role: admin, org: TLD}]}
  - {username: b, full_name: B, password: "mật khẩu b", roles: []}
  - {username: c, full_name: C, password: "mật khẩu c", active: false}
  - {username: d, full_name: D, password: "mật khẩu d", roles: [{role: admin, org: TLD}]}
"""
    _load(db, changed)

    with Session(db) as session:
        signed_in = {u for u, t in tokens.items() if auth.user_of(session, t, now)}
    assert signed_in == {"d"}  # the one the file left alone
