"""Pages in a real headless Chromium (Debian's, driven by Playwright) against the app served
on a local port over the demo database. Screenshots go to test-output/screenshots/.

Without /usr/bin/chromium the browser tests are skipped, unless LAUREL_REQUIRE_BROWSER is
set (CI installs Chromium and sets it, so there a missing browser fails the run).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine
from werkzeug.serving import make_server

from engine.clock import FixedClock
from tests.conftest import DEMO_NOW, _Templates
from web.app import create_app
from web.settings import Settings

CHROMIUM = Path(os.environ.get("LAUREL_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("LAUREL_REQUIRE_BROWSER"):
            pytest.fail(f"LAUREL_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Live:
    url: str
    app: Flask
    clock: FixedClock

    @property
    def db(self) -> Engine:
        engine: Engine = self.app.extensions["laurel.db"]
        return engine


@pytest.fixture
def live(_templates: _Templates) -> Iterator[Live]:
    """The app on a free local port, over a fresh copy of the demo database (SQLite)."""
    clock = FixedClock(DEMO_NOW)
    app = create_app(Settings(_templates.sqlite("demo"), "test"), clock=clock)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{httpd.server_port}", app, clock)
    httpd.shutdown()
    app.extensions["laurel.db"].dispose()


@pytest.fixture
def server(live: Live) -> str:
    return live.url


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-final.png"), full_page=True)
    context.close()


def snap(page: Page, name: str) -> None:
    """Keep a picture of what the person sees at this step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
