"""The managers' questions: command words or free text in Finnish, Swedish or English,
turned into a Question (an intent and its arguments). Pure: no database, no SDK.

How it works:
1. The text is split into tokens; each token is matched in lower case with the
   diacritics folded away (ä → a, ö → o, å → a), so "forsenade" matches "försenade".
2. Cues from the tables below add weight to an intent when they match: a word, a stem
   ("budj*"), a part of a compound ("*johtaj*"), a phrase of consecutive words
   ("at+risk") or words that appear anywhere ("ylit*&budj*"). The longest cues are
   tried first and each token counts once, so "over budget" is not also "budget".
3. A token of 4+ letters that matches no vocabulary at all may be a typo of a word or
   stem of 5+ letters (rapidfuzz ratio >= 85, or two neighbouring letters swapped);
   it then counts for FUZZY_QUALITY of the cue's weight.
4. The intent with the highest score wins if it reaches MIN_SCORE; a project name
   ("projekti Kartalla", "näytä Kartalla") is taken from the words the cues left over.

Any sender can type anything, and one message is parsed on the event loop every user
shares, so the work is bounded whatever arrives (Teams delivers one word of 28 KB; local
mode takes bodies of 250 KB). Only the first MAX_TEXT_LENGTH characters are read. The
typo pass, where the work per word is largest, runs only in messages of up to
MAX_TYPO_WORDS words and only on words of up to MAX_TYPO_LENGTH letters; a longer message
is matched exactly. Names, areas and titles are cut to MAX_ARGUMENT_LENGTH characters,
since each is compared by rapidfuzz against every name it could be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from rapidfuzz import fuzz
from rapidfuzz.process import extract

from bot.questions.vocabulary import (
    BREAKDOWN_MARKERS,
    CONNECTORS,
    DIMENSION_CUES,
    DIMENSION_PRIORITY,
    DIMENSIONS,
    INTENT_CUES,
    LEVEL_VALUES,
    PRIORITY,
    PROJECT_NOUNS,
    PROJECT_TEMPLATES,
    QUESTION_INTENTS,
    SHOW_VERBS,
    STOPWORDS,
    VALUE_CUES,
    Question,
)

WORD_WEIGHT: Final = 2.0
PHRASE_WEIGHT: Final = 3.0
MIN_SCORE: Final = 1.5  # a weak hint (weight 1-1.5) alone is not a question
FUZZY_CUTOFF: Final = 85.0  # rapidfuzz ratio, 0-100
FUZZY_MIN_LENGTH: Final = 5  # shorter patterns match exactly only; tokens need >= 4 letters
FUZZY_QUALITY: Final = 0.8  # a typo counts for 80 % of the cue's weight
MAX_NAME_WORDS: Final = 12  # longer is a sentence, not a project's name
PROJECT_WEIGHT: Final = 2.9  # "projekti Kartalla": beats one keyword, loses to a phrase
MARKER_WEIGHT: Final = 0.5  # "by", "per": tips a breakdown over a plain keyword
SUGGESTION_CUTOFF: Final = 70.0
MAX_TEXT_LENGTH: Final = 1000  # characters read as a question; the rest is not read
MAX_TYPO_WORDS: Final = 30  # a message of more words is matched without typo tolerance
MAX_TYPO_LENGTH: Final = 32  # letters; a longer word is never taken for a typo
MAX_ARGUMENT_LENGTH: Final = 200  # a name, area or title as typed; a card's data keeps as much

# "as of 10/2024", fi "tilanne 10/2024", sv "per 10/2024"; "2024-10" too.
_AS_OF_RE: Final = re.compile(
    r"(?<!\w)(?:as\s+of|tilanne(?:\s+kuussa)?|per)\s+"
    r"(?:(?P<month>\d{1,2})/(?P<month_year>\d{4})|(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2}))(?!\w)",
    re.IGNORECASE,
)
_YEAR_RE: Final = re.compile(r"(?<!\d)(20\d\d|2100)(?!\d)")
_TA_YEAR_RE: Final = re.compile(r"^ta(\d\d)$")  # "TA25": the budget (talousarvio) of 2025
_TOKEN_RE: Final = re.compile(r"[^\W_]+(?:['’:&\-][^\W_]+)*")
_COMPOUND_PROJECT_RE: Final = re.compile(r"^(.+)-(?:projekti\w*|projekt\w*|project|hanke\w*)$")

# ---------------------------------------------------------------------------------------
# Compiled tables
# ---------------------------------------------------------------------------------------

Kind = Literal["word", "stem", "infix"]


def _fold(text: str) -> str:
    """Without diacritics: "färdplan" → "fardplan". Keeps the length of Latin text."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class _Alt:
    kind: Kind
    text: str


