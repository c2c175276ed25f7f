"""The catalogs use the terms of docs/glossary.md, and none of the words it rules out.

The glossary is read as data: each row of its table of terms says which messages it
judges (by their English message id) and which stem each translation must hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from translations import read_catalog

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
PLACEHOLDER = re.compile(r"\{\w+\}")
UNCHECKED = "–"


@dataclass(frozen=True, eq=False)
class Term:
    en: str  # as the message ids write it
    stems: dict[str, str]  # language -> the stem each translation holds ("–": unchecked)
    contexts: frozenset[str] | None  # msgctxt names ("none": no context); None: any
    excluded: frozenset[str]  # message ids where the word means something else

    @property
    def pattern(self) -> re.Pattern[str]:
        words = re.sub(r"\s*\(.*\)$", "", self.en)  # "planned (money)": a row's own note
        term = r"\s+".join(re.escape(word) for word in words.split())
        ending = r"(?:s|es|ies)?" if not term.endswith("y") else r"(?:y|ies|ys)"
        stem = term[:-1] if term.endswith("y") else term
        return re.compile(rf"(?<![\w-]){stem}{ending}(?!\w)", re.IGNORECASE)


def _table(text: str, heading: str) -> list[dict[str, str]]:
    """The rows of the markdown table under ``## heading``, as column -> cell."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    columns = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(columns, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def _term(row: dict[str, str]) -> Term:
    scope = row["scope"]
    context = re.search(r"msgctxt\s+([\w ,]+)", scope)
    return Term(
        en=row["en"],
        stems={"fi": row["fi stem"], "sv": row["sv stem"]},
        contexts=(
            frozenset(name.strip() for name in context.group(1).split(",")) if context else None
        ),
        excluded=frozenset(re.findall(r'"([^"]+)"', scope)),
    )


def read_glossary(text: str) -> tuple[list[Term], dict[str, list[str]]]:
    terms = [_term(row) for row in _table(text, "Terms")]
    banned: dict[str, list[str]] = {}
    for row in _table(text, "Words not to use"):
        banned.setdefault(row["language"], []).append(row["not"])
    return terms, banned


def in_scope(terms: list[Term], english: str, context: str | None) -> list[Term]:
    """The rows that judge a message: those whose term it holds, a longer term's words
    left to the longer term."""
    text = PLACEHOLDER.sub(" ", english)
    found = []
    for term in terms:
        if english in term.excluded:
            continue
        if term.contexts is not None and (context or "none") not in term.contexts:
            continue
        found += [(term, m.start(), m.end()) for m in term.pattern.finditer(text)]
    return list(
        dict.fromkeys(
            term
            for term, start, end in found
            if not any(s <= start and end <= e and e - s > end - start for _, s, e in found)
        )
    )


def misused(terms: list[Term], catalog: Catalog, language: str) -> list[str]:
    """Each translation that lacks a term its message id holds."""
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for term in in_scope(terms, str(english), message.context):
            stem = term.stems[language]
            if stem == UNCHECKED:
                continue
            for form in forms:
                if stem.casefold() not in str(form).casefold():
                    wrong.append(f"{term.en!r} → {stem!r}: {english!r} is {form!r}")
    return wrong


def banned_in(words: list[str], catalog: Catalog) -> list[str]:
    found = []
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            for word in words:
                if message.id and re.search(rf"(?<!\w){re.escape(word)}", str(form), re.I):
                    found.append(f"{word!r} in {form!r}")
    return found


@pytest.fixture(scope="module")
def glossary() -> tuple[list[Term], dict[str, list[str]]]:
    return read_glossary(GLOSSARY.read_text(encoding="utf-8"))


def test_the_glossary_is_read_whole(glossary: tuple[list[Term], dict[str, list[str]]]) -> None:
    terms, banned = glossary
    assert len(terms) >= 30
    assert {"indicator", "metric", "admin", "cycle", "off track"} <= {t.en for t in terms}
    planned = [t for t in terms if t.en.startswith("planned")]
    assert {t.contexts for t in planned} == {
        frozenset({"budget", "none"}),
        frozenset({"state"}),
    }
    assert "förfallodag" in banned["sv"] and "Seuraavat askeleet" in banned["fi"]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_term_judges_some_message(
    glossary: tuple[list[Term], dict[str, list[str]]], language: str
) -> None:
    """A row no message id holds would check nothing: its term is misspelled."""
    terms, _ = glossary
    judged: set[str] = set()
    for message in read_catalog(language):
        if message.id:
            english = message.id if isinstance(message.id, str) else message.id[0]
            judged |= {t.en for t in in_scope(terms, str(english), message.context)}
    assert {t.en for t in terms} - judged == set()


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_catalogs_use_the_glossarys_terms(
    glossary: tuple[list[Term], dict[str, list[str]]], language: str
) -> None:
    terms, _ = glossary
    assert misused(terms, read_catalog(language), language) == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_catalogs_use_none_of_the_words_ruled_out(
    glossary: tuple[list[Term], dict[str, list[str]]], language: str
) -> None:
    _, banned = glossary
    assert banned_in(banned[language], read_catalog(language)) == []


def test_the_checks_find_a_wrong_term_a_banned_word_and_leave_longer_terms_alone(
    glossary: tuple[list[Term], dict[str, list[str]]],
) -> None:
    terms, banned = glossary
    po = b"""msgid ""
msgstr ""
"Language: fi\\n"

msgid "Indicators"
msgstr "Mittarit"

msgid "Indicator sets"
msgstr "Mittaristot"

msgid "{metric}, target {target}"
msgstr "{metric}, tavoite {target}"

msgctxt "state"
msgid "Planned"
msgstr "Suunnitteilla"

msgctxt "budget"
msgid "Planned"
msgstr "Suunniteltu"

msgid "Next steps"
msgstr "Seuraavat askeleet"
"""
    catalog = read_po(BytesIO(po), locale="fi")
    assert misused(terms, catalog, "fi") == [
        "'indicator' → 'indikaattor': 'Indicators' is 'Mittarit'",
        "'planned (money)' → 'budjetoi': 'Planned' is 'Suunniteltu'",
        "'next steps' → 'jatkotoimenpi': 'Next steps' is 'Seuraavat askeleet'",
    ]
    assert banned_in(banned["fi"], catalog) == ["'Seuraavat askeleet' in 'Seuraavat askeleet'"]
