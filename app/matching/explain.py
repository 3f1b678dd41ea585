"""Words for reasons and warnings, in Swedish and English.

``render_finding`` turns a ``Finding`` into a sentence of the display
language (Swedish for ``sv``, English otherwise); ``localised`` picks the
display language's text of a localised field, falling back to English and
then to the first language in code order.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.matching.findings import Finding

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "shared_themes": {
        "en": "Shares the themes {themes}",
        "sv": "Delar teman: {themes}",
    },
    "words_matched": {
        "en": "Words matched: {words}",
        "sv": "Matchade ord: {words}",
    },
    "pillar": {
        "en": "Fits the pillar {pillars}",
        "sv": "Passar pelaren {pillars}",
    },
    "budget_fits": {
        "en": "The budget (EUR {budget}) is within the grant range (EUR {min}–{max})",
        "sv": "Budgeten ({budget} euro) ryms i bidragsramen ({min}–{max} euro)",
    },
    "goals": {
        "en": "Serves {goals}",
        "sv": "Bidrar till {goals}",
    },
    "goal_programmes": {
        "en": "Funded by the suggested {programmes}",
        "sv": "Finansieras av de föreslagna {programmes}",
    },
    "applicant_not_eligible": {
        "en": "Not open to applicants of type {applicant} (open to: {allowed})",
        "sv": "Inte öppet för sökande av typen {applicant} (öppet för: {allowed})",
    },
    "country_not_eligible": {
        "en": "Applicants from {country} are not eligible",
        "sv": "Sökande från {country} kan inte söka",
    },
    "region_outside": {
        "en": "{region} is outside the programme area ({regions})",
        "sv": "{region} ligger utanför programområdet ({regions})",
    },
    "region_unknown": {
        "en": "Only some regions are eligible ({regions}); no region was given",
        "sv": "Bara vissa regioner kan söka ({regions}); ingen region angiven",
    },
    "region_partly": {
        "en": "Only part of {region} is eligible ({regions})",
        "sv": "Bara en del av {region} kan söka ({regions})",
    },
    "period_over": {
        "en": "The programme period ended on {end}",
        "sv": "Programperioden tog slut {end}",
    },
    "period_ends_before_start": {
        "en": "The programme period ends on {end}, before the project starts on {start}",
        "sv": "Programperioden slutar {end}, innan projektet startar {start}",
    },
    "projects_end_before_start": {
        "en": "Projects funded by the programme end by {end}, before the project starts on {start}",
        "sv": "Projekt som programmet finansierar slutar senast {end}, innan projektet startar {start}",
    },
    "period_last_calls": {
        "en": "The programme period ends on {end}: apply in its last calls, whose projects may run until {until}",
        "sv": "Programperioden slutar {end}: sök i dess sista utlysningar, vars projekt får pågå till {until}",
    },
    "budget_below": {
        "en": "The budget (EUR {budget}) is below the smallest grant (EUR {min})",
        "sv": "Budgeten ({budget} euro) är under det minsta bidraget ({min} euro)",
    },
    "budget_above": {
        "en": "The budget (EUR {budget}) is above the largest grant (EUR {max})",
        "sv": "Budgeten ({budget} euro) är över det största bidraget ({max} euro)",
    },
    "cofinancing": {
        "en": "The programme pays at most {rate} %, leaving {own} % to co-finance; the need can cover {capacity} %",
        "sv": "Programmet betalar högst {rate} %, så {own} % måste medfinansieras; behovet klarar {capacity} %",
    },
    "partners_required": {
        "en": "Needs partners from at least {countries} countries",
        "sv": "Kräver partner från minst {countries} länder",
    },
    "partners_none": {
        "en": "Needs partners from at least {countries} countries, and none are planned",
        "sv": "Kräver partner från minst {countries} länder, och inga partner är planerade",
    },
    "partner_count_required": {
        "en": "Needs at least {partners} partners",
        "sv": "Kräver minst {partners} partner",
    },
    "partner_count_none": {
        "en": "Needs at least {partners} partners, and none are planned",
        "sv": "Kräver minst {partners} partner, och inga partner är planerade",
    },
    "partners_few": {
        "en": "Needs partners from at least {countries} countries; the plan has {have}",
        "sv": "Kräver partner från minst {countries} länder; planen har {have}",
    },
    "nothing_abroad": {
        "en": "Funds work with partners or activities in other countries; the need mentions none",
        "sv": "Finansierar samarbete med partner eller aktiviteter i andra länder; behovet nämner inget sådant",
    },
    "main_applicant": {
        "en": "Made mainly for applicants of this kind ({applicant})",
        "sv": "Främst avsett för sökande av det här slaget ({applicant})",
    },
    "partners_outside": {
        "en": "Partners from {countries} are not covered: the programme takes partners from {accepted}",
        "sv": "Partner från {countries} omfattas inte: programmet tar partner från {accepted}",
    },
    "partners_fit": {
        "en": "Made for partners from {countries} (the programme takes partners from {accepted})",
        "sv": "Gjort för partner från {countries} (programmet tar partner från {accepted})",
    },
    "no_call_in_time": {
        "en": "No open or forthcoming call in the need's time frame",
        "sv": "Ingen öppen eller kommande utlysning inom behovets tidsram",
    },
}


MESSAGE_LANGUAGES = ("en", "sv")


def message_language(language: str) -> str:
    return "sv" if language == "sv" else "en"


def render_finding(finding: Finding, language: str) -> str:
    template = MESSAGES[finding.code][message_language(language)]
    return template.format(**finding.params)


def render(code: str, language: str, **params: str) -> str:
    """``render_finding`` of ``Finding(code, params)``, for reasons built and rendered on the spot."""
    return MESSAGES[code][message_language(language)].format(**params)


def localised(text: Mapping[str, str], language: str) -> str:
    """The text in ``language``, else English, else the first language by code."""
    if language in text:
        return text[language]
    if "en" in text:
        return text["en"]
    return text[min(text)] if text else ""
