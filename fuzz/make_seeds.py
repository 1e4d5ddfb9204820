"""Write a seed corpus for fuzz_extract.py: the project's example articles, cut into short pieces.

    python fuzz/make_seeds.py DIR [MORE_ARTICLE_FOLDERS...]
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX = 2048
EXTRA = [  # shapes the examples may lack
    "<p>漲停&nbsp;80家</p><!-- x", "百分之三十五点五", "1,234,567.89亿元", "两万亿", "友好集团7板",
    "麦格米特4天2板", "封板率70%，炸板率30%", "上证指数收报3,380.21点，涨0.5%", "&#x6DA8;停",
    "ＡＢＣ１２３％", "e\u0301\u0301\u0301", "1500-1600亿", "约3万4000手",
]


def pieces(text: str):
    lines = text.splitlines(keepends=True)
    buf = ""
    for line in lines:
        if len(buf) + len(line) > MAX and buf:
            yield buf
            buf = ""
        buf += line[:MAX]
    if buf:
        yield buf


def main(out: str, more: list[str]) -> None:
    dest = Path(out)
    dest.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT / "corpus").rglob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    for folder in more:
        sources += sorted(Path(folder).rglob("*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sources] + EXTRA
    n = 0
    for text in texts:
        for piece in pieces(text):
            data = piece.encode("utf-8")
            (dest / hashlib.sha1(data).hexdigest()).write_bytes(data)
            n += 1
    # a few legacy encodings, so the decoder's branches are seeded too
    for enc in ("gb18030", "big5", "utf-16"):
        data = "涨停80家，跌停25家，成交额1.44万亿".encode(enc, errors="ignore")
        (dest / f"enc-{enc}").write_bytes(data)
        n += 1
    print(f"{n} seeds in {dest}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/seeds", sys.argv[2:])
