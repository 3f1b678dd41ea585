"""The command line through Typer's runner, on a real migrated database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import PROJECT_ROOT, Settings
from tests.factories import catalogue

runner = CliRunner()


@pytest.fixture
def env(settings: Settings) -> Settings:
    """Settings for the command line, passed as its context object (the environment stays untouched)."""
    return settings


def test_migrate(env: Settings) -> None:
    result = runner.invoke(cli, ["migrate"], obj=env)
    assert result.exit_code == 0, result.output


def test_catalogue_load_file_then_export(env: Settings, tmp_path: Path) -> None:
    path = tmp_path / "cat.json"
    path.write_text(json.dumps(catalogue()), encoding="utf-8")
    result = runner.invoke(cli, ["catalogue", "load", str(path)], obj=env)
    assert result.exit_code == 0, result.output
    assert "changed" in result.output
    again = runner.invoke(cli, ["catalogue", "load", str(path)], obj=env)
    assert "unchanged" in again.output
    out = tmp_path / "out.json"
    assert runner.invoke(cli, ["catalogue", "export", "-o", str(out)], obj=env).exit_code == 0
    assert {p["code"] for p in json.loads(out.read_text())["programmes"]} == {
        p["code"] for p in catalogue()["programmes"]
    }


def test_catalogue_load_bad_file_names_the_record(env: Settings, tmp_path: Path) -> None:
    doc = catalogue()
    doc["programmes"][1]["funder"] = "ghost"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(cli, ["catalogue", "load", str(path)], obj=env)
    assert result.exit_code == 1
    assert "programmes.1.funder: unknown funder 'ghost'" in result.output


def test_catalogue_load_bundled_default(env: Settings) -> None:
    result = runner.invoke(cli, ["catalogue", "load"], obj=env)
    assert result.exit_code == 0, result.output
    exported = json.loads(runner.invoke(cli, ["catalogue", "export"], obj=env).stdout)
    bundled_files = sorted((PROJECT_ROOT / "data" / "catalogue").glob("*.json"))
    assert bundled_files and len(exported["programmes"]) >= 1


def test_api_key_create_prints_only_the_token(env: Settings) -> None:
    result = runner.invoke(cli, ["api-key", "create", "--org", "admin", "--scope", "admin", "--scope", "read"], obj=env)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("fm_") and "\n" not in token


def test_api_key_create_for_unknown_org_fails(env: Settings) -> None:
    result = runner.invoke(cli, ["api-key", "create", "--org", "nobody", "--scope", "read"], obj=env)
    assert result.exit_code == 1
    assert "nobody" in result.output
