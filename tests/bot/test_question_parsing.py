"""The managers' question parser: command words and free text in fi, sv and en."""

from __future__ import annotations

import pytest

from bot.questions.parse import parse, suggestions
from bot.questions.vocabulary import QUESTION_INTENTS, Question
from tests.support import work

Q = Question

CASES: list[tuple[str, Question]] = [
    # --- the required examples ------------------------------------------------------
    ("mikä on tiekartan 2025 tilanne?", Q("roadmap", year=2025)),
    ("budjetti 2025", Q("budget", year=2025)),
    ("näytä Kartalla", Q("project", name="Kartalla")),
    ("vilka projekt är försenade?", Q("late")),
    ("what's over budget?", Q("over_budget")),
    (
        "projects of the finance director",
        Q("breakdown", dimension="director", value="finance director"),
    ),
    ("talousjohtajan projektit", Q("breakdown", dimension="director", value="talousjohtaja")),
    (
        "ekonomidirektörens projekt",
        Q("breakdown", dimension="director", value="ekonomidirektör"),
    ),
    ("how are we doing", Q("summary")),
    ("miten menee", Q("summary")),
    ("hur går det", Q("summary")),
    ("impact of completed projects", Q("impact")),
    ("valmistuneiden projektien vaikuttavuus", Q("impact")),
    ("what changed since last month", Q("changes")),
    ("mikä muuttui viime kuusta", Q("changes")),
    ("vad har ändrats sedan förra månaden", Q("changes")),
    ("budget 2025 tosi", Q("budget", year=2025, area="tosi")),
    ("budget for digital foundation", Q("budget", area="digital foundation")),
    ("projects by need source", Q("breakdown", dimension="need")),
    ("lakisääteiset projektit", Q("breakdown", dimension="need", value="law")),
    ("projects required by law", Q("breakdown", dimension="need", value="law")),
    ("show project Kartalla", Q("project", name="Kartalla")),
    # --- command style, every language -----------------------------------------------
    ("budjetti 2025 tosi", Q("budget", year=2025, area="tosi")),
    ("roadmap 2024", Q("roadmap", year=2024)),
    ("tiekartta 2025", Q("roadmap", year=2025)),
    ("färdplan 2025", Q("roadmap", year=2025)),
    ("roadmap 2024 as of 10/2024", Q("roadmap", year=2024, as_of="2024-10")),
    ("tiekartta 2024 tilanne 10/2024", Q("roadmap", year=2024, as_of="2024-10")),
    ("färdplan 2024 per 10/2024", Q("roadmap", year=2024, as_of="2024-10")),
    ("roadmap 2024 as of 2024-9", Q("roadmap", year=2024, as_of="2024-09")),
    ("roadmap as of 13/2024", Q("roadmap", as_of="13/2024")),  # refused by the intent
    ("projekt Kartalla", Q("project", name="Kartalla")),
    ("project kartalla", Q("project", name="kartalla")),
    ("show Kartalla", Q("project", name="Kartalla")),
    ("visa Kartalla", Q("project", name="Kartalla")),
    ("summary", Q("summary")),
    ("yhteenveto", Q("summary")),
    ("sammanfattning", Q("summary")),
    ("late", Q("late")),
    ("myöhässä", Q("late")),
    ("försenade", Q("late")),
    ("at risk", Q("at_risk")),
    ("riskissä", Q("at_risk")),
    ("i riskzonen", Q("at_risk")),
    ("impact", Q("impact")),
    ("vaikuttavuus", Q("impact")),
    ("verkningsfullhet", Q("impact")),
    ("indicators", Q("indicators")),
    ("mittarit", Q("indicators")),
    ("indikatorer", Q("indicators")),
    ("my projects", Q("my_projects")),
    ("omat projektit", Q("my_projects")),
    ("mina projekt", Q("my_projects")),
    ("changes", Q("changes")),
    ("muutokset", Q("changes")),
    ("ändringar", Q("changes")),
    ("by theme", Q("breakdown", dimension="theme")),
    ("teemoittain", Q("breakdown", dimension="theme")),
    ("per tema", Q("breakdown", dimension="theme")),
    ("by level", Q("breakdown", dimension="level")),
    ("tasoittain", Q("breakdown", dimension="level")),
    ("per nivå", Q("breakdown", dimension="level")),
    ("by need source", Q("breakdown", dimension="need")),
    ("tarpeen lähde", Q("breakdown", dimension="need")),
    ("behovets källa", Q("breakdown", dimension="need")),
    ("by benefit", Q("breakdown", dimension="benefit")),
    ("hyöty", Q("breakdown", dimension="benefit")),
    ("nytta", Q("breakdown", dimension="benefit")),
    ("by director", Q("breakdown", dimension="director")),
    ("vastuujohtajittain", Q("breakdown", dimension="director")),
    ("per direktör", Q("breakdown", dimension="director")),
    ("/summary", Q("summary")),
    # --- free text ---------------------------------------------------------------------
    ("mitkä projektit ovat myöhässä?", Q("late")),
    ("which projects are behind schedule", Q("late")),
    ("viivästyneet projektit", Q("late")),
    ("which projects are at risk?", Q("at_risk")),
    ("vilka projekt är i riskzonen", Q("at_risk")),
    ("mitkä projektit ovat ylittäneet budjetin", Q("over_budget")),
    ("budjetin ylitykset 2025", Q("over_budget", year=2025)),
    ("vilka projekt går över budget", Q("over_budget")),
    ("which projects have gone over budget in 2025", Q("over_budget", year=2025)),
    ("what is the budget for 2026", Q("budget", year=2026)),
    ("how much did we spend in 2024", Q("budget", year=2024)),
    ("mikä on TOSI:n budjetti 2025?", Q("budget", year=2025, area="TOSI")),
    (
        "paljonko data ja analytiikka budjetti on 2025",
        Q("budget", year=2025, area="data ja analytiikka"),
    ),
    ("budget data & analytics 2025", Q("budget", year=2025, area="data & analytics")),
    ("budgeten för digital grund 2025", Q("budget", year=2025, area="digital grund")),
    ("TA25", Q("budget", year=2025)),
    ("show me the budget for 2025 please", Q("budget", year=2025)),
    ("näytä budjetti 2025", Q("budget", year=2025)),
    ("visa försenade projekt", Q("late")),
    ("hur går det för projektet Kartalla", Q("project", name="Kartalla")),
    ("how is Kartalla doing?", Q("project", name="Kartalla")),
    ("miten Kartalla menee?", Q("project", name="Kartalla")),
    ("mikä on projektin Kartalla tilanne", Q("project", name="Kartalla")),
    ("Kartalla-projektin tilanne", Q("project", name="Kartalla")),
    ("tell me about Kartalla", Q("project", name="Kartalla")),
    ("berätta om Kartalla", Q("project", name="Kartalla")),
    (
        "projekti Tilavarausjärjestelmän uudistus",
        Q("project", name="Tilavarausjärjestelmän uudistus"),
    ),
    ("the budget of project Kartalla in 2025", Q("project", year=2025, name="Kartalla")),
    ("projekt i riskzonen", Q("at_risk")),
    ("projekt per tema", Q("breakdown", dimension="theme")),
    ("theme 2 projects", Q("breakdown", dimension="theme", value="2")),
    ("kestävyys", Q("breakdown", dimension="benefit", value="sustainability")),
    ("human-centred projects", Q("breakdown", dimension="benefit", value="human_centred")),
    ("strategiset projektit", Q("breakdown", dimension="need", value="strategy")),
    ("projects where support ends", Q("breakdown", dimension="need", value="end_of_support")),
    ("level digital foundation", Q("breakdown", dimension="level", value="foundation")),
    ("HR director's projects", Q("breakdown", dimension="director", value="HR director")),
    (
        "projects of the CEO of Porvoo Water",
        Q("breakdown", dimension="director", value="CEO of Porvoo Water"),
    ),
    (
        "kasvatuksen ja kulttuurin johtajan projektit",
        Q("breakdown", dimension="director", value="kasvatuksen ja kulttuurin johtaja"),
    ),
    ("what's new", Q("changes")),
    ("mitä uutta", Q("changes")),
    ("vad är nytt", Q("changes")),
    ("digiohjelman mittarit", Q("indicators")),
    ("programmets indikatorer", Q("indicators")),
    ("minun projektini", Q("my_projects")),
    ("projects I own", Q("my_projects")),
    ("hur går det för oss", Q("summary")),
    ("översikt", Q("summary")),
    ("digitaliseringsfärdplan 2025", Q("roadmap", year=2025)),
    ("vaikutukset ja kustannukset 2024", Q("impact", year=2024)),
    # --- typos and mixed case ----------------------------------------------------------
    ("budjeti 2025", Q("budget", year=2025)),
    ("budgt 2025", Q("budget", year=2025)),
    ("sumary", Q("summary")),
    ("roadmpa 2025", Q("roadmap", year=2025)),
    ("yhteenvto", Q("summary")),
    ("förseande", Q("late")),
    ("forsenade", Q("late")),
    ("fardplan 2025", Q("roadmap", year=2025)),
    ("tiekarta 2025", Q("roadmap", year=2025)),
    ("impcat", Q("impact")),
    ("vaikutavuus", Q("impact")),
    ("indicatros", Q("indicators")),
    ("my projcts", Q("my_projects")),
    ("chnages", Q("changes")),
    ("by directr", Q("breakdown", dimension="director")),
    ("teemottain", Q("breakdown", dimension="theme")),
    ("BUDGET 2025", Q("budget", year=2025)),
    ("Budjetti 2025 TOSI", Q("budget", year=2025, area="TOSI")),
    ("WHAT'S OVER BUDGET", Q("over_budget")),
    ("Which Projects Are Late?", Q("late")),
    ("MiTä On MyÖhÄsSä", Q("late")),
    ("RoadMap 2025", Q("roadmap", year=2025)),
]

