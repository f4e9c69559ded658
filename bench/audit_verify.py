"""Audit chain verification speed (design target: ≥ 100,000 events/s).

Appends N realistic events (task completions with Vietnamese payloads) through
`engine.audit.append`, then times `engine.audit.verify` over the whole chain.

    python bench/audit_verify.py [-n 200000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta

from engine import audit
from engine.db import create_db_engine, make_session_factory
from workflows.schema import migrate

BATCH = 2000


def fill(url: str, n: int) -> None:
    db = create_db_engine(url)
    migrate(db)
    sessions = make_session_factory(db)
    at = datetime(2026, 7, 1, tzinfo=UTC)
    for start in range(0, n, BATCH):
        events = [
            audit.PendingEvent(
                actor=f"canbo{i % 97}",
                action="task.completed",
                instance_id=i // 5,
                task_id=f"{i:036d}",
                payload={
                    "bpmn_id": "appraise",
                    "lane": "secretary",
                    "org_scope": "CDGD_NINHBINH",
                    "data": {"result": "incomplete", "missing": ["Biên bản bình xét"]},
                },
            )
            for i in range(start, min(start + BATCH, n))
        ]
        with sessions.begin() as session:
            audit.append(session, at + timedelta(seconds=start), events)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/audit.db"
        fill(url, args.n)
        db = create_db_engine(url)
        with db.connect() as conn:
            started = time.perf_counter()
            result = audit.verify(conn)
            elapsed = time.perf_counter() - started
        db.dispose()
    print(f"backend        {db.dialect.name}")
    print(f"events         {result.checked} (ok={result.ok})")
    print(f"verify         {result.checked / elapsed:,.0f} events/s  (target >= 100,000)")


if __name__ == "__main__":
    main()
