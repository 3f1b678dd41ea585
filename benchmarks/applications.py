"""Applications at the size of a busy international office's decade: 10,000 applications of one
organisation (and 500 of another, which must not slow it), served by the real app.

Prints the time of (median and worst of --repeat runs, after one warm-up):
- `GET /api/v1/applications?status=submitted&pillar=development` (a filtered page of 50);
- `GET /api/v1/applications?format=csv` (every application, one CSV table);
- `GET /api/v1/reports/funding?from=…&to=…&group_by=pillar` (and by funder).
Goal: each under 1 s. The rows are written at the model level into a temporary SQLite database
(migrated as `fundmatch migrate` would), then read through HTTP with TestClient. Usage:
    python benchmarks/applications.py [--count 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.models import Application, ApplicationStatusChange, Need  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.factories import catalogue, import_catalogue  # noqa: E402
from tests.records import add_key, add_organisation  # noqa: E402

ADMIN_TOKEN = "fm_bench-admin-token-0123456789abcdef"  # noqa: S105 (a throwaway database)
NOW = datetime(2028, 1, 15, 9, 0, tzinfo=UTC)
PATHS = {
    "interested": ["interested"],
    "preparing": ["interested", "preparing"],
    "submitted": ["interested", "preparing", "submitted"],
    "granted": ["interested", "preparing", "submitted", "granted"],
    "rejected": ["interested", "preparing", "submitted", "rejected"],
    "withdrawn": ["interested", "withdrawn"],
    "dismissed": ["dismissed"],
}


def fill(session: Session, org_code: str, count: int, programmes: list[str], rng: random.Random) -> str:
    """`count` applications of a new organisation (four programmes per need); returns a write token."""
    org = add_organisation(session, org_code)
    assert org.id is not None
    _, token = add_key(session, org, ["write"])
    pillar_sets: list[list[str]] = [["development"], ["solidarity"], ["development", "solidarity"], []]
    needs = []
    for i in range((count + len(programmes) - 1) // len(programmes)):
        need = Need(
            organisation_id=org.id,
            title=f"Behov {i}: ungdomsutbyte i Dalarna, åäö",
            description="Gymnasieelever åker på utbyte till vår vänort.",
            language="sv",
            pillars=pillar_sets[i % 4],
            themes=["youth"],
            created_by="bench",
        )
        needs.append(need)
    session.add_all(needs)
    session.flush()
    applications: list[tuple[Application, list[tuple[str, date]]]] = []
    for i in range(count):
        need = needs[i // len(programmes)]
        assert need.id is not None
        final = rng.choice(list(PATHS))
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(700))
        steps = [(status, start + timedelta(days=30 * k)) for k, status in enumerate(PATHS[final])]
        application = Application(
            organisation_id=org.id,
            need_id=need.id,
            programme_code=programmes[i % len(programmes)],
            call_code="erasmus-2027-ka1" if i % len(programmes) == 0 else None,
            status=final,
            status_date=steps[-1][1],
            amount_requested_eur=rng.randrange(10_000, 500_000),
            amount_granted_eur=rng.randrange(10_000, 300_000) if final == "granted" else None,
            owner="Anna Lind",
            notes="Kontakt med vänorten i Tyskland; budget klar.",
            internal_deadline=start + timedelta(days=60),
            created_by="bench",
        )
        applications.append((application, steps))
    session.add_all([a for a, _ in applications])
    session.flush()
    session.add_all(
        ApplicationStatusChange(application_id=a.id or 0, status=s, effective_date=d, at=NOW, changed_by="bench")
        for a, steps in applications
        for s, d in steps
    )
    session.commit()
    return token


def timed(client: TestClient, url: str, headers: dict[str, str], repeat: int) -> tuple[float, float, int]:
    client.get(url, headers=headers)  # warm-up
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        size = len(response.content)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        settings = Settings(
            database_url=url,
            load_default_catalogue=False,
            bootstrap_admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
            warm_index=False,
            jobs_enabled=False,  # no portal refresh in a benchmark
            log_level="WARNING",
        )
        with TestClient(create_app(settings, clock=lambda: NOW)) as client:
            import_catalogue(client, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, catalogue())
            programmes = ["erasmus-plus", "interreg-north", "icld-partnership", "old-citizens"]
            engine = make_engine(url)
            started = time.perf_counter()
            with Session(engine) as session:
                token = fill(session, "borlange", args.count, programmes, rng)
                fill(session, "falun", 500, programmes, rng)
            print(f"wrote {args.count} + 500 applications with their history in {time.perf_counter() - started:.2f} s")
            engine.dispose()
            headers = {"Authorization": f"Bearer {token}"}
            cases: list[tuple[str, str]] = [
                ("list, filtered (status, pillar)", "/api/v1/applications?status=submitted&pillar=development"),
                ("list, deadline_before", "/api/v1/applications?deadline_before=2027-01-01"),
                ("CSV, all", "/api/v1/applications?format=csv"),
                ("CSV, all, semicolon", "/api/v1/applications?format=csv&delimiter=semicolon"),
                ("report by pillar", "/api/v1/reports/funding?from=2027-01-01&to=2027-12-31&group_by=pillar"),
                ("report by funder", "/api/v1/reports/funding?from=2027-01-01&to=2027-12-31&group_by=funder"),
            ]
            rows: list[Any] = []
            for name, path in cases:
                median, worst, size = timed(client, path, headers, args.repeat)
                rows.append((name, median, worst, size))
            width = max(len(r[0]) for r in rows)
            print(f"{'request':<{width}}  median    worst     bytes   (goal: < 1 s)")
            for name, median, worst, size in rows:
                print(f"{name:<{width}}  {median * 1000:6.0f} ms {worst * 1000:6.0f} ms {size:>9,}")


if __name__ == "__main__":
    main()
