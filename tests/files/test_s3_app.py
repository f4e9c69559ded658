"""The app configured for S3 (as an installation with several servers runs it) stores an
uploaded file in the bucket and serves it back; the settings read it from the environment."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.clock import FixedClock
from engine.db import create_db_engine
from tests.conftest import DEMO_NOW
from tests.files import samples
from tests.files.s3server import S3Server
from web.app import create_app
from web.settings import Settings
from web.transfers import storage_for
from workflows import auth
from workflows.files.storage import LocalStorage, S3Storage

NEW = {
    "org": "THPT_LVT",
    "award_code": "LDTT",
    "campaign": "NH2025-2026",
    "nominee": {"kind": "individual", "name": "Lê Thị Hồng Nhung"},
    "achievements": "Hoàn thành tốt nhiệm vụ.",
}


def test_an_upload_lands_in_the_bucket_and_comes_back(
    demo_database_url: str, tmp_path: Path, s3_server: S3Server, s3_credentials: None
) -> None:
    settings = Settings(
        demo_database_url,
        "test",
        anchor_file=tmp_path / "anchors.jsonl",
        file_store="s3",
        s3_bucket=s3_server.bucket,
        s3_endpoint_url=s3_server.endpoint_url,
        s3_prefix="app/",
    )
    app = create_app(settings, clock=FixedClock(DEMO_NOW))
    db = create_db_engine(demo_database_url)
    try:
        with Session(db) as session, session.begin():
            token = auth.issue_token(session, "canbo.thpt_lvt", DEMO_NOW).token
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        nomination = client.post("/api/v1/nominations", json=NEW, headers=headers).get_json()
        workbook = samples.xlsx()  # made once: openpyxl stamps the time into each
        added = client.post(
            f"/api/v1/nominations/{nomination['id']}/files",
            data={"file": (io.BytesIO(workbook), "Danh sách.xlsx")},
            content_type="multipart/form-data",
            headers=headers,
        )
        assert added.status_code == 201, added.get_json()
        digest = added.get_json()["sha256"]
        key = f"app/sha256/{digest[:2]}/{digest}"
        stored = s3_server.client().get_object(Bucket=s3_server.bucket, Key=key)
        assert stored["Body"].read() == workbook
        served = client.get(
            f"/api/v1/nominations/{nomination['id']}/files/{added.get_json()['id']}/content",
            headers=headers,
        )
        assert served.data == workbook
        assert served.headers["Content-Disposition"].startswith("attachment;")
        assert not (tmp_path / "files").exists()  # nothing on the local disk
    finally:
        app.extensions["laurel.db"].dispose()
        db.dispose()


def test_the_store_is_chosen_by_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAUREL_DATABASE_URL", f"sqlite:///{tmp_path / 'laurel.db'}")
    local = Settings.from_env()
    assert local.file_store == "local" and local.files_path == tmp_path / "laurel.files"
    assert isinstance(storage_for(local), LocalStorage)

    monkeypatch.setenv("LAUREL_FILES_DIR", str(tmp_path / "elsewhere"))
    assert Settings.from_env().files_path == tmp_path / "elsewhere"

    monkeypatch.setenv("LAUREL_FILE_STORE", "s3")
    with pytest.raises(SystemExit, match="LAUREL_S3_BUCKET"):
        Settings.from_env()
    monkeypatch.setenv("LAUREL_S3_BUCKET", "ho-so")
    monkeypatch.setenv("LAUREL_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LAUREL_S3_REGION", "us-east-1")
    monkeypatch.setenv("LAUREL_S3_PREFIX", "laurel/")
    s3 = Settings.from_env()
    storage = storage_for(s3)
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("ho-so", "laurel/")
    assert storage.client.meta.endpoint_url == "http://127.0.0.1:9"

    monkeypatch.setenv("LAUREL_FILE_STORE", "ftp")
    with pytest.raises(SystemExit, match="LAUREL_FILE_STORE"):
        Settings.from_env()
