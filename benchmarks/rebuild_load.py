"""Matching through HTTP while the catalogue is re-imported: does a rebuild stall requests?

Serves a synthetic catalogue (default 10,000 programmes and as many calls), warms the index, then
runs client threads that post rotating needs to `POST /api/v1/match` for a quiet period, and again
while a changed catalogue of the same size is imported with the CLI (every call's deadline moves,
a few programmes change): the server must load the new version and build its index in the
background, answering from the old one meanwhile (above FUNDMATCH_REBUILD_CHILD_PROGRAMMES, 2,000
by default, it is built in a child process). Prints p50/p99 and errors for the quiet run and
for the rebuild window (from the import's start until answers name the new version), and how long
the switch took. Goal: no errors, and p99 during the rebuild within 3x of the quiet p99. Usage:
    python benchmarks/rebuild_load.py [--size 10000] [--workers 1] [--clients 8] [--seconds 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.http_load import AUTH, BIN, JSON, served  # noqa: E402
from benchmarks.synthetic import catalogue, needs  # noqa: E402


class Load:
    """Client threads posting needs in rotation; each answer is recorded with its time and version."""

    def __init__(self, base: str, bodies: list[str], clients: int) -> None:
        self.base, self.bodies, self.clients = base, bodies, clients
        self.samples: list[tuple[float, float, str | None]] = []  # (finished at, seconds, version or None)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self.clients):
            thread = threading.Thread(target=self._run, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=30, headers={**AUTH, **JSON}) as http:
            i = n
            while not self._stop.is_set():
                body = self.bodies[i % len(self.bodies)]
                i += self.clients
                started = time.perf_counter()
                try:
                    response = http.post("/api/v1/match?limit=10", content=body)
                    version = response.json()["catalogue_version"] if response.status_code == 200 else None
                except (httpx.HTTPError, ValueError):
                    version = None
                finished = time.perf_counter()
                with self._lock:
                    self.samples.append((finished, finished - started, version))

    def window(self, start: float, end: float) -> list[tuple[float, float, str | None]]:
        with self._lock:
            return [s for s in self.samples if start <= s[0] < end]


def summary(samples: list[tuple[float, float, str | None]]) -> dict[str, Any]:
    latencies = sorted(seconds * 1000 for _, seconds, _ in samples)
    if not latencies:
        return {"requests": 0, "p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan"), "errors": 0}
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {
        "requests": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p99_ms": p99,
        "max_ms": latencies[-1],
        "errors": sum(1 for *_, version in samples if version is None),
    }


def changed(doc: dict[str, Any]) -> dict[str, Any]:
    """The same catalogue with every call's deadline a week later and a few programmes renamed."""
    doc = json.loads(json.dumps(doc))
    for call in doc.get("calls", []):
        if call.get("deadline_at"):
            moment = datetime.fromisoformat(call["deadline_at"]) + timedelta(days=7)
            call["deadline_at"] = moment.astimezone(UTC).isoformat()
    for programme in doc["programmes"][:10]:
        programme["name"] = {k: f"{v} (renamed)" for k, v in programme["name"].items()}
    return doc


def run(size: int, workers: int, clients: int, seconds: float, distinct: int) -> dict[str, Any]:
    bodies = [json.dumps(n, ensure_ascii=False) for n in needs(distinct)]
    with served(size, workers, bodies) as server:
        path = server.work / "changed.json"
        path.write_text(json.dumps(changed(catalogue(size))), encoding="utf-8")
        load = Load(server.base, bodies, clients)
        load.start()
        time.sleep(2)  # let every client get going
        quiet_start = time.perf_counter()
        time.sleep(seconds)
        quiet_end = time.perf_counter()
        old_version = next(v for *_, v in reversed(load.window(quiet_start, quiet_end)) if v)
        subprocess.run(
            [BIN / "fundmatch", "catalogue", "load", str(path)], env=server.env, check=True, capture_output=True
        )
        imported = time.perf_counter()
        deadline = imported + 600
        while time.perf_counter() < deadline:
            recent = load.window(imported, time.perf_counter())
            if any(v not in (None, old_version) for *_, v in recent):
                break
            time.sleep(0.1)
        switched = time.perf_counter()
        time.sleep(1)
        load.stop()
    quiet = summary(load.window(quiet_start, quiet_end))
    during = summary(load.window(quiet_end, switched))
    return {
        "size": size,
        "workers": workers,
        "clients": clients,
        "quiet": quiet,
        "rebuild": during,
        "import_s": imported - quiet_end,
        "switch_s": switched - imported,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"Matching while the catalogue is re-imported: {result['size']:,} programmes + calls, "
        f"{result['workers']} worker(s), {result['clients']} client threads"
    )
    print(f"  import (CLI) {result['import_s']:.1f} s, then new version answering after {result['switch_s']:.1f} s")
    for name in ("quiet", "rebuild"):
        r = result[name]
        print(
            f"  {name:8} {r['requests']:6} requests  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
            f"max {r['max_ms']:7.1f} ms  errors {r['errors']}"
        )
    ratio = result["rebuild"]["p99_ms"] / result["quiet"]["p99_ms"]
    print(f"  p99 during the rebuild / quiet p99: {ratio:.2f} (goal: at most 3, no errors)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--distinct", type=int, default=2000, help="Distinct needs in rotation.")
    args = parser.parse_args()
    report(run(args.size, args.workers, args.clients, args.seconds, args.distinct))


if __name__ == "__main__":
    main()
