"""The published contract, fuzzed: `schemathesis run` with every check and every phase (coverage,
fuzzing, stateful) against a live server on the test database (SQLite or PostgreSQL) must find
nothing. Bounded by a fixed seed and a small number of examples per operation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.factories import catalogue

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"

# Operations that also check what a JSON Schema cannot state: codes that must exist in the stored
# catalogue (themes, pillars, programmes, calls), references between the records of an imported
# document, a status change allowed by the application's current status, one field against
# another (a report's `to` not before its `from`), an `If-Match` against the record's current
# ETag, and a webhook target that must resolve to a public address (checked after name
# resolution). A schema-valid request that breaks such a rule is answered 422 naming the field
# (412 for a stale ETag), as each operation's description says.
CONFIG = """
seed = 20261204
generation.max-examples = 10

[[operations]]
include-operation-id = [
  "create_need", "replace_need", "patch_need", "match", "import_catalogue",
  "create_application", "patch_application", "funding", "delete_need", "delete_application",
  "create_webhook", "update_webhook",
]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "412", "422", "428", "429"]

# Revocation is fuzzed against a key made for it, not the key the fuzzer itself uses.
[[operations]]
include-operation-id = "revoke_api_key"
parameters = {{ key_id = {victim} }}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The fuzzer sends thousands of requests with one token: no rate limit for it here."""
    return settings.model_copy(update={"rate_limit": "1000000/minute"})


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is a dev dependency")
def test_schemathesis_finds_nothing(live_server: str, tmp_path: Path) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=live_server, headers=admin, timeout=60) as http:
        assert http.post("/api/v1/catalogue/import", json=catalogue()).status_code == 200
        body = {"code": "borlange", "name": "Borlänge kommun", "type": "municipality", "country": "SE"}
        assert http.post("/api/v1/organisations", json=body).status_code == 201
        victim = http.post("/api/v1/organisations/borlange/api-keys", json={"name": "victim", "scopes": ["read"]})
    (tmp_path / "schemathesis.toml").write_text(CONFIG.format(victim=victim.json()["id"]), encoding="utf-8")
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server}/openapi.json",
            "--checks",
            "all",
            "-H",
            f"Authorization: Bearer {ADMIN_TOKEN}",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    shutil.rmtree(tmp_path / ".schemathesis", ignore_errors=True)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
