"""corpus/dates: the trading date an article covers, and relative day words."""
from datetime import date

import pytest

from extractor import extract
from extractor.dates import date_from_name, is_trading_day, resolve_relative, shift_trading_days

from .corpus_cases import cases


@pytest.mark.parametrize("ex", [c for c in cases("dates") if "text" in c.values[0]])
def test_trading_date_example(ex):
    assert extract(ex["text"], date=ex.get("hint")).trading_date == (ex["expect"] or None)


@pytest.mark.parametrize("ex", [c for c in cases("dates") if "word" in c.values[0]])
def test_relative_example(ex):
    assert resolve_relative(ex["word"], ex.get("date")) == (ex["expect"] or None)


def test_file_name_gives_the_date_when_text_has_none():
    assert extract("今日涨停80家。", source="recaps/2026-08-04.txt").trading_date == "2026-08-04"
    assert date_from_name("20260804-recap.md") == "2026-08-04"
    assert date_from_name("notes.txt") is None


def test_trading_calendar():
    assert not is_trading_day(date(2024, 10, 1))  # National Day
    assert not is_trading_day(date(2024, 12, 21))  # Saturday
    assert is_trading_day(date(2024, 12, 19))
    assert shift_trading_days(date(2024, 12, 21), 0) == date(2024, 12, 20)


def test_relative_rejects_bad_dates():
    assert resolve_relative("今日", "2024-13-40") is None
    assert resolve_relative("", "2024-12-19") is None


def test_holiday_list_is_the_packages_own():
    from cn_stock_holidays.data import get_local

    from extractor.dates import _holidays
    days, last_year = _holidays()
    assert days == frozenset(get_local()) and last_year >= 2025
