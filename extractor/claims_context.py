"""The claims reader's memory while it reads on (claims.py): the subject in view, the day in force,
a list item's lead-in, and within a sentence the metric and periods written so far."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from .claims_lexicon import Cue
from .claims_periods import note_period


class LaterSubject:
    """The subject in view after clauses with no figure, worked out when first asked for: the last
    of those clauses that names a subject wins, else the one in view before them."""

    __slots__ = ("before", "find", "_value", "_known")

    def __init__(self, before: Union[None, str, "LaterSubject"], find: Callable[[], Optional[str]]):
        self.before, self.find = before, find
        self._value: Optional[str] = None
        self._known = False

    def value(self) -> Optional[str]:
        if not self._known:
            node = self
            while True:
                if not isinstance(node, LaterSubject):
                    found = node
                    break
                if node._known:
                    found = node._value
                    break
                found = node.find()
                if found:
                    break
                node = node.before
            self._value, self._known, self.before, self.find = found, True, None, None
        return self._value


def known(subject: Union[None, str, LaterSubject]) -> Optional[str]:
    return subject.value() if isinstance(subject, LaterSubject) else subject


@dataclass
class Carry:
    """What a reader remembers while reading on."""

    _subject: Union[None, str, LaterSubject] = None  # paragraph scope
    period: Optional[str] = None  # article scope (day-level periods only)
    lead_modality: Optional[str] = None  # list item lead-in (1、媒体传言：…)
    # sentence scope
    metric: Optional[tuple[Optional[str], Optional[Cue], Optional[str]]] = None  # (term, cue, base)
    sent_periods: dict[str, str] = field(default_factory=dict)  # the last period of each kind (see note_period)

    @property
    def subject(self) -> Optional[str]:
        self._subject = known(self._subject)
        return self._subject

    @subject.setter
    def subject(self, subject: Optional[str]) -> None:
        self._subject = subject

    def take_subject(self, previous: "Carry") -> None:
        """The subject in view at the end of the previous piece of an article, still unsettled."""
        self._subject = previous._subject

    def subject_unless_named(self, find: Callable[[], Optional[str]]) -> None:
        """The subject `find()` gives, when it gives one; else the one in view."""
        self._subject = LaterSubject(self._subject, find)

    def start_sentence(self) -> None:
        self.metric, self.sent_periods = None, {}

    def note_periods(self, periods: list[tuple[str, str]]) -> None:
        for p, kind in periods:
            note_period(self.sent_periods, p, kind)
    fig_index: int = 0
