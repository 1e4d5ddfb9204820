"""Finding input files and reading them as articles."""
from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .normalize import InputError, decode_report

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md")
# Larger inputs are refused with a clear error rather than read whole into memory.
MAX_BYTES = 256 << 20


def _check_regular_file(path: str) -> None:
    """Refuse what reading would hang on or make no sense of: FIFOs, devices, sockets, broken links."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError("broken symbolic link") from None
        raise
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "special")
        raise InputError(f"not a regular file ({kind})")
    if st.st_size > MAX_BYTES:
        raise InputError(f"too large ({st.st_size >> 20} MB; the limit is {MAX_BYTES >> 20} MB)")


@dataclass
class Source:
    """One input: a file path, or `-` for standard input."""

    path: str  # as shown in messages and in the output's `source`: always valid Unicode
    stem: str
    fspath: Optional[str] = None  # the name to open, when `path` had to be made printable

    def read(self) -> str:
        """The decoded text; raises InputError with a one-line reason.

        A text recovered lossily (a few invalid UTF-8 bytes) is returned with a one-line
        `warning: <path>: ...` on stderr.
        """
        try:
            if self.path == "-":
                data = sys.stdin.buffer.read(MAX_BYTES + 1)
            else:
                _check_regular_file(self.fspath or self.path)
                with open(self.fspath or self.path, "rb") as fh:
                    data = fh.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise InputError(f"too large (over {MAX_BYTES >> 20} MB)")
        except IsADirectoryError:
            raise InputError("is a directory") from None
        except PermissionError:
            raise InputError("permission denied") from None
        except FileNotFoundError:
            raise InputError("no such file (or a broken link)") from None
        except OSError as e:
            raise InputError(e.strerror or str(e)) from None
        text, note = decode_report(data)
        if note:
            print(f"warning: {self.path}: {note}", file=sys.stderr)
        return text


def _printable(name: str) -> str:
    """A file name with undecodable bytes (kept as surrogates by the OS layer) shown as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _source(path: Path) -> Source:
    shown = _printable(str(path))
    return Source(shown, _printable(path.stem), None if shown == str(path) else str(path))


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
                yield _source(f), None
            for e in errors:
                yield None, _printable(f"{e.filename}: {e.strerror or e}")
        elif path.exists() or path.is_symlink():
            yield _source(path), None
        else:
            yield None, _printable(f"{p}: no such file or directory")