@dataclass(frozen=True, slots=True)
class _Cue:
    intent: str
    elements: tuple[tuple[_Alt, ...], ...]  # one per token; each a set of alternatives
    weight: float
    anywhere: bool  # the elements may stand anywhere, in any order ("a&b")
    dimension: str | None = None
    value: str | None = None

    @property
    def size(self) -> int:
        return max(len(alt.text) for element in self.elements for alt in element)


def _alt(pattern: str) -> _Alt:
    text = _fold(pattern.lower())
    if text.startswith("*") and text.endswith("*"):
        return _Alt("infix", text.strip("*"))
    if text.endswith("*"):
        return _Alt("stem", text.rstrip("*"))
    return _Alt("word", text)


def _compile(
    spec: str,
    intent: str,
    dimension: str | None = None,
    value: str | None = None,
    word_weight: float = WORD_WEIGHT,
) -> list[_Cue]:
    cues = []
    for term in spec.split():
        pattern, _, weight_text = term.partition(":")
        anywhere = "&" in pattern
        parts = pattern.split("&" if anywhere else "+")
        elements = tuple(tuple(_alt(a) for a in part.split("|")) for part in parts)
        default = PHRASE_WEIGHT if len(parts) > 1 else word_weight
        weight = float(weight_text) if weight_text else default
        cues.append(_Cue(intent, elements, weight, anywhere, dimension, value))
    return cues


def _all_cues() -> list[_Cue]:
    cues: list[_Cue] = []
    for intent, languages in INTENT_CUES.items():
        for spec in languages.values():
            cues += _compile(spec, intent)
    for dimension, languages in DIMENSION_CUES.items():
        for spec in languages.values():
            cues += _compile(spec, "breakdown", dimension)
    for dimension, values in VALUE_CUES.items():
        for value, spec in values.items():
            cues += _compile(spec, "breakdown", dimension, value)
    cues += _compile(BREAKDOWN_MARKERS, "breakdown", word_weight=MARKER_WEIGHT)  # a marker
    # Phrases before words, heavy before light, long patterns before short ones.
    return sorted(cues, key=lambda c: (-len(c.elements), -c.weight, -c.size))


_CUES: Final = _all_cues()


def _cues_by_word(cues: list[_Cue]) -> dict[_Alt, tuple[int, ...]]:
    """For each word of the tables, the positions of the cues whose first element it is."""
    index: dict[_Alt, list[int]] = {}
    for position, cue in enumerate(cues):
        for alt in cue.elements[0]:
            index.setdefault(alt, []).append(position)
    return {alt: tuple(positions) for alt, positions in index.items()}


# A cue can match only if the text has a word of its first element: the scan tries those.
_CUES_BY_WORD: Final = _cues_by_word(_CUES)
_LEVEL_CUES: Final = [
    c for v, s in LEVEL_VALUES.items() for c in _compile(s, "breakdown", "level", v)
]
_STOPWORDS: Final = frozenset(_fold(w) for spec in STOPWORDS.values() for w in spec.split())
_PROJECT_NOUNS: Final = frozenset(_fold(w) for w in PROJECT_NOUNS)
_SHOW_VERBS: Final = frozenset(_fold(w) for w in SHOW_VERBS)
_TEMPLATES: Final = tuple(
    (tuple(_fold(w) for w in first), frozenset(_fold(w) for w in last))
    for first, last in PROJECT_TEMPLATES
)
_VOCABULARY: Final = tuple(
    {alt for cue in [*_CUES, *_LEVEL_CUES] for element in cue.elements for alt in element}
)


