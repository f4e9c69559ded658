"""The message catalogues (web/translations): every code the code base asks for is in both
languages, the two languages have the same codes and the same placeholders, plurals agree with
their number, and an unknown code fails instead of showing itself."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

import flask_babel
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask, render_template_string

from web.api.problems import _TITLES, translate_errors
from web.i18n import (
    LANGUAGES,
    catalogue,
    catalogue_path,
    init_app,
    known,
    lazy_t,
    speaking,
    t,
    template,
)
from web.pages.processes import SCRIPT_MESSAGES
from web.queries.instances import STATUSES
from workflows.forms import FORMS
from workflows.models import SUBJECTS, VOTING_MODES
from workflows.roles import LANE_ROLES

ROOT = Path(__file__).resolve().parent.parent
# t("code"…), lazy_t("code"…), template("code"), anchors' say("code"…), in Python and templates;
# and the families of codes made from data: t(f"stage_{code}"), Jinja's t("kind_" ~ kind).
CALL = re.compile(r"""\b(?:t|lazy_t|template|say)\(\s*["']([A-Za-z0-9_]+)["']\s*[,)]""")
FAMILY = re.compile(r"""\b(?:t|lazy_t|say)\(\s*(?:f["']([a-z0-9_]+)\{|["']([a-z0-9_]+)["']\s*~)""")


def _po(lang: str) -> Catalog:
    with catalogue_path(lang).open("rb") as po:
        return read_po(po, locale=lang)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def _sources() -> list[str]:
    return [
        path.read_text(encoding="utf-8")
        for folder in ("web", "workflows")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html"} and "static" not in path.parts
    ]


def _used_codes() -> set[str]:
    found: set[str] = set()
    for source in _sources():
        found.update(CALL.findall(source))
    # Codes made from data, looked up without a known() guard.
    found.update(f"role_{code}" for code in LANE_ROLES)
    found.update(f"stage_{code}" for code in FORMS)
    found.update(f"inst_voting_{mode}" for mode in VOTING_MODES)
    found.update(f"inst_subject_{subject}" for subject in SUBJECTS)
    found.update(f"instance_status_{status}" for status in STATUSES)
    found.update(SCRIPT_MESSAGES)
    found.update(_TITLES.values())
    found.update({"server_error", "age_now", "age_minutes", "age_hours", "age_days"})
    return found


def test_the_scan_finds_the_calls_it_looks_for() -> None:
    used = _used_codes()
    assert {"app_name", "inbox_total", "inst_code_invalid", "anchor_stale"} <= used
    assert len(used) > 400


def test_every_family_of_codes_made_from_data_has_messages() -> None:
    """Each prefix the code completes from data (f"stats_by_{name}", "kind_" ~ kind) has
    messages; the families whose values are at hand are checked one by one above."""
    families = {a or b for source in _sources() for a, b in FAMILY.findall(source)}
    assert {"stage_", "kind_", "inst_kind_", "stats_by_", "diff_"} <= families
    codes = catalogue("vi").codes
    assert sorted(f for f in families if not any(c.startswith(f) for c in codes)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_the_code_uses_is_in_the_catalogue(lang: str) -> None:
    missing = sorted(_used_codes() - catalogue(lang).codes)
    assert missing == []


def test_vi_and_en_have_the_same_codes_and_plurals() -> None:
    vi, en = catalogue("vi"), catalogue("en")
    assert sorted(vi.codes ^ en.codes) == []
    assert vi.plurals == en.plurals
    assert {"inbox_total", "age_minutes", "too_many_attempts"} <= vi.plurals


def test_no_entry_is_fuzzy_empty_or_written_twice() -> None:
    for lang in LANGUAGES:
        catalog = _po(lang)
        ids = [m.id for m in catalog if m.id]
        assert len(ids) == len(set(map(str, ids)))
        assert [m.id for m in catalog if m.id and m.fuzzy] == []
        assert len(catalogue(lang).codes) == len(ids)  # every entry has its text


def test_vi_and_en_have_the_same_placeholders() -> None:
    vi = {m.id if isinstance(m.id, str) else m.id[0]: m for m in _po("vi") if m.id}
    mismatched = []
    for message in _po("en"):
        if not message.id:
            continue
        code = message.id if isinstance(message.id, str) else message.id[0]
        texts = [*_strings(message.string), *_strings(vi[code].string)]
        if len({frozenset(_fields(text)) for text in texts}) != 1:
            mismatched.append(code)
        if code in catalogue("en").plurals and "count" not in _fields(texts[0]):
            mismatched.append(code)
    assert mismatched == []


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def test_an_unknown_code_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no_such_message"):
        t("no_such_message")
    with speaking("en"), pytest.raises(KeyError):
        template("no_such_message")
    assert not known("no_such_message") and known("app_name")


def test_a_message_reads_the_same_in_each_language_with_its_placeholders() -> None:
    assert t("signed_in_as", name="Hà") == "Đang đăng nhập: Hà"
    with speaking("en"):
        assert t("signed_in_as", name="Hà") == "Signed in as Hà"
        assert t("file_name_invalid", name="a.bpmn") == "Missing or repeated file name: 'a.bpmn'."
        # A literal brace is written doubled, as str.format wants.
        assert "{award, consecutive_years}" in t("inst_prerequisites_invalid")
    # Outside any request: Vietnamese, as for the CLI.
    assert t("nav_inbox") == "Hộp công việc"


def test_english_plurals_follow_the_count_and_vietnamese_has_one_form() -> None:
    with speaking("en"):
        assert t("inbox_total", count=1) == "1 task"
        assert t("inbox_total", count=2) == "2 tasks"
        assert t("inbox_total", count=0) == "0 tasks"
        assert t("age_minutes", count=1) == "1 minute ago"
        assert t("too_many_attempts", count=1).endswith("in 1 second.")
    assert t("inbox_total", count=1) == "1 công việc"
    assert t("inbox_total", count=5) == "5 công việc"
    with pytest.raises(KeyError):
        t("inbox_total")  # a plural needs its count
    with pytest.raises(ValueError):
        template("inbox_total")


def test_a_lazy_message_is_read_in_each_requests_language() -> None:
    text = lazy_t("inst_code_invalid", most=50)  # made before any request, like a schema's
    app = Flask(__name__)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(text).startswith("A code is ASCII letters")
        assert "(at most 50 characters)" in str(text)
    with app.test_request_context():
        assert str(text).startswith("Mã gồm chữ cái không dấu")


def test_marshmallows_english_is_written_in_the_readers_language() -> None:
    errors = {
        "a": ["Missing data for required field."],
        "b": ["Must be greater than or equal to 1 and less than or equal to 50."],
        "c": ["Must be greater than or equal to 0."],
        "d": {"0": ["Shorter than minimum length 3."]},
        "e": ["Must be one of: ballot, meeting."],
        "f": ["Something our own schema said."],
    }
    app = Flask(__name__)
    with app.test_request_context():
        assert translate_errors(errors) == {
            "a": ["Trường này là bắt buộc."],
            "b": ["Phải từ 1 đến 50."],
            "c": ["Phải lớn hơn hoặc bằng 0."],
            "d": {"0": ["Tối thiểu 3 ký tự."]},
            "e": ["Chọn một trong: ballot, meeting."],
            "f": ["Something our own schema said."],
        }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate_errors(errors) == errors


def test_flask_babel_reads_the_same_catalogues_in_the_same_language() -> None:
    app = Flask(__name__)
    init_app(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(flask_babel.get_locale()) == "en"
        assert flask_babel.gettext("nav_inbox") == "Task inbox"
        assert render_template_string("{{ _('nav_inbox') }}") == "Task inbox"
    with app.test_request_context():
        assert str(flask_babel.get_locale()) == "vi"
        assert flask_babel.gettext("nav_inbox") == "Hộp công việc"
