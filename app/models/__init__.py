"""SQLModel tables and their API schemas. Importing this package registers every table."""

from app.models.base import metadata
from app.models.catalogue import (
    CatalogueCall,
    CatalogueState,
    Funder,
    Pillar,
    Programme,
    StrategyGoal,
    Theme,
)
from app.models.jobs import Job, Lease
from app.models.need import Need
from app.models.organisation import ApiKey, Organisation
from app.models.refresh import CatalogueRefresh

__all__ = [
    "ApiKey",
    "CatalogueCall",
    "CatalogueRefresh",
    "CatalogueState",
    "Funder",
    "Job",
    "Lease",
    "Need",
    "Organisation",
    "Pillar",
    "Programme",
    "StrategyGoal",
    "Theme",
    "metadata",
]
