"""The wheel, installed without extras into a fresh venv, is the SDK alone: no Flask, no server."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import sys
import inkasso
assert "flask" not in sys.modules, "importing inkasso imported flask"
assert "paypage" not in sys.modules, "importing inkasso imported paypage"
try:
    import flask  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    raise AssertionError("flask is installed: the SDK-only install pulled a server dependency")
print(inkasso.__version__)
"""


def source_version() -> str:
    text = (ROOT / "sdk" / "inkasso" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", text)
    assert match, "no __version__ in sdk/inkasso/_version.py"
    return match.group(1)


def run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.process
@pytest.mark.timeout(300)
def test_the_wheel_without_extras_installs_the_sdk_only(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="the `build` package is not installed (pip install build)")
    dist = tmp_path / "dist"
    # With hatchling at hand, build without an isolated environment: nothing to fetch, works offline.
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    built = run([sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(dist), str(ROOT)], timeout=180)
    if built.returncode != 0:
        pytest.skip(f"the wheel could not be built here (offline, or hatchling missing):\n{built.stderr[-2000:]}")
    wheels = sorted(dist.glob("inkasso-*.whl"))
    assert len(wheels) == 1, wheels
    assert wheels[0].name.startswith(f"inkasso-{source_version()}-")

    venv = tmp_path / "venv"
    created = run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], timeout=240)
    if installed.returncode != 0:
        pytest.skip(f"pip could not install the wheel's dependencies (no package index?):\n{installed.stderr[-2000:]}")

    checked = run([str(python), "-c", CHECK], timeout=60)

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == source_version()
    listed = run([str(python), "-m", "pip", "list", "--format=freeze"], timeout=60)
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert {"httpx", "pydantic"} <= names
    assert not names & {"flask", "sqlalchemy", "alembic", "psycopg", "stripe", "babel"}, names
