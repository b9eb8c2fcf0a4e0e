"""`gunicorn.conf.py` yields sane values, and gunicorn really serves `/healthz` and `/readyz` with it."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from paypage import create_app
from paypage.extensions import database
from paypage.store import migrate
from tests.conftest import TEST_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("INKASSO_BIND", "WEB_CONCURRENCY", "INKASSO_ACCESS_LOG", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert 3 <= conf["workers"] <= 8
    assert conf["workers"] == min(2 * (os.cpu_count() or 1) + 1, 8)
    assert conf["preload_app"] is False
    assert conf["accesslog"] is None
    assert conf["graceful_timeout"] == 30
    assert conf["forwarded_allow_ips"] == "127.0.0.1"


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(
        monkeypatch,
        INKASSO_BIND="0.0.0.0:9000",
        WEB_CONCURRENCY="3",
        INKASSO_ACCESS_LOG="1",
        FORWARDED_ALLOW_IPS="10.0.0.1,10.0.0.2",
    )
    assert conf["bind"] == ["0.0.0.0:9000"]
    assert conf["workers"] == 3
    assert conf["accesslog"] == "-"
    assert conf["forwarded_allow_ips"] == "10.0.0.1,10.0.0.2"


def test_gunicorn_accepts_the_file() -> None:
    """gunicorn's own config parser reads every setting in the file without complaint."""
    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    assert config.workers >= 1 and config.preload_app is False and config.accesslog is None


@pytest.mark.process
def test_gunicorn_serves_health_and_readiness(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inkasso.sqlite3'}"
    application = create_app({"database_url": url, "data_dir": str(tmp_path), "secret_key": TEST_SECRET})
    with application.app_context():
        migrate.upgrade(database())
    application.extensions["inkasso.db"].dispose()
    port = free_port()
    env = {
        **os.environ,
        "INKASSO_DATABASE_URL": url,
        "INKASSO_DATA_DIR": str(tmp_path),
        "INKASSO_SECRET_KEY": TEST_SECRET,
        "INKASSO_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "INKASSO_LOG_FORMAT": "json",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [str(gunicorn), "-c", str(CONF), "paypage:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in 20 s"
                time.sleep(0.1)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        assert httpx.get(f"http://127.0.0.1:{port}/p/secretpaytoken123", timeout=5).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=35)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert "secretpaytoken123" not in output  # no access log
    assert "Booting worker" in output
