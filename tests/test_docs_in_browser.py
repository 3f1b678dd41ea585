"""The interactive docs as a person sees them: headless Chromium renders /docs of a real server on a
machine with no route to any CDN, so the page works only if its scripts come from the app itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
def test_docs_render_the_operations_in_a_headless_browser(live_server: str) -> None:
    assert CHROMIUM is not None, "CI installs Debian's chromium (.ci/run)"
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"{live_server}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    dom = result.stdout
    assert 'class="swagger-ui' in dom, result.stderr[-2000:]
    # Swagger UI rendered the operations it read from /openapi.json
    assert "/api/v1/needs" in dom and "create_need" in dom
