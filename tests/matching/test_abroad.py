"""Which texts plan work abroad, and which programmes fund work across borders (``abroad``)."""

from __future__ import annotations

import pytest

from app.matching.abroad import text_mentions_abroad, works_across_borders
from app.matching.model import Partnership, Programme


@pytest.mark.parametrize(
    "text",
    [
        "Ungdomsutbyte med en skola",
        "Vi vill göra ett erfarenhetsutbyte om äldreomsorg",
        "Vänortsbesök i höst",
        "Studiebesök hos kommuner i Norden",
        "Samarbete med partner i andra länder",
        "Internationella kontakter för företagen",
        "Staff mobility for our teachers",
        "Learning from other European cities",
        "A study visit abroad",
        "Networks around the North Sea",
    ],
)
def test_words_that_plan_work_abroad_are_found(text: str) -> None:
    assert text_mentions_abroad([text])


@pytest.mark.parametrize(
    "text",
    [
        "Cykelväg mellan resecentrum och bostadsområdena i norr",
        "Energigemenskaper med bostadsrättsföreningar",
        "Expanding a support chat for young people with suicidal thoughts",
        "Swimming lessons for newly arrived women",
    ],
)
def test_local_work_is_not_taken_for_work_abroad(text: str) -> None:
    assert not text_mentions_abroad([text])


def _programme(themes: tuple[str, ...], partnership: Partnership) -> Programme:
    return Programme(
        code="p", name={"en": "P"}, description={"en": "P"}, funder="f", themes=themes, partnership=partnership
    )


@pytest.mark.parametrize(
    ("themes", "partnership", "across"),
    [
        (("youth", "international-cooperation"), Partnership(), True),
        (("town-twinning",), Partnership(), True),
        (("innovation",), Partnership(required=True, min_countries=3), True),
        # partners asked for, but not from other countries: a local partnership
        (("innovation",), Partnership(required=True, min_partners=2), False),
        (("youth", "global-development"), Partnership(), False),
    ],
)
def test_programmes_for_work_across_borders(themes: tuple[str, ...], partnership: Partnership, across: bool) -> None:
    assert works_across_borders(_programme(themes, partnership)) is across
