"""``export`` (fi ``vie``, sv ``exportera``): the portfolio as the programme office's
workbook (``docs/workbook.md``), the file an import reads back.

Managers and admins only (``manager_only``); admins get the people sheet too. In a 1:1
chat in Teams it comes as a file consent card, elsewhere as a signed link that expires
(``bot.files``).
"""

from __future__ import annotations

from bot import files
from bot.intents.registry import Help, Intent, Request
from storage.models import Role
from translations.markers import N_


async def reply(request: Request) -> None:
    turn = request.turn
    params = {
        "lang": turn.t.language,
        "people": "1" if turn.person.role == Role.admin else "0",
    }
    made = await turn.services.files.make("workbook", params, turn.services.sessions)
    await files.offer(turn, "workbook", params, made, title=turn.t("The portfolio workbook"))


INTENT = Intent(
    name="export",
    words=frozenset({"export", "vie", "exportera"}),
    manager_only=True,
    shows_money=True,
    reply=reply,
    help=Help(
        {"fi": "vie", "sv": "exportera", "en": "export"},
        N_("The whole portfolio as an Excel workbook, to edit and send back to me."),
    ),
)
