"""The managers' questions' vocabulary in Finnish, Swedish and English, as data.

What a question is (``Question``), which intents are questions (``QUESTION_INTENTS``: each
is a module in ``bot/intents/``, whose table checks that the two agree), and the words
that point to each intent, dimension and value. ``bot.questions.parse`` compiles these
tables once and matches messages against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Question:
    intent: str  # one of QUESTION_INTENTS
    year: int | None = None
    area: str | None = None  # budget area text as typed, e.g. "tosi", "digital foundation"
    name: str | None = None  # project name text as typed, for intent "project"
    dimension: str | None = None  # for "breakdown": one of DIMENSIONS
    value: str | None = None  # breakdown filter: a NeedSource/Benefit/Level value, a theme
    # number, or a director's title as typed ("finance director", "talousjohtaja")
    as_of: str | None = None  # "as of 10/2024" (fi "tilanne", sv "per"): "2024-10"; a month
    # that is no month ("13/2024") as typed, for the intent to refuse


QUESTION_INTENTS: Final = (
    "summary",
    "roadmap",
    "budget",
    "project",
    "late",
    "at_risk",
    "over_budget",
    "breakdown",
    "impact",
    "changes",
    "indicators",
    "my_projects",
)
DIMENSIONS: Final = ("theme", "level", "need", "benefit", "director")

# ---------------------------------------------------------------------------------------
# The tables. Pattern syntax, one term per space:
#   word   exact word            stem*   prefix            *part*   inside a compound
#   a|b    either                a+b     consecutive words  a&b      both, anywhere
#   term:1.5  weight (default WORD_WEIGHT for one word, PHRASE_WEIGHT for a phrase)
# Patterns are folded like the text (ä → a), so either spelling can be written.
# ---------------------------------------------------------------------------------------

INTENT_CUES: Final[dict[str, dict[str, str]]] = {
    "summary": {
        "en": "summary summar* overview* overall:1.5 big+picture how+are+we+doing:2 "
        "how+are+things:2 how+is+it+going:2 how+is+everything:2 how+are+we+getting+on:2",
        "fi": "yhteenveto yhteenve* yleiskatsaus yleiskat* kokonaiskuv* tilannekatsau* "
        "miten+menee:2 miten+meillä+menee:2 mites+menee:2 miten+sujuu:2",
        "sv": "sammanfattning sammanfatt* översikt* helhetsbild* lägesbild* hur+går+det:2 "
        "hur+ser+det+ut:2 hur+ligger+vi+till:2",
        "all": "digiohjelm*:1 digiprogram*:1 programme:1 program:1 ohjelma:1 ohjelman:1",
    },
    "roadmap": {
        "en": "roadmap roadmap* road+map",
        "fi": "tiekartta tiekart*|*tiekart*",
        "sv": "färdplan*|*färdplan*",
    },
    "budget": {
        "en": "budget budget* cost*:1.5 spend*:1.5 spent:1.5 money:1.5",
        "fi": "budjetti budj* talousarvio talousarvi* ta:1.5 kustannu*:1.5 kulut:1.5 menot:1.5",
        "sv": "budget* kostnad*:1.5 utgift*:1.5 pengar:1.5",
    },
    "late": {
        "en": "late delayed delay* overdue behind behind+schedule slipp*:1.5 deadline*:1.5 "
        "schedule*:1",
        "fi": "myöhässä myöhä* viivästy* viiväs* jäljessä aikataulu*:1 ylit*&aikataulu*",
        "sv": "försenade försen* sena ligger+efter efter+tidsplan* tidsplan*:1",
    },
    "at_risk": {
        "en": "risk* at+risk* danger* jeopard* off+track trouble*:1.5 problem*:1.5 issue*:1.5",
        "fi": "riskissä riski* vaara* uhattu* uhan+alla ongelm*:1.5",
        "sv": "riskzon* i+riskzon* hotad* fara:1.5 problem*:1.5",
    },
    "over_budget": {
        "en": "over&budget* above&budget* exceed*&budget* overspen* overrun* overbudget "
        "more+than+plan*",
        "fi": "yli&budj* ylit*&budj* yli&talousarvi* ylit*&talousarvi* budjettiylit* "
        "kustannusylit* yli+suunnitel*",
        "sv": "över&budget* överskrid*&budget* budgetöverskrid* mer+än+planerat överskrid*:1.5",
    },
    "impact": {
        "en": "impact impact* effect* outcome* saving*:1.5 completed:1.5 finished:1.5",
        "fi": "vaikuttavuus vaikut* säästö*:1.5 valmistu*:1.5 valmiit:1.5 toteutun*:1.5",
        "sv": "verkningsfullhet verkningsfull* effekt* besparing*:1.5 slutförd*:1.5 "
        "färdiga:1.5 avslutade:1.5 genomförda:1.5",
    },
    "changes": {
        "en": "changes change* what|whats+new|news since+last since+previous new:1 since:1",
        "fi": "muutokset muutok* muutos* muutt* mitä+uutta uutta:1.5 viime+kuu* edellise*:1",
        "sv": "ändringar ändr* förändr* vad+är+nytt nytt:1.5 sedan+förra|sist|senaste",
    },
    "indicators": {
        "en": "indicators indicator* metric* kpi* target*:1.5",
        "fi": "mittarit mittari* indikaattor* tunnuslu* tavoitte*:1.5",
        "sv": "indikatorer indikator* mätare mätar* nyckeltal*",
    },
    "my_projects": {
        "en": "my+project* project*+i+own|lead|manage|run|am",
        "fi": "omat|omien|omia|minun+projekt*|hankk* projektini projektejani projekteistani",
        "sv": "mina|mitt+projekt* mina+egna+projekt*",
    },
}

# "breakdown": projects counted per theme, level, need source, benefit or director.
DIMENSION_CUES: Final[dict[str, dict[str, str]]] = {
    "theme": {
        "en": "theme*",
        "fi": "teemoittain teema* teemoi*",
        "sv": "tema*",
    },
    "level": {
        "en": "level*",
        "fi": "tasoittain taso*",
        "sv": "nivå*",
    },
    "need": {
        "en": "need*+source* by+need*",
        "fi": "tarpe*|tarve*+läh* tarpeittain",
        "sv": "behov*+käll* behovskäll*",
    },
    "benefit": {
        "en": "benefit*",
        "fi": "hyöty* hyödy* hyötyittäin",
        "sv": "nytta nyttan nyttor nyttorna",
    },
    "director": {
        "en": "director|directors|*director* ceo responsible:1.5",
        "fi": "johtaja|*johtaj* vastuutaso*",
        "sv": "direktör|*direktör* ansvarsnivå*",
    },
}

# Values that also count as a breakdown on their own ("lakisääteiset projektit").
VALUE_CUES: Final[dict[str, dict[str, str]]] = {
    "need": {
        "law": "law laws legal* statutory legislat* lakisäät* laki lain lakiin lakien "
        "lainsäädän* lag lagen lagar lagstadg* lagkrav*",
        "strategy": "strateg*",
        "end_of_support": "end+of+support support&end* tuki*|tuen&päätty*|loppu* "
        "stöd*&upphör*|slut*",
    },
    "benefit": {
        "human_centred": "human* ihmislähtö* ihmiskesk* asiakaslähtö* människo* kundorient*",
        "sustainability": "sustainab* kestäv* hållbar*",
        "renewal": "renewal uudistu* uudistami* förnyel*",
    },
}

# Values read only once the dimension is known ("by level: digital foundation").
LEVEL_VALUES: Final[dict[str, str]] = {
    "analytics": "analyti* analys* data",
    "foundation": "foundation perusta* grund*",
    "common": "common yhtei* gemensam* city-wide kaupunkitasoi*",
    "sector": "sector* sektor* toimiala* sovellu* applicat*",
}

BREAKDOWN_MARKERS: Final = "by per mukaan jaottel* breakdown fördeln* enligt split"

# A project named in the text: "project X", "projektin X tilanne", "Kartalla-projekti".
PROJECT_NOUNS: Final = frozenset(
    {
        *("project", "projekti", "projektin", "projektia", "projektista", "projektiin"),
        *("projektille", "projektilla", "projekt", "projektet", "projektets"),
        *("hanke", "hankkeen", "hanketta"),
    }
)
# "show X": a project, when nothing else in the text is a question.
SHOW_VERBS: Final = frozenset({"show", "display", "tell", "näytä", "kerro", "visa", "berätta"})
# "how is X doing", "miten X menee", "hur går det för X": (first words, last words).
PROJECT_TEMPLATES: Final[tuple[tuple[tuple[str, ...], frozenset[str]], ...]] = (
    (("how", "is"), frozenset({"doing", "going", "progressing"})),
    (("how",), frozenset({"doing", "going", "progressing"})),
    (("miten",), frozenset({"menee", "etenee", "edistyy", "sujuu"})),
    (("kuinka",), frozenset({"menee", "etenee", "edistyy", "sujuu"})),
    (("hur", "går", "det", "för"), frozenset()),
    (("hur", "går", "det", "med"), frozenset()),
)

# Words that carry no question of their own: never a name or an area, never a typo.
STOPWORDS: Final[dict[str, str]] = {
    "en": "a an the of for in on at by to from with about and or is are was were be been "
    "being do does did doing going how what whats which who where when why me my i we us "
    "our you your it its this that these those there here please pls thanks thank can "
    "could would will should give list all any some has have had much many get got "
    "project projects year years status state situation area areas current currently now "
    "so far yet up right then than hi hello hey ok okay just also something anything",
    "fi": "mikä mitkä mitä mikäs mites miten kuinka paljon paljonko onko on ovat oli olivat "
    "olleet ole ei ja tai sekä kanssa että se ne tämä nämä tuo meillä meidän me minä minun "
    "minulle meille mulle mun minkä jotka joka missä mistä mihin sen niiden niitä koko "
    "kaikki kaikkien olevat oleva ollut ovatko nyt hetkellä tällä vuosi vuoden vuonna "
    "vuodelle vuotta tilanne tila tilannetta alue alueen projektit projektien projekteja "
    "hankkeet hankkeiden kiitos moi hei kpl muut muita muiden muihin muista osalta kohdalla "
    "vielä jo sitten siis no entä entäs anna listaa olla ollaan siitä tästä jotain jotakin",
    "sv": "vad vilka vilket vilken vem hur är var varit har hade det den de dem som och "
    "eller i på för med om av till från hos vid just nu mig oss vi vår våra vårt mitt mina "
    "min jag du ni alla allt något några finns ser ut går gick år året åren läget läge "
    "projekten tack hej kan skulle vill ska lista ge mycket många något någonting",
}
CONNECTORS: Final = frozenset({"ja", "and", "och", "sekä", "of"})  # inside an area or title

PRIORITY: Final = (  # who wins a tie: the more specific question first
    "over_budget",
    "my_projects",
    "project",
    "late",
    "at_risk",
    "breakdown",
    "impact",
    "changes",
    "indicators",
    "budget",
    "roadmap",
    "summary",
)
DIMENSION_PRIORITY: Final = ("director", "need", "benefit", "level", "theme")
