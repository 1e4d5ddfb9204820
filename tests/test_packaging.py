"""`pip install .` must ship rules/ inside the package, so an installed copy finds its data."""
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


def test_wheel_ships_rules(tmp_path):
    pytest.importorskip("hatchling")
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wheel = next(tmp_path.glob("recap_extractor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.split("extractor/rules/", 1)[1] for n in names if n.startswith("extractor/rules/")}
    expected = {p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*") if p.is_file()}
    assert expected <= shipped
    assert "extractor/pipeline.py" in names
