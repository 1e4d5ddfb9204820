"""Base class of the pipeline's named components."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .state import RecapState, get_state


class Component:
    """A pipeline step: loads its rules once in `load()` (at initialize time), then works per Doc.

    Subclasses set `name` (the pipe name) and implement `process(doc, state)`.
    """

    name: str = ""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.name = name
        self._ready = False

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        if not self._ready:
            self.load()
            self._ready = True

    def load(self) -> None:
        """Load rules and lexicons; called once per pipeline."""

    def __call__(self, doc: Doc) -> Doc:
        if not self._ready:
            self.initialize()
        self.process(doc, get_state(doc))
        return doc

    def process(self, doc: Doc, state: RecapState) -> None:
        raise NotImplementedError


def register(cls: type[Component]) -> type[Component]:
    """Register a Component subclass as a spaCy factory named `recap_<name>`."""
    Language.factory(f"recap_{cls.name}", func=lambda nlp, name: cls(nlp, name))
    return cls
