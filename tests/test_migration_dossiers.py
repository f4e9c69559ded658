"""Migration 0011 on a database holding files and comments from before it: they stay as they
were (in the dossier, not yet noted), the new columns and the versions table come and go
again with the downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, insert, inspect, select

from tests.test_migrations import T0, add_nomination, blank, downgrade, tables, upgrade

__all__ = ["blank"]  # the fixture, used by name


def test_files_and_comments_survive_0011_both_ways(blank: Engine) -> None:
    upgrade(blank, "0010_proposals")
    with blank.begin() as conn:
        nomination = add_nomination(conn)
        old = tables(conn)
        conn.execute(
            insert(old.tables["attachments"]),
            [
                {
                    "nomination_id": nomination,
                    "sha256": "a" * 64,
                    "size": 10,
                    "media_type": "application/pdf",
                    "name": "Tờ trình.pdf",
                    "org_code": "TRUONG_A",
                    "added_by": "cb",
                    "added_at": T0.replace(tzinfo=None),
                }
            ],
        )
        conn.execute(
            insert(old.tables["public_comments"]),
            [
                {
                    "nomination_id": nomination,
                    "org_code": "TRUONG_A",
                    "name": "Trần Văn Bình",
                    "phone": "0912345678",
                    "address": "Hoa Lư",
                    "content": "Đề nghị xác minh.",
                    "created_at": T0.replace(tzinfo=None),
                }
            ],
        )

    upgrade(blank, "heads")
    with blank.connect() as conn:
        now = tables(conn)
        files, comments = now.tables["attachments"], now.tables["public_comments"]
        assert conn.execute(
            select(files.c.name, files.c.retired_at, files.c.replaced_by)
        ).all() == [("Tờ trình.pdf", None, None)]
        assert conn.execute(select(comments.c.name, comments.c.note)).all() == [
            ("Trần Văn Bình", None)
        ]
        assert "dossier_versions" in now.tables

    downgrade(blank, "0010_proposals")
    with blank.connect() as conn:
        inspector = inspect(conn)
        assert "dossier_versions" not in inspector.get_table_names()
        assert "retired_at" not in {c["name"] for c in inspector.get_columns("attachments")}
        assert "note" not in {c["name"] for c in inspector.get_columns("public_comments")}
        back = tables(conn)
        assert conn.execute(select(back.tables["attachments"].c.name)).scalars().all() == [
            "Tờ trình.pdf"
        ]
