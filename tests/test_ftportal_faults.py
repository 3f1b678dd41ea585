"""The live-calls refresh against a portal that fails: retries, bounds, all or nothing, hostile answers."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from app.catalogue.ftportal import FetchPolicy, PortalError, fetch_topics, plain_text, programme_for, to_calls
from app.cli import cli
from app.settings import Settings
from tests.portal import PortalScript, serve_portal, topic

URL = "https://portal.test/search-api/prod/rest/search"
runner = CliRunner()
TOPICS = [topic(f"CERV-2027-EQUAL-{n:02d}", ["2030-01-01T17:00:00.000+0000"], title=f"Equality {n}") for n in range(7)]


def fetch(transport: httpx.MockTransport, **policy: Any) -> tuple[list[dict[str, Any]], list[float]]:
    waits: list[float] = []
    options = {"page_size": 3, "sleep": waits.append, "wait_initial": 1.0, **policy}
    with httpx.Client(transport=transport) as client:
        rows = fetch_topics(client, URL, "SEDIA", FetchPolicy(**options))
    return rows, waits


@pytest.mark.parametrize(
    "failure",
    [
        "503",
        "502",
        "429",
        "connect",
        "read-timeout",
        "cut-off",
        "truncated-json",
        "malformed-json",
        "not-a-search-answer",
    ],
)
def test_a_page_that_fails_once_is_tried_again(mock_transport, failure: str) -> None:
    script = PortalScript(TOPICS, {2: [failure]})
    rows, waits = fetch(mock_transport(script))
    assert [r["metadata"]["identifier"][0] for r in rows] == [t["metadata"]["identifier"][0] for t in TOPICS]
    assert script.pages == [1, 2, 2, 3]
    assert len(waits) == 1


def test_retry_after_is_honoured_and_other_waits_grow(mock_transport) -> None:
    _, waits = fetch(mock_transport(PortalScript(TOPICS, {1: ["429"], 2: ["503", "503", "503"]})), wait_max=1000)
    assert waits[0] == 7.0  # the portal's Retry-After
    assert all(0 <= w <= 1000 for w in waits[1:]) and len(waits) == 4


def test_attempts_per_page_are_bounded(mock_transport) -> None:
    script = PortalScript(TOPICS, {2: ["503"] * 10})
    with pytest.raises(PortalError, match=r"HTTP 503 for page 2 \(gave up after 4 attempts\)"):
        fetch(mock_transport(script), attempts_per_page=4)
    assert script.pages == [1, 2, 2, 2, 2]


def test_retries_per_run_are_bounded(mock_transport) -> None:
    script = PortalScript(TOPICS, {1: ["503"], 2: ["503"], 3: ["503"]})
    with pytest.raises(PortalError, match="too many failed requests in this run"):
        fetch(mock_transport(script), retries_per_run=2)
    assert script.pages == [1, 1, 2, 2, 3]


def test_a_client_error_is_not_retried(mock_transport) -> None:
    script = PortalScript(TOPICS, {1: ["400"]})
    with pytest.raises(PortalError, match="HTTP 400 for page 1"):
        fetch(mock_transport(script))
    assert script.pages == [1]


def test_a_page_over_the_size_cap_stops_the_run(mock_transport) -> None:
    with pytest.raises(PortalError, match="larger than 500 bytes"):
        fetch(mock_transport(PortalScript(TOPICS)), max_page_bytes=500)


def test_paging_asks_for_a_stable_sort(mock_transport) -> None:
    transport = mock_transport(PortalScript(TOPICS))
    fetch(transport)
    body = transport.requests[0].read().decode()
    assert '{"field": "identifier", "order": "ASC"}' in body


def test_more_pages_than_allowed_is_a_failure_not_a_partial_list(mock_transport) -> None:
    with pytest.raises(PortalError, match="more than 2 pages"):
        fetch(mock_transport(PortalScript(TOPICS)), max_pages=2)


def test_an_http_portal_url_is_refused_unless_allowed(mock_transport) -> None:
    transport = mock_transport(PortalScript(TOPICS))
    with httpx.Client(transport=transport) as client, pytest.raises(PortalError, match="must use https"):
        fetch_topics(client, "http://portal.test/search", "SEDIA", FetchPolicy())
    assert transport.requests == []
    with httpx.Client(transport=transport) as client:
        assert len(fetch_topics(client, "http://portal.test/search", "SEDIA", FetchPolicy(allow_http=True))) == 7


def test_a_slow_page_exceeds_the_read_timeout_and_is_tried_again(settings: Settings) -> None:
    """A real server that stalls the first answer past the client's read time-out."""
    runner.invoke(cli, ["catalogue", "load"], obj=settings)
    with serve_portal(TOPICS, delays=[1.0]) as (url, requests):
        env = settings.model_copy(update={"ftportal_url": url, "ftportal_timeout_seconds": 0.2})
        result = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert result.exit_code == 0, result.output
    assert "calls +7 new" in result.output
    assert len(requests) == 2


