"""Where file contents live: stored once under their sha256 (content-addressed), behind one
small interface with two backends, a directory (the embedded default, under `instance/`)
and S3-compatible object storage (for several app servers sharing the files).

A blob is named by the digest its caller computed while the content streamed in (intake),
so the backends never hash again; a digest that is not 64 lowercase hex digits is refused
before it can become a path or a key.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Protocol

CHUNK = 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class MissingBlob(Exception):
    """No content is stored under this digest."""


class Storage(Protocol):
    def put(self, digest: str, content: Readable) -> bool:
        """Store `content` (read from where it stands to its end) under `digest`, unless
        that blob is there already; whether this call wrote it."""
        ...

    def open(self, digest: str) -> BinaryIO:
        """The blob for reading, streamed (the caller closes it); MissingBlob if absent."""
        ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None:
        """Remove the blob; nothing happens if it is absent."""
        ...


def checked(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise ValueError(f"not a sha256 hex digest: {digest!r}")
    return digest


class LocalStorage:
    """Blobs as files under `root`, fanned out as ab/cd/<digest>; each is written to a
    temporary file in `root` first and renamed into place, so a reader never sees half a
    blob and two writers of the same content both end with the whole one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        checked(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, digest: str, content: Readable) -> bool:
        target = self.path(digest)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp: owner-only permissions, like the rest of instance/.
        handle, staging = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(content, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(staging, target)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
        return True

    def open(self, digest: str) -> BinaryIO:
        try:
            return self.path(digest).open("rb")
        except FileNotFoundError as exc:
            raise MissingBlob(digest) from exc

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def delete(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)


class S3Storage:
    """Blobs as objects `<prefix>sha256/ab/<digest>` in one bucket of an S3-compatible
    store. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from Laurel's settings."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        if client is None:
            import boto3  # only installations that store files in S3 need it
            from botocore.config import Config

            # Path-style addressing: S3-compatible servers (SeaweedFS, MinIO, Ceph) are
            # reached by one host name, not one per bucket.
            style = "path" if endpoint_url else "auto"
            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region,
                config=Config(s3={"addressing_style": style}, retries={"mode": "standard"}),
            )
        self.client = client

    def key(self, digest: str) -> str:
        checked(digest)
        return f"{self.prefix}sha256/{digest[:2]}/{digest}"

    def put(self, digest: str, content: Readable) -> bool:
        if self.exists(digest):
            return False
        # upload_fileobj reads in parts (multipart above its threshold): never all at once.
        self.client.upload_fileobj(
            content,
            self.bucket,
            self.key(digest),
            ExtraArgs={"ContentType": "application/octet-stream"},
        )
        return True

    def open(self, digest: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.key(digest))
        except ClientError as exc:
            if _status(exc) == 404:
                raise MissingBlob(digest) from exc
            raise
        body: BinaryIO = found["Body"]
        return body

    def exists(self, digest: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(digest))
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise
        return True

    def delete(self, digest: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(digest))


def _status(error: Any) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
