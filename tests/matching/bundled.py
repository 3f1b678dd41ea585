"""Load the bundled catalogue (``data/catalogue/*.json``) merged into one document.

Each file is a partial ``fundmatch-catalogue/1`` document; sections are
concatenated in file-name order. A minimal stand-in for ``app.catalogue``'s loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "data" / "catalogue"
SECTIONS = ("pillars", "themes", "strategy_goals", "funders", "country_groups", "programmes", "calls")


def load_bundled_document(folder: Path = CATALOGUE_DIR) -> dict[str, Any]:
    merged: dict[str, Any] = {"format": "fundmatch-catalogue/1", **{s: [] for s in SECTIONS}}
    for path in sorted(folder.glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        for section in SECTIONS:
            merged[section].extend(part.get(section, []))
    return merged
