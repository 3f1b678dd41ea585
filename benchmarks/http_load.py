"""Matching through HTTP against /healthz on the same server, with wrk (32 connections).

Builds a synthetic catalogue (default 10,000 programmes and as many calls), loads it into a fresh
SQLite database with the CLI, starts `fundmatch serve`, warms every worker's match index, then runs
`wrk -t2 -c32` for the same duration on `GET /healthz` and on `POST /api/v1/match` (rotating
through --distinct synthetic needs) and prints requests per second, latency p50/p99 and errors for both, and the
ratio. Needs wrk (Debian package `wrk`). Usage:
    python benchmarks/http_load.py [--size 10000] [--workers 1] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.services.snapshot import ANSWERS_KEPT  # noqa: E402
from benchmarks.synthetic import catalogue, needs  # noqa: E402

TOKEN = "fm_benchmark-token-0123456789abcdef"  # noqa: S105 (a throwaway benchmark server)
BIN = Path(sys.executable).parent

LUA = """
local bodies = {}
local i = 0
for line in io.lines("%(needs)s") do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  i = (i %% #bodies) + 1
  return wrk.format(nil, "/api/v1/match?limit=10", nil, bodies[i])
end
"""
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Content-Type": "application/json"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wrk(url: str, seconds: int, script: Path | None) -> dict[str, float]:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in match.groups())
    return {"rps": rps, "p50_ms": _latency(out, "50%"), "p99_ms": _latency(out, "99%"), "errors": errors}


def _latency(out: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", out)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


@dataclass
class Served:
    """A running `fundmatch serve` on a synthetic catalogue, its match index warmed."""

    base: str
    pid: int
    work: Path
    catalogue_load_s: float
    warm_up_s: float
    env: dict[str, str]

    def resident_mib(self) -> float:
        """Resident memory of the server process and its children (the workers), in MiB."""
        pids = [self.pid, *_children(self.pid)]
        total_kib = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        return total_kib / 1024


def _children(pid: int) -> list[int]:
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in path.read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def wait_ready(base: str, seconds: float) -> None:
    """Wait until the server at `base` answers /readyz with 200."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server at {base} did not become ready")
        time.sleep(0.2)


@contextmanager
def served(size: int, workers: int = 1, warm_bodies: Sequence[str] = ()) -> Iterator[Served]:
    """Load a synthetic catalogue of `size` programmes (and calls) into a fresh SQLite database with the
    CLI, start `fundmatch serve`, wait until ready and let every worker build its index."""
    work = Path(tempfile.mkdtemp(prefix="fundmatch-http-"))
    env = {
        **os.environ,
        "FUNDMATCH_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "FUNDMATCH_LOAD_DEFAULT_CATALOGUE": "false",
        "FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN": TOKEN,
        "FUNDMATCH_LOG_LEVEL": "WARNING",
        "FUNDMATCH_RATE_LIMIT": "1000000/minute",  # one token sends every request here
        "FUNDMATCH_CALLS_REFRESH_HOURS": "0",  # no refresh from the real portal while measuring
    }
    doc_path = work / "catalogue.json"
    doc_path.write_text(json.dumps(catalogue(size)), encoding="utf-8")
    subprocess.run([BIN / "fundmatch", "migrate"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([BIN / "fundmatch", "catalogue", "load", str(doc_path)], env=env, check=True, capture_output=True)
    load_seconds = time.perf_counter() - started
    doc_path.unlink()
    port = _free_port()
    server = subprocess.Popen(
        [BIN / "fundmatch", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, 600)
        with httpx.Client(base_url=base, timeout=600, headers=AUTH) as http:
            started = time.perf_counter()
            warm = list(warm_bodies) or [json.dumps(n) for n in needs(8)]
            for body in (warm * workers * 8)[: 8 * workers]:  # every worker builds its index once
                http.post("/api/v1/match", content=body, headers=JSON).raise_for_status()
            warm_seconds = time.perf_counter() - started
        yield Served(base, server.pid, work, load_seconds, warm_seconds, env)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def run(size: int, workers: int, seconds: int, distinct: int) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("http_load: wrk is not installed (apt-get install wrk)")
    bodies = [json.dumps(n, ensure_ascii=False) for n in needs(distinct)]
    with served(size, workers, bodies) as server:
        if distinct <= ANSWERS_KEPT:
            # the repeated-needs case in its steady state: every need asked once before the run
            with httpx.Client(base_url=server.base, timeout=60, headers={**AUTH, **JSON}) as http:
                for body in bodies * workers:
                    http.post("/api/v1/match?limit=10", content=body).raise_for_status()
        (server.work / "needs.jsonl").write_text("\n".join(bodies) + "\n", encoding="utf-8")
        script = server.work / "match.lua"
        script.write_text(LUA % {"needs": server.work / "needs.jsonl", "token": TOKEN}, encoding="utf-8")
        health = _wrk(f"{server.base}/healthz", seconds, None)
        match = _wrk(server.base, seconds, script)
    return {
        "size": size,
        "workers": workers,
        "distinct": distinct,
        "catalogue_load_s": server.catalogue_load_s,
        "warm_up_s": server.warm_up_s,
        "healthz": health,
        "match": match,
        "ratio": match["rps"] / health["rps"],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"HTTP, {result['size']:,} programmes + calls, {result['workers']} worker(s), wrk -t2 -c32, "
        f"{result['distinct']:,} distinct needs in rotation"
    )
    print(f"  catalogue load (CLI) {result['catalogue_load_s']:.1f} s, index warm-up {result['warm_up_s']:.1f} s")
    for name in ("healthz", "match"):
        r = result[name]
        print(
            f"  {name:<8} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:7.2f} ms  "
            f"p99 {r['p99_ms']:7.2f} ms  errors {r['errors']}"
        )
    print(f"  match / healthz = {result['ratio']:.1%} (goal >= 40 %)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--distinct",
        type=int,
        default=200,
        help="needs in rotation; up to 1,024 are each asked once before the run (repeated needs, "
        "answered from each worker's cache); use more needs than requests to measure new needs only",
    )
    args = parser.parse_args(argv)
    report(run(args.size, args.workers, args.seconds, args.distinct))


if __name__ == "__main__":
    main()
