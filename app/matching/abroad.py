"""Work across borders: which programmes fund it, and whether a need plans any.

Erasmus+, Interreg, the twinning strands and ICLD's partnerships pay for work
with partners or activities in other countries. A need that plans nothing of the
kind (a cycle path, a local youth centre) is rarely theirs, however many of its
words they share, so such a programme gets a penalised warning for it.

A programme works across borders when its themes include international
cooperation or town twinning, or when its partnership rule asks for partners
from at least two countries. A need plans work abroad when it names partner
countries (``ranking.partner_countries``: not where people come from), says it
has partners, carries one of those themes (or global development), or its text
says so in Swedish or English: abroad, international, European, exchange,
mobility, twin towns, the Nordic or Baltic region, other countries, study
visits. Where in doubt the need counts as reaching abroad: the rule only ever
lowers a programme that the need gives no reason to suggest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app.matching.model import Need, Programme

CROSS_BORDER_THEMES = frozenset({"international-cooperation", "town-twinning"})
# themes of a need that already say it reaches abroad
_NEED_THEMES = CROSS_BORDER_THEMES | {"global-development"}

# word starts (the rest of the word is free: "utbytet", "internationally"); some may also end a
# Swedish compound ("ungdomsutbyte", "vänortsbesök" carry them inside)
_STARTS = (
    # Swedish
    "internationell",
    "utomlands",
    "utland",
    "utländsk",
    "transnationell",
    "gränsöverskridande",
    "nordisk",
    "norden",
    "östersjö",
    "partnerkommun",
    "partnerland",
    "partnerländer",
    "studieresa",
    "studiebesök",
    # English
    "international",
    "abroad",
    "overseas",
    "foreign",
    "transnational",
    "cross-border",
    "mobility",
    "mobilities",
    "twin",
    "nordic",
    "baltic",
    "partner municipalit",
    "partner countr",
    "study visit",
    "study trip",
    # both
    "europ",
)
# found anywhere in a word, as Swedish compounds carry them: "ungdomsutbyte", "vänortsbesök"
_INSIDE = ("utbyte", "mobilitet", "vänort", "exchange")
_PHRASES = (
    "andra länder",
    "flera länder",
    "olika länder",
    "other countries",
    "several countries",
    "different countries",
    "north sea",
    "nordsjö",
)
_CUE = re.compile(
    "|".join(
        [
            r"\b(?:" + "|".join(map(re.escape, _STARTS)) + ")",
            r"(?:" + "|".join(map(re.escape, _INSIDE)) + ")",
            r"\b(?:" + "|".join(map(re.escape, _PHRASES)) + r")\b",
        ]
    ),
    re.IGNORECASE,
)


def works_across_borders(programme: Programme) -> bool:
    rule = programme.partnership
    if rule.required and (rule.min_countries or 0) >= 2:
        return True
    return not CROSS_BORDER_THEMES.isdisjoint(programme.themes)


def text_mentions_abroad(texts: Iterable[str]) -> bool:
    return any(_CUE.search(text) for text in texts)


def reaches_abroad(need: Need, partner_countries: Sequence[str]) -> bool:
    """Whether the need plans partners or activities in other countries (in doubt: yes)."""
    if partner_countries or need.partners.has_partners:
        return True
    if not _NEED_THEMES.isdisjoint(need.themes):
        return True
    return text_mentions_abroad((need.title, need.description))
