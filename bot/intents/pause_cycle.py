"""``pause cycle`` (fi ``tauota kierros``, sv ``pausa omgången``): nothing is sent, queued
messages included, until the cycle is resumed; on any replica, the leader follows."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from storage import cycle_store
from storage.db import write_transaction
from translations.markers import N_


async def set_paused(request: Request, paused: bool) -> None:
    turn = request.turn
    async with write_transaction(turn.services.sessions) as session:
        config = await cycle_store.load_config(session=session)
        config.paused = paused
        await cycle_store.save_config(config, by=turn.person, session=session)
    await turn.services.cycle.replan()
    await request.notice(
        turn.t("The cycle is paused.") if paused else turn.t("The cycle is running again.")
    )


async def reply(request: Request) -> None:
    await set_paused(request, True)


INTENT = Intent(
    name="pause",
    words=frozenset({"pause cycle", "tauota kierros", "pausa omgången", "pausa cykeln"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {
            "fi": "tauota kierros · jatka kierrosta",
            "sv": "pausa omgången · återuppta omgången",
            "en": "pause cycle · resume cycle",
        },
        N_("Pause or resume the scheduled messages."),
    ),
)
