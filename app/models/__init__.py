"""SQLModel tables and their API schemas. Importing this package registers every table."""

from app.models.application import Application, ApplicationStatusChange
from app.models.audit import AuditEvent
from app.models.base import metadata
from app.models.catalogue import (
    CatalogueCall,
    CatalogueState,
    CountryGroup,
    Funder,
    Pillar,
    Programme,
    StrategyGoal,
    Theme,
)
from app.models.jobs import Job, Lease
from app.models.need import Need
from app.models.notices import CalendarFeed, OutboxEvent, Webhook, WebhookDelivery
from app.models.organisation import ApiKey, Organisation
from app.models.refresh import CatalogueRefresh

__all__ = [
    "ApiKey",
    "Application",
    "ApplicationStatusChange",
    "AuditEvent",
    "CalendarFeed",
    "CatalogueCall",
    "CatalogueRefresh",
    "CatalogueState",
    "CountryGroup",
    "Funder",
    "Job",
    "Lease",
    "Need",
    "Organisation",
    "OutboxEvent",
    "Pillar",
    "Programme",
    "StrategyGoal",
    "Theme",
    "Webhook",
    "WebhookDelivery",
    "metadata",
]
