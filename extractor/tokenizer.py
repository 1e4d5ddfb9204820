"""spaCy tokenizer that normalizes the article, then segments it with a private jieba instance."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import jieba
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .normalize import normalize
from .rules import rules_path
from .state import RecapState

if not Doc.has_extension("recap"):
    Doc.set_extension("recap", getter=lambda doc: doc.user_data.get("recap"))


def make_jieba(user_words: Iterable[str] = ()) -> jieba.Tokenizer:
    """A private jieba.Tokenizer: the shipped dictionary plus the project's words, never global state."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    userdict = rules_path("userdict.txt")
    tok.initialize()
    if Path(userdict).exists():
        tok.load_userdict(str(userdict))
    for word in user_words:
        if word and not word.isspace():
            tok.add_word(word, freq=None)
    return tok


class JiebaTokenizer:
    """Turns raw article text into a Doc of the normalized text; the original lives in the state."""

    def __init__(self, vocab: Vocab, segmenter: jieba.Tokenizer):
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        norm = normalize(text)
        words = list(self.segmenter.cut(norm.text, HMM=False)) or [" "]
        if not norm.text:
            words = []
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["recap"] = RecapState(norm=norm)
        return doc

    # spaCy calls these when saving a pipeline; this one is rebuilt from rules/ instead.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "JiebaTokenizer":
        return self
