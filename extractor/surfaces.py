"""A lexicon's surface forms, found all at once in a text (overlapping occurrences included).

One Aho-Corasick automaton (ahocorasick_rs) per lexicon. It cannot be pickled, so a `Surfaces`
keeps its patterns and values (what lexcache stores) and builds the automaton on first use.
"""
from __future__ import annotations

from typing import Any, Generic, Optional, TypeVar

import ahocorasick_rs

V = TypeVar("V")


class Surfaces(Generic[V]):
    def __init__(self, items: dict[str, V]):
        self.patterns = list(items)
        self.values = list(items.values())
        self._automaton: Optional[ahocorasick_rs.AhoCorasick] = None

    def automaton(self) -> ahocorasick_rs.AhoCorasick:
        if self._automaton is None:
            self._automaton = ahocorasick_rs.AhoCorasick(self.patterns)
        return self._automaton

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern index, start, end) of every occurrence; `values[index]` is the pattern's value."""
        if not self.patterns:
            return []
        return self.automaton().find_matches_as_indexes(text, overlapping=True)

    def __len__(self) -> int:
        return len(self.patterns)

    def __getstate__(self) -> dict[str, Any]:
        return {"patterns": self.patterns, "values": self.values}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.patterns, self.values = state["patterns"], state["values"]
        self._automaton = None
