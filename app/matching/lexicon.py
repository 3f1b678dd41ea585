"""The bilingual domain lexicon: Swedish <-> English pairs of funding vocabulary.

Files are UTF-8 TSV: ``#`` comment lines and blank lines are ignored, each
other line is ``swedish<TAB>english`` (lower-case words or phrases of up to
four words). A word may appear on several lines; duplicates are dropped.
A folder's ``countries/`` subfolder holds the country words (``countries.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.matching.countries import CountryWords, load_country_words


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Ordered, de-duplicated (swedish, english) pairs."""

    pairs: tuple[tuple[str, str], ...] = ()
    countries: CountryWords = field(default_factory=CountryWords)

    def __len__(self) -> int:
        return len(self.pairs)


def parse_lexicon(text: str) -> list[tuple[str, str]]:
    """The pairs of one TSV text; malformed lines (no tab, empty side) are skipped."""
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "\t" not in line:
            continue
        sv, en = (" ".join(side.lower().split()) for side in line.split("\t")[:2])
        if sv and en:
            pairs.append((sv, en))
    return pairs


def load_lexicon(path: Path) -> Lexicon:
    """Read one ``.tsv`` file, or every ``*.tsv`` in a folder in file-name order (and its ``countries/``)."""
    files = sorted(path.glob("*.tsv")) if path.is_dir() else [path]
    pairs: dict[tuple[str, str], None] = {}
    for file in files:
        for pair in parse_lexicon(file.read_text(encoding="utf-8")):
            pairs.setdefault(pair)
    countries = load_country_words(path / "countries") if path.is_dir() else CountryWords()
    return Lexicon(tuple(pairs), countries)