class _Lexicon:
    """Every word, stem and compound part of the tables, indexed for matching a token."""

    def __init__(self, alts: Iterable[_Alt]) -> None:
        self.words: dict[str, list[_Alt]] = {}
        self.stems: dict[str, list[_Alt]] = {}
        self.infixes: list[_Alt] = []
        for alt in alts:
            if alt.kind == "infix":
                self.infixes.append(alt)
            else:
                index = self.words if alt.kind == "word" else self.stems
                index.setdefault(alt.text, []).append(alt)
        self.stem_lengths = sorted({len(stem) for stem in self.stems})
        # Typos only for words and stems of FUZZY_MIN_LENGTH letters or more.
        self.fuzzy_words = [w for w in self.words if len(w) >= FUZZY_MIN_LENGTH]
        self.fuzzy_stems: dict[int, list[str]] = {}
        for stem in self.stems:
            if len(stem) >= FUZZY_MIN_LENGTH:
                self.fuzzy_stems.setdefault(len(stem), []).append(stem)

    def exact(self, key: str) -> set[_Alt]:
        found = set(self.words.get(key, ()))
        for size in self.stem_lengths:
            found.update(self.stems.get(key[:size], ()))
        found.update(alt for alt in self.infixes if alt.text in key)
        return found

    def typos(self, key: str) -> set[_Alt]:
        """What the key may be a misspelling of: close by rapidfuzz ratio (a stem against
        the key's first letters), or with two neighbouring letters swapped ("impcat")."""
        found = {alt for word in _close(key, self.fuzzy_words) for alt in self.words[word]}
        for size, stems in self.fuzzy_stems.items():
            for prefix in {key[: size - 1], key[:size], key[: size + 1]}:
                found.update(alt for stem in _close(prefix, stems) for alt in self.stems[stem])
        for swap in _swaps(key):
            found.update(self.words.get(swap, ()) if len(swap) >= FUZZY_MIN_LENGTH else ())
            for size in self.fuzzy_stems:
                found.update(self.stems.get(swap[:size], ()) if len(swap) >= size else ())
        return found

    def matches(self, token: _Token, *, typos: bool) -> dict[_Alt, float]:
        """The vocabulary a token matches: 1 when exactly, FUZZY_QUALITY for a typo."""
        exact = {alt for key in token.keys for alt in self.exact(key)}
        if exact or not typos or not _may_be_typo(token):
            return dict.fromkeys(exact, 1.0)  # a known word is never taken for a typo
        return dict.fromkeys(self.typos(token.key), FUZZY_QUALITY)


def _close(query: str, choices: list[str]) -> list[str]:
    """The choices within FUZZY_CUTOFF of the query (rapidfuzz ratio)."""
    found = extract(query, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None)
    return [choice for choice, _, _ in found]


def _may_be_typo(token: _Token) -> bool:
    return 4 <= len(token.key) <= MAX_TYPO_LENGTH and not token.is_filler


def _swaps(key: str) -> set[str]:
    """The key with each pair of neighbouring letters swapped."""
    return {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)} - {key}


# ---------------------------------------------------------------------------------------
# Tokens and scoring
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    text: str  # as typed
    start: int
    end: int
    keys: tuple[str, ...]  # folded lower case; plus the head of a hyphenated compound

    @property
    def key(self) -> str:
        return self.keys[0]

    @property
    def is_number(self) -> bool:
        return self.key.isdigit()

    @property
    def is_filler(self) -> bool:
        """A word that is never part of a name or an area."""
        return (
            self.key in _STOPWORDS
            or self.is_number
            or self.key in _PROJECT_NOUNS
            or self.key in _SHOW_VERBS
        )


