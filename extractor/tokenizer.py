"""spaCy tokenizer that normalizes the article, then segments it into words.

The dictionary is jieba's: its shipped `dict.txt`, plus `rules/userdict.txt` and the names the
dimensions must keep whole. A private `jieba.Tokenizer()` over that dictionary is the reference
segmenter (never jieba's global state). When `rjieba` (jieba-rs, the same algorithm and dictionary
format) is installed, the same dictionary is loaded into it and it does the cutting, about 20 times
faster; tests compare both on the corpus. `RECAP_SEGMENTER=jieba` forces the reference.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from itertools import accumulate
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc
from spacy.vocab import Vocab

from .normalize import normalize
from .rules import rules_path
from .state import RecapState

if not Doc.has_extension("recap"):
    Doc.set_extension("recap", getter=lambda doc: doc.user_data.get("recap"))

# jieba 0.42's dict.txt, which rjieba embeds: then rjieba need not be fed the 350 000 entries.
_STOCK_DICT_SHA256 = "7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8"
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


def jieba_dict_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("jieba")  # locates the package without importing it
    return Path(spec.origin).parent / "dict.txt"


def user_entries(user_words: Iterable[str] = ()) -> list[tuple[str, int | None, str | None]]:
    """(word, freq or None, tag) for rules/userdict.txt, then the dimensions' words (freq None)."""
    entries: list[tuple[str, int | None, str | None]] = []
    userdict = rules_path("userdict.txt")
    if userdict.exists():
        for line in userdict.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
            line = line.strip()
            if not line:
                continue
            word, freq, tag = _USERDICT_LINE.match(line).groups()
            entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    for word in user_words:
        if word and not word.isspace():
            entries.append((word, None, None))
    return entries


def make_jieba(user_words: Iterable[str] = ()):
    """The reference segmenter: a private jieba.Tokenizer with the project's words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word, freq, tag in user_entries(user_words):
        tok.add_word(word, freq, tag)
    return tok


def _read_dict(path: Path) -> Iterator[tuple[str, int]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            word, count, *_ = line.split()
            yield word, int(count)


class WordFreq(Mapping):
    """jieba's word counts (dict.txt, then the project's words).

    Looked up a word at a time in an SQLite copy of dict.txt kept in the cache folder (made once),
    so no process has to load its 350 000 entries; without a cache folder they are read into
    memory on first use.
    """

    def __init__(self, dict_path: Path, extra: dict[str, int]):
        self._path = dict_path
        self._extra = extra
        self._freq: dict[str, int] | None = None
        self._db = None
        self._pid = 0

    def _table(self) -> dict[str, int]:
        if self._freq is None:
            freq = dict(_read_dict(self._path))
            freq.update(self._extra)
            self._freq = freq
        return self._freq

    def _connect(self):
        if self._db is not None and self._pid == os.getpid():
            return self._db
        folder = cache_dir()
        if folder is None:
            return None
        import sqlite3

        path = folder / f"jieba-freq-{_dict_digest()[:20]}.sqlite"
        try:
            if not path.exists():
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                con = sqlite3.connect(tmp)
                con.execute("CREATE TABLE IF NOT EXISTS freq (word TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
                con.executemany("INSERT OR REPLACE INTO freq VALUES (?, ?)", _read_dict(self._path))
                con.commit()
                con.close()
                os.replace(tmp, path)
            self._db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except (OSError, sqlite3.Error):
            return None
        self._pid = os.getpid()  # a connection is never used across a fork
        return self._db

    def __getitem__(self, word: str) -> int:
        if word in self._extra:
            return self._extra[word]
        if self._freq is None and (db := self._connect()) is not None:
            row = db.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
            if row is None:
                raise KeyError(word)
            return row[0]
        return self._table()[word]

    def __contains__(self, word: object) -> bool:
        try:
            self[word]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


class Segmenter:
    """Cuts normalized text into dictionary words (jieba without HMM); `FREQ` maps word -> count."""

    def __init__(self, cut: Callable[[str], list[str]], freq: Mapping[str, int], engine: str,
                 tag: Callable[[str], list[tuple[str, str]]] | None = None):
        self.cut = cut
        self.FREQ = freq
        self.engine = engine
        # Part-of-speech tags over the same dictionary (jieba's posseg tags without HMM), when the
        # engine has them built in.
        self.tag = tag

    def __call__(self, text: str) -> list[str]:
        return self.cut(text)


def cache_dir() -> Path | None:
    """Where derived data is kept between runs: $RECAP_CACHE_DIR, else the user cache folder."""
    base = os.environ.get("RECAP_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "recap-extractor")
    path = Path(base)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _project_word_freqs(entries: list[tuple[str, int | None, str | None]]) -> tuple[dict[str, int], int]:
    """The counts the reference gives the project's words, and how far its total runs ahead.

    jieba suggests a count for a word added without one and adds every count to its total, even a
    re-added word's; jieba-rs replaces the old count. Feeding rjieba jieba's final counts plus one
    unmatchable padding word for the difference makes both cut identically. Cached per dictionary.
    """
    import json

    key = hashlib.sha256(json.dumps([_STOCK_DICT_SHA256, _dict_digest(), entries]).encode()).hexdigest()
    folder = cache_dir()
    cached = folder / f"jieba-words-{key[:20]}.json" if folder else None
    if cached and cached.exists():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return data["freqs"], data["pad"]
        except (OSError, ValueError, KeyError):
            pass
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    base_total = tok.total
    dict_freq: dict[str, int] = {}
    for word, freq, tag in entries:
        dict_freq.setdefault(word, tok.FREQ.get(word, 0))
        tok.add_word(word, freq, tag)
    freqs = {word: tok.FREQ[word] for word in dict_freq}
    pad = tok.total - (base_total + sum(freqs[w] - dict_freq[w] for w in freqs))
    if cached:
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"freqs": freqs, "pad": pad}, ensure_ascii=False), encoding="utf-8")
            tmp.replace(cached)
        except OSError:
            pass
    return freqs, pad


@lru_cache(maxsize=1)
def _dict_digest() -> str:
    return hashlib.sha256(jieba_dict_path().read_bytes()).hexdigest()


# Holds the total's padding: a blank can never sit inside the runs of text jieba looks words up in.
_PAD_WORD = " recap total padding "


def _rjieba_class():
    """rjieba's Jieba class. Importing the package builds a default instance we would not use
    (a fifth of a second), so its compiled module is loaded directly when the package is not yet
    imported, under its own name, which a later `import rjieba` then reuses."""
    import importlib.util
    import sys

    if "rjieba" not in sys.modules and "rjieba.rjieba" not in sys.modules:
        spec = importlib.util.find_spec("rjieba")
        if spec is None:
            raise ImportError("rjieba is not installed")
        try:
            folder = Path(spec.submodule_search_locations[0])
            lib = next(p for p in folder.iterdir() if p.name.startswith("rjieba.") and p.suffix in (".so", ".pyd"))
            lib_spec = importlib.util.spec_from_file_location("rjieba.rjieba", lib)
            module = importlib.util.module_from_spec(lib_spec)
            lib_spec.loader.exec_module(module)
            sys.modules["rjieba.rjieba"] = module
            return module.Jieba
        except (StopIteration, OSError, ImportError, AttributeError, TypeError):
            sys.modules.pop("rjieba.rjieba", None)
    if "rjieba.rjieba" in sys.modules:
        return sys.modules["rjieba.rjieba"].Jieba
    from rjieba import Jieba

    return Jieba


def _rjieba_segmenter(user_words: Iterable[str]) -> Segmenter:
    """rjieba loaded with exactly the reference's dictionary and counts."""
    Jieba = _rjieba_class()

    dict_path = jieba_dict_path()
    if _dict_digest() == _STOCK_DICT_SHA256:
        seg = Jieba()
    else:
        seg = Jieba.empty()
        with open(dict_path, encoding="utf-8") as fh:
            for line in fh:
                word, freq, *tag = line.split()
                seg.add_word(word, int(freq), tag[0] if tag else None)
    freqs, pad = _project_word_freqs(user_entries(user_words))
    if pad < 0:
        raise ImportError("cannot reproduce jieba's total in rjieba")
    for word, freq in freqs.items():
        seg.add_word(word, freq, None)
    if pad:
        seg.add_word(_PAD_WORD, pad, None)
    return Segmenter(lambda text: seg.cut(text, False), WordFreq(dict_path, freqs), "rjieba",
                     tag=lambda text: seg.tag(text, False))


