"""What one request or one import can do to everyone else, measured through a real server.

Prints:
- validation time of 10k/10k and 20k/20k documents (themes/programmes; the import's checks);
- match time through HTTP for a 20 KB Swedish description that is one word, and for 20 KB of
  ordinary words (each request a new need, so nothing comes from the answer cache);
- `/healthz` latency (p50/p99/max) while a 10,000-programme catalogue is imported, with a request
  of a never-used key (its first use is a write) sent alongside every health check;
- the catalogue export at 10,000 programmes: first (rendered), cached, four in parallel, and 304.

Starts `fundmatch serve` on SQLite in a temporary folder. Usage:
    python benchmarks/robustness.py [--size 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.catalogue.checks import check_document  # noqa: E402
from app.services.catalogue import parse_document  # noqa: E402
from benchmarks.http_load import BIN, TOKEN, _free_port, wait_ready  # noqa: E402
from benchmarks.synthetic import catalogue, vocabulary  # noqa: E402

ADMIN = {"Authorization": f"Bearer {TOKEN}"}
SWEDISH_LETTERS = "abcdefghijklmnoprstuvyåäö"


def _seconds(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def validation(size: int) -> float:
    """Seconds to parse and check a document of `size` themes and `size` programmes."""
    doc = catalogue(size, calls=size)
    doc["themes"] = doc["themes"] + [
        {"code": f"extra-{i:06d}", "name": {"en": f"Extra theme {i}"}} for i in range(size - len(doc["themes"]))
    ]
    for i, programme in enumerate(doc["programmes"]):
        programme["themes"] = [*programme["themes"], f"extra-{i % (size - 34):06d}"]
    return _seconds(lambda: check_document(parse_document(doc)))


@contextmanager
def server(work: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "FUNDMATCH_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "FUNDMATCH_LOAD_DEFAULT_CATALOGUE": "true",
        "FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN": TOKEN,
        "FUNDMATCH_LOG_LEVEL": "WARNING",
        "FUNDMATCH_RATE_LIMIT": "1000000/minute",  # one token sends every request here
    }
    port = _free_port()
    process = subprocess.Popen(
        [BIN / "fundmatch", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, 120)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _new_keys(http: httpx.Client, count: int) -> list[dict[str, str]]:
    http.post("/api/v1/organisations", json={"code": "bench", "name": "Bench"}, headers=ADMIN)
    keys = []
    for i in range(count):
        answer = http.post(
            "/api/v1/organisations/bench/api-keys", json={"name": f"k{i}", "scopes": ["write"]}, headers=ADMIN
        )
        answer.raise_for_status()
        keys.append({"Authorization": f"Bearer {answer.json()['token']}"})
    return keys


def match_times(http: httpx.Client, headers: dict[str, str]) -> dict[str, float]:
    rng = random.Random(5)
    words = vocabulary()["sv"][:3000]
    http.post("/api/v1/match", json={"title": "uppvärmning", "description": "ungdom"}, headers=headers)

    def one_word() -> str:
        return "".join(rng.choice(SWEDISH_LETTERS) for _ in range(19_990))

    def ordinary() -> str:
        text = []
        while sum(len(w) + 1 for w in text) < 19_980:
            text.append(rng.choice(words))
        return " ".join(text)

    out = {}
    for name, make in (("one 20 KB word", one_word), ("20 KB of words", ordinary)):
        samples = []
        for _ in range(5):
            body = {"title": "Projekt", "description": make(), "language": "sv"}
            samples.append(
                _seconds(lambda b=body: http.post("/api/v1/match", json=b, headers=headers).raise_for_status())
            )
        out[name] = statistics.median(samples)
    return out


def health_during_import(base: str, size: int, keys: list[dict[str, str]]) -> dict[str, float]:
    payload = json.dumps(catalogue(size)).encode()
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run_import() -> None:
        with httpx.Client(base_url=base, timeout=600) as http:
            started = time.perf_counter()
            answer = http.post(
                "/api/v1/catalogue/import",
                content=payload,
                headers={**ADMIN, "Content-Type": "application/json"},
            )
            outcome["status"] = answer.status_code
            outcome["seconds"] = time.perf_counter() - started
            outcome["version"] = answer.json().get("catalogue_version")
        done.set()

    health: list[float] = []
    keyed: list[float] = []
    with httpx.Client(base_url=base, timeout=120) as http, ThreadPoolExecutor(4) as pool:
        importer = threading.Thread(target=run_import)
        importer.start()
        pending = iter(keys)
        while not done.is_set():
            key = next(pending, None)
            if key is not None:
                pool.submit(lambda k=key: keyed.append(_seconds(lambda: httpx.get(f"{base}/api/v1/needs", headers=k))))
            health.append(_seconds(lambda: http.get("/healthz").raise_for_status()))
            time.sleep(0.02)
        importer.join()
    health.sort()
    return {
        "version": outcome["version"],
        "import_s": outcome["seconds"],
        "import_status": outcome["status"],
        "checks": len(health),
        "p50_ms": 1000 * health[len(health) // 2],
        "p99_ms": 1000 * health[min(len(health) - 1, int(len(health) * 0.99))],
        "max_ms": 1000 * health[-1],
        "first_use_keys": len(keyed),
        "first_use_max_ms": 1000 * max(keyed, default=0.0),
    }


def export_times(http: httpx.Client) -> dict[str, float]:
    out = {"first_s": _seconds(lambda: http.get("/api/v1/catalogue/export", headers=ADMIN).raise_for_status())}
    answer = http.get("/api/v1/catalogue/export", headers=ADMIN)
    out["megabytes"] = len(answer.content) / 1e6
    out["cached_s"] = _seconds(lambda: http.get("/api/v1/catalogue/export", headers=ADMIN).raise_for_status())
    with ThreadPoolExecutor(4) as pool:
        started = time.perf_counter()
        each = list(
            pool.map(
                lambda _: _seconds(
                    lambda: httpx.get(f"{http.base_url}/api/v1/catalogue/export", headers=ADMIN, timeout=600)
                ),
                range(4),
            )
        )
        out["four_parallel_wall_s"] = time.perf_counter() - started
    out["four_parallel_max_s"] = max(each)
    etag = answer.headers.get("etag", "")
    out["not_modified_s"] = _seconds(
        lambda: http.get("/api/v1/catalogue/export", headers={**ADMIN, "If-None-Match": etag})
    )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args(argv)

    print("validation of a document (themes / programmes), parse and reference checks:")
    for size in (10_000, 20_000):
        print(f"  {size:,} / {size:,}: {validation(size):.2f} s")

    with tempfile.TemporaryDirectory(prefix="fundmatch-robust-") as folder, server(Path(folder)) as base:
        with httpx.Client(base_url=base, timeout=600) as http:
            keys = _new_keys(http, 400)
            print("match through HTTP, bundled catalogue, median of 5 new needs:")
            for name, seconds in match_times(http, keys.pop()).items():
                print(f"  {name}: {1000 * seconds:.1f} ms")
        result = health_during_import(base, args.size, keys)
        print(
            f"/healthz during an import of {args.size:,} programmes and calls ({result['import_s']:.1f} s, "
            f"HTTP {result['import_status']}), {result['checks']} checks:"
        )
        print(f"  p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.1f} ms")
        print(
            f"  alongside: {result['first_use_keys']} requests of never-used keys, slowest "
            f"{result['first_use_max_ms']:.0f} ms"
        )
        with httpx.Client(base_url=base, timeout=600) as http:
            # the worker answers from the old version until the new one's index is built
            waited = time.perf_counter()
            while http.get("/api/v1/catalogue", headers=ADMIN).json()["catalogue_version"] != result["version"]:
                time.sleep(0.2)
            print(f"  the new version was answering {time.perf_counter() - waited:.1f} s after the import returned")
            export = export_times(http)
        print(f"catalogue export at {args.size:,} programmes ({export['megabytes']:.1f} MB):")
        print(
            f"  first (rendered) {1000 * export['first_s']:.0f} ms, cached {1000 * export['cached_s']:.0f} ms, "
            f"four in parallel {1000 * export['four_parallel_wall_s']:.0f} ms (slowest "
            f"{1000 * export['four_parallel_max_s']:.0f} ms), 304 {1000 * export['not_modified_s']:.1f} ms"
        )


if __name__ == "__main__":
    main()
