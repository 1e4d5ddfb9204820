"""Turn the example corpora under corpus/<dimension>/ into parametrized test cases.

TOML files hold `[[example]]` tables with an `id`; `xfail = true` marks a known failure. TSV files
hold one example per row with an `id` column; a non-empty `xfail` cell is the reason of a known
failure. A case's id is `<file stem>:<example id>`; known failures run as strict xfail (a fix must
remove the mark).
"""
import csv
import math
import tomllib
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def cases(dimension: str):
    out = []
    for path in sorted((CORPUS / dimension).glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for ex in data.get("example", []):
            marks = [pytest.mark.xfail(strict=True, reason=ex.get("reason", "known failure"))] if ex.get("xfail") else []
            out.append(pytest.param(ex, id=f"{path.stem}:{ex['id']}", marks=marks))
    return out


def tsv_cases(dimension: str):
    out = []
    for path in sorted((CORPUS / dimension).glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                marks = [pytest.mark.xfail(strict=True, reason=row["xfail"])] if row.get("xfail") else []
                out.append(pytest.param(row, id=f"{path.stem}:{row['id']}", marks=marks))
    return out


def number_cell(cell: str):
    """A TSV value cell: empty means None."""
    return float(cell) if cell.strip() else None


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
