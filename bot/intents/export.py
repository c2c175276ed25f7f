"""``export`` (fi ``vie``, sv ``exportera``): the portfolio as the programme office's
workbook (``docs/workbook.md``), the file an import reads back.

Managers and admins only (``manager_only``); admins get the people sheet too
(``storage.rights.sees_people``). In a 1:1 chat in Teams it comes as a file consent card,
in the Playground as a signed link that expires (``bot.files``); asked in a channel or
group chat, it goes to the 1:1 chat (``personal_only``).
"""

from __future__ import annotations

from bot.intents.file_offer import give
from bot.intents.registry import Help, Intent, Request
from storage.rights import sees_people
from translations.markers import N_


async def reply(request: Request) -> None:
    turn = request.turn
    params = {"lang": turn.t.language, "people": "1" if sees_people(turn.person) else "0"}
    made = await turn.services.files.make("workbook", params, turn.services.sessions)
    title = turn.t("The portfolio workbook")
    await give(request, INTENT, "workbook", params, made, title=title)


INTENT = Intent(
    name="export",
    words=frozenset({"export", "vie", "exportera"}),
    manager_only=True,
    personal_only=True,
    shows_money=True,
    reply=reply,
    sent_privately=N_("I sent the file to our 1:1 chat."),
    help=Help(
        {"fi": "vie", "sv": "exportera", "en": "export"},
        N_("The whole portfolio as an Excel workbook, to edit and send back to me."),
    ),
)
