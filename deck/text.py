"""Texts in the deck's language, with a visible mark where a translation is missing.

Names and texts are stored in fi, sv and en. The deck shows the one in its language; where
that one is empty it shows another and marks it, for example "Kartalla map feedback
service [en]", and the slide's footnote says what the mark means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from translations import Translator

ORDER = {"fi": ("fi", "sv", "en"), "sv": ("sv", "fi", "en"), "en": ("en", "fi", "sv")}
_INDEX = {"fi": 0, "sv": 1, "en": 2}


@dataclass
class Texts:
    """Picks a record's text in the deck's language and remembers the fallbacks it made."""

    t: Translator
    fallbacks: set[str] = field(default_factory=set)

    def pick(self, texts: tuple[str, str, str]) -> str:
        for language in ORDER[self.t.language]:
            text = texts[_INDEX[language]].strip()
            if text:
                if language != self.t.language:
                    self.fallbacks.add(language)
                    return f"{text} [{language}]"
                return text
        return "–"

    def english(self, text: str) -> str:
        """A text the database keeps in English only (a project's impact, today)."""
        return self.pick(("", "", text)) if self.t.language != "en" else (text.strip() or "–")

    def take_note(self) -> str:
        """The footnote for the fallbacks made since the last call, and forget them."""
        if not self.fallbacks:
            return ""
        marks = ", ".join(f"[{language}]" for language in sorted(self.fallbacks))
        self.fallbacks.clear()
        return self.t("{marks}: no text in this language, shown in another", marks=marks)
