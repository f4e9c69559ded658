"""Fixtures of the file tests: a real S3 server for the session, and a file storage of
each backend over which the same tests run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.files.s3server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, running
from workflows.files.storage import LocalStorage, S3Storage, Storage


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with running(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3's own credential chain, as an installation configures it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """A file storage of each backend, empty: a directory of the test's own, or a key
    prefix of the test's own in the session's bucket."""
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    server: S3Server = request.getfixturevalue("s3_server")
    request.getfixturevalue("s3_credentials")
    return S3Storage(
        server.bucket, prefix=f"t{uuid.uuid4().hex[:12]}/", endpoint_url=server.endpoint_url
    )
