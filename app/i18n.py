"""Display language: from `Accept-Language`, rendering a localised text object to one string."""

from __future__ import annotations

from collections.abc import Mapping

SUPPORTED = ("en", "sv")


def parse_accept_language(header: str | None) -> str | None:
    """The best supported language in an Accept-Language header, honouring q-values."""
    if not header:
        return None
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in SUPPORTED and quality > 0:
            candidate = (-quality, position, tag)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


def render(text: Mapping[str, str] | None, language: str | None) -> str:
    """One string from a localised text: the language asked for, else English, else any."""
    if not text:
        return ""
    for lang in (language, "en", "sv"):
        if lang and lang in text:
            return text[lang]
    return text[sorted(text)[0]]