NOT_QUESTIONS = [
    "what's the weather",
    "kiitos",
    "asdf qwerty",
    "hello",
    "tack",
    "good morning",
    "tosi kiva",
    "hur mår du",
    "where is the meeting room",
    "muut asiat",
    "Kartalla",  # a name alone: the parser knows no names
    "",
    "?",
    # routed before the parser, and not questions here
    "help",
    "ohje",
    "hjälp",
    "status",
    "tila",
    "tilanne",
    "kieli",
    "språk",
    "cycle",
    "prompt now",
    "muistuta nyt",
    "sulje jakso",
    "pause cycle",
    "återuppta cykeln",
    "digest here",
    "sammandrag hit",
    "away",
    "tillbaka",
    "sijainen",
]


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 70
    assert {case[1].intent for case in CASES} == set(QUESTION_INTENTS)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_question_is_parsed(text: str, expected: Question) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_unrelated_text_is_not_a_question(text: str) -> None:
    assert parse(text) is None


def test_years_are_found_anywhere() -> None:
    assert parse("roadmap (2100)") == Q("roadmap", year=2100)
    assert parse("vuoden 2031 budjetti") == Q("budget", year=2031)
    assert parse("budget 1999") == Q("budget")  # out of range: not a year, not an area


def test_suggestions_name_the_closest_intents() -> None:
    assert "budget" in suggestions("budgt")
    assert suggestions("sumry")[0] == "summary"
    assert suggestions("budgt", limit=1) == ["budget"]
    assert suggestions("asdf qwerty") == []
    assert all(s in QUESTION_INTENTS for s in suggestions("projekt"))


