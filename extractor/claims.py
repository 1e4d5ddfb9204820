"""Claims: one per figure, with a stable key (subject|metric|period) to match across articles."""
from __future__ import annotations

import unicodedata

from spacy.tokens import Doc

from .component import Component, register
from .models import Claim
from .state import RecapState


def claim_key(subject, metric, period) -> str:
    def norm(s):
        return unicodedata.normalize("NFKC", s or "").strip().lower().replace(" ", "")
    return "|".join(norm(x) for x in (subject, metric, period))


@register
class Claims(Component):
    name = "claims"

    def process(self, doc: Doc, state: RecapState) -> None:
        for i, f in enumerate(state.figures):
            state.claims.append(Claim(
                key=claim_key(f.subject, f.metric, f.period), subject=f.subject, metric=f.metric,
                period=f.period, value=f.value, low=f.low, high=f.high, unit=f.unit,
                modality=f.modality, figure=i, text=f.text, start=f.start, end=f.end,
                rule="claims.per_figure",
            ))
