"""Ranking quality of the matching engine on labelled needs.

Prints nDCG@5, nDCG@10, MRR and Recall@10 overall and per language, then the
worst needs with what came back. By default it runs the development set
(``tests/matching/dev_needs.jsonl``) against the bundled catalogue
(``data/catalogue/*.json``) and the lexicon (``data/lexicon/``); ``--catalogue``
and ``--needs`` point it at other files, e.g. the evaluation sample:

    python benchmarks/quality.py --catalogue ../shared/eval-sample/catalogue.json \\
        --needs ../shared/eval-sample/needs.jsonl

Metrics (the held-out evaluation's definitions): graded nDCG with gain
``2**grade - 1`` and ideal DCG from the labels; MRR of the first grade >= 2;
Recall@10 of the grade >= 2 programmes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.matching import (  # noqa: E402
    Lexicon,
    MatchIndex,
    build_index,
    catalogue_from_document,
    load_lexicon,
    need_from_body,
)
from tests.matching.bundled import load_bundled_document  # noqa: E402

METRICS = ("ndcg@5", "ndcg@10", "mrr", "recall@10")
DEV_NEEDS = ROOT / "tests" / "matching" / "dev_needs.jsonl"
LEXICON = ROOT / "data" / "lexicon"
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def dcg(grades: Sequence[float], k: int) -> float:
    return sum((2.0**g - 1.0) / math.log2(i + 2) for i, g in enumerate(list(grades)[:k]))


def ndcg_at_k(ranking: Sequence[str], labels: Mapping[str, int], k: int) -> float:
    ideal = dcg(sorted((g for g in labels.values() if g > 0), reverse=True), k)
    return dcg([labels.get(code, 0) for code in dict.fromkeys(ranking)], k) / ideal if ideal else 0.0


def mrr(ranking: Sequence[str], labels: Mapping[str, int]) -> float:
    for i, code in enumerate(dict.fromkeys(ranking)):
        if labels.get(code, 0) >= 2:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(ranking: Sequence[str], labels: Mapping[str, int], k: int) -> float:
    wanted = {code for code, g in labels.items() if g >= 2}
    return len(wanted & set(list(dict.fromkeys(ranking))[:k])) / len(wanted) if wanted else 0.0


@dataclass(frozen=True)
class Row:
    id: str
    language: str
    title: str
    codes: tuple[str, ...]
    labels: Mapping[str, int]
    metrics: Mapping[str, float]


def load_needs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def language_of(record: Mapping[str, Any]) -> str:
    need = record["need"]
    return str(need.get("language") or (record.get("meta") or {}).get("language") or "?")


def evaluate(index: MatchIndex, records: Iterable[Mapping[str, Any]], now: datetime = NOW) -> list[Row]:
    rows = []
    for record in records:
        answer = index.match(need_from_body(record["need"]), now=now, limit=10)
        codes = tuple(item.programme.code for item in answer.items)
        labels = record["relevant"]
        rows.append(
            Row(
                id=record["id"],
                language=language_of(record),
                title=record["need"]["title"],
                codes=codes,
                labels=labels,
                metrics={
                    "ndcg@5": ndcg_at_k(codes, labels, 5),
                    "ndcg@10": ndcg_at_k(codes, labels, 10),
                    "mrr": mrr(codes, labels),
                    "recall@10": recall_at_k(codes, labels, 10),
                },
            )
        )
    return rows


def summary(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Row]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row.language, []).append(row)
    return {
        name: {"n": float(len(members)), **{m: sum(r.metrics[m] for r in members) / len(members) for m in METRICS}}
        for name, members in groups.items()
        if members
    }


def report(rows: Sequence[Row], worst: int = 10) -> str:
    lines = [f"{'split':<6} {'n':>3} " + " ".join(f"{m:>9}" for m in METRICS), "-" * 48]
    for name, vals in summary(rows).items():
        lines.append(f"{name:<6} {int(vals['n']):>3} " + " ".join(f"{vals[m]:>9.3f}" for m in METRICS))
    lines.append(f"\n{worst} worst needs by nDCG@5 (got top 5; * = labelled with its grade)")
    for row in sorted(rows, key=lambda r: (r.metrics["ndcg@5"], r.id))[:worst]:
        got = [f"{c}*{row.labels[c]}" if c in row.labels else c for c in row.codes[:5]] or ["(nothing)"]
        expected = [f"{c}:{g}" for c, g in sorted(row.labels.items(), key=lambda t: (-t[1], t[0]))]
        lines.append(f"- {row.id} [{row.language}] ndcg@5={row.metrics['ndcg@5']:.3f} {row.title[:70]}")
        lines.append(f"    got:      {', '.join(got)}")
        lines.append(f"    expected: {', '.join(expected)}")
    return "\n".join(lines)


def default_lexicon() -> Lexicon:
    return load_lexicon(LEXICON) if any(LEXICON.glob("*.tsv")) else Lexicon()


def moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def id_range(text: str) -> frozenset[str]:
    """``d79-d108`` (by number, same prefix) or ``d01,d05``."""
    if "-" in text:
        first, last = text.split("-", 1)
        prefix = first.rstrip("0123456789")
        width = len(first) - len(prefix)
        numbers = range(int(first[len(prefix) :]), int(last[len(prefix) :]) + 1)
        return frozenset(f"{prefix}{n:0{width}d}" for n in numbers)
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, help="a catalogue document (default: the bundled one)")
    parser.add_argument("--needs", type=Path, default=DEV_NEEDS)
    parser.add_argument("--lexicon", type=Path, default=LEXICON)
    parser.add_argument("--now", type=moment, default=NOW, help="ISO date or datetime (no time zone: UTC)")
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--ids", type=id_range, help="only these needs: a range d79-d108 or a list d01,d05")
    args = parser.parse_args(argv)
    doc = json.loads(args.catalogue.read_text(encoding="utf-8")) if args.catalogue else load_bundled_document()
    lexicon = load_lexicon(args.lexicon) if args.lexicon.exists() and any(args.lexicon.glob("*.tsv")) else Lexicon()
    if args.lexicon.is_file():
        lexicon = load_lexicon(args.lexicon)
    index = build_index(catalogue_from_document(doc, "quality"), lexicon)
    needs = [n for n in load_needs(args.needs) if args.ids is None or n["id"] in args.ids]
    rows = evaluate(index, needs, now=args.now)
    print(f"{len(rows)} needs, {len(index.programmes)} programmes, lexicon of {len(lexicon)} pairs\n")
    print(report(rows, args.worst))


if __name__ == "__main__":
    main()
