"""Load rule and lexicon data from `rules/` through typed pydantic schemas.

Every rules file is validated by a model with `extra="forbid"`, so a typo in a key fails loudly
with the file's name instead of being silently ignored.
"""
from __future__ import annotations

import csv
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

_HERE = Path(__file__).resolve().parent
# Installed wheels carry the data inside the package; a source checkout keeps it at the top level.
RULES_DIR = next((p for p in (_HERE / "rules", _HERE.parent / "rules") if p.is_dir()), _HERE / "rules")


class RulesError(RuntimeError):
    """A rules file is missing or does not match its schema."""


class RuleModel(BaseModel):
    """Base of every rules schema: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=BaseModel)


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so 万亿 wins over 万); empty words are
    left out (they would match everywhere)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


def rules_path(name: str) -> Path:
    return RULES_DIR / name


@lru_cache(maxsize=None)
def load_toml(name: str, model: type[M]) -> M:
    path = rules_path(name)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return model.model_validate(data)
    except FileNotFoundError:
        raise RulesError(f"rules file missing: {path}") from None
    except (tomllib.TOMLDecodeError, ValidationError) as e:
        raise RulesError(f"{path}: {e}") from None


@lru_cache(maxsize=None)
def load_tsv(name: str, model: type[M]) -> tuple[M, ...]:
    """Rows of a tab-separated file with a header line; lines starting with `#` are comments."""
    path = rules_path(name)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            lines = (line for line in fh if line.strip() and not line.startswith("#"))
            return tuple(model.model_validate(row) for row in csv.DictReader(lines, delimiter="\t"))
    except FileNotFoundError:
        raise RulesError(f"rules file missing: {path}") from None
    except ValidationError as e:
        raise RulesError(f"{path}: {e}") from None
