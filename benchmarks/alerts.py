"""The alert pass after a catalogue change, and matching meanwhile.

Serves a synthetic catalogue (default 10,000 programmes and as many calls) with the job loop on,
stores 1,000 active needs of one organisation that has a calendar feed (so the pass ranks them
all), then runs client threads posting needs to `POST /api/v1/match` for a quiet period, and
again while a changed catalogue (every call's deadline a week later: a "refresh") is imported with
the CLI and the server's job loop runs the alert pass: the `alerts.catalogue` job, then one
`alerts.needs` job per batch. Prints how long the pass took (from the import's commit until the
last batch is done; goal under 60 s), the `call.matched` events it recorded, and match p50/p99
quiet and during the pass (goal: p99 within 3x of quiet). Usage:
    python benchmarks/alerts.py [--size 10000] [--needs 1000] [--clients 4] [--seconds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.http_load import AUTH, BIN, JSON, served  # noqa: E402
from benchmarks.rebuild_load import Load, changed, summary  # noqa: E402
from benchmarks.synthetic import catalogue, needs  # noqa: E402


def _pass_state(database_url: str, version_before: str) -> tuple[int, int, int]:
    """(alert batches queued for versions other than the one before, of them done, call.matched events)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, payload FROM job WHERE kind = 'alerts.needs'")).all()
        events = conn.execute(text("SELECT count(*) FROM outbox_event WHERE type = 'call.matched'")).scalar_one()
    engine.dispose()
    batches = [status for status, payload in rows if json.loads(payload)["version"] != version_before]
    return len(batches), sum(1 for s in batches if s == "done"), int(events)


def run(size: int, need_count: int, clients: int, seconds: float) -> dict[str, Any]:
    os.environ.setdefault("FUNDMATCH_JOBS_INTERVAL_SECONDS", "1")
    os.environ.setdefault("FUNDMATCH_RATE_LIMIT", "1000000/minute")  # the load is one token
    os.environ.setdefault("FUNDMATCH_SECRET_KEY", "benchmark-secret-key-0123456789abcdef")
    bodies = [json.dumps(n, ensure_ascii=False) for n in needs(200, seed=5)]
    with served(size, 1, bodies) as server:
        database_url = server.env["FUNDMATCH_DATABASE_URL"]
        with httpx.Client(base_url=server.base, timeout=60, headers={**AUTH, **JSON}) as http:
            http.post(
                "/api/v1/organisations",
                json={
                    "code": "bench",
                    "name": "Bench kommun",
                    "type": "municipality",
                    "country": "SE",
                    "region": "SE312",
                },
            ).raise_for_status()
            token = http.post(
                "/api/v1/organisations/bench/api-keys", json={"name": "bench", "scopes": ["write"]}
            ).json()["token"]
            own = {"Authorization": f"Bearer {token}"}
            http.post(
                "/api/v1/calendar-feeds", json={"name": "Bench", "language": "sv"}, headers=own
            ).raise_for_status()
            for need in needs(need_count, seed=23):
                http.post("/api/v1/needs", content=json.dumps(need), headers=own).raise_for_status()
            version_before = http.post("/api/v1/match", content=bodies[0]).json()["catalogue_version"]
        time.sleep(3)  # the pass of the loaded catalogue found nobody listening; let the loop settle
        path = server.work / "changed.json"
        path.write_text(json.dumps(changed(catalogue(size))), encoding="utf-8")
        events_before = _pass_state(database_url, version_before)[2]

        load = Load(server.base, bodies, clients)
        load.start()
        time.sleep(2)
        quiet_start = time.perf_counter()
        time.sleep(seconds)
        quiet_end = time.perf_counter()
        subprocess.run(
            [BIN / "fundmatch", "catalogue", "load", str(path)], env=server.env, check=True, capture_output=True
        )
        imported = time.perf_counter()
        deadline = imported + 900
        queued = done = 0
        while time.perf_counter() < deadline:
            queued, done, _ = _pass_state(database_url, version_before)
            if queued and done == queued:
                break
            time.sleep(0.2)
        finished = time.perf_counter()
        load.stop()
        switched = next(
            (at for at, _, version in load.window(imported, finished) if version not in (None, version_before)),
            finished,
        )
        events_after = _pass_state(database_url, version_before)[2]
    return {
        "size": size,
        "needs": need_count,
        "clients": clients,
        "batches": queued,
        "batches_done": done,
        "import_s": imported - quiet_end,
        "pass_s": finished - imported,
        "events": events_after - events_before,
        "quiet": summary(load.window(quiet_start, quiet_end)),
        "during": summary(load.window(imported, finished)),
        # the pass begins with the worker loading the new version and building its index (as after
        # any import; benchmarks/rebuild_load.py measures that alone), then ranks the needs
        "rebuild": summary(load.window(imported, switched)),
        "ranking": summary(load.window(switched, finished)),
        "switch_s": switched - imported,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"Alert pass: {result['needs']:,} active needs against {result['size']:,} programmes + calls, "
        f"{result['clients']} client threads matching meanwhile (load average at the end, this run included: "
        f"{os.getloadavg()[0]:.2f})"
    )
    print(f"  import of the changed catalogue (CLI): {result['import_s']:.1f} s")
    print(
        f"  alert pass: {result['pass_s']:.1f} s from the import's commit to the last of "
        f"{result['batches']} batches done ({result['batches_done']} done; goal: under 60 s); "
        f"{result['events']} call.matched events"
    )
    print(f"  the server answered from the new version {result['switch_s']:.1f} s after the import")
    for name in ("quiet", "during", "rebuild", "ranking"):
        r = result[name]
        print(
            f"  {name:8} {r['requests']:6} requests  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
            f"max {r['max_ms']:7.1f} ms  errors {r['errors']}"
        )
    ratio = result["during"]["p99_ms"] / result["quiet"]["p99_ms"]
    ranking = result["ranking"]["p99_ms"] / result["quiet"]["p99_ms"]
    print(f"  p99 during the pass / quiet p99: {ratio:.2f} (goal: at most 3); while ranking only: {ranking:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    report(run(args.size, args.needs, args.clients, args.seconds))


if __name__ == "__main__":
    main()
