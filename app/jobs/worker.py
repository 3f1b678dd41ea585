"""The job loop: one thread per `serve` worker process.

Every `FUNDMATCH_JOBS_INTERVAL_SECONDS` it queues the periodic jobs whose slot has come, then
claims and runs due jobs until none is left. A running job's claim is renewed by a heartbeat, so a
long job keeps it and the job of a worker that died is claimed again once its lease runs out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from datetime import timedelta

from app.db import unit_of_work
from app.jobs import queue
from app.jobs.context import JobContext, JobFunction
from app.jobs.schedule import Periodic, enqueue_due

log = logging.getLogger("fundmatch.jobs")
JOBS_PER_TICK = 100  # then look at the schedule again


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        context: JobContext,
        kinds: Mapping[str, JobFunction],
        periodic: list[Periodic],
        *,
        interval_seconds: float,
        lease_seconds: float,
        name: str | None = None,
    ) -> None:
        self.context = context
        self.kinds = dict(kinds)
        self.periodic = periodic
        self.interval = interval_seconds
        self.lease_seconds = lease_seconds
        self.name = name or worker_name()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="fundmatch-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due work now rather than at the next tick (a job was just queued)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the database may be away for a moment: try again next tick
                log.exception("job loop tick failed")
            self._wake.wait(self.interval)
            self._wake.clear()

    def tick(self) -> int:
        """Queue what is due, then run due jobs; returns how many ran."""
        if self.periodic:
            with unit_of_work(self.context.engine) as session:
                enqueue_due(session, self.periodic, self.context.clock())
                session.commit()
        ran = 0
        while ran < JOBS_PER_TICK and not self._stop.is_set():
            job = queue.claim(self.context.engine, self.name, self.context.clock(), self.lease_seconds)
            if job is None:
                break
            self.run(job)
            ran += 1
        return ran

    def run(self, job: queue.ClaimedJob) -> None:
        function = self.kinds.get(job.kind)
        if function is None:
            queue.fail(
                self.context.engine, job, self.name, self.context.clock(), f"unknown job kind {job.kind!r}", final=True
            )
            return
        stop_heartbeat = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(job.id, stop_heartbeat), daemon=True)
        heartbeat.start()
        try:
            function(self.context, job.payload)
        except Exception as exc:
            log.exception("job failed", extra={"job_id": job.id, "kind": job.kind, "attempt": job.attempts})
            queue.fail(self.context.engine, job, self.name, self.context.clock(), f"{type(exc).__name__}: {exc}")
        else:
            queue.complete(self.context.engine, job.id, self.name, self.context.clock())
        finally:
            stop_heartbeat.set()
            heartbeat.join()

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(self.lease_seconds / 3):
            until = self.context.clock() + timedelta(seconds=self.lease_seconds)
            try:
                queue.extend(self.context.engine, job_id, self.name, until)
            except Exception:
                log.warning("could not renew a job's lease", exc_info=True)
