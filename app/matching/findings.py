"""A finding: one reason or warning, kept as a message code and its parameters.

Findings are rendered into words only at the end (``explain.py``), in the
display language, so the rules never deal with phrasing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Finding:
    """``code`` names a message; ``penalised`` findings lower the score, by ``penalty`` when it is
    given, else by the settings' ``soft_penalty``."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)
    penalised: bool = False
    penalty: float | None = None
