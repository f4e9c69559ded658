"""Secret ballots stay secret in the stored data: after a council votes, nothing an attacker
with the database can join a receipt on (insertion order, rowid, ctid, xmin, an id or a
time) leads to a row naming that member's choice, and concurrent ballots all count."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.orm import Session

from engine.db import make_session_factory
from engine.errors import Conflict
from tests.workflows.world import World, make_world
from workflows import voting
from workflows.models import BallotBox, BallotReceipt, Nomination, Person, RoleAssignment, Tally

# Five members, mixed choices: 3 for of 5 passes LDTT's threshold of one half.
CHOICES = {
    "hd1.truong_a": "for",
    "hd2.truong_a": "against",
    "hd3.truong_a": "for",
    "hd4.truong_a": "against",
    "hd5.truong_a": "for",
}
Row = dict[str, Any]


@pytest.fixture
def world(db: Engine) -> World:
    world = make_world(db)
    with Session(db) as session, session.begin():
        for member in ("hd4.truong_a", "hd5.truong_a"):
            session.add(Person(username=member, full_name=member, password_hash="-"))
            session.add(RoleAssignment(username=member, role="council", org_code="TRUONG_A"))
    return world


def voted(world: World) -> Nomination:
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    world.vote(n, *CHOICES.values())  # hd1 … hd5 in order
    return n


# -- what an attacker reads: every row of every table, with its physical identity -----------


def dump(conn: Connection) -> dict[str, list[Row]]:
    """Every row of every table, with `_pos` (rowid, or ctid's block and offset) and, on
    PostgreSQL, `_xmin` (the inserting or last updating transaction)."""
    physical = (
        "rowid AS _pos"
        if conn.dialect.name == "sqlite"
        else "ctid::text AS _pos, xmin::text::bigint AS _xmin"
    )
    tables: dict[str, list[Row]] = {}
    for table in inspect(conn).get_table_names():
        if table == "alembic_version":
            continue
        rows = conn.exec_driver_sql(f"SELECT {physical}, * FROM {table}").mappings()
        tables[table] = [{**r, "_pos": _position(r["_pos"])} for r in rows]
    return tables


def _position(pos: Any) -> Any:
    if isinstance(pos, str):  # ctid "(block,offset)"
        block, offset = pos.strip("()").split(",")
        return (int(block), int(offset))
    return pos


def named_choice(row: Mapping[str, Any]) -> str | None:
    """The single choice a row gives away, if it does: a cell that is a choice, or counts
    that hold exactly one ballot."""
    for value in row.values():
        if value in voting.CHOICES:
            return str(value)
    counts = (row.get("votes_for"), row.get("votes_against"))
    if all(isinstance(c, int) for c in counts) and sum(counts) == 1:  # type: ignore[arg-type]
        return "for" if counts[0] == 1 else "against"
    return None


def orderings(rows: list[Row]) -> dict[str, list[Row]]:
    """The rows in every order a column could give them: physical position, transaction,
    and each id, number or time column."""
    keys = {k for r in rows for k, v in r.items() if isinstance(v, int | datetime | tuple)}
    found: dict[str, list[Row]] = {}
    for key in sorted(keys):
        if all(r.get(key) is not None for r in rows):
            found[key] = sorted(rows, key=lambda r, k=key: r[k])  # type: ignore[misc]
    return found


def linkings(receipts: list[Row], tables: Mapping[str, list[Row]]) -> Iterable[dict[str, str]]:
    """What each way of pairing receipts with other rows infers each member chose."""
    for name, rows in tables.items():
        if name == "ballot_receipts" or not rows:
            continue
        # Pair by rank: the n-th receipt with the n-th row that names a choice.
        for by_receipt in orderings(receipts).values():
            for by_row in orderings(rows).values():
                choosing = [c for c in map(named_choice, by_row) if c is not None]
                yield {r["username"]: c for r, c in zip(by_receipt, choosing, strict=False)}
        # Pair by equal keys: same transaction, same rowid or ctid, receipt id = rowid.
        for receipt_key, row_key in (("_xmin", "_xmin"), ("_pos", "_pos"), ("id", "_pos")):
            inferred = {}
            for receipt in receipts:
                if receipt.get(receipt_key) is None:
                    continue
                same = [r for r in rows if r.get(row_key) == receipt[receipt_key]]
                choice = next((c for c in map(named_choice, same) if c is not None), None)
                if choice is not None:
                    inferred[receipt["username"]] = choice
            yield inferred


def test_no_join_of_a_receipt_names_a_members_choice(world: World) -> None:
    n = voted(world)

    with world.db.connect() as conn:
        tables = dump(conn)
    receipts = [r for r in tables["ballot_receipts"] if r["nomination_id"] == n.id]
    assert sorted(r["username"] for r in receipts) == sorted(CHOICES)
    # Structurally: no stored row holds a single ballot's choice, so no join can reach one.
    assert not [(t, r) for t, rows in tables.items() for r in rows if named_choice(r)]
    [box] = [r for r in tables["ballot_boxes"] if r["nomination_id"] == n.id]
    assert set(box) - {"_pos", "_xmin"} == {
        "nomination_id",
        "org_code",
        "round",
        "votes_for",
        "votes_against",
    }
    assert (box["votes_for"], box["votes_against"]) == (3, 2)
    # Whatever an attacker pairs receipts with, the choices it infers are not the members'.
    tried = list(linkings(receipts, tables))
    assert len(tried) > 100
    assert all(inferred != CHOICES for inferred in tried)
    if world.db.dialect.name == "postgresql":
        # The box row was last written by the last voter's transaction; joined on it, a
        # receipt reaches both counts, not a choice.
        last = [r for r in receipts if r["_xmin"] == box["_xmin"]]
        assert [r["username"] for r in last] == ["hd5.truong_a"]
    # And the tally is right.
    with Session(world.db) as session:
        [tally] = session.scalars(select(Tally).where(Tally.nomination_id == n.id))
    assert (tally.votes_for, tally.votes_against, tally.members_total) == (3, 2, 5)
    assert tally.passed and world.stage(n)[1] == "publicity"


def test_the_attack_finds_choices_where_rows_hold_them(world: World) -> None:
    """The harness is no strawman: ballots stored one choice a row, in insertion order (as
    they were), are paired with their receipts by it."""
    receipts = [
        {"id": i, "_pos": i, "username": member} for i, member in enumerate(CHOICES, start=1)
    ]
    ballots = [
        {"id": f"{i:032x}", "_pos": i, "choice": choice}
        for i, choice in enumerate(CHOICES.values(), start=1)
    ]
    assert any(inferred == CHOICES for inferred in linkings(receipts, {"ballots": ballots}))


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_ballots_of_a_round_all_count(world: World) -> None:
    """Two ballots in flight at once on one round, each in its own transaction: the box
    adds both (the second waits for the first's row lock, then adds to its count)."""
    n = world.nominate("LDTT")
    sessions = make_session_factory(world.db)
    started = threading.Barrier(2, timeout=5)

    def cast(member: str, choice: str) -> None:
        with sessions() as session, session.begin():
            session.scalar(select(BallotBox.votes_for).where(BallotBox.nomination_id == n.id))
            if world.db.dialect.name == "postgresql":  # on SQLite the writers queue anyway
                started.wait()
            voting.cast_ballot(session, n.id, "TRUONG_A", 9, member, choice)

    race([lambda: cast("hd1.truong_a", "for"), lambda: cast("hd2.truong_a", "for")])

    with Session(world.db) as session:
        box = session.get_one(BallotBox, (n.id, "TRUONG_A", 9))
        receipts = session.scalars(select(BallotReceipt).where(BallotReceipt.round == 9)).all()
    assert (box.votes_for, box.votes_against) == (2, 0)
    assert len(receipts) == 2


def test_two_members_voting_at_once_both_count(world: World) -> None:
    """Through the whole pipeline: a member whose change lost the instance's lock to the
    other's is told so (409) and sends again; no ballot is lost or counted twice."""
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    tasks = {t.assignee: t.id for t in world.tasks(n, "vote")}

    def vote(member: str) -> int:
        for attempt in range(10):
            try:
                world.nominations.complete(tasks[member], member, {"vote": CHOICES[member]})
                return attempt
            except Conflict:
                continue
        raise AssertionError(f"{member} could not vote")

    race([lambda: vote("hd1.truong_a"), lambda: vote("hd2.truong_a")])

    with Session(world.db) as session:
        box = session.get_one(BallotBox, (n.id, "TRUONG_A", 1))
    assert (box.votes_for, box.votes_against) == (1, 1)
