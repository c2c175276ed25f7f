"""The demo portfolio: the City of Porvoo's digital programme, built from the seed deck.

``python -m storage.demo`` migrates the database named by ``DATABASE_URL`` and loads the
portfolio if the database has no programme yet. The Agents Playground's default user is
``DEMO_OWNER_AAD``: an admin who owns three started projects (DR24-08 with two metrics,
DR25-02 with one, DR25-04 with none).

What is in it (facts from ``seed/README.md``; people, codes and most numbers are made up):

* the programme 2024-2026 (approved 22 Jan 2024), its three themes and five capabilities;
* nine indicator sets with values for 2024 and 2025;
* roadmaps 2024 (11 projects), 2025 (26) and 2026 (24), all approved;
* budget lines for 2024-2026; TA25 is exactly the deck's 7 950 000 €;
* the ten responsible directors, each held by a manager;
* the six projects completed by 10/2024, with the deck's impacts and costs (roadmap 2024);
* roadmap 2025: 26 projects, 22 started and 4 planned. DR24-07 ... DR24-11 continue from
  roadmap 2024; all but DR24-07 and DR25-04 continue into roadmap 2026 (the planned four
  are postponed to 2027). Three started projects are past their end date: DR24-07, DR25-04
  and DR25-21, none of them on track.

Where the need for the 26 projects of roadmap 2025 comes from (the deck's 1 / 9 / 16):

* system end of support (1): DR25-10;
* law (9): DR24-07, DR25-01, DR25-02, DR25-03, DR25-04, DR25-05, DR25-06, DR25-07, DR25-08;
* strategy (16): DR24-08, DR24-09, DR24-10, DR24-11 and DR25-11 ... DR25-22 (there is no
  DR25-09).

Status history: every started project has one report a month for the twelve months before
``today``'s month (never fewer than the six months before it) and none for ``today``'s
month, so the current period is open. A period's report is submitted between the 18th and
the 27th of that month; about one in seven is corrected one to three days later (revision
2). A period closes on the 10th of the next month; the latest period is still open.
Metric values are stored per period, and in each revision as ``{metric id: value}``.
Projects show their latest report's progress, health, spend and forecast. The data is drawn
from ``random.Random(2024)``, so loading with the same ``today`` gives the same database.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Protocol

from sqlalchemy.engine.url import make_url
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from settings import Settings
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import (
    AuditLog,
    Benefit,
    BudgetLine,
    Capability,
    Director,
    Funding,
    Health,
    IndicatorSet,
    IndicatorValue,
    Level,
    Lifecycle,
    MetricValue,
    NeedSource,
    Person,
    Programme,
    Project,
    ProjectMetric,
    ReportingPeriod,
    Roadmap,
    RoadmapProject,
    RoadmapState,
    Role,
    StatusReport,
    StatusRevision,
    Theme,
)

logger = logging.getLogger("storage.demo")  # also under python -m

EUR = 100  # cents in a euro: write money as ``3_100 * EUR``

DEMO_OWNER_AAD = "00000000-0000-0000-0000-0000000000a1"
DEMO_MANAGER_AAD = "00000000-0000-0000-0000-0000000000b2"
DEMO_VIEWER_AAD = "00000000-0000-0000-0000-0000000000c3"

HISTORY_MONTHS = 12  # status reports for this many months before today's month
MIN_HISTORY_MONTHS = 6  # and never fewer


def _aad(n: int) -> str:
    return f"00000000-0000-0000-0000-{0x100 + n:012x}"


# The data tables below are laid out by hand, one row per entry.
# fmt: off

# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    role: Role
    locale: str
    aad: str
    deputy: str | None = None


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("aino", "Aino Virtanen", Role.admin, "fi-FI", DEMO_OWNER_AAD, deputy="sanna"),
    DemoPerson("bjorn", "Björn Lindqvist", Role.manager, "sv-FI", DEMO_MANAGER_AAD),
    DemoPerson("emilia", "Emilia Nyström", Role.viewer, "en-US", DEMO_VIEWER_AAD),
    # the directors
    DemoPerson("riitta", "Riitta Heikkinen", Role.manager, "fi-FI", _aad(1)),
    DemoPerson("johan", "Johan Sjöberg", Role.manager, "sv-FI", _aad(2)),
    DemoPerson("kaisa", "Kaisa Laaksonen", Role.manager, "fi-FI", _aad(3)),
    DemoPerson("paivi", "Päivi Mäkinen", Role.manager, "fi-FI", _aad(4)),
    DemoPerson("mats", "Mats Åkerlund", Role.manager, "sv-FI", _aad(5)),
    DemoPerson("timo", "Timo Kallio", Role.manager, "fi-FI", _aad(6)),
    DemoPerson("helena", "Helena Grönroos", Role.manager, "sv-FI", _aad(7)),
    DemoPerson("jari", "Jari Nieminen", Role.manager, "fi-FI", _aad(8)),
    DemoPerson("linnea", "Linnea Holmström", Role.manager, "sv-FI", _aad(9)),
    # project owners
    DemoPerson("mikko", "Mikko Salonen", Role.owner, "fi-FI", _aad(10), deputy="sanna"),
    DemoPerson("sanna", "Sanna Lehtonen", Role.owner, "fi-FI", _aad(11), deputy="mikko"),
    DemoPerson("laura", "Laura Hämäläinen", Role.owner, "fi-FI", _aad(12), deputy="oskar"),
    DemoPerson("petra", "Petra Wikström", Role.owner, "sv-FI", _aad(13)),
    DemoPerson("ville", "Ville Koivisto", Role.owner, "fi-FI", _aad(14)),
    DemoPerson("tiina", "Tiina Rantanen", Role.owner, "fi-FI", _aad(15), deputy="heidi"),
    DemoPerson("erik", "Erik Blomqvist", Role.owner, "sv-FI", _aad(16)),
    DemoPerson("heidi", "Heidi Karjalainen", Role.owner, "fi-FI", _aad(17), deputy="tiina"),
    DemoPerson("anders", "Anders Forsman", Role.owner, "sv-FI", _aad(18)),
    DemoPerson("oskar", "Oskar Lindroos", Role.owner, "sv-FI", _aad(19)),
    DemoPerson("minna", "Minna Turunen", Role.owner, "fi-FI", _aad(20)),
)

# key: title fi, sv, en; held by
DIRECTORS: dict[str, tuple[str, str, str, str]] = {
    "meal_cleaning": ("Ateria- ja puhtauspalveluiden toimitusjohtaja",
                      "Verkställande direktör för mål- och städtjänster",
                      "CEO, Meal and Cleaning Services", "riitta"),
    "vitality": ("Elinvoimajohtaja", "Livskraftsdirektör",
                 "Director of Vitality (Economic Development)", "johan"),
    "administrative": ("Hallintojohtaja", "Förvaltningsdirektör", "Administrative Director",
                       "kaisa"),
    "hr": ("Henkilöstöjohtaja", "Personaldirektör", "HR Director", "paivi"),
    "education_culture": ("Kasvatuksen ja kulttuurin johtaja", "Direktör för fostran och kultur",
                          "Director of Education and Culture", "mats"),
    "development": ("Kehitysjohtaja", "Utvecklingsdirektör", "Development Director", "bjorn"),
    "porvoo_water": ("Porvoon Veden toimitusjohtaja", "Verkställande direktör för Borgå Vatten",
                     "CEO, Porvoo Water", "timo"),
    "finance": ("Rahoitusjohtaja", "Finansdirektör", "Finance Director", "helena"),
    "facilities": ("Toimitilajohtaja", "Lokalitetsdirektör", "Facilities Director", "jari"),
    "communications": ("Viestintäjohtaja", "Kommunikationsdirektör", "Communications Director",
                       "linnea"),
}

# ---------------------------------------------------------------------------------------
# Programme, themes, capabilities, indicators
# ---------------------------------------------------------------------------------------

PROGRAMME_NAMES = (
    "Porvoon digiohjelma 2024–2026",
    "Borgå digitaliseringsprogram 2024–2026",
    "Porvoo Digital Programme 2024–2026",
)
PROGRAMME_APPROVED_ON = date(2024, 1, 22)

THEMES: tuple[tuple[str, str, str], ...] = (
    ("Palvelemme asiakkaita kattavasti ihmislähtöisillä sähköisillä palveluilla",
     "Vi betjänar kunderna heltäckande med människocentrerade e-tjänster",
     "Serve customers comprehensively with human-centred e-services"),
    ("Hyödynnämme digitalisoitumista päivittäisten ilmastotekojen toteuttamiseksi",
     "Vi använder digitaliseringen för vardagliga klimatgärningar",
     "Use digitalisation to carry out everyday climate actions"),
    ("Ketteröitämme ja automatisoimme toimintaa hyödyllisempään ajankäyttöön",
     "Vi gör verksamheten smidigare och automatiserar den för nyttigare tidsanvändning",
     "Make operations agile and automated to free time for more useful work"),
)

CAPABILITIES: tuple[tuple[str, str, str], ...] = (
    ("Tiedolla johtaminen", "Kunskapsbaserad ledning", "Knowledge-based management"),
    ("Digitaidot ja osaaminen", "Digitala färdigheter och kompetens",
     "Digital skills and competence"),
    ("Tietoturva ja varautuminen", "Informationssäkerhet och beredskap",
     "Information security and preparedness"),
    ("Arkkitehtuuri ja yhteentoimivuus", "Arkitektur och interoperabilitet",
     "Architecture and interoperability"),
    ("Muutoksen johtaminen", "Förändringsledning", "Change management"),
)


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    unit: str
    target: str  # a Decimal literal
    source: str
    values: dict[str, str]  # period ("2024") -> Decimal literal


INDICATORS: tuple[DemoIndicator, ...] = (
    DemoIndicator("EPALV", "Sähköisten palvelujen osuus palveluista",
                  "E-tjänsternas andel av tjänsterna", "Share of services available online",
                  "%", "80", "Kaupungin palvelukartoitus", {"2024": "58", "2025": "64"}),
    DemoIndicator("ASIAKAS", "Asiakastyytyväisyys sähköisiin palveluihin (1–5)",
                  "Kundnöjdhet med e-tjänsterna (1–5)",
                  "Customer satisfaction with e-services (1–5)",
                  "score", "4.2", "Asiakaskysely", {"2024": "3.8", "2025": "3.9"}),
    DemoIndicator("DIGITAIDOT", "Henkilöstön digitaitokyselyn tulos (0–100)",
                  "Personalens resultat i enkäten om digitala färdigheter (0–100)",
                  "Staff digital-skills survey score (0–100)",
                  "score", "75", "Henkilöstön digitaitokysely", {"2024": "64", "2025": "68"}),
    DemoIndicator("AUTOM", "Automatisoidut prosessit", "Automatiserade processer",
                  "Automated processes", "pcs", "40", "RPA- ja integraatiorekisteri",
                  {"2024": "12", "2025": "21"}),
    DemoIndicator("SAHKHAK", "Sähköisesti jätettyjen hakemusten osuus",
                  "Andel ansökningar som lämnas in elektroniskt",
                  "Share of applications submitted online", "%", "75",
                  "Asianhallintajärjestelmä", {"2024": "52", "2025": "61"}),
    DemoIndicator("TULOSTUS", "Tulostetut sivut vuodessa", "Utskrivna sidor per år",
                  "Pages printed per year", "pcs", "1500000", "Tulostuspalvelun raportit",
                  {"2024": "2350000", "2025": "2010000"}),
    DemoIndicator("SAAV", "Verkkopalvelujen saavutettavuusauditoinnin tulos",
                  "Resultat i tillgänglighetsgranskningen av webbtjänsterna",
                  "Web accessibility audit score", "%", "100", "Saavutettavuusauditointi",
                  {"2024": "82", "2025": "91"}),
    DemoIndicator("KYBER", "Kybermittarin kypsyystaso (0–3)",
                  "Mognadsnivå enligt Cybermätaren (0–3)", "Cyber meter maturity level (0–3)",
                  "level", "2.5", "Traficom, Kybermittari", {"2024": "1.6", "2025": "1.9"}),
    DemoIndicator("AVOINDATA", "Avoimet tietoaineistot", "Öppna datamängder",
                  "Open datasets published", "pcs", "60", "avoindata.fi",
                  {"2024": "24", "2025": "37"}),
)

# ---------------------------------------------------------------------------------------
# Roadmaps and budget
# ---------------------------------------------------------------------------------------

# year: approved on (2025 and 2026 by the city board in the autumn before)
ROADMAPS: dict[int, date] = {
    2024: date(2024, 1, 22),
    2025: date(2024, 11, 18),
    2026: date(2025, 11, 17),
}

BUDGET_AREAS: dict[str, tuple[str, str, str]] = {
    "data_analytics": ("Data ja analytiikka", "Data och analys", "Data & Analytics"),
    "tosi": ("TOSI", "TOSI", "TOSI"),
    "tori": ("TORI", "TORI", "TORI"),
    "digital_foundation": ("Digitaalinen perusta", "Digital grund", "Digital foundation"),
    "digital_programme": ("Digiohjelma {year}", "Digitaliseringsprogrammet {year}",
                          "Digital programme {year}"),
}

# year, area, planned €, actual € (year 2025 planned is the deck's TA25: 7 950 000 €)
BUDGET: tuple[tuple[int, str, int, int], ...] = (
    (2024, "data_analytics",       120_000,   112_480),
    (2024, "tosi",                 450_000,   437_900),
    (2024, "tori",                 700_000,   684_350),
    (2024, "digital_foundation", 5_600_000, 5_571_200),
    (2024, "digital_programme",    400_000,   352_640),
    (2025, "data_analytics",       150_000,   138_420),
    (2025, "tosi",                 500_000,   471_250),
    (2025, "tori",                 800_000,   826_900),
    (2025, "digital_foundation", 6_000_000, 5_912_300),
    (2025, "digital_programme",    500_000,   463_800),
    (2026, "data_analytics",       180_000,   131_600),
    (2026, "tosi",                 500_000,   402_700),
    (2026, "tori",                 850_000,   712_400),
    (2026, "digital_foundation", 6_200_000, 5_108_900),
    (2026, "digital_programme",    600_000,   447_300),
)

# ---------------------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMetric:
    name_fi: str
    name_sv: str
    name_en: str
    unit: str
    baseline: int
    target: int
    now: int  # the value in the latest report


@dataclass(frozen=True)
class DemoProject:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    theme: int  # 1-3
    level: Level
    need: NeedSource
    benefit: Benefit
    director: str
    owner: str
    deputy: str | None
    start: date
    end: date
    roadmaps: tuple[int, ...]
    state: Lifecycle
    impact: int  # estimated, 1-5
    impact_text: str
    area: str  # BudgetLine.area
    one_time_eur: int | None = None
    recurring_eur: int | None = None  # per year
    savings_eur: int | None = None  # per year
    funding: Funding = Funding.city_budget
    progress: int = 0  # started: the latest report's
    health: Health | None = None
    metrics: tuple[DemoMetric, ...] = ()

    @property
    def planned_eur(self) -> int:
        return self.one_time_eur or self.recurring_eur or 0


_S, _P, _C = Lifecycle.started, Lifecycle.planned, Lifecycle.completed
_OK, _RISK, _OFF = Health.on_track, Health.at_risk, Health.off_track

# The six projects completed by 10/2024, with the deck's impacts and costs.
COMPLETED_2024: tuple[DemoProject, ...] = (
    DemoProject(
        "DR24-01", "Lipunmyynnin, kävijälaskennan ja raportoinnin digitalisointi",
        "Digitalisering av biljettförsäljning, besöksräkning och rapportering",
        "Digital ticket sales, visitor counting and reporting",
        theme=1, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="education_culture", owner="petra", deputy=None,
        start=date(2024, 2, 1), end=date(2024, 6, 28), roadmaps=(2024,), state=_C,
        impact=4, impact_text="Lasting benefit to residents and staff: ticket purchase, "
        "visitor counting and reporting are digital, and online payment is in use.",
        area="digital_programme", recurring_eur=3_100, progress=100, health=_OK,
    ),
    DemoProject(
        "DR24-02", "Kybermittari-arviointi", "Bedömning med Cybermätaren",
        "Cyber meter assessment",
        theme=3, level=Level.foundation, need=NeedSource.law, benefit=Benefit.renewal,
        director="administrative", owner="mikko", deputy="sanna",
        start=date(2024, 2, 15), end=date(2024, 5, 31), roadmaps=(2024,), state=_C,
        impact=3, impact_text="Statutory duty (TihL). Traficom's national cybersecurity "
        "assessment model gave a picture of the city's cyber capabilities and found areas "
        "to develop.",
        area="digital_foundation", one_time_eur=2_800, funding=Funding.project_grant,
        progress=100, health=_OK,
    ),
    DemoProject(
        "DR24-03", "Kartalla-palautepalvelu", "Responstjänsten Kartalla",
        "Kartalla map feedback service",
        theme=1, level=Level.common, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="communications", owner="laura", deputy="oskar",
        start=date(2024, 3, 1), end=date(2024, 9, 30), roadmaps=(2024,), state=_C,
        impact=4, impact_text="Residents and other parties give feedback and proposals on a "
        "map, also on mobile; easy to use, which raises use and impact.",
        area="digital_programme", recurring_eur=5_700, progress=100, health=_OK,
    ),
    DemoProject(
        "DR24-04", "Haittakasvien kartoitus", "Kartläggning av skadliga växter",
        "Invasive plant mapping",
        theme=2, level=Level.sector, need=NeedSource.law, benefit=Benefit.sustainability,
        director="vitality", owner="erik", deputy=None,
        start=date(2024, 4, 2), end=date(2024, 9, 30), roadmaps=(2024,), state=_C,
        impact=4, impact_text="Mapping of invasive plants in Porvoo. Controlling them is "
        "statutory work with a large impact on residents.",
        area="digital_programme", one_time_eur=8_750, progress=100, health=_OK,
    ),
    DemoProject(
        "DR24-05", "Sadevesikaivojen kartoitus", "Kartläggning av dagvattenbrunnar",
        "Stormwater well mapping",
        theme=2, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.sustainability,
        director="porvoo_water", owner="ville", deputy=None,
        start=date(2024, 3, 4), end=date(2024, 10, 15), roadmaps=(2024,), state=_C,
        impact=4, impact_text="Digital data on stormwater wells speeds up maintenance and "
        "saves about 15 000 € a year in operating costs.",
        area="digital_programme", one_time_eur=9_900, savings_eur=15_000,
        progress=100, health=_OK,
    ),
    DemoProject(
        "DR24-06", "ICT-jatkuvuussuunnitelman analyysi ja päivitys",
        "Analys och uppdatering av ICT-kontinuitetsplanen",
        "ICT continuity plan: analysis and update",
        theme=3, level=Level.foundation, need=NeedSource.law, benefit=Benefit.sustainability,
        director="administrative", owner="mikko", deputy="sanna",
        start=date(2024, 2, 1), end=date(2024, 10, 31), roadmaps=(2024,), state=_C,
        impact=4, impact_text="Statutory (TihL). Done with an outside continuity consultancy: "
        "the first version of the city's ICT continuity plan, now kept up by own staff.",
        area="digital_foundation", one_time_eur=12_400, funding=Funding.project_grant,
        progress=100, health=_OK,
    ),
)

# Roadmap 2025: 26 projects; DR24-07 ... DR24-11 continue from roadmap 2024.
ROADMAP_2025: tuple[DemoProject, ...] = (
    DemoProject(
        "DR24-07", "Saavutettavuusdirektiivin mukaiset verkkosivut",
        "Webbplatser enligt tillgänglighetsdirektivet",
        "Websites compliant with the Web Accessibility Directive",
        theme=1, level=Level.common, need=NeedSource.law, benefit=Benefit.human_centred,
        director="communications", owner="laura", deputy="oskar",
        start=date(2024, 4, 2), end=date(2025, 12, 31), roadmaps=(2024, 2025), state=_S,
        impact=4, impact_text="All residents can use the city's web services.",
        area="digital_programme", one_time_eur=45_000, recurring_eur=6_000,
        progress=92, health=_RISK,
        metrics=(DemoMetric("Saavutettavuusauditoinnin läpäisyaste",
                            "Godkänd andel i tillgänglighetsgranskningen",
                            "Pass rate in the accessibility audit", "%", 82, 100, 96),),
    ),
    DemoProject(
        "DR24-08", "Asiakaspalvelun chatbot", "Chattbot för kundtjänsten",
        "Customer service chatbot",
        theme=1, level=Level.common, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="communications", owner="aino", deputy="sanna",
        start=date(2024, 8, 1), end=date(2026, 12, 31), roadmaps=(2024, 2025, 2026), state=_S,
        impact=4, impact_text="Answers to common questions around the clock in three "
        "languages; fewer calls to the service desk.",
        area="digital_programme", one_time_eur=60_000, recurring_eur=12_000,
        progress=78, health=_OK,
        metrics=(
            DemoMetric("Chatbotin itse ratkaisemat kysymykset", "Frågor som chattboten löser",
                       "Questions resolved by the chatbot", "%", 0, 60, 47),
            DemoMetric("Puhelinpalvelun yhteydenotot kuukaudessa",
                       "Samtal till telefontjänsten per månad",
                       "Calls to the phone service per month", "pcs", 4_200, 3_000, 3_350),
        ),
    ),
    DemoProject(
        "DR24-09", "Tiedolla johtamisen raportointialusta",
        "Rapporteringsplattform för kunskapsbaserad ledning",
        "Reporting platform for knowledge-based management",
        theme=3, level=Level.analytics, need=NeedSource.strategy, benefit=Benefit.renewal,
        director="development", owner="heidi", deputy="tiina",
        start=date(2024, 9, 2), end=date(2026, 12, 31), roadmaps=(2024, 2025, 2026), state=_S,
        impact=4, impact_text="Managers see up-to-date figures of their services in one "
        "place instead of spreadsheets.",
        area="data_analytics", one_time_eur=80_000, recurring_eur=18_000,
        progress=64, health=_OK,
        metrics=(
            DemoMetric("Julkaistut raportit", "Publicerade rapporter", "Published reports",
                       "pcs", 3, 40, 27),
            DemoMetric("Raporttien aktiiviset käyttäjät", "Aktiva användare av rapporterna",
                       "Active report users", "pcs", 40, 400, 260),
        ),
    ),
    DemoProject(
        "DR24-10", "Ohjelmistorobotiikka taloushallinnossa",
        "Programvarurobotik inom ekonomiförvaltningen",
        "Robotic process automation in financial administration",
        theme=3, level=Level.common, need=NeedSource.strategy, benefit=Benefit.renewal,
        director="finance", owner="tiina", deputy="heidi",
        start=date(2024, 5, 2), end=date(2026, 12, 31), roadmaps=(2024, 2025, 2026), state=_S,
        impact=4, impact_text="Routine invoice and reconciliation work moves to robots; "
        "staff time goes to customer work.",
        area="digital_programme", one_time_eur=70_000, recurring_eur=9_000,
        progress=88, health=_OK,
        metrics=(
            DemoMetric("Automatisoidut prosessit", "Automatiserade processer",
                       "Automated processes", "pcs", 2, 15, 13),
            DemoMetric("Säästetty työaika kuukaudessa", "Sparad arbetstid per månad",
                       "Working time saved per month", "h", 0, 320, 270),
        ),
    ),
    DemoProject(
        "DR24-11", "Kiinteistöjen energiankulutuksen etäseuranta",
        "Fjärrövervakning av fastigheternas energiförbrukning",
        "Remote monitoring of building energy use",
        theme=2, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.sustainability,
        director="facilities", owner="anders", deputy="petra",
        start=date(2024, 6, 3), end=date(2026, 12, 31), roadmaps=(2024, 2025, 2026), state=_S,
        impact=5, impact_text="Heating and electricity use of city buildings is followed "
        "hourly; faults are found before they waste energy.",
        area="tori", one_time_eur=95_000, recurring_eur=8_000,
        progress=71, health=_OK,
        metrics=(
            DemoMetric("Etäseurannassa olevat kiinteistöt", "Fastigheter med fjärrövervakning",
                       "Buildings monitored remotely", "pcs", 12, 85, 61),
            DemoMetric("Lämmitysenergian säästö", "Besparing av värmeenergi",
                       "Heating energy saved", "%", 0, 8, 5),
        ),
    ),
    DemoProject(
        "DR25-01", "NIS2-kyberturvallisuusvaatimusten toimeenpano",
        "Genomförande av NIS2-kraven på cybersäkerhet",
        "Implementing the NIS2 cybersecurity requirements",
        theme=3, level=Level.foundation, need=NeedSource.law, benefit=Benefit.renewal,
        director="administrative", owner="mikko", deputy="sanna",
        start=date(2025, 1, 15), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=5, impact_text="Meets the Cybersecurity Act (NIS2) and lowers the risk of a "
        "service-stopping incident.",
        area="digital_foundation", one_time_eur=180_000, recurring_eur=40_000,
        progress=58, health=_RISK,
        metrics=(
            DemoMetric("Toteutetut NIS2-hallintakeinot", "Genomförda NIS2-åtgärder",
                       "NIS2 controls in place", "%", 20, 100, 62),
            DemoMetric("Monivaiheisen tunnistautumisen kattavuus",
                       "Täckning för flerfaktorsautentisering",
                       "Multi-factor authentication coverage", "%", 55, 100, 93),
        ),
    ),
    DemoProject(
        "DR25-02", "Tietosuojakoulutus koko henkilöstölle",
        "Dataskyddsutbildning för hela personalen", "Data protection training for all staff",
        theme=3, level=Level.foundation, need=NeedSource.law, benefit=Benefit.renewal,
        director="hr", owner="aino", deputy="sanna",
        start=date(2025, 2, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Fewer data protection incidents; the GDPR duty to train staff.",
        area="digital_programme", one_time_eur=18_000, recurring_eur=4_000,
        progress=85, health=_OK,
        metrics=(DemoMetric("Koulutuksen suorittaneet", "Andel som gått utbildningen",
                            "Staff who completed the training", "%", 35, 95, 81),),
    ),
    DemoProject(
        "DR25-03", "Sähköinen arkistointi", "Elektronisk arkivering", "Electronic archiving",
        theme=2, level=Level.common, need=NeedSource.law, benefit=Benefit.sustainability,
        director="administrative", owner="sanna", deputy="mikko",
        start=date(2025, 3, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=4, impact_text="Records are kept digitally as TihL requires; less paper and "
        "archive space.",
        area="digital_foundation", one_time_eur=150_000, recurring_eur=25_000,
        progress=46, health=_OK,
        metrics=(DemoMetric("Sähköisesti arkistoidut asiakirjatyypit",
                            "Dokumenttyper som arkiveras elektroniskt",
                            "Document types archived electronically", "pcs", 5, 60, 31),),
    ),
    DemoProject(
        "DR25-04", "Tiedonhallintamallin päivitys",
        "Uppdatering av informationshanteringsmodellen",
        "Updating the information management model",
        theme=3, level=Level.analytics, need=NeedSource.law, benefit=Benefit.renewal,
        director="development", owner="aino", deputy="heidi",
        start=date(2025, 2, 3), end=date(2025, 12, 31), roadmaps=(2025,), state=_S,
        impact=3, impact_text="Statutory (TihL): the city knows what data it holds, where "
        "and why.",
        area="digital_programme", one_time_eur=25_000,
        progress=90, health=_RISK,
    ),
    DemoProject(
        "DR25-05", "Verkkolaskutuksen laajentaminen", "Utvidgad e-fakturering",
        "Extending e-invoicing",
        theme=2, level=Level.common, need=NeedSource.law, benefit=Benefit.sustainability,
        director="finance", owner="tiina", deputy="heidi",
        start=date(2025, 1, 7), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="The Act on Electronic Invoicing is met; no paper invoices.",
        area="digital_programme", one_time_eur=22_000, recurring_eur=3_500,
        progress=95, health=_OK,
        metrics=(DemoMetric("Verkkolaskujen osuus ostolaskuista",
                            "Andel e-fakturor av inköpsfakturorna",
                            "Share of e-invoices among purchase invoices", "%", 78, 98, 96),),
    ),
    DemoProject(
        "DR25-06", "Liittyminen Ryhti-tietojärjestelmään",
        "Anslutning till informationssystemet Ryhti",
        "Joining the Ryhti built-environment information system",
        theme=3, level=Level.sector, need=NeedSource.law, benefit=Benefit.renewal,
        director="vitality", owner="erik", deputy="petra",
        start=date(2025, 3, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=4, impact_text="Plans and building permits go to the national Ryhti system "
        "as the new Building Act requires.",
        area="tosi", one_time_eur=85_000, recurring_eur=15_000, funding=Funding.project_grant,
        progress=52, health=_OFF,
        metrics=(DemoMetric("Ryhtiin toimitetut kaavat", "Planer levererade till Ryhti",
                            "Land-use plans delivered to Ryhti", "pcs", 0, 120, 48),),
    ),
    DemoProject(
        "DR25-07", "Kuntatalouden XBRL-raportoinnin automatisointi",
        "Automatisering av XBRL-rapporteringen av kommunekonomin",
        "Automating XBRL reporting of municipal finances",
        theme=3, level=Level.analytics, need=NeedSource.law, benefit=Benefit.renewal,
        director="finance", owner="heidi", deputy="tiina",
        start=date(2025, 4, 1), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Statutory reports to the State Treasury without manual work.",
        area="data_analytics", one_time_eur=30_000, recurring_eur=5_000,
        progress=93, health=_OK,
        metrics=(DemoMetric("Manuaaliset korjaukset raportointikierroksella",
                            "Manuella korrigeringar per rapporteringsomgång",
                            "Manual corrections per reporting round", "pcs", 40, 5, 9),),
    ),
    DemoProject(
        "DR25-08", "Keittiöiden omavalvonnan digitalisointi",
        "Digitalisering av egenkontrollen i köken",
        "Digital food-safety self-monitoring in kitchens",
        theme=3, level=Level.sector, need=NeedSource.law, benefit=Benefit.sustainability,
        director="meal_cleaning", owner="minna", deputy=None,
        start=date(2025, 2, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Food Act self-monitoring recorded with sensors and tablets "
        "instead of paper forms.",
        area="digital_programme", one_time_eur=28_000, recurring_eur=6_000,
        progress=88, health=_OK,
        metrics=(
            DemoMetric("Sähköisesti kirjatut omavalvontamittaukset",
                       "Egenkontrollmätningar registrerade elektroniskt",
                       "Self-monitoring measurements recorded digitally", "%", 10, 100, 84),
            DemoMetric("Kirjaamiseen käytetty aika viikossa", "Tid för registrering per vecka",
                       "Time spent on recording per week", "h", 30, 10, 14),
        ),
    ),
    DemoProject(
        "DR25-10", "Varhaiskasvatuksen asiakastietojärjestelmän vaihto",
        "Byte av klientdatasystemet för småbarnspedagogiken",
        "Replacing the early childhood education client information system",
        theme=1, level=Level.sector, need=NeedSource.end_of_support,
        benefit=Benefit.human_centred,
        director="education_culture", owner="petra", deputy="oskar",
        start=date(2025, 1, 7), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=5, impact_text="Support for the old system ends; families apply and follow "
        "their child's early education online.",
        area="tori", one_time_eur=420_000, recurring_eur=60_000,
        progress=74, health=_RISK,
        metrics=(
            DemoMetric("Siirretyt asiakastiedot", "Migrerade klientuppgifter",
                       "Client records migrated", "%", 0, 100, 70),
            DemoMetric("Sähköisesti tehdyt hakemukset", "Ansökningar som görs elektroniskt",
                       "Applications made online", "%", 64, 95, 82),
        ),
    ),
    DemoProject(
        "DR25-11", "Sähköinen ruokalista ja erityisruokavalioilmoitukset",
        "Elektronisk matsedel och anmälan av specialdieter",
        "Online menus and special-diet notifications",
        theme=1, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="meal_cleaning", owner="minna", deputy=None,
        start=date(2025, 4, 1), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Families see menus and report special diets online.",
        area="digital_programme", one_time_eur=16_000, recurring_eur=3_000,
        progress=94, health=_OK,
        metrics=(DemoMetric("Sähköiset erityisruokavalioilmoitukset",
                            "Elektroniska anmälningar av specialdieter",
                            "Special-diet notifications made online", "%", 0, 90, 74),),
    ),
    DemoProject(
        "DR25-12", "Siivouksen mobiiliohjaus", "Mobil styrning av städningen",
        "Mobile work management for cleaning",
        theme=3, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.renewal,
        director="meal_cleaning", owner="minna", deputy=None,
        start=date(2027, 1, 11), end=date(2027, 9, 30), roadmaps=(2025, 2026), state=_P,
        impact=2, impact_text="Cleaning tasks and quality checks on a phone.",
        area="digital_programme", one_time_eur=24_000, recurring_eur=5_000,
    ),
    DemoProject(
        "DR25-13", "Vesimittareiden etäluenta", "Fjärravläsning av vattenmätare",
        "Remote reading of water meters",
        theme=2, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.sustainability,
        director="porvoo_water", owner="ville", deputy="anders",
        start=date(2025, 3, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=4, impact_text="Leaks are found in days, not months; no manual meter readings.",
        area="tori", one_time_eur=240_000, recurring_eur=30_000,
        progress=63, health=_OK,
        metrics=(
            DemoMetric("Etäluettavat vesimittarit", "Fjärravlästa vattenmätare",
                       "Water meters read remotely", "pcs", 300, 9_000, 5_600),
            DemoMetric("Vuodon havaitsemisaika", "Tid tills en läcka upptäcks",
                       "Time to detect a leak", "days", 30, 2, 6),
        ),
    ),
    DemoProject(
        "DR25-14", "Yritysneuvonnan asiakkuudenhallinta",
        "Kundrelationshantering för företagsrådgivningen",
        "Customer relationship management for business advisory services",
        theme=1, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="vitality", owner="anders", deputy=None,
        start=date(2025, 5, 5), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Companies get one contact point and faster answers.",
        area="tosi", one_time_eur=35_000, recurring_eur=7_000,
        progress=81, health=_OK,
        metrics=(DemoMetric("Järjestelmään kirjatut yritysasiakkaat",
                            "Företagskunder i systemet", "Business customers in the system",
                            "pcs", 0, 1_500, 1_180),),
    ),
    DemoProject(
        "DR25-15", "Rekrytoinnin ja sähköisen perehdytyksen uudistus",
        "Förnyad rekrytering och elektronisk introduktion",
        "Renewing recruitment and digital onboarding",
        theme=3, level=Level.common, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="hr", owner="sanna", deputy="mikko",
        start=date(2025, 3, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Shorter hiring and a smoother first week for new staff.",
        area="digital_programme", one_time_eur=26_000, recurring_eur=8_000,
        progress=89, health=_OK,
        metrics=(DemoMetric("Rekrytointiprosessin kesto", "Rekryteringsprocessens längd",
                            "Length of the recruitment process", "days", 62, 40, 45),),
    ),
    DemoProject(
        "DR25-16", "Kaupungin datavarasto ja avoimen datan rajapinnat",
        "Stadens datalager och gränssnitt för öppna data",
        "City data warehouse and open-data APIs",
        theme=3, level=Level.analytics, need=NeedSource.strategy, benefit=Benefit.renewal,
        director="development", owner="heidi", deputy="tiina",
        start=date(2025, 2, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=4, impact_text="One source of truth for reporting; open data for companies "
        "and researchers.",
        area="data_analytics", one_time_eur=90_000, recurring_eur=20_000,
        progress=41, health=_RISK,
        metrics=(
            DemoMetric("Avoimet tietoaineistot", "Öppna datamängder",
                       "Open datasets published", "pcs", 24, 60, 37),
            DemoMetric("Datavarastoon liitetyt lähdejärjestelmät",
                       "Källsystem anslutna till datalagret",
                       "Source systems connected to the data warehouse", "pcs", 2, 12, 6),
        ),
    ),
    DemoProject(
        "DR25-17", "Tekoälyavustajan pilotti", "Pilot med AI-assistent", "AI assistant pilot",
        theme=3, level=Level.common, need=NeedSource.strategy, benefit=Benefit.renewal,
        director="development", owner="tiina", deputy="heidi",
        start=date(2027, 1, 11), end=date(2027, 6, 30), roadmaps=(2025, 2026), state=_P,
        impact=3, impact_text="Drafting and searching documents faster in office work.",
        area="digital_programme", one_time_eur=40_000, recurring_eur=15_000,
    ),
    DemoProject(
        "DR25-18", "Päätelaitteiden elinkaarenhallinta ja kierrätys",
        "Livscykelhantering och återvinning av terminaler",
        "Device lifecycle management and recycling",
        theme=2, level=Level.foundation, need=NeedSource.strategy,
        benefit=Benefit.sustainability,
        director="administrative", owner="oskar", deputy=None,
        start=date(2025, 1, 7), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Devices last longer and are reused or recycled.",
        area="digital_foundation", one_time_eur=20_000,
        progress=96, health=_OK,
        metrics=(DemoMetric("Uudelleenkäyttöön tai kierrätykseen ohjatut laitteet",
                            "Enheter till återanvändning eller återvinning",
                            "Devices sent to reuse or recycling", "%", 40, 95, 91),),
    ),
    DemoProject(
        "DR25-19", "Tilavarausjärjestelmän uudistus", "Förnyat lokalbokningssystem",
        "New space booking system",
        theme=1, level=Level.common, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="facilities", owner="anders", deputy=None,
        start=date(2027, 2, 1), end=date(2027, 10, 29), roadmaps=(2025, 2026), state=_P,
        impact=4, impact_text="Residents and clubs book halls and rooms online and pay at once.",
        area="tosi", one_time_eur=65_000, recurring_eur=11_000,
    ),
    DemoProject(
        "DR25-20", "Henkilöstön digitaitojen koulutusohjelma",
        "Utbildningsprogram i digitala färdigheter för personalen",
        "Digital skills programme for staff",
        theme=3, level=Level.common, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="hr", owner="laura", deputy="oskar",
        start=date(2025, 2, 3), end=date(2026, 12, 31), roadmaps=(2025, 2026), state=_S,
        impact=3, impact_text="Staff use the city's digital tools with confidence.",
        area="digital_programme", one_time_eur=30_000,
        progress=67, health=_OK,
        metrics=(DemoMetric("Koulutukseen osallistuneet", "Andel som deltagit i utbildningen",
                            "Staff who took part", "%", 0, 70, 52),),
    ),
    DemoProject(
        "DR25-21", "Koulujen oppimisalustojen yhtenäistäminen",
        "Harmonisering av skolornas lärplattformar", "Harmonising schools' learning platforms",
        theme=1, level=Level.sector, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="education_culture", owner="petra", deputy="oskar",
        start=date(2025, 6, 2), end=date(2026, 7, 31), roadmaps=(2025, 2026), state=_S,
        impact=4, impact_text="Pupils, guardians and teachers use one platform in Finnish- "
        "and Swedish-language schools.",
        area="tori", one_time_eur=110_000, recurring_eur=22_000,
        progress=55, health=_OFF,
    ),
    DemoProject(
        "DR25-22", "Osallistuvan budjetoinnin sähköinen alusta",
        "Elektronisk plattform för deltagande budgetering",
        "Digital platform for participatory budgeting",
        theme=1, level=Level.common, need=NeedSource.strategy, benefit=Benefit.human_centred,
        director="communications", owner="oskar", deputy="laura",
        start=date(2027, 1, 11), end=date(2027, 12, 31), roadmaps=(2025, 2026), state=_P,
        impact=3, impact_text="Residents propose and vote on how part of the budget is used.",
        area="digital_programme", one_time_eur=25_000, recurring_eur=5_000,
    ),
)

PROJECTS: tuple[DemoProject, ...] = COMPLETED_2024 + ROADMAP_2025

# ---------------------------------------------------------------------------------------
# Status texts (Finnish), by phase: progress < 35 %, < 75 %, later
# ---------------------------------------------------------------------------------------

ACHIEVEMENTS = (
    ("Vaatimusmäärittely valmistui.", "Nykytila kartoitettiin käyttäjien kanssa.",
     "Tarjouspyyntö julkaistiin.", "Aloituspalaveri toimittajan kanssa pidettiin."),
    ("Testiympäristö otettiin käyttöön.", "Integraatiot lähdejärjestelmiin rakennettiin.",
     "Pilottiryhmä aloitti käytön.", "Käyttäjäkoulutukset aloitettiin.",
     "Tietojen siirron koeajo onnistui."),
    ("Käyttöönotto laajeni uusiin yksiköihin.", "Ohjeet ja tukimateriaalit julkaistiin.",
     "Palautteen perusteella tehtiin korjauksia.", "Ratkaisu on tuotannossa."),
)
NEXT_STEPS = (
    ("Hankintapäätös ja sopimus.", "Tietoturvakatselmointi.", "Pilottiyksiköiden valinta."),
    ("Hyväksymistestaus.", "Koulutukset jatkuvat.", "Tuotantoon siirron suunnittelu."),
    ("Käyttöönotto loppuun ja vanhan ratkaisun alasajo.", "Hyötyjen mittaus ja loppuraportti.",
     "Siirto jatkuvaan ylläpitoon."),
)
RISKS: dict[Health, tuple[str, ...]] = {
    Health.on_track: ("", "", "", "Ei merkittäviä riskejä."),
    Health.at_risk: ("Toimittajan resurssit ovat niukat.", "Lomakausi hidastaa testausta.",
                     "Avainhenkilön sijaisjärjestely on kesken.",
                     "Aikataulu riippuu toisesta hankkeesta."),
    Health.off_track: ("Toimitus on myöhässä sovitusta aikataulusta.",
                       "Kustannusarvio ylittyy; lisärahoitustarve selvitetään.",
                       "Tietojen laatuongelmat viivästyttävät siirtoa."),
}
# a report's forecast: the project's planned cost, more when the project is in trouble
FORECAST_PERCENT = {Health.on_track: 100, Health.at_risk: 108, Health.off_track: 120}

# fmt: on


# ---------------------------------------------------------------------------------------
# Loader
# ---------------------------------------------------------------------------------------


class _HasId(Protocol):
    id: int | None


def _id(row: _HasId) -> int:
    if row.id is None:
        raise RuntimeError("row has no id yet: flush first")
    return row.id


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", ".") + "@porvoo.example"


def _cents(eur: int | None) -> int | None:
    return None if eur is None else eur * EUR


def _period(month_index: int) -> str:
    """``year * 12 + month - 1`` as ``YYYY-MM``."""
    return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def history_periods(start: date, today: date) -> list[str]:
    """The report periods of a project started on ``start``: up to last month, never today's."""
    last = _month_index(today) - 1
    first = max(_month_index(start), last + 1 - HISTORY_MONTHS)
    first = min(first, last + 1 - MIN_HISTORY_MONTHS)
    return [_period(index) for index in range(first, last + 1)]


