"""Lexicons built once and kept as pickles in the cache folder, keyed by what they are built from.

Building the company lexicon (thousands of names, each in its Traditional and Simplified forms,
with the surfaces its Aho-Corasick automaton is made from) takes half a second of every cold start;
loading its pickle takes a few hundredths (the automaton itself is rebuilt from the surfaces). The key is a digest of the rules files and the source files of the code that
builds it (and the Python and OpenCC versions), so any change to either builds it again.
RECAP_NO_LEXICON_CACHE=1 always builds.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _digest(files: Iterable[Path]) -> str:
    import opencc

    h = hashlib.sha256(f"{sys.version}|{getattr(opencc, '__version__', '')}".encode())
    for path in files:
        h.update(str(path.name).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"(missing)")
    return h.hexdigest()[:24]


def cached(name: str, files: Iterable[Path], build: Callable[[], T]) -> T:
    """`build()`, or the pickle of an earlier `build()` from the same `files`."""
    from .tokenizer import cache_dir

    folder = None if os.environ.get("RECAP_NO_LEXICON_CACHE") else cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{_digest(files)}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception:  # a damaged or foreign file: build again, and replace it
        pass
    value = build()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in folder.glob(f"{name}-*.pickle"):  # built from rules or code since changed
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    return value
