"""Migration 0010 (proposals) on a database holding nominations from before it: each gets
the folded name key the unit's search reads, the unit's indexes exist, and it goes back
down and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from tests.test_migrations import add_nomination, blank, downgrade, upgrade

__all__ = ["blank"]  # the fixture, shared


def test_existing_nominations_get_their_folded_name_and_the_unit_indexes(blank: Engine) -> None:
    upgrade(blank, "0009_attachments")
    with blank.begin() as conn:
        nomination_id = add_nomination(conn)
    upgrade(blank, "0010_proposals")
    with blank.connect() as conn:
        folded = conn.execute(
            text("SELECT nominee_folded FROM nominations WHERE id = :id"), {"id": nomination_id}
        ).scalar_one()
        indexes = {i["name"] for i in inspect(conn).get_indexes("nominations")}
        tables = set(inspect(conn).get_table_names())
        attachment_columns = {c["name"] for c in inspect(conn).get_columns("attachments")}
    assert folded == "nguyen thi lan"  # "Nguyễn Thị Lan", as a search typed without marks
    assert {"ix_nominations_origin", "ix_nominations_origin_campaign"} <= indexes
    assert "ix_nominations_origin_folded" in indexes
    assert {"proposals", "proposal_items"} <= tables and "proposal_id" in attachment_columns
    downgrade(blank, "0009_attachments")
    with blank.connect() as conn:
        assert "proposals" not in inspect(conn).get_table_names()
        assert "nominee_folded" not in {c["name"] for c in inspect(conn).get_columns("nominations")}
    upgrade(blank, "0010_proposals")