def _tokenise(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        key = _fold(match.group().lower())
        key = re.sub(r"['’]s$", "", key)  # "director's", "what's"
        key = key.split(":", 1)[0]  # a Finnish ending after an acronym: "TOSI:n"
        keys = [key]
        if "-" in key:
            keys.append(key.rsplit("-", 1)[1])  # a compound's head: "ict-budjetti"
        tokens.append(_Token(match.group(), match.start(), match.end(), tuple(keys)))
    return tokens


_LEXICON: Final = _Lexicon(_VOCABULARY)


@dataclass(slots=True)
class _Scan:
    tokens: list[_Token]
    matches: list[dict[_Alt, float]]  # per token: the vocabulary it matches, and how well
    consumed: set[int] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=lambda: dict.fromkeys(QUESTION_INTENTS, 0.0))
    dimensions: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0.0))
    values: dict[str, str] = field(default_factory=dict)
    director_tokens: list[int] = field(default_factory=list)
    markers: float = 0.0

    def quality(self, element: tuple[_Alt, ...], index: int) -> float:
        """1 for an exact match, FUZZY_QUALITY for a typo, 0 for none."""
        matches = self.matches[index]
        return max((matches.get(alt, 0.0) for alt in element), default=0.0)

    def free(self) -> Iterable[int]:
        return (i for i in range(len(self.tokens)) if i not in self.consumed)

    @property
    def known(self) -> set[_Alt]:
        """Everything any token matches."""
        return {alt for matches in self.matches for alt in matches}

    def match(self, cue: _Cue, known: set[_Alt] | None = None) -> tuple[list[int], float]:
        """The tokens a cue takes and how well they match; ([], 0) when it does not."""
        if known is not None and not all(known.intersection(e) for e in cue.elements):
            return [], 0.0  # some word of it is nowhere in the text
        if len(cue.elements) == 1:
            found = [(i, self.quality(cue.elements[0], i)) for i in self.free()]
            hits = [(i, q) for i, q in found if q > 0]
            return [i for i, _ in hits], max((q for _, q in hits), default=0.0)
        if cue.anywhere:
            taken: list[int] = []
            worst = 1.0
            for element in cue.elements:
                options = [(self.quality(element, i), i) for i in self.free() if i not in taken]
                best = max(options, default=(0.0, -1))
                if best[0] == 0:
                    return [], 0.0
                taken.append(best[1])
                worst = min(worst, best[0])
            return taken, worst
        size = len(cue.elements)
        for start in range(len(self.tokens) - size + 1):
            span = range(start, start + size)
            if any(i in self.consumed for i in span):
                continue
            qualities = [self.quality(e, i) for e, i in zip(cue.elements, span, strict=True)]
            if min(qualities) > 0:
                return list(span), min(qualities)
        return [], 0.0

    def apply(self, cue: _Cue, known: set[_Alt]) -> None:
        taken, quality = self.match(cue, known)
        if not taken:
            return
        self.consumed.update(taken)
        weight = cue.weight * quality
        if cue.intent == "breakdown" and cue.dimension is None:
            self.markers += weight
            return
        self.scores[cue.intent] += weight
        if cue.dimension is not None:
            self.dimensions[cue.dimension] += weight
            if cue.value is not None:
                self.values.setdefault(cue.dimension, cue.value)
            if cue.dimension == "director" and cue.value is None:
                self.director_tokens += taken


def _scan(tokens: list[_Token]) -> _Scan:
    typos = len(tokens) <= MAX_TYPO_WORDS
    scan = _Scan(tokens, [_LEXICON.matches(t, typos=typos) for t in tokens])
    for index, token in enumerate(tokens):  # "TA25": the budget of 2025
        if _TA_YEAR_RE.match(token.key):
            scan.consumed.add(index)
            scan.scores["budget"] += WORD_WEIGHT
    known = scan.known
    candidates = sorted({i for alt in known for i in _CUES_BY_WORD.get(alt, ())})
    for position in candidates:  # in the tables' order, as earlier cues take their tokens
        scan.apply(_CUES[position], known)
    if any(scan.dimensions.values()):
        scan.scores["breakdown"] += scan.markers
    return scan


# ---------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------


def _is_content(scan: _Scan, index: int) -> bool:
    return index not in scan.consumed and not scan.tokens[index].is_filler


def _span(text: str, tokens: list[_Token], first: int, last: int) -> str:
    return text[tokens[first].start : tokens[last].end]


def _trimmed(tokens: list[_Token], indices: list[int]) -> list[int]:
    """Without filler words at either end."""
    while indices and tokens[indices[0]].is_filler:
        indices = indices[1:]
    while indices and tokens[indices[-1]].is_filler:
        indices = indices[:-1]
    return indices


def _year(text: str, tokens: list[_Token]) -> int | None:
    match = _YEAR_RE.search(text)
    if match:
        return int(match.group(1))
    for token in tokens:
        ta = _TA_YEAR_RE.match(token.key)
        if ta:
            return 2000 + int(ta.group(1))
    return None


