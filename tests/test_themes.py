"""Themes: corpus/themes examples (one case each), leaders, roles, and the rules file."""
from __future__ import annotations

import pytest

from extractor import extract
from extractor.rules import load_toml
from extractor.themes import ThemeRules, all_names

from .corpus_cases import cases


@pytest.mark.parametrize("ex", cases("themes"))
def test_example(ex):
    article = extract(ex["text"])
    found = {t.name: t for t in article.themes}
    for name in ex.get("expect", []):
        assert name in found, f"{name} not found in {sorted(found)}"
    for name in ex.get("absent", []):
        assert name not in found, f"{name} found: {found[name]}"
    for name, leaders in ex.get("leaders", {}).items():
        assert set(leaders) <= set(found[name].leaders), found[name].leaders
    for name, role in ex.get("roles", {}).items():
        assert found[name].role == role


def test_mentions_point_into_the_original():
    text = "光伏板塊走弱，儲能概念逆勢上漲，算力、液冷活躍。"
    article = extract(text)
    assert article.themes
    for t in article.themes:
        for m in t.mentions:
            assert text[m.start:m.end] == m.text
        assert t.rule.startswith("theme.")


def test_rules_file():
    rules = load_toml("themes.toml", ThemeRules)
    assert len(rules.theme) >= 300
    names = all_names()
    for word in ["算力", "CPO", "液冷", "光模块", "大消费", "AI应用", "首发经济", "低空经济", "人形机器人", "固态电池",
                 "券商", "证券", "半导体", "芯片", "黄金", "稀土", "商业航天", "数据中心", "IDC", "智能电网", "铜缆高速连接",
                 "DAC", "高送转", "次新股", "注册制次新股", "深圳国资改革", "互联网保险", "景点及旅游", "钛白粉", "采掘服务",
                 "鸿蒙", "信创", "脑机接口", "可控核聚变", "短剧", "免税"]:
        assert word in names, word
    for word in ["市场", "行业", "科技", "板块", "上证指数", "创业板指", "沪深300", "科创50"]:
        assert word not in names, word


def test_no_name_in_two_themes():
    seen = {}
    for t in load_toml("themes.toml", ThemeRules).theme:
        for n in [t.name, *t.aliases, *t.weak_aliases]:
            assert seen.setdefault(n.casefold(), t.name) == t.name, f"{n} in {seen[n.casefold()]} and {t.name}"
