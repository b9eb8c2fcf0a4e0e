"""`python -m build` makes an sdist and a wheel built from it; the wheel, installed without extras into a fresh
venv, is the SDK alone: no Flask, no server. One build serves all the tests of this module."""

from __future__ import annotations

import email.parser
import importlib.util
import re
import subprocess
import sys
import tarfile
import zipfile
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


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of `python -m build`: the sdist, and the wheel built from that sdist."""
    pytest.importorskip("build", reason="the `build` package is not installed (pip install build)")
    dist = tmp_path_factory.mktemp("dist")
    # With hatchling at hand, build without an isolated environment: nothing to fetch, works offline.
    isolated = importlib.util.find_spec("hatchling") is None
    isolation = [] if isolated else ["--no-isolation"]
    built = run([sys.executable, "-m", "build", *isolation, "--outdir", str(dist), str(ROOT)], timeout=240)
    if built.returncode != 0:
        if isolated:
            pytest.skip(f"no hatchling here and none to fetch (offline?):\n{built.stderr[-2000:]}")
        pytest.fail(f"python -m build failed:\n{built.stdout[-2000:]}\n{built.stderr[-2000:]}")
    return dist


def only(paths: list[Path]) -> Path:
    assert len(paths) == 1, paths
    return paths[0]


@pytest.mark.process
@pytest.mark.timeout(300)
def test_the_sdist_carries_the_sources_the_readme_and_the_changelog(dist: Path) -> None:
    sdist = only(sorted(dist.glob("inkasso-*.tar.gz")))
    assert sdist.name == f"inkasso-{source_version()}.tar.gz"
    top = f"inkasso-{source_version()}"
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
        info = archive.extractfile(f"{top}/PKG-INFO")
        assert info is not None
        metadata = email.parser.BytesParser().parse(info)
    expected = {"pyproject.toml", "README.md", "CHANGELOG.md", "sdk/inkasso/_version.py", "sdk/inkasso/py.typed"}
    assert {f"{top}/{name}" for name in expected} <= names
    assert any(name.startswith(f"{top}/paypage/") for name in names)
    assert not [name for name in names if name.startswith((f"{top}/tests/", f"{top}/.venv/", f"{top}/plugins/"))]
    assert metadata["Version"] == source_version()


@pytest.mark.process
@pytest.mark.timeout(300)
def test_the_wheel_needs_no_server_dependency_without_the_extra(dist: Path) -> None:
    wheel = only(sorted(dist.glob("inkasso-*.whl")))
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.parser.Parser().parsestr(
            archive.read(f"inkasso-{source_version()}.dist-info/METADATA").decode()
        )
        files = set(archive.namelist())
    assert metadata["Version"] == source_version()
    unconditional = [req for req in metadata.get_all("Requires-Dist") or [] if "extra ==" not in req]
    names_only = sorted(re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].lower() for req in unconditional)
    assert names_only == ["httpx", "pydantic"]
    assert "inkasso/py.typed" in files and "inkasso/_version.py" in files


@pytest.mark.process
@pytest.mark.timeout(300)
def test_the_wheel_without_extras_installs_the_sdk_only(dist: Path, tmp_path: Path) -> None:
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
