"""Migration 0012 on a database holding a nomination and a rule from before it: the nomination
follows the regular procedure, the rule lists no documents yet, and the new columns go again
with the downgrade, the rows kept; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, insert, inspect, select

from tests.test_migrations import T0, add_nomination, blank, downgrade, tables, upgrade

__all__ = ["blank"]  # the fixture, used by name


def test_nominations_and_rules_survive_0012_both_ways(blank: Engine) -> None:
    upgrade(blank, "0011_dossier_versions")
    with blank.begin() as conn:
        add_nomination(conn)
        old = tables(conn)
        conn.execute(
            insert(old.tables["award_rules"]),
            [
                {
                    "award_code": "LDTT",
                    "effective_from": T0.date(),
                    "deciding_level": "L1",
                    "vote_threshold": 0.5,
                    "vote_base": "all_members",
                    "publicity_working_days": 5,
                    "appraisal_sla_days": 10,
                    "vote_sla_days": 5,
                    "prerequisites": "[]",
                    "basis": "Luật TĐKT 2022",
                }
            ],
        )

    upgrade(blank, "heads")
    with blank.connect() as conn:
        now = tables(conn)
        assert conn.execute(select(now.tables["nominations"].c.simplified)).scalars().all() == [
            False
        ]
        assert conn.execute(select(now.tables["award_rules"].c.documents)).scalars().all() == ["[]"]
        assert "document" in now.tables["attachments"].c

    downgrade(blank, "0011_dossier_versions")
    with blank.connect() as conn:
        inspector = inspect(conn)
        assert "simplified" not in {c["name"] for c in inspector.get_columns("nominations")}
        assert "documents" not in {c["name"] for c in inspector.get_columns("award_rules")}
        assert "document" not in {c["name"] for c in inspector.get_columns("attachments")}
        back = tables(conn)
        assert conn.execute(select(back.tables["nominations"].c.nominee_name)).scalars().all() == [
            "Nguyễn Thị Lan"
        ]
