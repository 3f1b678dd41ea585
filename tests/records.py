"""Factories at the model level: rows written straight through a session, for tests of services
and jobs that need data without going through HTTP. `tests/factories.py` has the HTTP ones."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import ApiKey, Need, Organisation
from app.principal import Principal
from app.services.auth import hash_token, new_token


def add_organisation(session: Session, code: str = "borlange", **fields: Any) -> Organisation:
    values = {"name": f"{code.title()} kommun", "type": "municipality", "country": "SE", "region": "SE312"}
    org = Organisation(code=code, **{**values, **fields})
    session.add(org)
    session.flush()
    return org


def add_key(session: Session, org: Organisation, scopes: list[str], name: str = "intranet") -> tuple[ApiKey, str]:
    """A key of `org` and its token."""
    assert org.id is not None
    token = new_token()
    key = ApiKey(organisation_id=org.id, name=name, token_hash=hash_token(token), token_prefix=token[:8], scopes=scopes)
    session.add(key)
    session.flush()
    return key, token


def principal_of(org: Organisation, key: ApiKey) -> Principal:
    assert org.id is not None and key.id is not None
    return Principal(
        key_id=key.id,
        key_name=key.name,
        organisation_id=org.id,
        organisation_code=org.code,
        scopes=frozenset(key.scopes),
        organisation_type=org.type,
        organisation_country=org.country,
        organisation_region=org.region,
    )


def add_need(session: Session, org: Organisation, **fields: Any) -> Need:
    assert org.id is not None
    values: dict[str, Any] = {
        "title": "Ungdomsutbyte med vänort i Tyskland",
        "description": "Gymnasieelever ska åka på utbyte till vår vänort.",
        "language": "sv",
        "pillars": ["development"],
        "themes": ["youth"],
        "applicant_type": org.type,
        "country": org.country,
        "region": org.region,
        "created_by": "tests",
    }
    need = Need(organisation_id=org.id, **{**values, **fields})
    session.add(need)
    session.flush()
    return need
