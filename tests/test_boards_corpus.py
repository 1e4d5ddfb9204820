"""corpus/boards: every ladder phrasing (and its negatives) is one test case."""
import pytest

from extractor import extract

from .corpus_cases import cases


@pytest.mark.parametrize("ex", cases("boards"))
def test_boards_example(ex):
    text = ex["text"]
    boards = extract(text).boards
    got = {(b.company, b.boards): b for b in boards}
    for want in ex.get("boards", []):
        b = got.get((want["company"], want["boards"]))
        assert b is not None, f"{want} not in {sorted(got)}"
        assert text[b.start:b.end] == b.text and b.rule
        for k in ("days", "status"):
            if k in want:  # "none": must be unset
                assert getattr(b, k) == (None if want[k] == "none" else want[k]), (k, b)
    if ex.get("only"):
        assert len(got) == len(ex.get("boards", [])), sorted(got)
