"""Engine performance on synthetic catalogues, with bare bm25s as the yardstick.

For each size (programmes; as many calls), a child process builds the
synthetic catalogue, then measures:

- engine: index build time (document -> ``Catalogue`` -> ``build_index``; the
  document is dropped once read, before the index is built), resident memory
  once the build is done (the engine and the interpreter), the process peak so
  far (document included), and
  ``MatchIndex.match`` latency p50/p99 (need parsing, analysis, scoring,
  eligibility, top 10 with calls and explanations);
- bm25s: the same programme texts (name, keywords, description, calls),
  stemmed per language with the same Snowball stemmers, indexed by bare
  bm25s; query latency = tokenise + stem + ``retrieve`` top 10.

Both run in the same process on the same needs, taking turns by blocks of 20
needs, so their ratio is meaningful on a noisy machine. Then, unless ``--no-http``, the same catalogue is loaded
into SQLite and served by ``fundmatch serve`` (one worker): match latency
p50/p99 of ``POST /api/v1/match`` for distinct needs, one at a time (no answer
is cached), and the server's resident memory after them.
Usage: ``python benchmarks/match.py [--sizes 1000 10000 100000] [--no-http]``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.matching import Lexicon, build_index, catalogue_from_document, load_lexicon, need_from_body  # noqa: E402
from app.matching.text import Analyzer  # noqa: E402
from benchmarks.synthetic import catalogue, needs  # noqa: E402

NOW = datetime(2026, 11, 26, tzinfo=UTC)
_BLOCK = 20


def _memory_mib() -> tuple[float, float]:
    """(resident now, peak resident) of this process in MiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def _trim() -> None:
    """Return freed heap to the system (glibc), so that resident memory shows what is still held."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def _bm25s_texts(doc: dict[str, Any]) -> list[list[tuple[str, str]]]:
    calls: dict[str, list[dict[str, Any]]] = {}
    for call in doc["calls"]:
        calls.setdefault(call["programme"], []).append(call)
    texts = []
    for p in doc["programmes"]:
        parts = [(lang, t) for field in ("name", "description") for lang, t in p[field].items()]
        parts.append(("en", " ".join(p.get("keywords", []))))
        for call in calls.get(p["code"], []):
            parts.extend((lang, t) for field in ("title", "description") for lang, t in call[field].items())
        texts.append(parts)
    return texts


def measure(size: int, queries: int) -> dict[str, float]:
    lexicon_dir = ROOT / "data" / "lexicon"
    lexicon = load_lexicon(lexicon_dir) if any(lexicon_dir.glob("*.tsv")) else Lexicon()
    bodies = list(needs(queries + 20))
    base_rss, _ = _memory_mib()
    doc = catalogue(size)

    started = time.perf_counter()
    records = catalogue_from_document(doc, f"synthetic-{size}")
    build_s = time.perf_counter() - started
    # The document is the benchmark's input, not part of the engine: drop it once read into the
    # engine's records (as a process that keeps no document would), so the build can reuse its memory.
    del doc
    started = time.perf_counter()
    index = build_index(records, lexicon)
    build_s += time.perf_counter() - started
    del records
    gc.collect()
    _trim()
    rss, peak = _memory_mib()

    import bm25s

    analyzer = Analyzer()
    texts = _bm25s_texts(catalogue(size))  # the same seeded document again
    corpus = [[term for lang, text in parts for term in analyzer.terms(text, lang)] for parts in texts]
    del texts
    t = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    bm_build_s = time.perf_counter() - t
    del corpus
    gc.collect()

    def engine_query(body: dict[str, Any]) -> None:
        index.match(need_from_body(body), now=NOW, limit=10)

    def bm25s_query(body: dict[str, Any]) -> None:
        query = analyzer.terms(f"{body['title']} {body['description']}", body.get("language") or "sv")
        retriever.retrieve([query], k=10, show_progress=False, n_threads=1)

    # in turns of a block of needs each, so that both see the same stretches of a noisy machine
    # (a block, not a single need: each keeps its own data in the CPU caches as it would alone)
    latencies: list[float] = []
    bm_latencies: list[float] = []
    for start in range(0, len(bodies), _BLOCK):
        for run, samples in ((engine_query, latencies), (bm25s_query, bm_latencies)):
            for i, body in enumerate(bodies[start : start + _BLOCK], start=start):
                t = time.perf_counter()
                run(body)
                if i >= 20:
                    samples.append((time.perf_counter() - t) * 1000)
    p50, p99 = _percentiles(latencies)
    bm_p50, bm_p99 = _percentiles(bm_latencies)
    return {
        "size": size,
        "build_s": build_s,
        "engine_rss_mib": rss - base_rss,
        "rss_mib": rss,
        "peak_mib": peak,
        "p50_ms": p50,
        "p99_ms": p99,
        "bm25s_build_s": bm_build_s,
        "bm25s_p50_ms": bm_p50,
        "bm25s_p99_ms": bm_p99,
    }


def measure_http(size: int, queries: int) -> dict[str, float]:
    """Latency of distinct needs through a real server, one request at a time, and its memory."""
    import httpx

    # here, not at the top: it loads the web application, whose memory is no part of the engine's figure
    from benchmarks.http_load import AUTH, JSON, served

    bodies = [json.dumps(body, ensure_ascii=False) for body in needs(queries + 20)]
    with served(size, warm_bodies=bodies[:8]) as server, httpx.Client(base_url=server.base, timeout=60) as http:
        latencies = []
        for i, body in enumerate(bodies[8:]):
            t = time.perf_counter()
            http.post("/api/v1/match?limit=10", content=body, headers={**JSON, **AUTH}).raise_for_status()
            if i >= 12:
                latencies.append((time.perf_counter() - t) * 1000)
        p50, p99 = _percentiles(latencies)
        return {"http_p50_ms": p50, "http_p99_ms": p99, "server_rss_mib": server.resident_mib()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-http", action="store_true", help="engine only: skip the served catalogue")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.queries)))
        return
    header = (
        f"{'programmes':>10} {'build s':>8} {'RSS MiB':>8} {'peak MiB':>9} {'engine MiB':>10} "
        f"{'p50 ms':>7} {'p99 ms':>7} | {'bm25s p50':>9} {'bm25s p99':>9} {'p50 ratio':>9}"
        + ("" if args.no_http else f" | {'HTTP p50':>8} {'HTTP p99':>8} {'server MiB':>10}")
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--queries", str(args.queries)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['size']:>10,} {r['build_s']:>8.2f} {r['rss_mib']:>8.0f} {r['peak_mib']:>9.0f} "
            f"{r['engine_rss_mib']:>10.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} | "
            f"{r['bm25s_p50_ms']:>9.2f} {r['bm25s_p99_ms']:>9.2f} {r['p50_ms'] / r['bm25s_p50_ms']:>9.2f}",
            end="",
            flush=True,
        )
        if not args.no_http:
            h = measure_http(size, min(args.queries, 200))
            print(f" | {h['http_p50_ms']:>8.2f} {h['http_p99_ms']:>8.2f} {h['server_rss_mib']:>10.0f}", end="")
        print(flush=True)


if __name__ == "__main__":
    main()
