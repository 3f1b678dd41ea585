"""`fundmatch catalogue validate`: every problem of a catalogue file or folder, with its place.

Beyond what an import checks (format, fields, duplicate codes, references), the bundled catalogue
must carry both languages where staff read it, only https links, and country codes that exist
(ISO 3166-1 alpha-2 as CLDR knows them, with XK for Kosovo).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalogue.checks import check_document
from app.catalogue.document import FORMAT, SECTIONS, CatalogueDocument
from app.matching.countries import country_codes

# (section, field) pairs that need both Swedish and English text.
BILINGUAL = (
    ("pillars", "name"),
    ("pillars", "description"),
    ("themes", "name"),
    ("themes", "keywords"),
    ("strategy_goals", "name"),
    ("funders", "name"),
    ("programmes", "name"),
    ("programmes", "description"),
)
REQUIRED_LANGUAGES = ("en", "sv")


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class _Origin:
    file: Path
    index: int


def validate_path(path: Path) -> list[Problem]:
    files = sorted(p for p in path.glob("*.json") if p.is_file()) if path.is_dir() else [path]
    if not files:
        return [Problem(str(path), "no *.json catalogue files")]
    problems: list[Problem] = []
    merged: dict[str, Any] = {"format": FORMAT}
    origins: dict[tuple[str, int], _Origin] = {}
    for file in files:
        try:
            part = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(Problem(str(file), f"not readable JSON: {exc}"))
            continue
        if not isinstance(part, dict) or part.get("format") != FORMAT:
            problems.append(Problem(str(file), f"'format' must be '{FORMAT}'"))
            continue
        for key, records in part.items():
            if key == "format":
                continue
            if key not in SECTIONS or not isinstance(records, list):
                problems.append(Problem(str(file), f"unknown section '{key}'"))
                continue
            for i, record in enumerate(records):
                origins[(key, len(merged.setdefault(key, [])))] = _Origin(file, i)
                merged[key].append(record)

    def place(loc: list[Any] | tuple[Any, ...]) -> str:
        if len(loc) >= 2 and isinstance(loc[1], int) and (str(loc[0]), loc[1]) in origins:
            origin = origins[(str(loc[0]), loc[1])]
            record = merged[str(loc[0])][loc[1]]
            code = record.get("code", "?") if isinstance(record, dict) else "?"
            rest = ".".join(str(p) for p in loc[2:])
            return f"{origin.file}: {loc[0]}[{origin.index}] ({code}){'.' + rest if rest else ''}"
        return f"{path}: {'.'.join(str(p) for p in loc)}"

    try:
        document = CatalogueDocument.model_validate(merged)
    except ValidationError as exc:
        problems.extend(
            Problem(place(err["loc"]), err["msg"]) for err in exc.errors(include_url=False, include_input=False)
        )
        return problems
    problems.extend(Problem(place(err["loc"]), err["msg"]) for err in check_document(document))
    problems.extend(Problem(place(loc), msg) for loc, msg in _editorial(merged))
    return problems


def _editorial(doc: dict[str, Any]) -> list[tuple[list[Any], str]]:
    found: list[tuple[list[Any], str]] = []
    for section, field in BILINGUAL:
        for i, record in enumerate(doc.get(section, [])):
            value = record.get(field)
            if value is None:
                continue
            missing = [lang for lang in REQUIRED_LANGUAGES if not value.get(lang)]
            if missing:
                found.append(([section, i, field], f"missing language(s): {', '.join(missing)}"))
    for section in SECTIONS:
        for i, record in enumerate(doc.get(section, [])):
            urls = [("url", record.get("url"))] + [
                (f"sources.{j}.url", source.get("url")) for j, source in enumerate(record.get("sources") or [])
            ]
            for field, url in urls:
                if url is not None and not str(url).startswith("https://"):
                    found.append(([section, i, field], f"not an https URL: {url}"))
    found.extend(_country_codes(doc))
    return found


def _country_codes(doc: dict[str, Any]) -> list[tuple[list[Any], str]]:
    known = country_codes()
    places = [("country_groups", "countries"), ("programmes", "partner_countries")]
    found: list[tuple[list[Any], str]] = []
    for section, field in places:
        for i, record in enumerate(doc.get(section, [])):
            for j, code in enumerate(record.get(field) or []):
                if code.isupper() and code not in known:
                    found.append(([section, i, field, j], f"'{code}' is not an ISO 3166-1 alpha-2 country code"))
    return found
