"""What the file intents (``export``, ``board_deck``) share: making the file and giving it.

Files show money, so those intents are ``personal_only``: asked in a channel or group
chat, the offer goes to the person's 1:1 chat (``guard.send``), never to the thread.
"""

from __future__ import annotations

from collections.abc import Mapping

from botbuilder.schema import Activity, ActivityTypes

from bot import files
from bot.intents import guard
from bot.intents.registry import Intent, Request
from exports.kinds import MadeFile


async def give(
    request: Request,
    intent: Intent,
    kind: str,
    params: Mapping[str, str],
    made: MadeFile,
    *,
    title: str,
) -> None:
    offer = files.offer(request.turn, kind, params, made, title=title)
    if isinstance(offer, dict):
        await guard.send(intent, request, [offer])
    else:  # the file consent card: only ever in the 1:1 chat
        await request.turn.context.send_activity(
            Activity(type=ActivityTypes.message, attachments=[offer])
        )