def _runs(scan: _Scan) -> list[list[int]]:
    """Runs of content words, joined by connectors ("data ja analytiikka")."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, token in enumerate(scan.tokens):
        joins = bool(current) and token.key in CONNECTORS and index not in scan.consumed
        if _is_content(scan, index) or joins:
            current.append(index)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [run for run in (_trimmed_connectors(scan.tokens, r) for r in runs) if run]


def _trimmed_connectors(tokens: list[_Token], run: list[int]) -> list[int]:
    while run and tokens[run[-1]].key in CONNECTORS:
        run = run[:-1]
    return run


def _area(text: str, scan: _Scan) -> str | None:
    runs = _runs(scan)
    if not runs:
        return None
    longest = max(runs, key=len)  # the first of the longest
    area = _span(text, scan.tokens, longest[0], longest[-1])
    return re.sub(r":\w+$", "", area)  # "TOSI:n" → "TOSI"


def _project(text: str, scan: _Scan) -> tuple[str, bool] | None:
    """The project name and whether the text names it outright (or just says "show X")."""
    tokens = scan.tokens

    def name(indices: list[int]) -> str | None:
        words = _trimmed(tokens, indices)
        if not words or len(words) > MAX_NAME_WORDS:
            return None
        return _span(text, tokens, words[0], words[-1])

    for token in tokens:  # "Kartalla-projektin tilanne"
        compound = _COMPOUND_PROJECT_RE.match(token.key)
        if compound:
            return token.text[: len(compound.group(1))], True
    found: str | None = None
    for index, token in enumerate(tokens):  # "projekti Kartalla", "status of project X"
        if token.key in _PROJECT_NOUNS:
            rest = list(range(index + 1, len(tokens)))
            if any(_is_content(scan, i) for i in rest) and (found := name(rest)):
                return found, True
            break
    keys = [t.key for t in tokens]
    for first, last in _TEMPLATES:  # "how is Kartalla doing", "hur går det för Kartalla"
        end = len(tokens) - 1 if last else len(tokens)
        if keys[: len(first)] == list(first) and (not last or keys[-1] in last):
            middle = list(range(len(first), end))
            if any(_is_content(scan, i) for i in middle) and (found := name(middle)):
                return found, True
    words = [i for i, t in enumerate(tokens) if t.key not in _STOPWORDS]
    verb = words[0] if words and tokens[words[0]].key in _SHOW_VERBS else None
    if verb is not None and (found := name(list(range(verb + 1, len(tokens))))):
        return found, False  # "näytä Kartalla": a project only when nothing else matched
    return None


def _director(text: str, scan: _Scan) -> str | None:
    """The director's title as typed: "finance director", "talousjohtaja" (not "-jan")."""
    if not scan.director_tokens:
        return None
    tokens = scan.tokens
    index = scan.director_tokens[0]
    token = tokens[index]
    lowered = _fold(token.text.lower())
    title = token.text
    generic = token.key != "ceo"  # "by director", "vastuujohtajittain": no one in particular
    for part, keep in (("johtaj", 7), ("direktor", 8), ("director", 8)):
        at = lowered.find(part)
        if at >= 0 and len(lowered) == len(token.text):
            title = token.text[: at + keep]
            if part == "johtaj" and lowered[at + 6 : at + 7] != "a":
                title = token.text[: at + 6] + "a"  # "johtajien" → "johtaja"
            generic = lowered[:at].rstrip("-") in ("", "vastuu", "ansvars")
            break
    first = index  # the words before it: "finance director", "Porvoon Veden toimitusjohtaja"
    while first > 0:
        previous = first - 1
        if _is_content(scan, previous):
            first = previous
        elif (
            tokens[previous].key in CONNECTORS - {"of"}
            and previous > 0
            and _is_content(scan, previous - 1)
        ):
            first = previous - 1
        else:
            break
    last = index  # and after it: "director of education and culture"
    if (
        index + 2 < len(tokens)
        and tokens[index + 1].key in ("of", "for")
        and _is_content(scan, index + 2)
    ):
        last = index + 2
        while last + 1 < len(tokens):
            following = last + 1
            if _is_content(scan, following):
                last = following
            elif (
                tokens[following].key in CONNECTORS
                and following + 1 < len(tokens)
                and _is_content(scan, following + 1)
            ):
                last = following + 1
            else:
                break
    if generic and first == index and last == index:
        return None
    head = text[tokens[first].start : token.start] + title
    return head + text[token.end : tokens[last].end] if last > index else head


