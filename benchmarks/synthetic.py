"""Synthetic catalogues and needs for the performance benchmark.

Deterministic (seeded) ``fundmatch-catalogue/1`` documents of any size, with
the shape of the real thing: 150–400-word descriptions, 55 % Swedish, names,
keywords, themes, pillars, goals, eligibility fields and calls. Words are drawn
with a Zipf-like distribution from the bundled catalogue's and lexicon's own
vocabulary, so stemming, compound splitting and the bridge see real words.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"[^\W\d_]{3,}")
_FALLBACK_SV = "kommun ungdom utbyte skola klimat energi förening samarbete utveckling projekt"
_FALLBACK_EN = "municipality youth exchange school climate energy association cooperation development project"
_FALLBACK = {"sv": _FALLBACK_SV.split(), "en": _FALLBACK_EN.split()}
APPLICANTS = ("municipality", "region", "public_body", "association", "ngo", "company", "sme", "school", "university")
COUNTRIES = ("SE", "NO", "FI", "DK", "DE", "EE", "LV", "PL")


def vocabulary(root: Path = ROOT) -> dict[str, list[str]]:
    """Swedish and English words of the bundled catalogue and lexicon, most frequent first."""
    counts: dict[str, dict[str, int]] = {"sv": {}, "en": {}}

    def add(lang: str, text: str) -> None:
        if lang in counts:
            for w in _WORD.findall(text.lower()):
                counts[lang][w] = counts[lang].get(w, 0) + 1

    def walk(value: Any, lang: str | None = None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, str) and k in counts:
                    add(k, v)
                else:
                    walk(v, k if k in counts else lang)
        elif isinstance(value, list):
            for v in value:
                walk(v, lang)
        elif isinstance(value, str) and lang:
            add(lang, value)

    for path in sorted((root / "data" / "catalogue").glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((root / "data" / "lexicon").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "\t" in line and not line.startswith("#"):
                sv, en = line.split("\t")[:2]
                add("sv", sv)
                add("en", en)
    return {lang: sorted(c, key=lambda w: (-c[w], w)) if len(c) > 50 else _FALLBACK[lang] for lang, c in counts.items()}


class _Words:
    def __init__(self, words: Sequence[str], rng: random.Random) -> None:
        self._words = list(words)
        self._cumulative = list(itertools.accumulate(1.0 / (rank + 10) for rank in range(len(self._words))))
        self._rng = rng

    def take(self, n: int) -> str:
        return " ".join(self._rng.choices(self._words, cum_weights=self._cumulative, k=n))


def _text(rng: random.Random, words: dict[str, _Words], lo: int, hi: int, languages: Sequence[str]) -> dict[str, str]:
    return {lang: words[lang].take(rng.randint(lo, hi)) for lang in languages}


def catalogue(size: int, *, seed: int = 7, calls: int | None = None, root: Path = ROOT) -> dict[str, Any]:
    """A catalogue document with ``size`` programmes and ``calls`` calls (default: ``size``)."""
    rng = random.Random(seed)
    vocab = vocabulary(root)
    words = {lang: _Words(ws, rng) for lang, ws in vocab.items()}
    themes = [
        {
            "code": f"theme-{i:02d}",
            "name": {"sv": vocab["sv"][i * 7], "en": vocab["en"][i * 7]},
            "keywords": {"sv": rng.sample(vocab["sv"][:3000], 12), "en": rng.sample(vocab["en"][:3000], 12)},
        }
        for i in range(34)
    ]
    pillars = [
        {"code": c, "name": {"en": c}} for c in ("development", "civil-society", "solidarity", "economic-growth")
    ]
    goals = [
        {
            "code": f"goal-{i:02d}",
            "name": {"en": words["en"].take(5)},
            "themes": [t["code"] for t in rng.sample(themes, 3)],
        }
        for i in range(30)
    ]
    programmes = []
    for i in range(size):
        main = "sv" if rng.random() < 0.55 else "en"
        languages = [main] if rng.random() < 0.6 else ["sv", "en"]
        start = rng.choice((2014, 2021, 2021, 2021, 2023))
        programmes.append(
            {
                "code": f"prog-{i:06d}",
                "name": _text(rng, words, 2, 6, languages),
                "description": _text(rng, words, 150, 400, languages),
                "funder": "funder",
                "kind": rng.choice(("eu_direct", "interreg", "national", "foundation")),
                "period": {"start": f"{start}-01-01", "end": f"{start + 6}-12-31"},
                "themes": [t["code"] for t in rng.sample(themes, rng.randint(2, 6))],
                "pillars": [p["code"] for p in rng.sample(pillars, rng.randint(1, 2))],
                "strategy_goals": [g["code"] for g in rng.sample(goals, rng.randint(0, 3))],
                "eligible_applicants": rng.sample(APPLICANTS, rng.randint(2, 7)),
                "eligible_countries": rng.sample(COUNTRIES, rng.randint(3, 8)) if rng.random() < 0.5 else [],
                "eligible_regions": ["SE31", "NO02"] if rng.random() < 0.1 else [],
                "grant_eur": {"min": 5_000 * rng.randint(1, 10), "max": 50_000 * rng.randint(2, 40)},
                "cofinancing_max_rate": rng.choice((None, 0.5, 0.6, 0.8, 1.0)),
                "partnership": {"required": rng.random() < 0.4, "min_partners": 2, "min_countries": 2},
                "keywords": words[main].take(rng.randint(4, 12)).split(),
            }
        )
    call_records = []
    for i in range(size if calls is None else calls):
        owner = rng.randrange(size)
        month = rng.randint(1, 12)
        call_records.append(
            {
                "code": f"call-{i:06d}",
                "programme": f"prog-{owner:06d}",
                "title": _text(rng, words, 4, 10, ["en"]),
                "description": _text(rng, words, 20, 60, ["en"]),
                "opens_at": f"{rng.choice((2025, 2026))}-{month:02d}-01T00:00:00+01:00",
                "deadline_at": f"{rng.choice((2026, 2027))}-{month:02d}-15T12:00:00+01:00",
            }
        )
    return {
        "format": "fundmatch-catalogue/1",
        "pillars": pillars,
        "themes": themes,
        "strategy_goals": goals,
        "funders": [{"code": "funder", "name": {"en": "Funder"}}],
        "programmes": programmes,
        "calls": call_records,
    }


def needs(count: int, *, seed: int = 11, root: Path = ROOT) -> Iterator[dict[str, Any]]:
    """Need bodies of 10–60 words, 55 % Swedish, a third without ``language``."""
    rng = random.Random(seed)
    vocab = vocabulary(root)
    words = {lang: _Words(ws, rng) for lang, ws in vocab.items()}
    for _ in range(count):
        lang = "sv" if rng.random() < 0.55 else "en"
        body: dict[str, Any] = {
            "title": words[lang].take(rng.randint(3, 8)),
            "description": words[lang].take(rng.randint(7, 52)),
            "applicant_type": rng.choice(APPLICANTS),
            "country": "SE",
            "region": "SE312",
            "budget_eur": rng.choice((None, 30_000, 200_000)),
            "pillars": [rng.choice(("development", "civil-society", "solidarity", "economic-growth"))],
        }
        if rng.random() > 0.33:
            body["language"] = lang
        yield body
