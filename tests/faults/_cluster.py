"""A throwaway PostgreSQL cluster of its own, so a fault test can stop and start the server under the app."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
PORT = 5499


def available() -> bool:
    return (BIN / "initdb").exists() and shutil.which("runuser") is not None


class Cluster:
    """initdb, start, stop and restart as the postgres user, with the socket in the data directory."""

    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="inkasso-pg-"))
        self.data = self.root / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, *argv: str, timeout: float = 60) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *argv],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _ctl(self, *argv: str) -> None:
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), *argv)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._ctl("-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def cluster(port: int = PORT) -> Iterator[Cluster]:
    """A started cluster, stopped and removed at the end whatever happened."""
    server = Cluster(port)
    try:
        server.start()
        yield server
    finally:
        server.remove()