def _level(scan: _Scan) -> str | None:
    for cue in _LEVEL_CUES:
        if scan.match(cue)[0]:
            return cue.value
    return None


def _theme(scan: _Scan) -> str | None:
    numbers = [t.key for t in scan.tokens if t.is_number and len(t.key) == 1]
    return numbers[0] if numbers else None


# ---------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------


def _head(text: str) -> str:
    """The message's first MAX_TEXT_LENGTH characters, without a word the cut fell inside."""
    if len(text) <= MAX_TEXT_LENGTH:
        return text
    head = text[:MAX_TEXT_LENGTH]
    if head[-1].isspace() or text[MAX_TEXT_LENGTH].isspace():
        return head
    words = head.rsplit(maxsplit=1)
    return words[0] if len(words) == 2 else ""


def _clean(text: str) -> str:
    """Like bot.router.normalise, but keeps the case: names are returned as typed."""
    text = unicodedata.normalize("NFC", _head(text)).strip().lstrip("/")
    return re.sub(r"\s+", " ", text).rstrip("?!.")


def _argument(text: str | None) -> str | None:
    return text[:MAX_ARGUMENT_LENGTH].rstrip() if text is not None else None


def _as_of(text: str) -> tuple[str, str | None]:
    """The text without its "as of" month, and that month: ``2024-10``, or as typed when it
    is no month ("13/2024"), for the intent to say so."""
    found = _AS_OF_RE.search(text)
    if found is None:
        return text, None
    month = found["month"] or found["iso_month"]
    year = found["month_year"] or found["iso_year"]
    typed = found.group()[found.start("month" if found["month"] else "iso_year") - found.start() :]
    as_of = f"{int(year):04d}-{int(month):02d}" if 1 <= int(month) <= 12 else typed
    return (text[: found.start()] + " " + text[found.end() :]).strip(), as_of


def parse(text: str) -> Question | None:
    """The question a message asks, or None when it does not look like one."""
    text, as_of = _as_of(_clean(text))
    question = _parse(text)
    if question is None or as_of is None:
        return question
    return replace(question, as_of=as_of)


def _names_the_programme(scan: _Scan) -> bool:
    """A message that is just the programme's name ("digiohjelma", "the programme"): every
    word is the summary's weak programme cue or filler, and nothing else scored."""
    others = any(score for intent, score in scan.scores.items() if intent != "summary")
    return (
        not others
        and scan.scores["summary"] > 0
        and all(i in scan.consumed or t.is_filler for i, t in enumerate(scan.tokens))
    )


def _parse(text: str) -> Question | None:
    tokens = _tokenise(text)
    if not tokens:
        return None
    scan = _scan(tokens)
    project = _project(text, scan)
    if project is not None and project[1]:
        scan.scores["project"] += PROJECT_WEIGHT
    intent = PRIORITY[0]
    for candidate in PRIORITY:
        if scan.scores[candidate] > scan.scores[intent]:
            intent = candidate
    year = _year(text, tokens)
    if scan.scores[intent] < MIN_SCORE and _names_the_programme(scan):
        return Question("summary", year=year)  # "digiohjelma" alone
    if scan.scores[intent] < MIN_SCORE:
        if project is None:
            return None
        intent = "project"  # "näytä Kartalla"
    if intent == "project":
        return Question("project", year=year, name=_argument(project[0] if project else None))
    if intent == "budget":
        return Question("budget", year=year, area=_argument(_area(text, scan)))
    if intent == "breakdown":
        dimension = max(
            DIMENSION_PRIORITY, key=lambda d: (scan.dimensions[d], -DIMENSION_PRIORITY.index(d))
        )
        value = scan.values.get(dimension)
        if dimension == "director":
            value = _director(text, scan)
        elif dimension == "level":
            value = _level(scan)
        elif dimension == "theme":
            value = _theme(scan)
        return Question("breakdown", year=year, dimension=dimension, value=_argument(value))
    return Question(intent, year=year)


