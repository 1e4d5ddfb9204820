"""The output contract, the offsets invariant, and normalization."""
import json

import pytest

from extractor import Article, extract
from extractor.models import json_schema
from extractor.normalize import InputError, decode, normalize

from .conftest import ROOT, SHARED
from .robust_support import items


def _inputs():
    # corpus/regressions holds crash inputs with their own (strict xfail) tests.
    paths = [p for p in sorted((ROOT / "corpus").rglob("*.txt")) if "regressions" not in p.parts]
    paths += sorted((ROOT / "seeds").glob("*.txt"))
    for sub in ("eval/dev", "corpus/eastmoney-close"):
        paths += sorted((SHARED / sub).glob("*.txt"))
    return paths



@pytest.mark.parametrize("path", _inputs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_offsets_point_into_the_original(path):
    original = decode(path.read_bytes())
    article = extract(original, source=str(path))
    for item in items(article):
        assert 0 <= item.start <= item.end <= len(original)
        assert original[item.start:item.end] == item.text, item
    again = Article.model_validate_json(article.model_dump_json())
    assert again.model_dump() == article.model_dump()


def test_schema_is_exported_and_names_the_contract_fields():
    schema = json_schema()
    props = schema["properties"]
    for key in ("schema_version", "source", "article_id", "script", "trading_date", "figures",
                "companies", "themes", "market", "boards", "warnings", "claims"):
        assert key in props
    fig = schema["$defs"]["Figure"]["properties"]
    for key in ("text", "start", "end", "value", "low", "high", "unit", "unit_text", "approx",
                "subject", "metric", "period", "modality", "sentence", "rule"):
        assert key in fig
    json.dumps(schema)


def test_article_id_is_sha256_prefix_of_decoded_text():
    import hashlib

    a = extract("涨停80家")
    assert a.article_id == hashlib.sha256("涨停80家".encode()).hexdigest()[:16]
    assert a.schema_version == 1


@pytest.mark.parametrize("raw,expected", [
    ("漲停８０家", "涨停80家"),
    ("成交1.6 億", "成交1.6亿"),
    ("<p>涨停&amp;跌停</p>", "\n涨停&跌停\n"),
    ("<script>var x=1;</script>资金", "资金"),
    ("资金<script>var x=1;", "资金"),  # an unclosed script runs to the end, as in a browser
    ("龍頭\u200b股", "龙头股"),
    ("涨停62，308只收跌", "涨停62，308只收跌"),  # a clause comma after an ASCII digit stays full-width
    ("成交１，２３４亿，涨停", "成交1,234亿,涨停"),
    ("收盤(pán)報(bào)12.3元", "收盘报12.3元"),  # pinyin a page put after characters
    ("當(dāng)日交易", "当日交易"),
    ("宁德时代(CATL)涨3%", "宁德时代(CATL)涨3%"),  # no tone mark: a note, kept
    ("中国平安(601318)", "中国平安(601318)"),
])
def test_normalization(raw, expected):
    assert normalize(raw).text == expected


def test_spans_map_back_through_pinyin():
    raw = "當(dāng)日有738只收盤(pán)報(bào)漲"
    a = extract(raw)
    fig = next(f for f in a.figures if f.text.startswith("738"))
    assert raw[fig.start:fig.end] == fig.text
    assert fig.period == "当日"


def test_normalized_spans_map_back_through_markup():
    raw = "<b>800</b>億&nbsp;元"
    n = normalize(raw)
    i = n.text.index("800")
    span = n.span(i, i + 4)
    assert raw[span["start"]:span["end"]] == span["text"] == "800</b>億"


@pytest.mark.parametrize("data,encoding", [
    ("涨停80家，封板率70%", "utf-8"),
    ("涨停80家，封板率70%", "utf-8-sig"),
    ("涨停80家，封板率70%", "gb18030"),
    ("漲停80家，封板率70%", "big5"),
    ("涨停80家，封板率70%", "utf-16"),
])
def test_decode_encodings(data, encoding):
    assert decode(data.encode(encoding)) == data


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"\x00\x01\x02\x03binary\x00", "binary"),
], ids=["empty", "blank", "binary"])
def test_decode_rejects(data, reason):
    with pytest.raises(InputError, match=reason):
        decode(data)


