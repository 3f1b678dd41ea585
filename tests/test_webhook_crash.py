"""A kill -9 of `fundmatch serve` in the middle of a delivery loses nothing: after a restart the
event is sent again, with the same `webhook-id`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from standardwebhooks import Webhook as Verifier

from tests.conftest import ADMIN_TOKEN, SECRET_KEY, AppFactory
from tests.factories import create_key, create_organisation
from tests.receiver import receiver

FUNDMATCH = str(Path(sys.executable).with_name("fundmatch"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serve(database_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`fundmatch serve` in a process of its own (new session: a kill reaches it alone)."""
    port = _free_port()
    env = {
        **os.environ,
        "FUNDMATCH_DATABASE_URL": database_url,
        "FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN": ADMIN_TOKEN,
        "FUNDMATCH_SECRET_KEY": SECRET_KEY,
        "FUNDMATCH_LOAD_DEFAULT_CATALOGUE": "false",
        "FUNDMATCH_WARM_INDEX": "false",
        "FUNDMATCH_CALLS_REFRESH_HOURS": "0",
        "FUNDMATCH_JOBS_INTERVAL_SECONDS": "0.2",
        "FUNDMATCH_JOB_LEASE_SECONDS": "3",
        "FUNDMATCH_WEBHOOK_RETRY_SECONDS": "1,1,1",
        "FUNDMATCH_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    log = (tmp_path / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [FUNDMATCH, "serve", "--port", str(port)], env=env, stdout=log, stderr=log, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
        log.close()


def test_a_killed_server_sends_the_pending_delivery_again_after_a_restart(
    make_client: AppFactory, admin: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    client = make_client(webhook_allow_private=True)
    create_organisation(client, admin)
    headers = create_key(client, admin, "borlange", ["write"])
    # the first request is held (the server dies meanwhile); the next ones are accepted
    with receiver([200], hold_first_seconds=8) as target:
        created = client.post("/api/v1/webhooks", json={"url": target.url, "events": ["call.matched"]}, headers=headers)
        assert created.status_code == 201, created.text
        hook = created.json()
        assert client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=headers).status_code == 202

        with _serve(database_url, tmp_path) as first:
            target.wait_for(1)  # the delivery is in flight
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        [delivery] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).json()["items"]
        assert delivery["status"] == "pending" and delivery["attempts"] == 0

        with _serve(database_url, tmp_path):
            received = target.wait_for(2, timeout=60)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                items = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).json()["items"]
                if items[0]["status"] == "delivered":
                    break
                time.sleep(0.2)
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    Verifier(hook["secret"]).verify(received[1].body, received[1].headers)
    assert items[0]["status"] == "delivered" and items[0]["attempts"] == 1
