"""The plugin builds into a wheel pip can install: code, templates and migration inside, inkasso and Oscar
as its dependencies."""

from __future__ import annotations

import email.parser
import importlib.util
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

import oscar_inkasso

PLUGIN = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(180)
def test_the_wheel_holds_what_the_shop_needs(tmp_path: Path) -> None:
    if importlib.util.find_spec("hatchling") is None or importlib.util.find_spec("build") is None:
        pytest.skip("building needs the build and hatchling packages")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(PLUGIN)],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = tmp_path.glob("*.whl")
    assert wheel.name == f"django_oscar_inkasso-{oscar_inkasso.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.parser.Parser().parsestr(
            archive.read(f"django_oscar_inkasso-{oscar_inkasso.__version__}.dist-info/METADATA").decode()
        )
    assert {
        "oscar_inkasso/migrations/0001_initial.py",
        "oscar_inkasso/management/commands/inkasso_handover.py",
        "oscar_inkasso/templates/oscar/dashboard/orders/order_detail.html",
        "oscar_inkasso/templates/oscar_inkasso/claim_panel.html",
        "oscar_inkasso/templates/oscar/customer/order/order_detail.html",
        "oscar_inkasso/templates/oscar_inkasso/customer_claim.html",
        "oscar_inkasso/templatetags/inkasso_oscar.py",
    } <= names
    assert not [name for name in names if name.startswith("tests/") or "__pycache__" in name]
    requirements = [req.split(">")[0].split("<")[0].lower() for req in metadata.get_all("Requires-Dist") or []]
    assert sorted(requirements) == ["django", "django-oscar", "inkasso"]


def test_the_migration_matches_the_models() -> None:
    out = io.StringIO()
    call_command("makemigrations", "oscar_inkasso", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
