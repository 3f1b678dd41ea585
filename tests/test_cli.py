"""The command line through Typer's runner, on a real migrated database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import PROJECT_ROOT, get_settings
from tests.factories import catalogue

runner = CliRunner()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FUNDMATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_migrate(env: str) -> None:
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output


def test_catalogue_load_file_then_export(env: str, tmp_path: Path) -> None:
    path = tmp_path / "cat.json"
    path.write_text(json.dumps(catalogue()), encoding="utf-8")
    result = runner.invoke(cli, ["catalogue", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "changed" in result.output
    again = runner.invoke(cli, ["catalogue", "load", str(path)])
    assert "unchanged" in again.output
    out = tmp_path / "out.json"
    assert runner.invoke(cli, ["catalogue", "export", "-o", str(out)]).exit_code == 0
    assert {p["code"] for p in json.loads(out.read_text())["programmes"]} == {
        p["code"] for p in catalogue()["programmes"]
    }


def test_catalogue_load_bad_file_names_the_record(env: str, tmp_path: Path) -> None:
    doc = catalogue()
    doc["programmes"][1]["funder"] = "ghost"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(cli, ["catalogue", "load", str(path)])
    assert result.exit_code == 1
    assert "programmes.1.funder: unknown funder 'ghost'" in result.output


def test_catalogue_load_bundled_default(env: str) -> None:
    result = runner.invoke(cli, ["catalogue", "load"])
    assert result.exit_code == 0, result.output
    exported = json.loads(runner.invoke(cli, ["catalogue", "export"]).stdout)
    bundled_files = sorted((PROJECT_ROOT / "data" / "catalogue").glob("*.json"))
    assert bundled_files and len(exported["programmes"]) >= 1


def test_api_key_create_prints_only_the_token(env: str) -> None:
    result = runner.invoke(cli, ["api-key", "create", "--org", "admin", "--scope", "admin", "--scope", "read"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("fm_") and "\n" not in token


def test_api_key_create_for_unknown_org_fails(env: str) -> None:
    result = runner.invoke(cli, ["api-key", "create", "--org", "nobody", "--scope", "read"])
    assert result.exit_code == 1
    assert "nobody" in result.output
