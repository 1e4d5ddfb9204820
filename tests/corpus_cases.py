"""Turn the example corpora under corpus/<dimension>/*.toml into parametrized test cases.

Each file holds `[[example]]` tables with an `id`; a case's id is `<file stem>:<example id>`.
`xfail = true` marks a known failure (strict: a fix must remove the mark).
"""
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
