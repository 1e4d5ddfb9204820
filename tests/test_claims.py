"""Attribution of figures (subject, metric, period, modality) and the claims built from them.

corpus/claims/examples.txt is the suite: one case per example line, known failures as strict xfail.
"""
from pathlib import Path

import pytest

from extractor import extract
from extractor.claims import claim_key, resolve_period
from extractor.models import Claim

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "claims"
FIELDS = ("subject", "metric", "period", "modality")


def _examples():
    for line in (CORPUS / "examples.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        case_id, text, figure, *expect = parts
        text = text.replace("\\n", "\n")
        xfail = len(expect) > 4 and expect[4] == "xfail"  # known failure, mostly figure detection (科创50 -> 50)
        marks = [pytest.mark.xfail(strict=True, reason="known failure")] if xfail else []
        yield pytest.param(text, figure, dict(zip(FIELDS, expect[:4])), id=case_id, marks=marks)


def _figure(article, figure):
    text, _, nth = figure.partition("#")
    hits = [f for f in article.figures if f.text.replace(" ", "") == text]
    n = int(nth or 1)
    assert len(hits) >= n, f"no figure {figure!r}: {[f.text for f in article.figures]}"
    return hits[n - 1]


@pytest.mark.parametrize("text,figure,expect", list(_examples()))
def test_claim_example(text, figure, expect):
    fig = _figure(extract(text), figure)
    got = {k: getattr(fig, k) for k in FIELDS}
    for k, v in expect.items():
        if v == "":
            continue
        assert got[k] == (None if v == "-" else v), f"{k}: {got}"


PASSAGE = (
    "1、媒体传言：某云厂商2024年的资本开支达到500亿元，远超同行。\n"
    "2.市场规模：2023年中国FPGA市场规模约为200亿元，较上年增长15%。分析师预测，2024年市场规模将达到230亿元。\n"
    "情绪面：今日涨停70家，跌停20家。\n"
)


def test_passage_carries_subject_across_a_reporting_clause():
    a = extract(PASSAGE)
    fig = _figure(a, "230亿元")
    assert (fig.subject, fig.metric, fig.period, fig.modality) == ("中国FPGA", "市场规模", "2024", "forecast")


def test_list_item_lead_in_sets_modality():
    a = extract(PASSAGE)
    assert _figure(a, "500亿元").modality == "rumor"
    assert _figure(a, "70家").modality == "fact"


TABLE = (
    "2024-07-08涨停分析\n"
    "| 序号 | 代码 | 名称 | 现价 | 现涨幅% | 换手率 | 流通市值 |\n"
    "|---|---|---|---|---|---|---|\n"
    "| 3天2板 | |||||\n"
    "| 1 | 600000 | 甲乙科技 | 5.21元 | 10.02% | 3.40% | 22.5亿 |\n"
)


@pytest.mark.parametrize("figure,subject,metric", [
    # figure detection finds only 2板 in 3天2板 for now
    pytest.param("3天2板", "甲乙科技", "连板数", marks=pytest.mark.xfail(strict=True, reason="figure detection")),
    ("5.21元", "甲乙科技", "现价"),
    ("10.02%", "甲乙科技", "现涨幅"),
    ("3.40%", "甲乙科技", "换手率"),
    ("22.5亿", "甲乙科技", "流通市值"),
], ids=lambda x: str(x))
def test_table_cells_take_header_and_row_name(figure, subject, metric):
    fig = _figure(extract(TABLE), figure)
    assert (fig.subject, fig.metric, fig.period) == (subject, metric, "2024-07-08")


def test_one_claim_per_figure_with_key():
    a = extract("今日两市成交额1.3万亿，沪指涨1.2%。", date="2025-03-14")
    assert len(a.claims) == len(a.figures)
    keys = [c.key for c in a.claims]
    assert keys == ["沪深两市|成交额|2025-03-14", "上证指数|涨幅|2025-03-14"]
    assert all(a.figures[c.figure].text == c.text for c in a.claims)


def test_claims_are_the_models_pydantic_would_validate():
    a = extract("今日两市成交额1.3万亿，沪指涨1.2%，涨停20家。", date="2025-03-14")
    for c in a.claims:
        assert Claim.model_validate(c.model_dump()) == c
        assert Claim.model_validate(c.model_dump()).model_fields_set == c.model_fields_set


def test_keys_agree_across_wordings_and_days():
    a = extract("今日沪指涨1.2%。", date="2025-03-14")
    b = extract("3月14日上证指数涨1.2%。", date="2025-03-14")
    assert a.claims[0].key == b.claims[0].key


@pytest.mark.parametrize("period,date,resolved", [
    ("今日", "2025-03-14", "2025-03-14"),
    ("昨日", "2025-03-17", "2025-03-14"),
    ("明日", "2025-03-14", "2025-03-17"),
    ("3月2日", "2026-03-03", "2026-03-02"),
    ("2024年", None, "2024"),
    ("截至发稿", "2025-03-14", "截至发稿"),
    (None, "2025-03-14", None),
])
def test_resolve_period(period, date, resolved):
    assert resolve_period(period, date) == resolved


def test_claim_key_normalizes():
    assert claim_key("ＡＢＣ Corp", "营收", None) == "abccorp|营收|"
