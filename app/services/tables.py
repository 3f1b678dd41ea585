"""CSV for spreadsheets: the standard library's `csv` writer, a byte-order mark so that Excel reads
UTF-8 (å, ä, ö), and `;` on request for spreadsheets set to Swedish (where `,` is the decimal mark)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Literal

Delimiter = Literal["comma", "semicolon"]
DELIMITERS: dict[str, str] = {"comma": ",", "semicolon": ";"}
MEDIA_TYPE = "text/csv; charset=utf-8"
# A text cell starting with one of these would be read as a formula by a spreadsheet (CSV
# injection); such a cell gets a leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | datetime | None


def cell(value: Cell) -> str | int | float:
    """Dates ISO, amounts plain integers, empty for none; free text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], delimiter: Delimiter = "comma") -> bytes:
    """The table as UTF-8 with a byte-order mark, a header row, one row per record, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITERS[delimiter], lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