def test_a_message_of_more_than_30_words_is_matched_without_typo_tolerance() -> None:
    assert parse("roadmpa 2025" + " please" * 28) == Q("roadmap", year=2025)  # 30 words
    assert parse("roadmpa 2025" + " please" * 29) is None
    assert parse("roadmap 2025" + " please" * 100) == Q("roadmap", year=2025)
    assert suggestions("sumry" + " please" * 29) == ["summary"]
    assert suggestions("sumry" + " please" * 30) == []


def test_a_word_of_more_than_32_letters_is_never_a_typo() -> None:
    assert parse("budjeti " + "x" * 40) == Q("budget", area="x" * 40)
    assert parse("impcats" + "s" * 25) == Q("impact")  # 32 letters: "impact*" with a typo
    assert parse("impcats" + "s" * 26) is None


def test_only_the_first_1000_characters_are_read() -> None:
    assert parse("please " * 150 + "budget 2025") is None
    assert parse("budget 2025 " + "a" * 28_000) == Q("budget", year=2025)  # the word cut off
    assert parse("a" * 28_000) is None
    assert suggestions("a" * 28_000) == []


def test_names_and_areas_are_cut_to_200_characters() -> None:
    name = "Kartalla" + "x" * 300
    assert parse("projekti " + name) == Q("project", name=name[:200])
    assert parse("budjetti " + name) == Q("budget", area=name[:200])


@pytest.mark.parametrize("name", list(work.long_messages()))
def test_a_long_message_costs_no_more_than_the_worst_short_one(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    counted = work.spy(monkeypatch)
    worst = work.worst_typos()
    assert parse(worst) is None
    assert suggestions(worst) == []
    counted.bound(candidates=counted.candidates, length=1000)
    text = work.long_messages()[name]
    parse(text)
    suggestions(text)
    assert counted.max_candidates is not None
    assert counted.candidates <= counted.max_candidates  # the spy raised otherwise


def test_did_you_mean_ranks_the_parsers_own_scores_first_and_gives_two_at_most() -> None:
    assert parse("digiohjelma kuulumiset") is None  # the programme's weak cue, and a word
    assert suggestions("digiohjelma kuulumiset")[0] == "summary"
    assert len(suggestions("budjetti myöhässä riskit vaikutus")) <= 2
    assert parse("digiohjelma") == Q("summary")  # the programme's name alone
