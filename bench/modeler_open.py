"""How long the admin waits on the modeler: opening the pipeline in bpmn-js (page load to a
drawn diagram) and a server validation round trip, in headless Chromium over the demo.

    python bench/modeler_open.py [-n 10] [--chromium /usr/bin/chromium]

Needs `make assets` (the bundle) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from engine.clock import FixedClock
from engine.db import create_db_engine, make_session_factory
from web.app import create_app
from web.settings import Settings
from workflows.demo import PASSWORD, install
from workflows.schema import migrate

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request lines in the figures

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        db = create_db_engine(url)
        migrate(db)
        install(make_session_factory(db), NOW)
        db.dispose()
        app = create_app(Settings(url, "test"), clock=FixedClock(NOW))
        httpd = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_port}"
        opened: list[float] = []
        validated: list[float] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, args=["--headless=new", "--no-sandbox"]
            )
            page = browser.new_page(locale="vi-VN", viewport={"width": 1400, "height": 900})
            page.goto(f"{base}/dang-nhap")
            page.get_by_label("Tên đăng nhập").fill("quantri")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            for _ in range(args.n):
                start = time.perf_counter()
                page.goto(f"{base}/quan-tri/quy-trinh/nomination/thiet-ke")
                page.locator("body[data-modeler-ready=true]").wait_for(state="attached")
                opened.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.get_by_role("button", name="Kiểm tra", exact=True).click()
                page.locator("#modeler-status[data-tone=success]").wait_for()
                validated.append(time.perf_counter() - start)
            browser.close()
        httpd.shutdown()
        app.extensions["laurel.db"].dispose()

    def line(name: str, values: list[float]) -> str:
        ms = sorted(v * 1000 for v in values)
        return f"{name:<28} median {statistics.median(ms):7.0f} ms   max {ms[-1]:7.0f} ms"

    print(f"modeler, pipeline of {args.n} runs (warm browser cache after the first)")
    print(line("open to a drawn diagram", opened))
    print(line("validate round trip", validated))


if __name__ == "__main__":
    main()
