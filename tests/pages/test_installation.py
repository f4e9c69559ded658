"""The installation admin's pages: the sections, organisations, people and roles, rule
versions and the calendar, as an admin uses them in a browser."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine import audit
from engine.models import AuditEvent
from tests.pages.conftest import Browser, text
from workflows.models import AwardRule, CalendarDay, Campaign, Organisation, RoleAssignment


def _events(browser: Browser) -> int:
    with Session(browser.db) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_admin_index_lists_every_section_and_the_nav_links_it(browser: Browser) -> None:
    browser.login("quantri")
    page = text(browser.get("/quan-tri"))
    for path in ("/quan-tri/quy-trinh", "/quan-tri/phien-chay", "/quan-tri/to-chuc"):
        assert f'href="{path}"' in page
    for path in ("/quan-tri/nguoi-dung", "/quan-tri/dot-thi-dua", "/quan-tri/danh-hieu"):
        assert f'href="{path}"' in page
    assert "Quản trị hệ thống" in page and "Lịch làm việc" in page
    assert 'href="/quan-tri">Quản trị</a>' in text(browser.get("/"))


def test_others_are_refused_and_see_no_admin_link(browser: Browser) -> None:
    assert browser.get("/quan-tri/to-chuc").status_code == 302  # to sign in
    browser.login("thanhtra.cdgdvn")
    assert 'href="/quan-tri"' not in text(browser.get("/"))
    for path in ("/quan-tri", "/quan-tri/to-chuc", "/quan-tri/lich", "/quan-tri/danh-hieu"):
        response = browser.get(path)
        assert response.status_code == 403 and "quản trị hệ thống" in text(response)
    refused = browser.post("/quan-tri/lich", {"day": "2026-12-26", "kind": "work"}, csrf_from="/")
    assert refused.status_code == 403


def test_an_organisation_added_shows_in_the_tree_and_as_a_parent_choice(browser: Browser) -> None:
    browser.login("quantri")
    form = {"code": "CDGD_HN", "name": "Công đoàn Giáo dục Hà Nội", "level": "L2"}
    added = browser.post("/quan-tri/to-chuc", {**form, "parent": "CDGDVN", "voting": "ballot"})
    assert added.status_code == 302
    page = text(browser.get("/quan-tri/to-chuc"))
    assert "Công đoàn Giáo dục Hà Nội" in page and '<option value="CDGD_HN"' in page

    before = _events(browser)
    loop = browser.post(
        "/quan-tri/to-chuc/CDGD_HN",
        {
            "name": "Công đoàn Giáo dục Hà Nội",
            "level": "L2",
            "parent": "CDGD_HN",
            "voting": "ballot",
        },
    )
    assert loop.status_code == 422 and "vòng lặp" in text(loop)
    taken = browser.post("/quan-tri/to-chuc", {**form, "parent": "CDGDVN", "voting": "ballot"})
    assert taken.status_code == 200 and "đã được dùng" in text(taken)
    assert _events(browser) == before
    with Session(browser.db) as session:
        assert session.get(Organisation, "CDGD_HN").parent_code == "CDGDVN"  # type: ignore[union-attr]


def test_a_person_gets_a_role_and_can_work_there(browser: Browser) -> None:
    browser.login("quantri")
    new = {"username": "thuky2.thcs_ths", "full_name": "Đỗ Thị Lan", "password": "mat-khau-moi"}
    created = browser.post("/quan-tri/nguoi-dung", {**new, "role": "", "org": ""})
    assert created.status_code == 302
    granted = browser.post(
        "/quan-tri/nguoi-dung/thuky2.thcs_ths/vai-tro",
        {"role": "secretary", "org": "THCS_THS"},
        csrf_from="/quan-tri/nguoi-dung",
    )
    assert granted.status_code == 302
    person = text(browser.get("/quan-tri/nguoi-dung/thuky2.thcs_ths"))
    assert "THCS_THS" in person and "$argon2" not in person and "mat-khau-moi" not in person
    # The new secretary signs in and finds the school's appraisal waiting.
    other = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    other.login("thuky2.thcs_ths", "mat-khau-moi")
    assert "Nguyễn Thị Thu Hà" in text(other.get("/"))


def test_an_admin_cannot_revoke_their_own_last_admin_role(browser: Browser) -> None:
    browser.login("quantri")
    browser.post(
        "/quan-tri/nguoi-dung",
        {
            "username": "quantri.nb",
            "full_name": "Vũ Minh Tâm",
            "password": "laurel-demo-2",
            "role": "admin",
            "org": "CDGD_NB",
        },
    )
    local = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    local.login("quantri.nb", "laurel-demo-2")
    assert local.get("/quan-tri/to-chuc/THPT_LHP").status_code == 404  # another chain
    assert local.get("/quan-tri/to-chuc/THCS_THS").status_code == 200
    revoked = local.post(
        "/quan-tri/nguoi-dung/quantri.nb/thu-hoi",
        {"role": "admin", "org": "CDGD_NB"},
        csrf_from="/quan-tri/nguoi-dung/quantri.nb",
    )
    assert revoked.status_code == 302
    assert "vai trò quản trị cuối cùng" in text(local.get("/quan-tri/nguoi-dung/quantri.nb"))
    with Session(browser.db) as session:
        held = session.scalars(
            select(RoleAssignment.org_code).where(RoleAssignment.username == "quantri.nb")
        ).all()
    assert held == ["CDGD_NB"]


def _add_rule(browser: Browser, form: Mapping[str, str | list[str]]) -> TestResponse:
    return browser.post("/quan-tri/danh-hieu/LDTT/phien-ban", form, "/quan-tri/danh-hieu/LDTT")


def test_a_rule_version_and_a_make_up_day_are_added_and_audited(browser: Browser) -> None:
    browser.login("quantri")
    past = _add_rule(browser, {"effective_from": "01/01/2020", "basis": "", "vote_threshold": "60"})
    assert past.status_code == 422 and "sau hôm nay" in text(past)
    bad = _add_rule(
        browser, {"effective_from": "01/12/2026", "basis": "x", "vote_threshold": "150"}
    )
    assert bad.status_code == 422
    assert "Tỷ lệ phần trăm phải lớn hơn 0 và không quá 100" in text(bad)
    many = _add_rule(
        browser,
        {
            "effective_from": "01/12/2026",
            "basis": "x",
            "prerequisite_award": ["LDTT"] * 5000,
            "prerequisite_kind": ["count"] * 5000,
            "prerequisite_number": ["1"] * 5000,
        },
    )
    assert many.status_code == 422  # told at the field, not a 500
    assert "Tối đa 20 điều kiện" in text(many)
    within = _add_rule(
        browser,
        {
            "effective_from": "01/12/2026",
            "basis": "x",
            "prerequisite_award": "LDTT",
            "prerequisite_kind": "consecutive_years",
            "prerequisite_number": "2",
            "prerequisite_within_years": "5",
        },
    )
    assert within.status_code == 422
    assert "Dòng 1: Chỉ tính trong số năm gần nhất khi tính theo số lần" in text(within)
    added = browser.post(
        "/quan-tri/danh-hieu/LDTT/phien-ban",
        {
            "effective_from": "01/12/2026",
            "basis": "Quyết định thử nghiệm.",
            "publicity_working_days": "7",
        },
        csrf_from="/quan-tri/danh-hieu/LDTT",
    )
    assert added.status_code == 302
    page = text(browser.get("/quan-tri/danh-hieu/LDTT"))
    assert "01/12/2026" in page and "Chưa hiệu lực" in page and "Đang áp dụng" in page
    with Session(browser.db) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AwardRule).where(AwardRule.award_code == "LDTT")
            )
            == 2
        )

    day = browser.post("/quan-tri/lich", {"day": "28/11/2026", "kind": "work", "note": "Làm bù"})
    assert day.status_code == 302
    calendar = text(browser.get("/quan-tri/lich?nam=2026"))
    assert "28/11/2026" in calendar and "Ngày làm bù" in calendar and "02/09/2026" in calendar
    with Session(browser.db) as session:
        assert session.get(CalendarDay, date(2026, 11, 28)) is not None
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("admin.%"))
            .order_by(AuditEvent.seq)
        ).all()
    assert actions == ["admin.rule.create", "admin.calendar.add"]
    index = text(browser.get("/quan-tri"))
    assert "Thêm phiên bản tham số" in index and "Điều chỉnh lịch làm việc" in index
    with browser.db.connect() as connection:
        assert audit.verify(connection).ok


def _rules(browser: Browser, award: str) -> list[AwardRule]:
    with Session(browser.db) as session:
        return list(
            session.scalars(
                select(AwardRule)
                .where(AwardRule.award_code == award)
                .order_by(AwardRule.effective_from)
            )
        )


def test_a_percentage_and_a_prerequisite_row_are_stored_and_read_back_in_words(
    browser: Browser,
) -> None:
    browser.login("quantri")
    form = text(browser.get("/quan-tri/danh-hieu/LDTT"))
    # The rule in force reads as sentences: levels, bases and shares by their names.
    versions = form[form.index('<table class="tasks">') : form.index("</table>")]
    assert "Đồng ý từ 50 % trở lên, tính trên Tổng số thành viên Hội đồng" in versions
    assert "Không giới hạn số lượng" in versions and "Cấp quyết định: " in versions
    for raw in ("0.5", "all_members", "present_members"):
        assert raw not in versions
    assert '"award"' not in form and "(JSON)" not in form  # no JSON to type
    # A field left blank keeps the latest version's value, which its hint says in words.
    assert "phiên bản mới nhất: 50 %)" in form and "phiên bản mới nhất: Không giới hạn" in form
    added = _add_rule(
        browser,
        {
            "effective_from": "2026-12-01",
            "basis": "Quyết định thử nghiệm.",
            "vote_threshold": "60",
            "quota_ratio": "12,5 %",
            "prerequisite_award": ["", "CSTDCS", ""],
            "prerequisite_kind": ["consecutive_years", "count", "consecutive_years"],
            "prerequisite_number": ["", "2", ""],
            "prerequisite_within_years": ["", "5", ""],
        },
    )
    assert added.status_code == 302
    [old, new] = _rules(browser, "LDTT")
    assert (new.vote_threshold, new.quota_ratio) == (0.6, 0.125)
    assert new.prerequisite_list == [{"award": "CSTDCS", "count": 2, "within_years": 5}]
    assert new.vote_base == old.vote_base  # left blank: carried over
    page = text(browser.get("/quan-tri/danh-hieu/LDTT"))
    assert "Đồng ý từ 60 % trở lên" in page and "Số lượng tối đa: 12,5 %" in page
    assert "Phải đạt trước: Chiến sĩ thi đua cơ sở ít nhất 2 lần trong 5 năm gần nhất" in page
    assert "phiên bản mới nhất: 60 %)" in page
    # The next version's form starts from these prerequisites, the award chosen by name.
    assert '<option value="CSTDCS" selected>Chiến sĩ thi đua cơ sở</option>' in page


def test_an_existing_prerequisite_shows_by_name_and_english_reads_english(
    browser: Browser,
) -> None:
    browser.login("quantri")
    page = text(browser.get("/quan-tri/danh-hieu/CSTD_BO_TINH"))
    assert "Phải đạt trước: Chiến sĩ thi đua cơ sở 3 năm liền" in page
    assert "Đồng ý từ 90 % trở lên" in page and 'CSTDCS", ' not in page
    english = text(
        browser.get("/quan-tri/danh-hieu/CSTD_BO_TINH", headers={"Accept-Language": "en"})
    )
    assert "At least 90 % in favour, of All council members" in english
    assert "in 3 consecutive years" in english


def test_a_bad_percentage_is_refused_at_its_field_and_nothing_is_stored(
    browser: Browser,
) -> None:
    browser.login("quantri")
    before = _events(browser)
    for field, typed in (
        ("vote_threshold", "150"),
        ("vote_threshold", "abc"),
        ("quota_ratio", "0"),
    ):
        refused = _add_rule(
            browser, {"effective_from": "2026-12-01", "basis": "Thử nghiệm.", field: typed}
        )
        assert refused.status_code == 422
        page = text(refused)
        error = page[page.index(f'id="r-{field}-err"') :]
        assert error.startswith(
            f'id="r-{field}-err">Tỷ lệ phần trăm phải lớn hơn 0 và không quá 100 (ví dụ 50).'
        )
        assert f'value="{typed}"' in page  # what was typed stays to be corrected
    english = browser.client.post(
        "/quan-tri/danh-hieu/LDTT/phien-ban",
        data={
            "effective_from": "2026-12-01",
            "basis": "x",
            "vote_threshold": "abc",
            "csrf_token": browser.csrf("/quan-tri/danh-hieu/LDTT"),
        },
        headers={"Accept-Language": "en"},
    )
    assert "A percentage is above 0 and at most 100" in text(english)
    assert len(_rules(browser, "LDTT")) == 1 and _events(browser) == before


def test_a_campaign_form_is_refused_field_by_field_in_the_readers_language(
    browser: Browser,
) -> None:
    browser.login("quantri")
    before = _events(browser)
    form = {"code": "TLD 2027", "name": "", "starts": "31/02/2027", "ends": "2027-07-31"}
    refused = browser.post("/quan-tri/dot-thi-dua", form)
    assert refused.status_code == 422
    page = text(refused)
    for field, said in (
        ("code", "Mã gồm chữ cái không dấu"),
        ("name", "Trường này là bắt buộc."),
        ("starts", "Ngày không hợp lệ (từ năm 2000 đến 2100)."),
    ):
        assert page[page.index(f'id="c-{field}-err"') :].startswith(f'id="c-{field}-err">{said}')
    assert 'value="TLD 2027"' in page  # what was typed stays to be corrected
    english = browser.client.post(
        "/quan-tri/dot-thi-dua",
        data={**form, "csrf_token": browser.csrf("/quan-tri/dot-thi-dua")},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 422 and "Ngày không hợp lệ" not in text(english)
    form = {**form, "code": "TLD2027", "name": "Đợt 1", "starts": "01/02/2027"}
    added = browser.post("/quan-tri/dot-thi-dua", form)
    assert added.status_code == 302  # dd/mm/yyyy typed and a date input's yyyy-mm-dd alike
    with Session(browser.db) as session:
        found = session.get(Campaign, "TLD2027")
        assert found is not None and (found.starts, found.ends) == (
            date(2027, 2, 1),
            date(2027, 7, 31),
        )
    assert _events(browser) == before + 1
