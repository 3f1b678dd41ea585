"""The bundled catalogue: it validates, and it holds what the international office needs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.catalogue.bundled import read_document
from app.catalogue.validate import validate_path
from app.cli import cli
from app.settings import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "data" / "catalogue"


@pytest.fixture(scope="module")
def doc() -> dict:
    return read_document(BUNDLED)


def test_bundled_catalogue_has_no_problems() -> None:
    assert [str(p) for p in validate_path(BUNDLED)] == []


def test_counts(doc: dict) -> None:
    assert {p["code"] for p in doc["pillars"]} == {"development", "civil-society", "solidarity", "economic-growth"}
    assert len(doc["themes"]) >= 25
    assert len(doc["funders"]) >= 20
    assert len(doc["programmes"]) >= 60
    kinds = Counter((g["framework"], g["kind"]) for g in doc["strategy_goals"])
    assert kinds[("europa-2020", "headline_target")] == 5
    assert kinds[("europa-2020", "flagship")] == 7
    assert kinds[("agenda-2030", "sdg")] == 17


def test_themes_have_keywords_as_staff_write_them(doc: dict) -> None:
    for theme in doc["themes"]:
        assert len(theme["keywords"]["sv"]) >= 8, theme["code"]
        assert len(theme["keywords"]["en"]) >= 8, theme["code"]
    swedish = {k for t in doc["themes"] for k in t["keywords"]["sv"]}
    assert {"ungdomsutbyte", "energieffektivisering", "nyanlända", "föreningsliv", "vänort"} <= swedish


@pytest.mark.parametrize(
    "code",
    [
        "erasmus-plus-school",
        "erasmus-plus-adult",
        "erasmus-plus-vet",
        "erasmus-plus-youth",
        "erasmus-plus-sport",
        "european-solidarity-corps",
        "horizon-europe",
        "horizon-europe-cities-mission",
        "life-clean-energy-transition",
        "cerv-town-twinning",
        "cerv-networks-of-towns",
        "creative-europe-culture",
        "creative-europe-media",
        "digital-europe",
        "cef",
        "eu4health",
        "amif-sweden",
        "single-market-programme",
        "eic-accelerator",
        "erdf-norra-mellansverige",
        "esf-plus-sweden",
        "jtf-sweden",
        "rural-programme-sweden",
        "leader-sweden",
        "interreg-sverige-norge",
        "interreg-baltic-sea-region",
        "interreg-europe",
        "urbact",
        "interreg-central-baltic",
        "interreg-aurora",
        "interreg-oks",
        "interreg-north-sea",
        "espon",
        "icld-municipal-partnership",
        "icld-knowledge-centres",
        "si-baltic-sea-neighbourhood",
        "arvsfonden",
        "klimatklivet",
        "kulturradet-international",
        "region-dalarna-development-funds",
        "europe-for-citizens-2014-2020",
        "sida-infokom",
    ],
)
def test_programme_is_there(doc: dict, code: str) -> None:
    assert code in {p["code"] for p in doc["programmes"]}


def test_every_programme_is_described_and_sourced(doc: dict) -> None:
    for prog in doc["programmes"]:
        for lang in ("en", "sv"):
            words = len(prog["description"][lang].split())
            assert 60 <= words <= 150, (prog["code"], lang, words)
        assert prog["sources"] and all(s.get("retrieved") for s in prog["sources"]), prog["code"]
        assert prog["url"].startswith("https://")
        assert prog.get("eligible_applicants"), prog["code"]


def test_ended_programmes_carry_their_end(doc: dict) -> None:
    by_code = {p["code"]: p for p in doc["programmes"]}
    assert by_code["europe-for-citizens-2014-2020"]["period"]["end"] == "2020-12-31"
    assert by_code["sida-infokom"]["period"]["end"] <= "2023-12-31"


def test_dalarna_coverage_of_geographic_programmes(doc: dict) -> None:
    by_code = {p["code"]: p for p in doc["programmes"]}

    def covers_dalarna(code: str) -> bool:
        regions = by_code[code].get("eligible_regions") or []
        return not regions or any("SE312".startswith(r) for r in regions)

    for code in (
        "erdf-norra-mellansverige",
        "interreg-sverige-norge",
        "interreg-baltic-sea-region",
        "region-dalarna-development-funds",
    ):
        assert covers_dalarna(code), code
    for code in ("interreg-central-baltic", "interreg-aurora", "interreg-oks", "interreg-north-sea", "jtf-sweden"):
        assert not covers_dalarna(code), code


def test_calls_have_sources(doc: dict) -> None:
    for call in doc.get("calls", []):
        assert call.get("url") or call.get("sources"), call["code"]
        assert call.get("deadline_at"), call["code"]


runner = CliRunner()


def test_validate_command_on_bundled_catalogue() -> None:
    result = runner.invoke(cli, ["catalogue", "validate"])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_validate_command_names_file_record_and_field(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "format": "fundmatch-catalogue/1",
                "funders": [{"code": "f", "name": {"en": "F"}, "url": "http://insecure.example"}],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "b.json").write_text(
        json.dumps(
            {
                "format": "fundmatch-catalogue/1",
                "programmes": [
                    {
                        "code": "ok",
                        "name": {"en": "Ok", "sv": "Ok"},
                        "description": {"en": "x", "sv": "x"},
                        "funder": "f",
                    },
                    {"code": "bad", "name": {"en": "Bad"}, "description": {"en": "x"}, "funder": "ghost"},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["catalogue", "validate", str(tmp_path)])
    assert result.exit_code == 1
    out = result.output
    assert f"{tmp_path / 'b.json'}: programmes[1] (bad).funder: unknown funder 'ghost'" in out
    assert f"{tmp_path / 'a.json'}: funders[0] (f).url: not an https URL" in out
    assert "programmes[1] (bad).description: missing language(s): sv" in out
    assert "funders[0] (f).name: missing language(s): sv" in out


def test_validate_command_reports_bad_json(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    result = runner.invoke(cli, ["catalogue", "validate", str(tmp_path)])
    assert result.exit_code == 1 and "broken.json: not readable JSON" in result.output


def test_validate_command_checks_country_codes_and_groups(tmp_path: Path) -> None:
    doc = {
        "format": "fundmatch-catalogue/1",
        "funders": [{"code": "f", "name": {"en": "F", "sv": "F"}}],
        "country_groups": [{"code": "north", "name": {"en": "North", "sv": "Norr"}, "countries": ["NO", "QQ", "XK"]}],
        "programmes": [
            {
                "code": "p",
                "name": {"en": "P", "sv": "P"},
                "description": {"en": "x", "sv": "x"},
                "funder": "f",
                "partner_countries": ["north", "DE", "ZZ", "south"],
            }
        ],
    }
    (tmp_path / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(cli, ["catalogue", "validate", str(tmp_path)])
    assert result.exit_code == 1
    out = result.output
    assert "programmes[0] (p).partner_countries.3: unknown country group 'south'" in out
    # the rest is checked once the references resolve
    doc["programmes"][0]["partner_countries"] = ["north", "DE", "ZZ"]
    (tmp_path / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    out = runner.invoke(cli, ["catalogue", "validate", str(tmp_path)]).output
    assert "country_groups[0] (north).countries.1: 'QQ' is not an ISO 3166-1 alpha-2 country code" in out
    assert "programmes[0] (p).partner_countries.2: 'ZZ' is not an ISO 3166-1 alpha-2 country code" in out
    assert "XK" not in out and "'DE'" not in out
