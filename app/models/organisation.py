"""Organisations and their API keys. Tokens are never stored, only their SHA-256 hash."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
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


class OrganisationBase(BaseModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    type: ApplicantType = "municipality"
    country: CountryCode | None = None
    region: NutsCode | None = Field(default=None, description="A NUTS code, e.g. SE312 (Dalarnas län).")


class OrganisationCreate(OrganisationBase):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Code


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    type: ApplicantType | None = None
    country: CountryCode | None = None
    region: NutsCode | None = None


class OrganisationPublic(OrganisationBase):
    code: str
    created_at: datetime
    updated_at: datetime


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    scopes: list[Literal["admin", "write", "read"]] = Field(min_length=1, max_length=3)


class ApiKeyPublic(BaseModel):
    id: int
    organisation: str
    name: str
    token_prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    token: str = Field(description="Shown this once; only its hash is stored.")
