"""Who is asking: the key, its organisation and its scopes. Plain data, no web framework."""

from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("admin", "write", "read")


@dataclass(frozen=True)
class Principal:
    key_id: int
    key_name: str
    organisation_id: int
    organisation_code: str
    scopes: frozenset[str]
    # The organisation's profile: the defaults of its needs.
    organisation_type: str = "municipality"
    organisation_country: str | None = None
    organisation_region: str | None = None

    def has(self, scope: str) -> bool:
        if "admin" in self.scopes:
            return True
        if scope == "read":
            return bool(self.scopes & {"read", "write"})
        return scope in self.scopes
