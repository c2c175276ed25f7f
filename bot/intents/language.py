"""``language fi|sv|en|auto`` (fi ``kieli``, sv ``språk``): the person's own language."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from cards.messages import build_notice_card
from storage.db import write_transaction
from storage.people import set_locale
from translations import LANGUAGES, Translator
from translations.markers import N_

_CHOICES = {
    **{language: language for language in LANGUAGES},
    "suomi": "fi",
    "finnish": "fi",
    "finska": "fi",
    "svenska": "sv",
    "swedish": "sv",
    "ruotsi": "sv",
    "english": "en",
    "englanti": "en",
    "engelska": "en",
    "auto": "",
    "automaattinen": "",
    "automatisk": "",
}
_LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB", "": None}


async def reply(request: Request) -> None:
    turn = request.turn
    choice = _CHOICES.get(request.text.strip().lower())
    if choice is None:
        await turn.send_card(
            build_notice_card(
                turn.t(
                    "Choose a language: language fi, language sv, language en or language auto (follow Teams)."
                ),
                turn.t,
            )
        )
        return
    locale = _LOCALES[choice]
    async with write_transaction(turn.services.sessions) as session:
        await set_locale(turn.person, locale, session=session)
    turn.services.people.forget(turn.person.aad_object_id)
    settings = turn.services.settings
    t = Translator.first_of(
        locale, turn.activity.locale, settings.default_locale, zone=settings.zone
    )
    text = (
        t("I will use the language of your Teams from now on.")
        if locale is None
        else t("From now on I answer you in this language: English.")
    )
    await turn.send_card(build_notice_card(text, t))


INTENT = Intent(
    name="language",
    words=frozenset({"language", "kieli", "språk", "sprak"}),
    reply=reply,
    help=Help(
        {"fi": "kieli fi | sv | en", "sv": "språk fi | sv | en", "en": "language fi | sv | en"},
        N_("Choose the language I answer you in; auto follows your Teams."),
    ),
)
