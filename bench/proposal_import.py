"""A proposal's list imported from XLSX (issue 13 target: 500 rows in a few seconds).

Builds the demo installation in a fresh database, fills the served template with N rows
(individuals and collectives, several awards) and uploads it to POST /api/v1/proposals/import
as a proposer would, through the whole app: intake, reading, every row's checks, then one
nomination and process instance per row, all in one transaction. Prints the time of the
upload, the reading alone, and the SQL statements per row; then the time a file with one
bad row at the end takes to be refused (everything is checked before anything is stored).

    python bench/proposal_import.py [-n 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import event

from engine.clock import FixedClock
from engine.db import create_db_engine, make_session_factory
from web.app import create_app
from web.services.proposals import read_list
from web.settings import Settings
from workflows import auth
from workflows.demo import install
from workflows.files import intake
from workflows.schema import migrate

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PROPOSER = "canbo.thpt_lvt"
AWARDS = ("Lao động tiên tiến", "Chiến sĩ thi đua cơ sở", "Giấy khen")


def rows(n: int) -> list[list[Any]]:
    out: list[list[Any]] = []
    for i in range(1, n + 1):
        if i % 50 == 0:
            out.append([i, f"Tổ chuyên môn số {i}", "Tập thể", "", "", "TTLDTT", "Hoàn thành tốt"])
        else:
            award = AWARDS[i % len(AWARDS)]
            out.append(
                [i, f"Nguyễn Thị Hồng {i}", "Cá nhân", "Giáo viên", "Tổ Toán", award, "Tốt " * 20]
            )
    return out


def filled(template: bytes, body: list[list[Any]]) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        db = create_db_engine(url)
        migrate(db)
        install(make_session_factory(db), NOW)
        with make_session_factory(db).begin() as session:
            token = auth.issue_token(session, PROPOSER, NOW).token
        db.dispose()
        app = create_app(Settings(url, "test", anchor_file=Path(tmp) / "a.jsonl"), FixedClock(NOW))
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        template = client.get("/api/v1/proposals/template.xlsx", headers=headers).data
        good = filled(template, rows(args.n))
        bad_rows = rows(args.n)
        bad_rows[-1][5] = "Không có danh hiệu này"
        bad = filled(template, bad_rows)

        spool = intake.Spool()
        spool.write(good)
        started = time.perf_counter()
        checked = intake.check(spool, "list.xlsx")
        with app.test_request_context():  # the catalogue's headers, in Vietnamese
            spool.seek(0)
            read_list(spool, "list.xlsx")
        reading = time.perf_counter() - started
        del checked

        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        engine = app.extensions["laurel.db"]
        event.listen(engine, "before_cursor_execute", count)

        def upload(content: bytes, number: str) -> tuple[int, float]:
            form = {
                "org": "THPT_LVT",
                "campaign": "NH2025-2026",
                "number": number,
                "signed_on": "2026-11-20",
                "signer": "Nguyễn Văn Hiệu",
                "file": (io.BytesIO(content), "danh-sach.xlsx"),
            }
            started = time.perf_counter()
            answer = client.post(
                "/api/v1/proposals/import",
                data=form,
                content_type="multipart/form-data",
                headers=headers,
            )
            return answer.status_code, time.perf_counter() - started

        status_bad, refused = upload(bad, "1/TTr")
        statements = 0
        status, took = upload(good, "2/TTr")
        per_row = statements / args.n
        app.extensions["laurel.db"].dispose()
    backend = url.split(":", 1)[0]
    print(f"backend: {backend}; rows: {args.n}; file: {len(good) / 1024:.0f} KiB")
    print(f"read and checked from the XLSX (no database): {reading:.2f} s")
    print(f"import, stored (HTTP {status}): {took:.2f} s = {1000 * took / args.n:.1f} ms a row")
    print(f"SQL statements: {statements} = {per_row:.1f} a row")
    print(f"same file with its last row bad, refused (HTTP {status_bad}): {refused:.2f} s")


if __name__ == "__main__":
    main()
