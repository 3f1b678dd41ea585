"""Cross-record rules of a catalogue document: unique codes and references that resolve.

Each problem is a validation item with a `loc` into the document, e.g.
`["programmes", 12, "funder"]`, so that a 422 names every bad record at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.catalogue.document import SECTIONS, CatalogueDocument


@dataclass(frozen=True)
class KnownCodes:
    """Codes that references may point to besides those in the document (the stored catalogue)."""

    pillars: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    strategy_goals: frozenset[str] = frozenset()
    funders: frozenset[str] = frozenset()
    country_groups: frozenset[str] = frozenset()
    programmes: frozenset[str] = frozenset()


@dataclass
class _Problems:
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, loc: list[str | int], msg: str, kind: str) -> None:
        self.items.append({"loc": loc, "msg": msg, "type": kind})


def check_document(doc: CatalogueDocument, known: KnownCodes | None = None) -> list[dict[str, Any]]:
    known = known or KnownCodes()
    problems = _Problems()
    codes: dict[str, set[str]] = {}
    for section in SECTIONS:
        seen: set[str] = set()
        for i, record in enumerate(getattr(doc, section)):
            if record.code in seen:
                problems.add([section, i, "code"], f"duplicate code '{record.code}'", "duplicate_code")
            seen.add(record.code)
        codes[section] = seen

    # Each target's valid codes, made once: made per reference, they cost the square of the size.
    valid_codes = {
        target: codes[target] | getattr(known, target)
        for target in ("pillars", "themes", "strategy_goals", "funders", "country_groups", "programmes")
    }

    def check_list(section: str, i: int, fieldname: str, values: Iterable[str] | None, target: str) -> None:
        valid = valid_codes[target]
        for j, value in enumerate(values or ()):
            if value not in valid:
                problems.add(
                    [section, i, fieldname, j],
                    f"unknown {target[:-1].replace('_', ' ')} '{value}'",
                    "unknown_reference",
                )

    for i, goal in enumerate(doc.strategy_goals):
        check_list("strategy_goals", i, "themes", goal.themes, "themes")
    funders = valid_codes["funders"]
    for i, prog in enumerate(doc.programmes):
        if prog.funder not in funders:
            problems.add(["programmes", i, "funder"], f"unknown funder '{prog.funder}'", "unknown_reference")
        check_list("programmes", i, "themes", prog.themes, "themes")
        check_list("programmes", i, "pillars", prog.pillars, "pillars")
        check_list("programmes", i, "strategy_goals", prog.strategy_goals, "strategy_goals")
        # upper-case entries are country codes (``catalogue validate`` checks they exist); the rest name groups
        for j, code in enumerate(prog.partner_countries or ()):
            if not code.isupper() and code not in valid_codes["country_groups"]:
                problems.add(
                    ["programmes", i, "partner_countries", j], f"unknown country group '{code}'", "unknown_reference"
                )
    programmes = valid_codes["programmes"]
    for i, call in enumerate(doc.calls):
        if call.programme not in programmes:
            problems.add(["calls", i, "programme"], f"unknown programme '{call.programme}'", "unknown_reference")
    return problems.items


def known_codes(stored: Mapping[str, Iterable[str]]) -> KnownCodes:
    return KnownCodes(**{section: frozenset(values) for section, values in stored.items()})
