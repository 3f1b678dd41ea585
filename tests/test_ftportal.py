"""`fundmatch calls import-ftportal` against a local stand-in for the portal's search service."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

from app.catalogue.ftportal import programme_for, to_calls
from app.cli import cli
from app.settings import Settings
from tests.portal import topic

NOW = datetime(2026, 11, 26, tzinfo=UTC)


TOPICS = [
    topic(
        "CERV-2027-CITIZENS-TOWN-TT",
        ["2025-09-18T17:00:00.000+0000", "2027-09-16T17:00:00.000+0000"],
        title="Town twinning 2027",
        startDate=["2026-12-10T00:00:00.000+0000"],
        descriptionByte=["<p>Meetings of citizens from <b>twinned towns</b> &amp; their associations.</p>"],
        budgetOverview=[
            json.dumps(
                {
                    "budgetTopicActionMap": {
                        "1": [
                            {"action": "CERV-2027-CITIZENS-TOWN-TT - CERV-LS", "budgetYearMap": {"2027": "5000000"}},
                            {"action": "CERV-2027-CITIZENS-TOWN-NT - CERV-LS", "budgetYearMap": {"2027": "12000000"}},
                        ]
                    }
                }
            )
        ],
    ),
    topic("HORIZON-CL5-2027-02-D4-07", ["2027-02-12T17:00:00.000+0000"], status="31094501", title="Energy communities"),
    topic("HORIZON-CL5-2027-02-D4-07", ["2027-02-12T17:00:00.000+0000"], title="duplicate row"),
    topic("EDF-2027-DA-SPACE", ["2027-03-01T17:00:00.000+0000"], title="Defence, not in our catalogue"),
    topic("LIFE-2024-SAP-NAT", ["2024-09-01T17:00:00.000+0000"], title="Past cut-offs only"),
]


class FakePortal(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        length = int(self.headers["Content-Length"])
        raw = self.rfile.read(length)
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
        )
        parts = {
            part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()
        }
        ok = query.get("apiKey") == ["SEDIA"] and "query" in parts and '"31094502"' in str(parts["query"])
        if not ok:
            self.send_response(400)
            self.end_headers()
            return
        page = int(query["pageNumber"][0])
        size = int(query["pageSize"][0])
        rows = TOPICS[(page - 1) * size : page * size]
        body = json.dumps({"totalResults": len(TOPICS), "results": rows}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePortal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/search-api/prod/rest/search"
    server.shutdown()
    server.server_close()


@pytest.fixture
def env(settings: Settings, portal: str) -> Settings:
    """Settings for the command line (its context object), pointing at the fake portal."""
    return settings.model_copy(update={"ftportal_url": portal})


runner = CliRunner()


def test_import_maps_dedupes_and_keeps_only_calls_ahead(env: Settings) -> None:
    assert runner.invoke(cli, ["catalogue", "load"], obj=env).exit_code == 0
    result = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert result.exit_code == 0, result.output
    assert "refresh 1 succeeded: fetched 5 rows; calls +2 new, ~0 updated, 0 closed" in result.output
    exported = json.loads(runner.invoke(cli, ["catalogue", "export"], obj=env).stdout)
    calls = {c["code"]: c for c in exported["calls"]}
    twinning = calls["cerv-2027-citizens-town-tt"]
    assert twinning["programme"] == "cerv-town-twinning"
    assert twinning["deadline_at"] == "2027-09-16T17:00:00Z"
    assert twinning["opens_at"] == "2026-12-10T00:00:00Z"
    assert twinning["budget_eur"] == 5_000_000
    assert twinning["description"]["en"] == "Meetings of citizens from twinned towns & their associations."
    assert twinning["url"].endswith("/topic-details/CERV-2027-CITIZENS-TOWN-TT")
    assert calls["horizon-cl5-2027-02-d4-07"]["programme"] == "horizon-europe"
    assert "edf-2027-da-space" not in calls and "life-2024-sap-nat" not in calls
    again = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert "refresh 2 succeeded: fetched 5 rows; calls +0 new, ~0 updated, 0 closed" in again.output


def test_dry_run_writes_nothing(env: Settings) -> None:
    runner.invoke(cli, ["catalogue", "load"], obj=env)
    before = json.loads(runner.invoke(cli, ["catalogue", "export"], obj=env).stdout)["calls"]
    result = runner.invoke(cli, ["calls", "import-ftportal", "--dry-run"], obj=env)
    assert result.exit_code == 0 and "cerv-2027-citizens-town-tt -> cerv-town-twinning" in result.output
    assert "fetched 5 rows, 2 calls mapped" in result.output
    assert json.loads(runner.invoke(cli, ["catalogue", "export"], obj=env).stdout)["calls"] == before


def test_unreachable_portal_fails_cleanly(settings: Settings) -> None:
    env = settings.model_copy(update={"ftportal_url": "http://127.0.0.1:9/none"})
    result = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert result.exit_code == 1 and "the portal did not answer page 1: ConnectError" in result.output
    assert "gave up after 5 attempts" in result.output


def test_programme_patterns_prefer_the_most_specific() -> None:
    known = {"horizon-europe", "horizon-europe-cities-mission", "cerv", "cerv-networks-of-towns"}
    assert programme_for("HORIZON-MISS-2027-01-CIT-02", known) == "horizon-europe-cities-mission"
    assert programme_for("HORIZON-CL6-2027-01", known) == "horizon-europe"
    assert programme_for("CERV-2027-CITIZENS-TOWN-NT", known) == "cerv-networks-of-towns"
    assert programme_for("CERV-2027-CHAR-LITI", known) == "cerv"
    assert programme_for("LIFE-2027-SAP-CET", known) is None  # no LIFE programme in the catalogue


def test_keywords_and_languages_are_tolerated() -> None:
    rows = [
        {**topic("CERV-2027-EQUAL", ["2027-01-01"]), "language": "de"},
        topic("CERV-2027-EQUAL", ["2027-01-01"], keywords='["a"]'),
    ]
    report = to_calls(rows, {"cerv"}, NOW)
    assert [c["code"] for c in report.calls] == ["cerv-2027-equal"]
    assert report.calls[0]["deadline_at"] == "2027-01-01T00:00:00+00:00"
