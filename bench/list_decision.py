"""A head decides a list of nominations in one change, against deciding them one by one.

Builds N + M nominations of Lao động tiên tiến at a school through the real pipeline
(bpmn/, the demo-like world of tests/workflows/world.py) up to the head's decision, then
awards N of them with one list change (Engine.complete_tasks: one transaction, every row
or none) and M of them one change each. Prints the time and the SQL statements per row of
both, and checks the audit chain.

    python bench/list_decision.py [-n 200] [-m 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import audit
from engine.db import create_db_engine
from engine.errors import ListRefused
from engine.models import TaskRow
from engine.ports import TaskCompletion
from tests.workflows.world import World, make_world
from workflows.models import Nomination
from workflows.schema import migrate

DECISION = {"decision": "award", "decision_no": "15/QĐ-CĐCS"}


def at_decision(world: World, count: int) -> list[Nomination]:
    nominations = []
    for number in range(count):
        n = world.nominate("LDTT", username=None)
        world.submit(n)
        world.appraise(n)
        world.vote(n, "for", "for", "for")
        nominations.append(n)
        if number % 50 == 49:
            print(f"  {number + 1} nominations at the vote", flush=True)
    world.end_publicity(nominations[-1])  # the last window closes last: every timer fires
    return nominations


def decide_tasks(world: World, nominations: list[Nomination]) -> list[str]:
    keys = [n.business_key for n in nominations]
    with world.db.connect() as conn:
        found = dict(
            conn.execute(
                select(TaskRow.business_key, TaskRow.id).where(
                    TaskRow.business_key.in_(keys),
                    TaskRow.bpmn_id == "decide",
                    TaskRow.state == "ready",
                )
            ).all()
        )
    return [found[key] for key in keys]


class Statements:
    def __init__(self, db: Any) -> None:
        self.count = 0
        event.listen(db, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="rows decided in one list change")
    parser.add_argument("-m", type=int, default=50, help="rows decided one change each")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        db = create_db_engine(url)
        migrate(db)  # a fresh file by default; an empty PostgreSQL database if given one
        world = make_world(db)
        print(f"building {args.n + args.m} nominations on {db.dialect.name} …", flush=True)
        started = time.perf_counter()
        nominations = at_decision(world, args.n + args.m)
        print(f"  built in {time.perf_counter() - started:.1f} s")
        listed, single = nominations[: args.n], nominations[args.n :]
        statements = Statements(db)
        head = f"ct.{world.row(listed[0]).current_org.lower()}"
        decision = {**DECISION, "decision_date": world.clock.now().date().isoformat()}

        items = [TaskCompletion(task, decision) for task in decide_tasks(world, listed)]
        statements.count = 0
        started = time.perf_counter()
        try:
            views = world.engine.complete_tasks(items, head)
        except ListRefused as refused:
            raise SystemExit(f"refused: {list(refused.problems.values())[:3]}") from None
        list_s = time.perf_counter() - started
        list_statements = statements.count
        assert len(views) == args.n and {v.status for v in views} == {"completed"}

        tasks = decide_tasks(world, single)
        statements.count = 0
        started = time.perf_counter()
        for task in tasks:
            world.engine.complete_task(task, head, decision)
        single_s = time.perf_counter() - started
        single_statements = statements.count

        with db.connect() as conn:
            verified = audit.verify(conn)
        print()
        print(f"{'':28}{'time':>10}{'per row':>12}{'statements/row':>18}")
        print(
            f"{f'one list change, {args.n} rows':28}{list_s:>9.2f}s"
            f"{list_s / args.n * 1000:>10.1f}ms{list_statements / args.n:>18.1f}"
        )
        print(
            f"{f'{args.m} changes of one row':28}{single_s:>9.2f}s"
            f"{single_s / args.m * 1000:>10.1f}ms{single_statements / args.m:>18.1f}"
        )
        print(f"audit chain: {'ok' if verified.ok else 'BROKEN'} ({verified.checked} events)")


if __name__ == "__main__":
    main()
