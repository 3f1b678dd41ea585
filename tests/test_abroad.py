"""Work across borders through the real app: a programme for it warns, and ranks lower, for a local need."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import catalogue, import_catalogue, programme

NOTHING_ABROAD_SV = "Finansierar samarbete med partner eller aktiviteter i andra länder; behovet nämner inget sådant"
NOTHING_ABROAD_EN = "Funds work with partners or activities in other countries; the need mentions none"


def _youth(code: str, **changes: Any) -> dict[str, Any]:
    return programme(
        code,
        ("Grants for young people's meeting places", "Bidrag till mötesplatser för unga"),
        (
            "Meeting places, leisure activities and youth centres run with young people.",
            "Mötesplatser, fritidsaktiviteter och fritidsgårdar som drivs tillsammans med unga.",
        ),
        **{"themes": ["youth"], **changes},
    )


@pytest.fixture
def youth(client: TestClient, admin: dict) -> TestClient:
    """Three programmes alike in words: one local, one for work across borders by its themes, one by its rule."""
    doc = catalogue(
        programmes=[
            _youth("a-local"),
            _youth("b-across", themes=["youth", "international-cooperation"]),
            _youth("c-partnership", partnership={"required": True, "min_countries": 2}),
            _youth("d-consortium", partnership={"required": True, "min_partners": 3}),
        ]
    )
    doc["calls"] = []
    for code, en, sv in (
        ("international-cooperation", "International cooperation", "Internationellt samarbete"),
        ("town-twinning", "Town twinning", "Vänorter"),
    ):
        doc["themes"].append({"code": code, "name": {"en": en, "sv": sv}})
    import_catalogue(client, admin, doc, mode="replace")
    return client


def _items(client: TestClient, admin: dict, **need: Any) -> dict[str, dict[str, Any]]:
    body = {"applicant_type": "municipality", "country": "SE", "language": "sv", **need}
    response = client.post("/api/v1/match", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return {item["programme"]["code"]: item for item in response.json()["items"]}


def test_a_local_need_warns_and_lowers_the_programmes_for_work_across_borders(youth: TestClient, admin: dict) -> None:
    items = _items(
        youth,
        admin,
        title="Fritidsgård för unga i byn",
        description="Unga vill driva en fritidsgård med aktiviteter på kvällar och helger.",
    )
    local, across, partnership = items["a-local"], items["b-across"], items["c-partnership"]
    assert NOTHING_ABROAD_SV in across["warnings"]
    assert across["score_breakdown"]["penalty"] > 0
    assert across["score"] < local["score"] and across["rank"] > local["rank"]
    assert local["warnings"] == [] and local["score_breakdown"]["penalty"] == 0
    # a partnership rule already says it: its warning costs the same, and no second warning comes
    assert partnership["warnings"] == ["Kräver partner från minst 2 länder"]
    assert partnership["score_breakdown"]["penalty"] == pytest.approx(across["score_breakdown"]["penalty"])
    assert partnership["rank"] > local["rank"]
    # a rule that counts partners only asks for no other country: a local consortium is enough
    assert items["d-consortium"]["warnings"] == ["Kräver minst 3 partner"]
    assert items["d-consortium"]["score_breakdown"]["penalty"] == 0


@pytest.mark.parametrize(
    "need",
    [
        # a partner country, named in the text or given
        {"title": "Fritidsgård för unga", "description": "Vi vill samarbeta med unga i Polen."},
        {"title": "Fritidsgård för unga", "description": "Mötesplats för unga.", "partners": {"countries": ["EE"]}},
        # a Swedish compound and an English phrase that say it, without a country
        {"title": "Ungdomsutbyte för fritidsgården", "description": "Unga träffar unga från andra städer."},
        {"title": "Youth centre", "description": "A study visit abroad for our youth leaders.", "language": "en"},
        # partners said to exist, or a theme given
        {"title": "Fritidsgård för unga", "description": "Mötesplats för unga.", "partners": {"has_partners": True}},
        {"title": "Fritidsgård för unga", "description": "Mötesplats för unga.", "themes": ["town-twinning"]},
    ],
)
def test_a_need_that_plans_work_abroad_gets_no_such_warning(
    youth: TestClient, admin: dict, need: dict[str, Any]
) -> None:
    across = _items(youth, admin, **need)["b-across"]
    assert not {NOTHING_ABROAD_SV, NOTHING_ABROAD_EN} & set(across["warnings"])
    assert across["score_breakdown"]["penalty"] == 0


def test_where_people_come_from_is_not_work_abroad(youth: TestClient, admin: dict) -> None:
    items = _items(
        youth,
        admin,
        title="Meeting place for young newcomers",
        description="Young refugees from Syria and Eritrea run evening activities in our youth centre.",
        language="en",
    )
    assert NOTHING_ABROAD_EN in items["b-across"]["warnings"]
    assert items["b-across"]["rank"] > items["a-local"]["rank"]
