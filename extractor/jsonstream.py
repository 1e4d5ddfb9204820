"""Writing one big JSON object whose lists are too long to hold: the items go to spools one by one.

`Spool` serializes each item as it comes (orjson, in a temporary file or a byte buffer); `write`
then writes an object skeleton (dicts and lists of plain values) in which some lists are spools,
byte for byte as `orjson.dumps` writes the same object with the lists filled in (compact, or
with OPT_INDENT_2 when `pretty`).
"""
from __future__ import annotations

import shutil
from typing import IO, Any, Optional

import orjson


def _indent(depth: int) -> bytes:
    return b"  " * depth


def dumps_at(value: Any, depth: int, pretty: bool) -> bytes:
    """`value` as orjson writes it nested `depth` levels deep."""
    if not pretty:
        return orjson.dumps(value)
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + _indent(depth))


class Spool:
    """The items of a JSON list nested `depth` levels deep (the list itself at `depth - 1`).

    Items go to `file` (a binary temporary file) when given, else to memory as bytes.
    """

    def __init__(self, depth: int, pretty: bool, file: Optional[IO[bytes]] = None):
        self.depth, self.pretty, self.file = depth, pretty, file
        self.buffer = bytearray()
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def append(self, item: Any) -> None:
        """Add one item: a JSON-ready value, or a pydantic model (dumped in JSON mode)."""
        if hasattr(item, "model_dump"):
            item = item.model_dump(mode="json")
        data = dumps_at(item, self.depth, self.pretty)
        if self.pretty:
            data = (b",\n" if self.count else b"") + _indent(self.depth) + data
        elif self.count:
            data = b"," + data
        self.count += 1
        if self.file is not None:
            self.file.write(data)
        else:
            self.buffer += data

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def write_to(self, out: IO[bytes]) -> None:
        if not self.count:
            out.write(b"[]")
            return
        out.write(b"[\n" if self.pretty else b"[")
        if self.file is not None:
            self.file.flush()
            self.file.seek(0)
            shutil.copyfileobj(self.file, out, 1 << 20)
        else:
            out.write(self.buffer)
        out.write(b"\n" + _indent(self.depth - 1) + b"]" if self.pretty else b"]")


def _has_spool(value: Any) -> bool:
    if isinstance(value, Spool):
        return True
    if isinstance(value, dict):
        return any(_has_spool(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_spool(v) for v in value)
    return False


def write(out: IO[bytes], value: Any, pretty: bool = False, depth: int = 0) -> None:
    """Write `value` (dicts, lists, plain values and spools) as JSON at nesting `depth`."""
    if isinstance(value, Spool):
        value.write_to(out)
        return
    if not _has_spool(value):
        out.write(dumps_at(value, depth, pretty))
        return
    if isinstance(value, dict):
        items = [(orjson.dumps(k) + (b": " if pretty else b":"), v) for k, v in value.items()]
        opening, closing = b"{", b"}"
    else:
        items = [(b"", v) for v in value]
        opening, closing = b"[", b"]"
    out.write(opening)
    for i, (key, v) in enumerate(items):
        if i:
            out.write(b",")
        if pretty:
            out.write(b"\n" + _indent(depth + 1))
        out.write(key)
        write(out, v, pretty, depth + 1)
    if pretty:
        out.write(b"\n" + _indent(depth))
    out.write(closing)
