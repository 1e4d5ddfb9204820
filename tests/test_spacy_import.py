"""Importing the pipeline does not import thinc's optional ML backends (seconds where PyTorch is
installed), and leaves them importable afterwards."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
import extractor
extractor.extract("涨停80家")
assert "torch" not in sys.modules, "torch was imported"
import torch
assert torch.FAKE
print("ok")
"""


def test_pipeline_import_skips_ml_backends(tmp_path):
    (tmp_path / "torch.py").write_text("FAKE = True\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    env.pop("RECAP_FULL_SPACY", None)
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
