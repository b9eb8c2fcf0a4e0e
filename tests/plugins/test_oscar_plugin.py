"""The django-oscar plugin's own suite, in a pytest process of its own: Django's settings are global to a
process, and the plugin's are a whole Oscar shop."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "django-oscar-inkasso"


@pytest.mark.process
@pytest.mark.timeout(600)
def test_the_oscar_plugin_suite_passes() -> None:
    pytest.importorskip("oscar", reason="django-oscar is not installed (pip install -e '.[dev]')")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=PLUGIN,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert run.returncode == 0, f"the plugin's tests failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
