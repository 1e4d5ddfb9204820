"""The output contract: one pydantic model tree, exported as JSON Schema by `recap schema`.

Field names here are fixed (schema_version 1); fields may be added, never renamed.
Every extracted item carries `text`, `start`, `end` into the original input and the `rule` that made it.
"""
from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = 1

Unit = Literal["CNY", "USD", "HKD", "percent", "count", "multiple", "board", "bp", "other"]
Modality = Literal["fact", "rumor", "forecast", "estimate", "opinion"]
Number = Union[int, float]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mention(_Model):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    # Offsets into the normalized text, for the pipeline's own use; never serialized.
    _nstart: int = PrivateAttr(default=0)
    _nend: int = PrivateAttr(default=0)

    def __getattr__(self, name: str):
        # Private attributes, read straight from where pydantic keeps them (its own lookup is slow).
        try:
            return object.__getattribute__(self, "__pydantic_private__")[name]
        except (AttributeError, KeyError, TypeError):
            return super().__getattr__(name)


class Evidence(Mention):
    rule: str


class Figure(Mention):
    value: Optional[Number] = None
    low: Optional[Number] = None
    high: Optional[Number] = None
    unit: Unit
    unit_text: Optional[str] = None
    approx: bool = False
    subject: Optional[str] = None
    metric: Optional[str] = None
    period: Optional[str] = None
    modality: Modality = "fact"
    sentence: int = 0
    rule: str


class Claim(_Model):
    key: str = Field(description="normalized subject|metric|period, stable across articles")
    subject: Optional[str] = None
    metric: Optional[str] = None
    period: Optional[str] = None
    value: Optional[Number] = None
    low: Optional[Number] = None
    high: Optional[Number] = None
    unit: Unit
    modality: Modality = "fact"
    figure: int = Field(description="index of the figure in `figures`")
    text: str
    start: int
    end: int
    rule: str


class Company(_Model):
    name: str
    code: Optional[str] = None
    exchange: Optional[Literal["SH", "SZ", "BJ"]] = None
    listed: bool
    mentions: list[Mention] = []
    rule: str


class Theme(_Model):
    name: str
    leaders: list[str] = []
    role: Optional[str] = None
    mentions: list[Mention] = []
    rule: str


class IndexQuote(Mention):
    name: str
    close: Optional[float] = None
    change_pct: Optional[float] = None
    rule: str


class Market(_Model):
    limit_up: Optional[int] = None
    limit_down: Optional[int] = None
    broken_count: Optional[int] = None
    seal_rate: Optional[float] = None
    broken_rate: Optional[float] = None
    consecutive_limit_up: Optional[int] = None
    max_board_height: Optional[int] = None
    turnover: Optional[float] = None
    advancers: Optional[int] = None
    decliners: Optional[int] = None
    indices: list[IndexQuote] = []
    evidence: dict[str, Evidence] = {}


class Board(Mention):
    company: str
    code: Optional[str] = None
    boards: int = Field(ge=1)
    days: Optional[int] = None
    status: Optional[Literal["sealed", "broken", "ended", "promoted"]] = None
    rule: str


class Article(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    source: Optional[str] = None
    article_id: str
    script: Literal["traditional", "simplified", "mixed"]
    trading_date: Optional[str] = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    pipeline_version: str
    figures: list[Figure] = []
    claims: list[Claim] = []
    companies: list[Company] = []
    themes: list[Theme] = []
    market: Market = Market()
    boards: list[Board] = []
    warnings: list[str] = []


def json_schema() -> dict:
    return Article.model_json_schema()
