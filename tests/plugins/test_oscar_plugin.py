"""The django-oscar plugin's own suite, in a pytest process of its own: Django's settings are global to a
process, and the plugin's are a whole Oscar shop. The shop runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import postgresql_database

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "django-oscar-inkasso"


@pytest.mark.process
@pytest.mark.timeout(600)
@pytest.mark.parametrize("shop_database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_oscar_plugin_suite_passes(shop_database: str) -> None:
    pytest.importorskip("oscar", reason="django-oscar is not installed (pip install -e '.[dev]')")
    if shop_database == "postgresql":
        with postgresql_database():  # skips (or fails, when PostgreSQL is required) if the server is away
            pass
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=PLUGIN,
        env={**os.environ, "OSCAR_INKASSO_SHOP_DATABASE": shop_database},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert run.returncode == 0, f"the plugin's tests failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
