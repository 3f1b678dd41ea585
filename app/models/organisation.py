"""Organisations and their API keys. Tokens are never stored, only their SHA-256 hash."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.catalogue.document import ApplicantType, Code, CountryCode, NutsCode
from app.models.base import AwareDateTime, JSONColumn, utcnow


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=100)
    name: str = Field(max_length=300)
    type: str = Field(default="municipality", max_length=50)
    country: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(unique=True, max_length=64)
    token_prefix: str = Field(max_length=16)
    scopes: list[str] = Field(sa_column=Column(JSONColumn, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


ORG_NAME = "The organisation's name as people write it, e.g. `Borlänge kommun`."
ORG_TYPE = (
    "What sort of organisation: `municipality`, `region`, `public_body`, `association`, `ngo`, `company`, `sme`, "
    "`school`, `university`, `research_org` or `individual`; the default applicant type of its needs."
)
ORG_COUNTRY = "Its country, ISO 3166-1 alpha-2 (`SE`); the default country of its needs. Null if not given."
ORG_REGION = "Its region as a NUTS code (`SE312`, Dalarnas län); the default region of its needs. Null if not given."
SCOPES = (
    "What the key may do: `admin` (organisations, keys, catalogue writes), `write` (its organisation's needs and "
    "applications), `read` (read them only)."
)


class OrganisationBase(BaseModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=300)] = PydanticField(description=ORG_NAME)
    type: ApplicantType = PydanticField(default="municipality", description=ORG_TYPE)
    country: CountryCode | None = PydanticField(default=None, description=ORG_COUNTRY)
    region: NutsCode | None = PydanticField(default=None, description=ORG_REGION)


class OrganisationCreate(OrganisationBase):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "borlange",
                    "name": "Borlänge kommun",
                    "type": "municipality",
                    "country": "SE",
                    "region": "SE312",
                }
            ]
        },
    )

    code: Code = PydanticField(
        description="The organisation's key: a lowercase slug, e.g. `borlange`; it cannot be changed later."
    )


class OrganisationUpdate(BaseModel):
    """A PATCH: only the fields sent change; null clears `country` or `region`."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"name": "Borlänge kommun, internationella kontoret"}]},
    )

    name: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = PydanticField(
        default=None, description=ORG_NAME
    )
    type: ApplicantType | None = PydanticField(default=None, description=ORG_TYPE)
    country: CountryCode | None = PydanticField(default=None, description=ORG_COUNTRY)
    region: NutsCode | None = PydanticField(default=None, description=ORG_REGION)


class OrganisationPublic(OrganisationBase):
    code: str = PydanticField(description="The organisation's key, a lowercase slug, e.g. `borlange`.")
    created_at: datetime = PydanticField(description="When it was created (ISO 8601 with offset).")
    updated_at: datetime = PydanticField(description="When it last changed (ISO 8601 with offset).")


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"name": "intranät", "scopes": ["write"]}]},
    )

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = PydanticField(
        description="What the key is for, e.g. `intranet`; the audit log names changes by it."
    )
    scopes: list[Literal["admin", "write", "read"]] = PydanticField(min_length=1, max_length=3, description=SCOPES)


class ApiKeyPublic(BaseModel):
    id: int = PydanticField(description="The key's id; revoke it with `DELETE /api/v1/api-keys/{id}`.")
    organisation: str = PydanticField(description="The code of the organisation the key belongs to.")
    name: str = PydanticField(description="What the key is for, as given when it was created.")
    token_prefix: str = PydanticField(
        description="The first characters of the token, to tell keys apart (the token itself is not stored)."
    )
    scopes: list[str] = PydanticField(description=SCOPES)
    created_at: datetime = PydanticField(description="When it was created (ISO 8601 with offset).")
    last_used_at: datetime | None = PydanticField(description="When it was last used (to the minute); null if never.")
    revoked_at: datetime | None = PydanticField(description="When it was revoked; null while it works.")


class ApiKeyCreated(ApiKeyPublic):
    token: str = PydanticField(
        description="The secret to send as `Authorization: Bearer <token>`. Shown this once: only its hash is stored."
    )
