"""The job queue, its claims and leases, the schedule and the worker loop, on the real database."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine

from app.db import make_engine, unit_of_work
from app.jobs import lease, queue
from app.jobs.context import JobContext
from app.jobs.schedule import Periodic, enqueue_due, periodic_jobs
from app.jobs.worker import Worker
from app.models.jobs import DONE, FAILED, QUEUED, RUNNING
from app.settings import Settings
from tests.conftest import FROZEN_NOW, Clock


def _enqueue(engine: Engine, count: int, kind: str = "test.noop") -> None:
    with unit_of_work(engine) as session:
        for n in range(count):
            queue.enqueue(session, kind, {"n": n}, run_at=FROZEN_NOW)
        session.commit()


def _jobs(engine: Engine) -> list[Any]:
    with unit_of_work(engine) as session:
        jobs = queue.jobs_of(session)
        session.expunge_all()
        return jobs


def test_a_keyed_job_is_queued_once(database_url: str) -> None:
    engine = make_engine(database_url)
    with unit_of_work(engine) as session:
        assert queue.enqueue(session, "x", key="slot-1", run_at=FROZEN_NOW)
        assert not queue.enqueue(session, "x", key="slot-1", run_at=FROZEN_NOW)
        session.commit()
    with unit_of_work(engine) as session:
        assert not queue.enqueue(session, "x", key="slot-1", run_at=FROZEN_NOW)
        session.commit()
    assert len(_jobs(engine)) == 1
    engine.dispose()


def test_enqueue_belongs_to_the_callers_transaction(database_url: str) -> None:
    engine = make_engine(database_url)
    with unit_of_work(engine) as session:
        queue.enqueue(session, "x", run_at=FROZEN_NOW)  # never committed
    assert _jobs(engine) == []
    engine.dispose()


def test_two_claimers_on_two_engines_never_take_the_same_job(database_url: str) -> None:
    engines = [make_engine(database_url), make_engine(database_url)]
    _enqueue(engines[0], 60)
    taken: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def claim_all(n: int) -> None:
        start.wait()
        while (job := queue.claim(engines[n], f"worker-{n}", FROZEN_NOW, 60)) is not None:
            taken[n].append(job.id)

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == [job.id for job in _jobs(engines[0])]
    assert {job.status for job in _jobs(engines[0])} == {RUNNING}
    for engine in engines:
        engine.dispose()


def test_a_job_whose_lease_ran_out_is_claimed_again(database_url: str) -> None:
    engine = make_engine(database_url)
    _enqueue(engine, 1)
    first = queue.claim(engine, "dead-worker", FROZEN_NOW, 60)
    assert first is not None and first.attempts == 1
    assert queue.claim(engine, "other", FROZEN_NOW + timedelta(seconds=59), 60) is None
    again = queue.claim(engine, "other", FROZEN_NOW + timedelta(seconds=61), 60)
    assert again is not None and again.id == first.id and again.attempts == 2
    # the dead worker, should it wake, can no longer finish what is now another's
    assert not queue.complete(engine, first.id, "dead-worker", FROZEN_NOW)
    assert queue.complete(engine, again.id, "other", FROZEN_NOW + timedelta(seconds=62))
    [job] = _jobs(engine)
    assert job.status == DONE and job.locked_by is None
    engine.dispose()


def test_a_failed_job_is_retried_after_a_backoff_then_given_up(database_url: str) -> None:
    engine = make_engine(database_url)
    with unit_of_work(engine) as session:
        queue.enqueue(session, "x", run_at=FROZEN_NOW, max_attempts=2)
        session.commit()
    job = queue.claim(engine, "w", FROZEN_NOW, 60)
    assert job is not None
    queue.fail(engine, job, "w", FROZEN_NOW, "boom")
    [row] = _jobs(engine)
    assert row.status == QUEUED and row.last_error == "boom" and row.run_at > FROZEN_NOW
    assert queue.claim(engine, "w", FROZEN_NOW, 60) is None  # not before its backoff
    job = queue.claim(engine, "w", row.run_at, 60)
    assert job is not None and job.attempts == 2
    queue.fail(engine, job, "w", row.run_at, "boom again")
    [row] = _jobs(engine)
    assert row.status == FAILED and row.last_error == "boom again"
    engine.dispose()


def test_two_schedulers_queue_each_slot_once(database_url: str) -> None:
    engines = [make_engine(database_url), make_engine(database_url)]
    periodic = [Periodic("calls.refresh", "refresh:ftportal", timedelta(hours=24))]
    start = threading.Barrier(2)
    queued: list[int] = []

    def schedule(n: int) -> None:
        start.wait()
        with unit_of_work(engines[n]) as session:
            queued.append(enqueue_due(session, periodic, FROZEN_NOW))
            session.commit()

    threads = [threading.Thread(target=schedule, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(queued) == [0, 1]
    with unit_of_work(engines[1]) as session:  # later in the same slot: nothing; the next slot: one more
        assert enqueue_due(session, periodic, FROZEN_NOW + timedelta(hours=3)) == 0
        assert enqueue_due(session, periodic, FROZEN_NOW + timedelta(hours=24)) == 1
        session.commit()
    assert [job.key for job in _jobs(engines[0])] == [
        "refresh:ftportal:2026-11-26T00:00:00+00:00",
        "refresh:ftportal:2026-11-27T00:00:00+00:00",
    ]
    for engine in engines:
        engine.dispose()


def test_the_refresh_period_comes_from_the_settings(settings: Settings) -> None:
    def refreshes(hours: float) -> list[Periodic]:
        jobs = periodic_jobs(settings.model_copy(update={"calls_refresh_hours": hours}))
        return [job for job in jobs if job.kind == "calls.refresh"]

    assert refreshes(0) == []
    [job] = refreshes(6)
    assert job.every == timedelta(hours=6)


def test_only_one_holder_takes_a_lease_at_once(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(4)]
    start = threading.Barrier(4)
    won: list[str] = []

    def take(n: int) -> None:
        start.wait()
        with unit_of_work(engines[n]) as session:
            if lease.acquire(session, "refresh:test", f"holder-{n}", FROZEN_NOW, 60):
                won.append(f"holder-{n}")
            session.commit()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    with unit_of_work(engines[0]) as session:
        assert lease.holder_of(session, "refresh:test", FROZEN_NOW) == won[0]
        assert lease.holder_of(session, "refresh:test", FROZEN_NOW + timedelta(seconds=61)) is None
        assert lease.acquire(session, "refresh:test", "late", FROZEN_NOW + timedelta(seconds=61), 60)
        session.commit()
    for engine in engines:
        engine.dispose()


def test_the_worker_runs_due_jobs_and_records_failures(settings: Settings, clock: Clock) -> None:
    engine = make_engine(settings.database_url)
    seen: list[dict[str, Any]] = []

    def ok(context: JobContext, payload: dict[str, Any]) -> None:
        seen.append(payload)

    def broken(context: JobContext, payload: dict[str, Any]) -> None:
        raise RuntimeError("no luck")

    with unit_of_work(engine) as session:
        queue.enqueue(session, "ok", {"n": 1}, run_at=clock())
        queue.enqueue(session, "broken", run_at=clock())
        queue.enqueue(session, "unknown", run_at=clock())
        queue.enqueue(session, "ok", {"n": 2}, run_at=clock() + timedelta(minutes=5))  # not due yet
        session.commit()
    with httpx.Client() as http:
        worker = Worker(
            JobContext(engine, settings, clock, http),
            {"ok": ok, "broken": broken},
            [],
            interval_seconds=1,
            lease_seconds=60,
        )
        assert worker.tick() == 3
        assert seen == [{"n": 1}]
        statuses = {job.kind: (job.status, job.last_error) for job in _jobs(engine) if job.kind != "ok"}
        assert statuses["broken"] == (QUEUED, "RuntimeError: no luck")
        assert statuses["unknown"] == (FAILED, "unknown job kind 'unknown'")
        clock.advance(minutes=5)
        assert worker.tick() == 2  # the second "ok", and "broken" once more after its backoff
    assert seen == [{"n": 1}, {"n": 2}]
    engine.dispose()
