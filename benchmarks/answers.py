"""Fingerprints of the engine's answers, to show that a refactoring or a speed change changed none.

Ranks the development set, the bundled catalogue with synthetic needs, and a synthetic 1,000-programme
catalogue, each need under several options, and writes one line per answer (`--out FILE`, JSON
lines) and a digest of them all. Run it before and after a change and compare the files:

    python benchmarks/answers.py --out /tmp/before.jsonl   # on the old code
    python benchmarks/answers.py --out /tmp/after.jsonl    # on the new code
    cmp /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.matching import (  # noqa: E402
    MatchIndex,
    answer_to_json,
    build_index,
    catalogue_from_document,
    load_lexicon,
    need_from_body,
)
from benchmarks.synthetic import catalogue, needs  # noqa: E402
from tests.matching.bundled import load_bundled_document  # noqa: E402

NOW = datetime(2026, 11, 26, tzinfo=UTC)
OPTIONS: tuple[dict[str, Any], ...] = (
    {"limit": 10},
    {"limit": 100, "include_ineligible": True},
    {"limit": 5, "display_language": "en"},
    {"limit": 5, "display_language": "sv"},
)


def _dev_needs() -> list[dict[str, Any]]:
    lines = (ROOT / "tests" / "matching" / "dev_needs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["need"] for line in lines if line.strip()]


def answers(index: MatchIndex, bodies: list[dict[str, Any]], label: str) -> Iterator[str]:
    for i, body in enumerate(bodies):
        need = need_from_body(body)
        for options in OPTIONS:
            answer = answer_to_json(index.match(need, now=NOW, **options))
            yield json.dumps([label, i, options, answer], sort_keys=True, ensure_ascii=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write every answer as a JSON line to this file")
    parser.add_argument("--synthetic", type=int, default=1000, help="programmes in the synthetic catalogue")
    args = parser.parse_args(argv)
    lexicon = load_lexicon(ROOT / "data" / "lexicon")
    bundled = build_index(catalogue_from_document(load_bundled_document(), "bundled"), lexicon)
    synthetic_needs = list(needs(60))
    synthetic = build_index(catalogue_from_document(catalogue(args.synthetic), "synthetic"), lexicon)
    sets = [
        ("dev", bundled, _dev_needs()),
        ("bundled-synthetic", bundled, synthetic_needs),
        ("synthetic", synthetic, synthetic_needs),
    ]
    digest = hashlib.sha256()
    count = 0
    out = args.out.open("w", encoding="utf-8") if args.out else None
    try:
        for label, index, bodies in sets:
            for line in answers(index, bodies, label):
                digest.update(line.encode("utf-8") + b"\n")
                count += 1
                if out is not None:
                    out.write(line + "\n")
    finally:
        if out is not None:
            out.close()
    print(f"{count} answers, sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