def _jieba_segmenter(user_words: Iterable[str]) -> Segmenter:
    tok = make_jieba(user_words)
    return Segmenter(lambda text: list(tok.cut(text, HMM=False)), tok.FREQ, "jieba")


def make_segmenter(user_words: Iterable[str] = (), engine: str | None = None) -> Segmenter:
    """rjieba when installed, else the reference; `engine` or RECAP_SEGMENTER=jieba|rjieba chooses."""
    words = list(user_words)
    engine = (engine or os.environ.get("RECAP_SEGMENTER") or "").lower()
    if engine != "jieba":
        try:
            return _rjieba_segmenter(words)
        except ImportError:
            if engine == "rjieba":
                raise
    return _jieba_segmenter(words)


class _Orths(dict):
    """Word -> its key in the vocab's StringStore, added there on first sight. A Doc made from the
    keys skips hashing every word again."""

    MAX_WORDS = 1_000_000

    def __init__(self, vocab: Vocab):
        super().__init__()
        self.strings = vocab.strings

    def __missing__(self, word: str) -> int:
        if len(self) >= self.MAX_WORDS:
            self.clear()
        orth = self[word] = self.strings.add(word)
        return orth


class JiebaTokenizer:
    """Turns raw article text into a Doc of the normalized text; the original lives in the state."""

    def __init__(self, vocab: Vocab, segmenter: Segmenter):
        self.vocab = vocab
        self.segmenter = segmenter
        self._orths = _Orths(vocab)

    def __call__(self, text: str) -> Doc:
        norm = normalize(text)
        words = self.segmenter.cut(norm.text) if norm.text else []
        doc = self._doc(words)
        doc.user_data["recap"] = RecapState(norm=norm, token_ends=list(accumulate(map(len, words))))
        return doc

    def _doc(self, words: list[str]) -> Doc:
        spaces = [False] * len(words)
        if self._orths.strings is self.vocab.strings:
            orths = self._orths
            try:
                return Doc(self.vocab, words=[orths[w] for w in words], spaces=spaces)
            except KeyError:  # a key whose string the vocab has since dropped
                orths.clear()
        else:
            self._orths = _Orths(self.vocab)
        return Doc(self.vocab, words=words, spaces=spaces)

    # spaCy calls these when saving a pipeline; this one is rebuilt from rules/ instead.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "JiebaTokenizer":
        return self