def _export_calls(env: Settings) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = json.loads(runner.invoke(cli, ["catalogue", "export"], obj=env).stdout)["calls"]
    return calls


def _refreshes(env: Settings) -> list[dict[str, Any]]:
    from app.db import make_engine, unit_of_work
    from app.pagination import PageParams
    from app.services.calls import list_refreshes
    from tests.conftest import FROZEN_NOW

    engine = make_engine(env.database_url)
    with unit_of_work(engine) as session:
        items, _ = list_refreshes(session, PageParams(limit=50, offset=0), FROZEN_NOW)
    engine.dispose()
    return [item.model_dump() for item in items]


def test_nothing_is_written_unless_every_page_arrived(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    runner.invoke(cli, ["catalogue", "load"], obj=settings)
    before = _export_calls(settings)
    with serve_portal(TOPICS) as (url, _):
        env = settings.model_copy(update={"ftportal_url": url, "ftportal_max_pages": 0 + 1})
        caplog.set_level(logging.DEBUG)
        # 7 topics in pages of 100 fit one page: make the portal say there are more than a page holds
        result = runner.invoke(cli, ["calls", "import-ftportal", "--max-pages", "1"], obj=env)
    assert result.exit_code == 0  # one page holds them all
    with serve_portal(TOPICS * 30) as (url, _):  # 210 rows: three pages, only one allowed
        env = settings.model_copy(update={"ftportal_url": url})
        failed = runner.invoke(cli, ["calls", "import-ftportal", "--max-pages", "2"], obj=env)
    assert failed.exit_code == 1
    assert "refresh 2 failed: the portal lists more than 2 pages" in failed.output
    after_first = _export_calls(settings)
    assert len(after_first) == len(before) + 7
    log = _refreshes(settings)
    assert [r["status"] for r in log] == ["failed", "succeeded"]
    assert log[0]["error"].startswith("the portal lists more than 2 pages") and log[0]["finished_at"] is not None


def test_a_portal_that_keeps_failing_leaves_the_calls_as_they_were(settings: Settings) -> None:
    runner.invoke(cli, ["catalogue", "load"], obj=settings)
    before = _export_calls(settings)
    env = settings.model_copy(
        update={"ftportal_url": "http://127.0.0.1:9/search", "ftportal_api_key": SecretStr("s3cret-key")}
    )
    result = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert result.exit_code == 1
    assert _export_calls(settings) == before
    [refresh] = _refreshes(settings)
    assert refresh["status"] == "failed" and "ConnectError" in refresh["error"]
    assert "s3cret-key" not in result.output and "s3cret-key" not in refresh["error"]


def test_the_api_key_is_never_logged(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    runner.invoke(cli, ["catalogue", "load"], obj=settings)
    with serve_portal(TOPICS) as (url, _):
        env = settings.model_copy(update={"ftportal_url": url, "ftportal_api_key": SecretStr("s3cret-key")})
        result = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert result.exit_code == 1  # the stand-in portal wants the key SEDIA: 401
    assert "HTTP 401" in result.output
    assert "s3cret-key" not in caplog.text and "s3cret-key" not in result.output


def test_an_http_portal_is_refused_by_default(settings: Settings) -> None:
    runner.invoke(cli, ["catalogue", "load"], obj=settings)
    with serve_portal(TOPICS) as (url, requests):
        env = settings.model_copy(update={"ftportal_url": url, "ftportal_allow_http": False})
        result = runner.invoke(cli, ["calls", "import-ftportal"], obj=env)
    assert result.exit_code == 1 and "must use https" in result.output
    assert requests == []


NOW = __import__("datetime").datetime(2026, 11, 26, tzinfo=__import__("datetime").UTC)


@pytest.mark.parametrize(
    "overview",
    [
        '["not", "an", "object"]',
        '"text"',
        "42",
        '{"budgetTopicActionMap": []}',
        '{"budgetTopicActionMap": {"1": 5}}',
        '{"budgetTopicActionMap": {"1": [7, {"action": "CERV-2027-X - L", "budgetYearMap": [1]}]}}',
        "{broken",
    ],
)
def test_a_budget_overview_of_any_shape_does_not_stop_a_refresh(overview: str) -> None:
    report = to_calls([topic("CERV-2027-X", ["2027-05-01"], budgetOverview=[overview])], {"cerv"}, NOW)
    assert [c["code"] for c in report.calls] == ["cerv-2027-x"] and "budget_eur" not in report.calls[0]


def test_html_is_cleaned_fully() -> None:
    text = "<p>null</p><p>Towns &amp; cities&nbsp;meet.</p><div>NULL</div><ul><li>One</li><li>Two &lt;b&gt;</li></ul>"
    assert plain_text(text) == "Towns & cities meet. One Two <b>"
    assert plain_text("<p>null</p>") == ""
    assert plain_text("a < b and <br/>c") == "a c"


def test_hostile_markup_is_cleaned_in_one_pass() -> None:
    """Texts that made the old tag pattern (and html.parser) quadratic: 40,000 unclosed `<`."""
    for hostile in ("<" * 40_000, "<a" * 40_000, "<a b" * 20_000, "x<" * 40_000):
        assert plain_text(hostile) == hostile.strip()
    assert plain_text("<p>" + "<a" * 40_000) == "<a" * 40_000


def test_a_framework_topic_lands_on_its_closest_strand_or_main_programme() -> None:
    erasmus = {
        "erasmus-plus-school": "Erasmus+ School education mobility pupil mobility",
        "erasmus-plus-vet": "Erasmus+ Vocational education and training (VET) apprenticeship",
        "erasmus-plus-youth": "Erasmus+ Youth youth exchanges",
        "erasmus-plus-adult": "Erasmus+ Adult education adult learning",
    }
    assert programme_for("ERASMUS-EDU-2027-PEX-COVE", erasmus, "Centres of Vocational Excellence") == "erasmus-plus-vet"
    assert programme_for("ERASMUS-EDU-2027-CB-VET", erasmus, "Capacity building in the field of VET") == (
        "erasmus-plus-vet"
    )
    assert programme_for("ERASMUS-YOUTH-2027-YOUTH-TOG", erasmus, "Youth together") == "erasmus-plus-youth"
    # nothing in common: the main programme, else the first strand by code
    assert programme_for("ERASMUS-JMO-2027-HEI", {**erasmus, "erasmus-plus": ""}, "Jean Monnet") == "erasmus-plus"
    assert programme_for("ERASMUS-JMO-2027-HEI", erasmus, "Jean Monnet") == "erasmus-plus-adult"
    # a framework the catalogue does not hold is still skipped
    assert programme_for("EDF-2027-DA-SPACE", erasmus, "Defence") is None


def test_framework_topics_are_kept_in_a_refresh_with_the_bundled_catalogue(settings: Settings) -> None:
    runner.invoke(cli, ["catalogue", "load"], obj=settings)
    topics = [
        topic(
            "ERASMUS-EDU-2027-PEX-COVE",
            ["2027-09-04T17:00:00.000+0000"],
            title="Centres of Vocational Excellence",
            descriptionByte=["<p>null</p><p>Excellence in <b>VET</b> &amp; skills.</p><p>null</p>"],
        ),
        topic("ERASMUS-EDU-2027-CB-VET", ["2027-02-26T17:00:00.000+0000"], title="Capacity building in VET"),
    ]
    with serve_portal(topics) as (url, _):
        result = runner.invoke(cli, ["calls", "import-ftportal"], obj=settings.model_copy(update={"ftportal_url": url}))
    assert result.exit_code == 0, result.output
    calls = {c["code"]: c for c in _export_calls(settings)}
    assert calls["erasmus-edu-2027-pex-cove"]["programme"] == "erasmus-plus-vet"
    assert calls["erasmus-edu-2027-pex-cove"]["description"] == {"en": "Excellence in VET & skills."}
    assert calls["erasmus-edu-2027-cb-vet"]["programme"] == "erasmus-plus-vet"
