"""Every page each role reaches, walked in a real browser from where the role lands: no
organisation, campaign or award code, login name or raw JSON where a person reads (codes
only in code columns: elements of class "code" or <code>), and no serious or critical
accessibility violation found by axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import Live, snap
from workflows.demo import PASSWORD

SEEDS = Path(__file__).resolve().parents[2] / "workflows" / "seeds"
# One person per role, each with something to do in the demo at DEMO_NOW.
ROLES = {
    "proposer": "canbo.thcs_ths",
    "secretary": "thuky.thcs_ths",
    "meeting-secretary": "thuky.th_dth",
    "council": "hoidong3.cdgdnb",
    "head": "chutich.thpt_lvt",
    "auditor": "thanhtra.cdgdvn",
    "admin": "quantri",
    "public": None,
}
SAMPLES_PER_ROUTE = 2
MAX_PAGES = 60
SKIPPED = re.compile(r"^/(static|api)/|\.(csv|xlsx|bpmn|dmn)$|/tep/|/dang-xuat")
AXE = Axe()


def _code_pattern() -> re.Pattern[str]:
    """The demo's codes and login names, as whole words (a dossier number such as
    HS-LDTT-40100F0258 holds an award code but is a number of its own)."""
    demo = yaml.safe_load((SEEDS / "demo.yaml").read_text(encoding="utf-8"))
    catalogue = yaml.safe_load((SEEDS / "catalogue.yaml").read_text(encoding="utf-8"))
    codes = [o["code"] for o in demo["organisations"]]
    codes += [c["code"] for c in demo["campaigns"]]
    codes += [a["code"] for a in catalogue["awards"]]
    codes += [u["username"] for u in demo["users"]]
    words = "|".join(re.escape(c) for c in sorted(set(codes), key=len, reverse=True))
    return re.compile(rf"(?<![\w.@-])({words})(?![\w@-])|\{{\"")


CODES = _code_pattern()
# What people read: the page's text without code columns, scripts or the diagram's ids.
READABLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.code, code, script, style, template').forEach(e => e.remove());
  return body.innerText;
}"""


def _route(path: str) -> str:
    """A path with its ids as '*': one route, whichever nomination or person it shows."""
    return "/".join("*" if re.search(r"[\d._A-Z]", part) else part for part in path.split("/"))


def _sign_in(page: Page, live: Live, username: str | None) -> str:
    page.context.clear_cookies()
    if username is None:
        page.goto(f"{live.url}/cong-khai")
    else:
        page.goto(f"{live.url}/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
    return urlsplit(page.url).path


def _walk(page: Page, live: Live, start: str) -> list[str]:
    """Pages reachable by links from `start`, a couple of each route, without query strings
    (filters and pages of the same lists)."""
    seen: list[str] = []
    per_route: dict[str, int] = {}
    queue = [start, "/", "/tro-giup"]
    problems: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        route = _route(path)
        if path in seen or per_route.get(route, 0) >= SAMPLES_PER_ROUTE:
            continue
        response = page.goto(f"{live.url}{path}")
        assert response is not None and response.status == 200, (path, response)
        seen.append(path)
        per_route[route] = per_route.get(route, 0) + 1
        problems += _check(page, path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urlsplit(urljoin(page.url, href))
            if f"{target.scheme}://{target.netloc}" != live.url or SKIPPED.search(target.path):
                continue
            if target.path not in seen:
                queue.append(target.path)
    assert not problems, "\n".join(problems)
    return seen


def _check(page: Page, path: str) -> list[str]:
    problems = []
    text = page.evaluate(READABLE_TEXT)
    for found in CODES.finditer(text):
        around = text[max(0, found.start() - 60) : found.end() + 40].replace("\n", " ")
        problems.append(f"{path}: code {found.group(0)!r} in «{around}»")
    results = AXE.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            where = [n["target"] for n in violation["nodes"][:3]]
            problems.append(f"{path}: axe {violation['id']} ({violation['impact']}) at {where}")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_speaks_in_names_and_passes_axe(page: Page, live: Live, role: str) -> None:
    start = _sign_in(page, live, ROLES[role])
    seen = _walk(page, live, start)
    snap(page, f"every-page-{role}")
    assert len(seen) >= 3, seen


@pytest.mark.parametrize(
    ("username", "home", "heading"),
    [
        ("thuky.thcs_ths", "/", "Hộp công việc"),
        ("thanhtra.cdgdvn", "/thanh-tra/tim-kiem", "Tra cứu thanh tra"),
        ("quantri", "/quan-tri", "Quản trị"),
    ],
)
def test_each_role_lands_where_its_work_is(
    page: Page, live: Live, username: str, home: str, heading: str
) -> None:
    assert _sign_in(page, live, username) == home
    assert heading in page.locator("h1").first.inner_text()


def test_the_auditor_reads_history_and_search_on_a_phone(page: Page, live: Live) -> None:
    _sign_in(page, live, "thanhtra.cdgdvn")
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/thanh-tra/ho-so/2", "/thanh-tra/tim-kiem"):
        page.goto(f"{live.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        narrowest = page.eval_on_selector_all(
            "table.audit-events td, table.audit-results td",
            """cells => Math.min(...cells.filter(c => c.innerText.trim())
                                    .map(c => c.getBoundingClientRect().width))""",
        )
        snap(page, "phone" + path.replace("/", "-"))
        assert width <= 360, (path, width)  # nothing scrolls the page sideways
        # Each cell takes the card's width: squeezed into eight columns, a cell was a few
        # pixels wide and held one letter a line (23,000 px for one history).
        assert narrowest > 280, (path, narrowest)