def _path(rng: Random, first: int, last: int, n: int) -> list[int]:
    """``n`` integers moving monotonically from about ``first`` to exactly ``last``."""
    low, high = sorted((first, last))
    jitter = (high - low) // (3 * n)
    values: list[int] = []
    for k in range(n):
        value = first + (last - first) * k // max(n - 1, 1) + rng.randint(-jitter, jitter)
        value = min(high, max(low, value))
        if values:
            value = max(value, values[-1]) if last >= first else min(value, values[-1])
        values.append(value)
    values[-1] = last
    return values


def _health_path(rng: Random, now: Health, n: int) -> list[Health]:
    weights = (85, 12, 3)  # on track, at risk, off track
    path = rng.choices(list(Health), weights=weights, k=n)
    if now is not Health.on_track:
        path[-3:] = [Health.at_risk] * min(3, n)
    path[-1] = now
    return path


@dataclass
class _Snapshot:
    """One period's answer, as the owner gave it."""

    health: Health
    progress: int
    spent_cents: int
    forecast_cents: int
    metric_values: dict[int, Decimal]
    achievements: str
    next_steps: str
    risks: str


def _snapshots(
    rng: Random, plan: DemoProject, metrics: Sequence[ProjectMetric], n: int
) -> list[_Snapshot]:
    """A rising history of ``n`` monthly answers that ends at the project's current state."""
    progress = _path(rng, plan.progress * rng.randint(30, 60) // 100, plan.progress, n)
    actual_eur = plan.planned_eur * plan.progress * rng.randint(85, 110) // 10_000
    spent = _path(rng, actual_eur * progress[0] // max(plan.progress, 1), actual_eur, n)
    health = _health_path(rng, plan.health or Health.on_track, n)
    values = {
        _id(metric): _path(
            rng,
            spec.baseline + (spec.now - spec.baseline) * rng.randint(10, 40) // 100,
            spec.now,
            n,
        )
        for metric, spec in zip(metrics, plan.metrics, strict=True)
    }
    snapshots = []
    for k in range(n):
        phase = 0 if progress[k] < 35 else 1 if progress[k] < 75 else 2
        forecast_eur = max(plan.planned_eur * FORECAST_PERCENT[health[k]] // 100, spent[k])
        snapshots.append(
            _Snapshot(
                health=health[k],
                progress=progress[k],
                spent_cents=spent[k] * EUR,
                forecast_cents=forecast_eur * EUR,
                metric_values={key: Decimal(series[k]) for key, series in values.items()},
                achievements=rng.choice(ACHIEVEMENTS[phase]),
                next_steps=rng.choice(NEXT_STEPS[phase]),
                risks=rng.choice(RISKS[health[k]]),
            )
        )
    return snapshots


def _revision(
    report_id: int, number: int, snap: _Snapshot, by: int, at: datetime
) -> StatusRevision:
    return StatusRevision(
        report_id=report_id,
        number=number,
        health=snap.health,
        progress=snap.progress,
        spent_cents=snap.spent_cents,
        forecast_cents=snap.forecast_cents,
        metric_values={str(key): str(value) for key, value in snap.metric_values.items()},
        achievements=snap.achievements,
        next_steps=snap.next_steps,
        risks=snap.risks,
        submitted_by_id=by,
        submitted_at=at,
    )


async def _add_people(session: AsyncSession) -> dict[str, Person]:
    people = {
        p.key: Person(
            aad_object_id=p.aad, name=p.name, email=_email(p.name), locale=p.locale, role=p.role
        )
        for p in PEOPLE
    }
    session.add_all(people.values())
    await session.flush()
    for p in PEOPLE:
        if p.deputy:
            people[p.key].deputy_id = _id(people[p.deputy])
    return people


async def _add_programme(session: AsyncSession) -> tuple[Programme, list[Theme]]:
    programme = Programme(
        name_fi=PROGRAMME_NAMES[0],
        name_sv=PROGRAMME_NAMES[1],
        name_en=PROGRAMME_NAMES[2],
        start_year=2024,
        end_year=2026,
        approved_on=PROGRAMME_APPROVED_ON,
    )
    session.add(programme)
    await session.flush()
    pid = _id(programme)
    themes = [
        Theme(programme_id=pid, number=number, name_fi=fi, name_sv=sv, name_en=en)
        for number, (fi, sv, en) in enumerate(THEMES, start=1)
    ]
    indicators = [
        IndicatorSet(
            programme_id=pid,
            code=i.code,
            name_fi=i.name_fi,
            name_sv=i.name_sv,
            name_en=i.name_en,
            unit=i.unit,
            target=Decimal(i.target),
            source=i.source,
        )
        for i in INDICATORS
    ]
    session.add_all([*themes, *indicators])
    session.add_all(
        Capability(programme_id=pid, name_fi=fi, name_sv=sv, name_en=en)
        for fi, sv, en in CAPABILITIES
    )
    session.add_all(
        Roadmap(programme_id=pid, year=year, state=RoadmapState.approved, approved_on=approved)
        for year, approved in ROADMAPS.items()
    )
    await session.flush()
    session.add_all(
        IndicatorValue(indicator_set_id=_id(row), period=period, value=Decimal(value))
        for row, spec in zip(indicators, INDICATORS, strict=True)
        for period, value in spec.values.items()
    )
    for year, area, planned, actual in BUDGET:
        fi, sv, en = (name.format(year=year) for name in BUDGET_AREAS[area])
        session.add(
            BudgetLine(
                year=year,
                area=area,
                name_fi=fi,
                name_sv=sv,
                name_en=en,
                planned_cents=planned * EUR,
                actual_cents=actual * EUR,
            )
        )
    return programme, themes


async def _add_directors(session: AsyncSession, people: dict[str, Person]) -> dict[str, Director]:
    directors = {
        key: Director(key=key, title_fi=fi, title_sv=sv, title_en=en, person_id=_id(people[holder]))
        for key, (fi, sv, en, holder) in DIRECTORS.items()
    }
    session.add_all(directors.values())
    await session.flush()
    return directors


def _project(
    plan: DemoProject,
    themes: Sequence[Theme],
    directors: dict[str, Director],
    people: dict[str, Person],
) -> Project:
    planned = plan.planned_eur * EUR
    done = plan.state is Lifecycle.completed
    return Project(
        code=plan.code,
        name_fi=plan.name_fi,
        name_sv=plan.name_sv,
        name_en=plan.name_en,
        theme_id=_id(themes[plan.theme - 1]),
        level=plan.level,
        need_source=plan.need,
        benefit=plan.benefit,
        director_id=_id(directors[plan.director]),
        owner_id=_id(people[plan.owner]),
        deputy_id=_id(people[plan.deputy]) if plan.deputy else None,
        start_date=plan.start,
        end_date=plan.end,
        state=plan.state,
        progress=plan.progress,
        health=plan.health,
        impact_score=plan.impact,
        impact_en=plan.impact_text,
        savings_cents_per_year=_cents(plan.savings_eur),
        one_time_cost_cents=_cents(plan.one_time_eur),
        recurring_cost_cents_per_year=_cents(plan.recurring_eur),
        funding=plan.funding,
        budget_area=plan.area,
        planned_cents=planned,
        actual_cents=planned if done else 0,
        forecast_cents=planned,
    )


def _answers(
    rng: Random, snap: _Snapshot, period: str, owner: int, deputy: int
) -> list[tuple[_Snapshot, int, datetime]]:
    """Who answered for ``period`` and when: one answer, sometimes corrected a few days later."""
    year, month = map(int, period.split("-"))
    at = datetime(
        year, month, rng.randint(18, 27), rng.randint(6, 14), rng.randint(0, 59), tzinfo=UTC
    )
    by = deputy if rng.random() < 0.1 else owner
    if rng.random() < 0.15:
        draft = replace(snap, progress=max(0, snap.progress - 5), next_steps="")
        return [(draft, by, at), (snap, by, at + timedelta(days=rng.randint(1, 3), hours=2))]
    return [(snap, by, at)]


def _closed_at(period: str) -> datetime:
    """A period closes on the 10th of the next month."""
    closes = _month_index(date.fromisoformat(f"{period}-01")) + 1
    return datetime(closes // 12, closes % 12 + 1, 10, 10, 0, tzinfo=UTC)


async def _add_history(
    session: AsyncSession,
    rng: Random,
    started: Iterable[tuple[DemoProject, Project, list[ProjectMetric]]],
    people: dict[str, Person],
    today: date,
) -> int:
    """Monthly reports, revisions, metric values and periods; returns the number of reports."""
    reports: list[tuple[StatusReport, list[tuple[_Snapshot, int, datetime]]]] = []
    all_periods: set[str] = set()
    for plan, project, metrics in started:
        periods = history_periods(plan.start, today)
        all_periods.update(periods)
        owner = _id(people[plan.owner])
        deputy = _id(people[plan.deputy]) if plan.deputy else owner
        snapshots = _snapshots(rng, plan, metrics, len(periods))
        for period, snap in zip(periods, snapshots, strict=True):
            answers = _answers(rng, snap, period, owner, deputy)
            report = StatusReport(
                project_id=_id(project),
                period=period,
                revision=len(answers),
                health=snap.health,
                progress=snap.progress,
                spent_cents=snap.spent_cents,
                forecast_cents=snap.forecast_cents,
                achievements=snap.achievements,
                next_steps=snap.next_steps,
                risks=snap.risks,
                submitted_by_id=answers[-1][1],
                first_submitted_at=answers[0][2],
                submitted_at=answers[-1][2],
            )
            reports.append((report, answers))
            session.add_all(
                MetricValue(metric_id=key, period=period, value=value)
                for key, value in snap.metric_values.items()
            )
        latest = snapshots[-1]
        project.progress, project.health = latest.progress, latest.health
        project.actual_cents, project.forecast_cents = latest.spent_cents, latest.forecast_cents
    session.add_all(report for report, _ in reports)
    await session.flush()
    session.add_all(
        _revision(_id(report), number, snap, by, at)
        for report, answers in reports
        for number, (snap, by, at) in enumerate(answers, start=1)
    )
    *closed, still_open = sorted(all_periods)
    session.add_all(ReportingPeriod(period=p, closed_at=_closed_at(p)) for p in closed)
    session.add(ReportingPeriod(period=still_open, closed_at=None))
    return len(reports)


async def load_demo(session: AsyncSession, *, today: date) -> bool:
    """Load the demo portfolio into an empty database; the caller commits.

    Returns False, and changes nothing, if a programme already exists.
    """
    if (await session.exec(select(Programme.id).limit(1))).first() is not None:
        return False
    rng = Random(2024)  # noqa: S311  (reproducible demo data, not security)
    people = await _add_people(session)
    programme, themes = await _add_programme(session)
    directors = await _add_directors(session, people)
    projects = [_project(plan, themes, directors, people) for plan in PROJECTS]
    session.add_all(projects)
    await session.flush()

    roadmaps = {r.year: _id(r) for r in (await session.exec(select(Roadmap))).all()}
    session.add_all(
        RoadmapProject(roadmap_id=roadmaps[year], project_id=_id(project))
        for plan, project in zip(PROJECTS, projects, strict=True)
        for year in plan.roadmaps
    )
    metrics = [
        [
            ProjectMetric(
                project_id=_id(project),
                position=position,
                name_fi=m.name_fi,
                name_sv=m.name_sv,
                name_en=m.name_en,
                unit=m.unit,
                baseline=Decimal(m.baseline),
                target=Decimal(m.target),
            )
            for position, m in enumerate(plan.metrics)
        ]
        for plan, project in zip(PROJECTS, projects, strict=True)
    ]
    session.add_all(metric for group in metrics for metric in group)
    await session.flush()

    started = [
        (plan, project, group)
        for plan, project, group in zip(PROJECTS, projects, metrics, strict=True)
        if plan.state is Lifecycle.started
    ]
    reports = await _add_history(session, rng, started, people, today)
    session.add(
        AuditLog(
            action="demo.load",
            entity="programme",
            entity_id=str(_id(programme)),
            details={
                "today": today.isoformat(),
                "people": len(PEOPLE),
                "projects": len(PROJECTS),
                "status_reports": reports,
            },
        )
    )
    await session.flush()
    logger.info(
        "Demo portfolio loaded: %d people, %d projects (%d started), %d status reports",
        len(PEOPLE),
        len(PROJECTS),
        len(started),
        reports,
    )
    return True


async def _load(url: str, today: date) -> bool:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await load_demo(session, today=today)
    finally:
        await engine.dispose()


def main() -> None:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s [%(name)s] %(message)s"
    )
    url = settings.database_url
    today = datetime.now(settings.zone).date()
    shown = make_url(url).render_as_string(hide_password=True)
    logger.info("Migrating %s and loading the demo portfolio (today %s)", shown, today)
    if asyncio.run(_load(url, today)):
        logger.info("Demo portfolio committed")
    else:
        logger.info("The database already has a programme; demo not loaded")


if __name__ == "__main__":
    main()
