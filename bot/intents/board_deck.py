"""``deck 2025`` (fi ``kalvot 2025``, sv ``presentation 2025``): the city board's deck.

The seed's follow-up deck, made from the data (``deck.build_deck``): roadmap 2025 for
approval, following up 2024. ``deck 2025 as of 10/2024`` (fi ``tilanne 10/2024``, sv
``per 10/2024``) rebuilds the portfolio as it stood at the end of that month from the
status history. For managers and admins (``manager_only``), delivered like the
workbook: a file consent card in the 1:1 chat, a signed link in the Playground, and
always in the 1:1 chat (``personal_only``).
"""

from __future__ import annotations

import re

from bot.intents.file_offer import give
from bot.intents.registry import Help, Intent, Request
from exports.kinds import FileNotFound
from scheduler.calendar import period_of
from storage.models import utcnow
from translations.markers import N_

_ARGUMENTS = re.compile(
    r"^\s*(?P<year>20\d\d)?\s*"
    r"(?:(?:as\s+of|tilanne|per)\s+"
    r"(?:(?P<month>\d{1,2})/(?P<month_year>20\d\d)|(?P<iso_year>20\d\d)-(?P<iso_month>\d{1,2})))?"
    r"\s*$",
    re.IGNORECASE,
)


def parse_arguments(
    text: str, *, this_year: int, this_period: str
) -> tuple[int, str | None] | None:
    """The roadmap year (next year when none is given) and the month "as of", if any;
    None when the text is neither, or the month is not one up to this month."""
    found = _ARGUMENTS.match(text)
    if found is None:
        return None
    year = int(found["year"]) if found["year"] else this_year + 1
    month, month_year = (
        found["month"] or found["iso_month"],
        found["month_year"] or found["iso_year"],
    )
    if month is None:
        return year, None
    period = f"{int(month_year):04d}-{int(month):02d}"
    if not 1 <= int(month) <= 12 or period > this_period:
        return None
    return year, period


async def reply(request: Request) -> None:
    turn, t = request.turn, request.t
    zone = turn.services.settings.zone
    now = utcnow()
    parsed = parse_arguments(
        request.text, this_year=now.astimezone(zone).year, this_period=period_of(now, zone)
    )
    if parsed is None:
        await request.notice(
            t("Use for example: deck 2025, or deck 2025 as of 10/2024 (up to this month)."),
            warning=True,
        )
        return
    year, as_of = parsed
    params = {"lang": t.language, "year": str(year), "as_of": as_of or ""}
    try:
        made = await turn.services.files.make("deck", params, turn.services.sessions)
    except FileNotFound:
        await request.notice(
            t("There is no roadmap {year} to make a deck of.", year=year), warning=True
        )
        return
    title = t("The board deck: roadmap {year}", year=year)
    await give(request, INTENT, "deck", params, made, title=title)


INTENT = Intent(
    name="board_deck",
    words=frozenset({"deck", "kalvot", "presentation", "presentationen"}),
    manager_only=True,
    personal_only=True,
    shows_money=True,
    reply=reply,
    sent_privately=N_("I sent the file to our 1:1 chat."),
    help=Help(
        {"fi": "kalvot 2025", "sv": "presentation 2025", "en": "deck 2025"},
        N_("The city board's deck for a roadmap year, as of a month if you add one."),
    ),
)
