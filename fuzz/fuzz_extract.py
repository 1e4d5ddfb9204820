"""Coverage-guided fuzz target for `extractor.extract` (atheris / libFuzzer).

Each input is tried as an article: valid UTF-8 goes in as text, anything else as bytes (which
`extract` decodes, raising InputError for bytes that are no article: an expected answer).
Any other exception, an item whose offsets do not point into the original, or output that
`recap parse` could not serialize is a crash. Crashes already filed in corpus/regressions/known.toml
(tests/robust_support.py KNOWN_BUGS) are skipped so the run goes on to find new ones; set
RECAP_FUZZ_STRICT=1 to stop on them too. See README "Fuzzing" for the command.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["extractor"]):
    import extractor
    from extractor.normalize import InputError, decode

from tests.robust_support import check_article, known_bug  # noqa: E402

STRICT = os.environ.get("RECAP_FUZZ_STRICT") == "1"


def one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = decode(data)
        except InputError:
            return
    try:
        check_article(extractor.extract(text), text)
    except Exception as e:
        if not STRICT and known_bug(e):
            return
        raise


def main() -> None:
    extractor.extract("麦格米特4天2板，涨停80家，成交额1.44万亿")  # build and warm the pipeline first
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
