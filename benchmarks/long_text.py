"""Engine time on over-long text: one-word descriptions against ordinary ones. Figures only.

- match: the bundled catalogue's index ranks a Swedish need whose description
  is (a) one 20,000-letter word (Swedish words glued together, so that the
  compound splitter finds known parts everywhere), (b) 20,000 letters of the
  same words with spaces, and a short ordinary need for scale. Each run uses
  new words (another seed), so no cached analysis helps it.
- build: ``build_index`` of the bundled catalogue, and of the same catalogue
  plus one programme whose description holds a 30,000-letter word.

Usage: ``python benchmarks/long_text.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.matching import Lexicon, MatchIndex, build_index, catalogue_from_document, load_lexicon, need_from_body  # noqa: E402
from benchmarks.synthetic import vocabulary  # noqa: E402
from tests.matching.bundled import load_bundled_document  # noqa: E402

NOW = datetime(2026, 11, 26, tzinfo=UTC)
SWEDISH = vocabulary()["sv"][:2000]


def swedish_words(letters: int, seed: int) -> list[str]:
    """Common Swedish words of the catalogue, drawn at random, ``letters`` letters in all."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < letters:
        word = rng.choice(SWEDISH)
        out.append(word)
        total += len(word)
    return out


def one_word(letters: int, seed: int) -> str:
    return "".join(swedish_words(letters, seed))[:letters]


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def match_ms(index: MatchIndex, description: Callable[[int], str], runs: int) -> list[float]:
    times = []
    for seed in range(runs):
        need = need_from_body({"title": "Projekt i vår kommun", "description": description(seed), "language": "sv"})
        times.append(1000 * timed(lambda need=need: index.match(need, now=NOW, limit=10)))
    return times


def build_s(doc: dict[str, Any], lexicon: Lexicon, runs: int) -> list[float]:
    return [timed(lambda: build_index(catalogue_from_document(doc, "long-text"), lexicon)) for _ in range(runs)]


def with_long_word(doc: dict[str, Any]) -> dict[str, Any]:
    programme = {
        "code": "long-word",
        "name": {"sv": "Ett program med ett mycket långt ord"},
        "description": {"sv": f"Stöd till föreningar. {one_word(30_000, 99)} Ansök senast i mars."},
        "funder": doc["funders"][0]["code"],
        "kind": "national",
    }
    return {**doc, "programmes": [*doc["programmes"], programme]}


def line(label: str, values: list[float], unit: str) -> str:
    return f"{label:<58} median {statistics.median(values):9.1f} {unit}   max {max(values):9.1f} {unit}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    lexicon = load_lexicon(ROOT / "data" / "lexicon")
    doc = load_bundled_document()
    index = build_index(catalogue_from_document(doc, "long-text"), lexicon)
    print(f"bundled catalogue: {len(index.programmes)} programmes; {args.runs} runs each, new words every run\n")
    ordinary = "Vi vill starta ett ungdomsutbyte med vår vänort och stärka föreningslivet."
    print(line("match: ordinary 74-letter description", match_ms(index, lambda s: ordinary, args.runs), "ms"))
    print(
        line(
            "match: (a) one 20,000-letter Swedish word", match_ms(index, lambda s: one_word(20_000, s), args.runs), "ms"
        )
    )
    spaced = match_ms(index, lambda s: " ".join(swedish_words(20_000, 1000 + s)), args.runs)
    print(line("match: (b) 20,000 letters of ordinary Swedish words", spaced, "ms"))
    print(line("build: (c) bundled catalogue", build_s(doc, lexicon, args.runs), "s"))
    print(
        line(
            "build: (c) bundled + a programme with a 30,000-letter word",
            build_s(with_long_word(doc), lexicon, args.runs),
            "s",
        )
    )


if __name__ == "__main__":
    main()