def test_script_detection():
    assert extract("漲停80家，連板總數14家").script == "traditional"
    assert extract("涨停80家，连板总数14家").script == "simplified"


def test_a_bare_mention_made_fast_is_the_validated_mention():
    from extractor.models import Mention
    from extractor.normalize import normalize
    from extractor.state import RecapState

    state = RecapState(norm=normalize("<p>貴州茅台漲停</p>"))
    fast = state.mention(Mention, 0, 4)
    slow = Mention(**state.norm.span(0, 4))
    slow._nstart, slow._nend = 0, 4
    assert fast == slow and fast.model_dump() == slow.model_dump() and "茅" in fast.text
    assert (fast._nstart, fast._nend) == (0, 4) and fast.model_fields_set == slow.model_fields_set
    assert fast.model_copy(update={"start": 9}).start == 9


_FIGURE = dict(text="12%", start=3, end=6, value=12, unit="percent", unit_text="%", sentence=2, rule="percent.symbol")


@pytest.mark.parametrize("model, values", [
    ("Figure", _FIGURE),
    ("Figure", {**_FIGURE, "value": 1.5, "low": 1, "high": None, "approx": True, "modality": "forecast"}),
    ("Figure", {**_FIGURE, "value": True}),  # a bool is converted: validated
    ("Figure", {**_FIGURE, "sentence": 2.0}),
    ("IndexQuote", dict(text="沪指", start=0, end=2, name="上证指数", close=3358, change_pct=-0.39, rule="index.partial")),
    ("Board", dict(text="友好集团7板", start=0, end=6, company="友好集团", boards=7, status="sealed", rule="board.streak")),
    ("Evidence", dict(text="涨停80家", start=0, end=5, rule="limit_up.word_first")),
    ("Claim", dict(key="a|b|c", unit="count", figure=0, text="80家", start=0, end=3, rule="claims.per_figure", value=80)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_built_items_are_the_validated_items(model, values):
    from extractor import models
    from extractor.state import build

    cls = getattr(models, model)
    fast, slow = build(cls, dict(values)), cls(**values)
    assert fast == slow and fast.model_fields_set == slow.model_fields_set
    assert json.dumps(fast.model_dump(mode="json")) == json.dumps(slow.model_dump(mode="json"))


@pytest.mark.parametrize("values", [
    {**_FIGURE, "start": -1}, {**_FIGURE, "unit": "yen"}, {**_FIGURE, "extra": 1},
    {k: v for k, v in _FIGURE.items() if k != "rule"}, {**_FIGURE, "value": "twelve"},
])
def test_built_items_are_checked_like_validated_ones(values):
    from pydantic import ValidationError

    from extractor.models import Figure
    from extractor.state import build

    with pytest.raises(ValidationError):
        Figure(**values)
    with pytest.raises(ValidationError):
        build(Figure, dict(values))


def test_docs_made_from_word_keys_are_docs_made_from_words():
    from spacy.tokens import Doc

    from extractor import pipeline

    nlp = pipeline.load()
    for text in ("沪指涨0.39%，报3358点。", "新词甲乙丙丁戊己庚辛壬癸9876543", ""):
        doc = nlp.make_doc(text)
        words = [t.text for t in doc]
        assert doc.to_bytes(exclude=["user_data"]) == \
            Doc(nlp.vocab, words=words, spaces=[False] * len(words)).to_bytes(exclude=["user_data"])


@pytest.mark.parametrize("path", sorted((ROOT / "corpus" / "articles").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt")),
                         ids=lambda p: p.name)
def test_span_groups_placed_by_token_ends_are_spacys_char_spans(path, monkeypatch):
    from extractor import pipeline, state

    nlp = pipeline.load()

    def groups():
        doc = nlp(decode(path.read_bytes()))
        return {g: [(s.start, s.end, s.label_) for s in doc.spans[g]] for g in doc.spans}

    fast = groups()
    monkeypatch.setattr(state, "_spans_at_token_ends", lambda doc, ends, items: state._char_spans(doc, items))
    assert fast == groups()
    assert {"figures", "companies", "themes"} <= fast.keys()
