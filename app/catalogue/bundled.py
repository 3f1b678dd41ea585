"""The bundled catalogue: a folder of partial documents merged in file-name order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.catalogue.document import FORMAT, SECTIONS


class CatalogueFileError(ValueError):
    """A file that cannot be read as a catalogue document."""


def read_document(path: Path) -> dict[str, Any]:
    """One document from a file, or the merge of every `*.json` in a folder (sections concatenated)."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if p.is_file())
        if not files:
            raise CatalogueFileError(f"{path}: no *.json catalogue files")
        merged: dict[str, Any] = {"format": FORMAT}
        for file in files:
            part = _read_file(file)
            if part.get("format") != FORMAT:
                raise CatalogueFileError(f"{file}: 'format' must be '{FORMAT}'")
            for key, value in part.items():
                if key == "format":
                    continue
                if key not in SECTIONS or not isinstance(value, list):
                    raise CatalogueFileError(f"{file}: unknown section '{key}'")
                merged.setdefault(key, []).extend(value)
        return merged
    return _read_file(path)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueFileError(f"{path}: a catalogue document is a JSON object")
    return data
