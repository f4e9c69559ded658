"""The file storage's contract, run the same on both backends (a directory; SeaweedFS
over S3): content-addressed, stored once, streamed both ways, names that are digests only."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from workflows.files.storage import CHUNK, LocalStorage, MissingBlob, Storage


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_all(storage: Storage, key: str) -> bytes:
    stream = storage.open(key)
    try:
        return stream.read()
    finally:
        stream.close()


def test_a_blob_is_stored_once_under_its_digest_and_read_back(storage: Storage) -> None:
    content = "Tờ trình đề nghị khen thưởng".encode()
    key = digest(content)
    assert not storage.exists(key)
    assert storage.put(key, io.BytesIO(content)) is True
    assert storage.exists(key)
    assert read_all(storage, key) == content
    # The same content again writes nothing: it is already there.
    assert storage.put(key, io.BytesIO(content)) is False
    assert read_all(storage, key) == content


def test_a_missing_blob_is_told_apart_from_a_failure(storage: Storage) -> None:
    with pytest.raises(MissingBlob):
        storage.open(digest(b"never stored"))
    assert not storage.exists(digest(b"never stored"))


def test_deleting_removes_the_blob_and_deleting_nothing_is_no_error(storage: Storage) -> None:
    content = b"%PDF-1.4 scan"
    key = digest(content)
    storage.put(key, io.BytesIO(content))
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)
    with pytest.raises(MissingBlob):
        storage.open(key)


@pytest.mark.parametrize(
    "bad",
    ["../../etc/passwd", "A" * 64, digest(b"x")[:63], digest(b"x") + "/..", "", "ab/" + "0" * 61],
)
def test_only_a_sha256_digest_names_a_blob(storage: Storage, bad: str) -> None:
    with pytest.raises(ValueError):
        storage.put(bad, io.BytesIO(b"x"))
    with pytest.raises(ValueError):
        storage.open(bad)
    with pytest.raises(ValueError):
        storage.exists(bad)


class Counting(io.RawIOBase):
    """`size` bytes of a repeating pattern, made as they are read, never held at once."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.largest_read = 0
        self.block = bytes(range(256)) * 4096  # 1 MiB

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left, len(self.block))
        self.largest_read = max(self.largest_read, len(buffer))
        buffer[:n] = self.block[:n]
        self.left -= n
        return n


def test_a_large_blob_streams_in_and_out_in_chunks(storage: Storage) -> None:
    size = 9 * 1024 * 1024 + 17  # past boto3's multipart threshold (8 MiB)
    expected = hashlib.sha256()
    source = Counting(size)
    chunks = Counting(size)
    while block := chunks.read(CHUNK):
        expected.update(block)
    key = expected.hexdigest()
    assert storage.put(key, io.BufferedReader(source)) is True
    assert source.largest_read < size  # read in parts, never all at once
    stream = storage.open(key)
    got, total = hashlib.sha256(), 0
    try:
        while block := stream.read(CHUNK):
            assert len(block) <= CHUNK
            got.update(block)
            total += len(block)
    finally:
        stream.close()
    assert (got.hexdigest(), total) == (key, size)


def test_two_writers_of_the_same_content_leave_one_whole_blob(storage: Storage) -> None:
    content = os.urandom(3 * 1024 * 1024)
    key = digest(content)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: storage.put(key, io.BytesIO(content)), range(4)))
    assert True in results
    assert digest(read_all(storage, key)) == key


def test_local_blobs_are_private_files_with_no_staging_left(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    content = b"\x89PNG\r\n\x1a\n image"
    key = digest(content)
    storage.put(key, io.BytesIO(content))
    path = storage.path(key)
    assert path == tmp_path / "files" / key[:2] / key[2:4] / key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "files").iterdir()] == [key[:2]]


def test_a_failed_local_write_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")

    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            raise OSError("connection reset")

    key = digest(b"whatever")
    with pytest.raises(OSError):
        storage.put(key, Broken())
    assert not storage.exists(key)
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []
