"""Dates and moments written as ISO 8601 text, and only so.

Left to itself, pydantic reads a number (or a numeric string such as "0" in a query) as a Unix
timestamp; the API's schema says `format: date`, so such input is refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: object) -> object:
    if isinstance(value, date):  # datetime is a date too
        return value
    if not isinstance(value, str) or not _ISO_START.match(value):
        raise ValueError("a date is written as YYYY-MM-DD (ISO 8601), a moment as YYYY-MM-DDTHH:MM:SS+01:00")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
IsoMoment = Annotated[date | datetime, BeforeValidator(_iso_text)]
