"""Finding input files and reading them as articles."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .normalize import InputError, decode

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md")


@dataclass
class Source:
    """One input: a file path, or `-` for standard input."""

    path: str
    stem: str

    def read(self) -> str:
        """The decoded text; raises InputError with a one-line reason."""
        try:
            if self.path == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(self.path, "rb") as fh:
                    data = fh.read()
        except IsADirectoryError:
            raise InputError("is a directory") from None
        except PermissionError:
            raise InputError("permission denied") from None
        except FileNotFoundError:
            raise InputError("no such file (or a broken link)") from None
        except OSError as e:
            raise InputError(e.strerror or str(e)) from None
        return decode(data)


def expand(paths: list[str]) -> Iterator[tuple[Optional[Source], Optional[str]]]:
    """Sources for files, folders (recursively: *.txt, *.html, *.md) and `-`.

    Yields `(source, None)`, or `(None, "path: reason")` for a path that cannot be listed.
    """
    for p in paths:
        if p == "-":
            yield Source("-", "stdin"), None
            continue
        path = Path(p)
        if path.is_dir():
            errors: list[OSError] = []
            found = []
            for root, dirs, files in os.walk(path, onerror=errors.append, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(ARTICLE_SUFFIXES):
                        found.append(Path(root) / name)
            for f in found:
                yield Source(str(f), f.stem), None
            for e in errors:
                yield None, f"{e.filename}: {e.strerror or e}"
        elif path.exists() or path.is_symlink():
            yield Source(str(path), path.stem), None
        else:
            yield None, f"{p}: no such file or directory"
