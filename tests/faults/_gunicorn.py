"""The service under gunicorn as a real process group that a fault test can SIGKILL and start again.

The server runs in a session of its own, so killing the group takes the master and every worker at once,
as a crashed container or an OOM kill would; a single worker can also be killed, as gunicorn replaces it.
Whatever happens in the test, `served()` leaves no process behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"


class ApiServer:
    """gunicorn with `workers` sync workers on a fixed port, restartable on the same address."""

    def __init__(self, database_url: str, data_dir: Path, workers: int = 3, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "gunicorn.log"
        self.kills = 0
        self._env = {
            **os.environ,
            "INKASSO_DATABASE_URL": database_url,
            "INKASSO_SECRET_KEY": TEST_SECRET,
            "INKASSO_DATA_DIR": str(data_dir),
            "INKASSO_PUBLIC_URL": self.url,
            "INKASSO_BIND": f"127.0.0.1:{self.port}",
            "INKASSO_RATE_LIMIT": "1000000",
            "INKASSO_RATE_LIMIT_BURST": "1000000",
            "INKASSO_LOG_LEVEL": "warning",
            "WEB_CONCURRENCY": str(workers),
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(CONF), "paypage:create_app()"],
                cwd=ROOT,
                env=self._env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {timeout} s")
            time.sleep(0.05)

    def workers(self) -> list[int]:
        """The worker processes the master has forked now."""
        if self.process is None or self.process.poll() is not None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(FileNotFoundError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def kill_worker(self) -> int:
        """SIGKILL one busy worker; the master forks a replacement."""
        pids = self.workers()
        if not pids:
            raise RuntimeError("no worker to kill")
        os.kill(pids[0], signal.SIGKILL)
        self.kills += 1
        return pids[0]

    def kill_all(self) -> None:
        """SIGKILL the master and every worker at once: nothing gets to finish or clean up."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reap_group(self.process.pid)
        self.kills += 1

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._reap_group(self.process.pid)

    @staticmethod
    def _reap_group(pgid: int) -> None:
        # Workers of a killed master are orphans in the same group; none may outlive the test.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                return
            time.sleep(0.05)


@contextlib.contextmanager
def served(database_url: str, data_dir: Path, workers: int = 3, **env: str) -> Iterator[ApiServer]:
    server = ApiServer(database_url, data_dir, workers, **env)
    try:
        server.start()
        yield server
    finally:
        server.stop()