def _surfaces() -> dict[str, list[_Alt]]:
    """Every word that names an intent, for "did you mean"."""
    surfaces: dict[str, list[_Alt]] = {intent: [] for intent in QUESTION_INTENTS}
    for cue in _CUES:
        if cue.intent == "breakdown" and cue.dimension is None:
            continue  # "by", "per" name nothing
        phrase = " ".join(element[0].text for element in cue.elements)
        kind: Kind = "word" if len(cue.elements) > 1 else cue.elements[0][0].kind
        surfaces[cue.intent].append(_Alt(kind, phrase))
        surfaces[cue.intent] += [  # and each word of it: "omat" for "omat projektit"
            alt
            for element in cue.elements
            for alt in element
            if len(cue.elements) == 1 or (len(alt.text) >= 4 and alt.text not in _STOPWORDS)
        ]
    for intent in QUESTION_INTENTS:
        surfaces[intent].append(_Alt("word", intent.replace("_", " ")))
    surfaces["project"] += [_Alt("word", w) for w in sorted(_PROJECT_NOUNS)]
    return surfaces


@dataclass(frozen=True, slots=True)
class _Surfaces:
    """The texts of the surfaces, and the intent (its position in QUESTION_INTENTS) each names."""

    texts: list[str]
    owners: list[int]


def _surface_index(
    surfaces: dict[str, list[_Alt]],
) -> tuple[_Surfaces, dict[int, _Surfaces]]:
    """Every surface, and the stems among them by length (compared with as many letters)."""
    every = _Surfaces([], [])
    stems: dict[int, _Surfaces] = {}
    for order, intent in enumerate(QUESTION_INTENTS):
        for surface in surfaces[intent]:
            every.texts.append(surface.text)
            every.owners.append(order)
            if surface.kind == "stem":
                group = stems.setdefault(len(surface.text), _Surfaces([], []))
                group.texts.append(surface.text)
                group.owners.append(order)
    return every, stems


_SURFACES, _SURFACE_STEMS = _surface_index(_surfaces())


def suggestions(text: str, limit: int = 2) -> list[str]:
    """The intents a message that is no question comes closest to, best first: for "did you
    mean". First those the parser's own scan gave some weight (too little to answer), by
    that score; then those whose words are closest to the text's.

    Each word is compared with every surface, and with a stem's length of it (one letter
    less or more too) with every stem; the whole text with every surface. Like the typo
    pass, only in messages of up to MAX_TYPO_WORDS words, on words of up to
    MAX_TYPO_LENGTH letters.
    """
    tokens = _tokenise(_clean(text))
    scored: list[str] = []
    if tokens and len(tokens) <= MAX_TYPO_WORDS:
        scores = _scan(tokens).scores
        scored = [
            intent
            for intent in sorted(QUESTION_INTENTS, key=lambda i: -scores[i])
            if scores[intent] > 0
        ]
    closest = [i for i in _closest(text) if i not in scored]
    return [*scored, *closest][: max(limit, 0)]


def _closest(text: str) -> list[str]:
    """The intents whose words are closest to the text, best first."""
    whole = _fold(_clean(text).lower())
    tokens = _tokenise(whole)
    if len(tokens) > MAX_TYPO_WORDS:
        return []
    keys = [
        key
        for t in tokens
        if 3 <= len(t.key) <= MAX_TYPO_LENGTH and not t.is_filler
        for key in t.keys
    ]
    best = [0.0] * len(QUESTION_INTENTS)

    def compare(query: str, surfaces: _Surfaces) -> None:
        found = extract(
            query, surfaces.texts, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=None
        )
        for _, score, index in found:
            owner = surfaces.owners[index]
            best[owner] = max(best[owner], score)

    compare(whole, _SURFACES)
    for key in keys:
        compare(key, _SURFACES)
        for size, stems in _SURFACE_STEMS.items():
            for prefix in {key[: size - 1], key[:size], key[: size + 1]}:
                compare(prefix, stems)
    ranked = sorted((-score, order) for order, score in enumerate(best) if score)
    return [QUESTION_INTENTS[order] for _, order in ranked]
