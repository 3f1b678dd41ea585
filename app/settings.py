"""Configuration: one Settings object, read from FUNDMATCH_* environment variables.

Settings passed to `create_app` outrank the environment, so tests never touch `os.environ`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import limits
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_TOKEN_LENGTH = 32
DEFAULT_FTPORTAL_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDMATCH_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'fundmatch.db'}",
        description="SQLAlchemy URL; SQLite file under ./var/ by default, postgresql+psycopg://… in production.",
    )
    load_default_catalogue: bool = True
    bootstrap_admin_token: SecretStr | None = Field(
        default=None,
        description="At start-up, if no admin key exists, one is created for exactly this token "
        f"(at least {MIN_TOKEN_LENGTH} characters: it is the platform's master key).",
    )
    data_dir: Path = PROJECT_ROOT / "data"
    ftportal_url: str = DEFAULT_FTPORTAL_URL
    ftportal_api_key: SecretStr = SecretStr("SEDIA")
    ftportal_allow_http: bool = Field(
        default=False,
        description="Allow an http:// portal URL (a test server or a mirror on a closed network); the API key "
        "travels in the query string, so the default refuses anything but https.",
    )
    ftportal_timeout_seconds: float = Field(default=60.0, gt=0, description="Read time-out per portal page.")
    ftportal_retry_initial_seconds: float = Field(
        default=2.0, ge=0, description="First wait before a failed portal page is tried again (it grows exponentially)."
    )
    ftportal_max_pages: int = Field(
        default=50, ge=1, le=1000, description="Pages of 100 topics a refresh reads at most."
    )
    calls_refresh_hours: float = Field(
        default=24.0, ge=0, description="How often `serve` refreshes live calls from the portal (0: never)."
    )
    refresh_lease_seconds: float = Field(
        default=600.0,
        gt=0,
        description="How long a refresh holds its lease without renewing it (it renews on every page); a refresh "
        "whose process died blocks others for at most this long.",
    )
    jobs_enabled: bool = Field(default=True, description="Run the background job loop inside `serve`.")
    jobs_interval_seconds: float = Field(
        default=10.0, gt=0, description="How often the job loop looks for due work (bounds how long queued work waits)."
    )
    job_lease_seconds: float = Field(
        default=300.0, gt=0, description="How long a claimed job stays a worker's without a heartbeat."
    )
    webhook_retry_seconds: str = Field(
        default="5,300,1800,7200,18000,36000",
        description="Delays in seconds before each retry of a webhook delivery that failed; after the last one "
        "the delivery is `failed`.",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhook targets on loopback, private and link-local addresses, and over http (closed "
        "networks, tests). Off: https only, to public addresses only.",
    )
    alert_top_n: int = Field(
        default=5, ge=1, le=100, description="`call.matched` looks at a need's this many best eligible programmes."
    )
    alert_min_score: float = Field(default=0.5, ge=0, le=1, description="`call.matched` needs at least this score.")
    deadline_alert_days: str = Field(
        default="14,2",
        description="Days before a deadline when `deadline.approaching` fires, and the calendar feeds' alarms.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that encrypts webhook secrets in the database. Unset: a random key kept in "
        "`secret_key_file` (made on first use, mode 0600). Servers that share a database must share this key.",
    )
    secret_key_file: Path = PROJECT_ROOT / "var" / "secret-key"
    public_url: str | None = Field(
        default=None,
        description="The service's public base URL (e.g. https://fundmatch.example.se) for the calendar feed "
        "links; unset: the address of the request that created the feed.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_import_body_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    import_child_bytes: int = Field(
        default=1024 * 1024,
        ge=0,
        description="Catalogue imports with a larger body are parsed, checked and written in a child "
        "process, so that their long parsing steps never hold the server's event loop.",
    )
    rebuild_child_programmes: int = Field(
        default=2000,
        ge=0,
        description="A new catalogue version with more programmes than this is read and indexed in a "
        "child process, so that the build never competes with requests for the server's GIL.",
    )
    catalogue_check_seconds: float = Field(
        default=1.0, ge=0, description="How often a worker asks the database for the catalogue version."
    )
    auth_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long a worker trusts a key it has checked before asking the database again "
        "(0: every request). A revocation on this worker takes effect at once; on other workers within this time.",
    )
    warm_index: bool = Field(
        default=True, description="Build the match index in the background at start-up, not on the first match."
    )
    rate_limit: str = Field(
        default="1200/minute",
        description="Requests per token and worker process, e.g. `1200/minute`; past it, 429 with Retry-After.",
    )
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("bootstrap_admin_token")
    @classmethod
    def _long_enough(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and 0 < len(token.get_secret_value()) < MIN_TOKEN_LENGTH:
            raise ValueError(f"must be at least {MIN_TOKEN_LENGTH} characters (make one with: openssl rand -hex 24)")
        return token

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, rate: str) -> str:
        try:
            limits.parse(rate)
        except ValueError as exc:
            raise ValueError(f"not a rate like '1200/minute': {rate!r}") from exc
        return rate

    @field_validator("webhook_retry_seconds", "deadline_alert_days")
    @classmethod
    def _numbers(cls, text: str) -> str:
        try:
            values = [float(part) for part in text.split(",") if part.strip()]
        except ValueError as exc:
            raise ValueError(f"not a comma-separated list of numbers: {text!r}") from exc
        if any(value < 0 for value in values):
            raise ValueError(f"negative number in {text!r}")
        return text

    @property
    def webhook_retry_delays(self) -> tuple[float, ...]:
        return tuple(float(part) for part in self.webhook_retry_seconds.split(",") if part.strip())

    @property
    def deadline_alert_thresholds(self) -> tuple[int, ...]:
        """Whole days, largest first."""
        days = {int(float(part)) for part in self.deadline_alert_days.split(",") if part.strip()}
        return tuple(sorted(days, reverse=True))

    @property
    def catalogue_dir(self) -> Path:
        return self.data_dir / "catalogue"

    @property
    def lexicon_dir(self) -> Path:
        return self.data_dir / "lexicon"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process settings from the environment; the only place that reads it."""
    return Settings()
