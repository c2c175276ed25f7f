"""A notice to the admins from the cycle: an owner away without a deputy, or someone who
blocked or removed the bot."""

from __future__ import annotations

from typing import Any

from bot.intents.registry import Intent, Outgoing
from cards.messages import build_notice_card
from storage.people import person_by_id


async def compose(out: Outgoing) -> dict[str, Any]:
    payload, t = out.message.payload, out.t
    subject_id = payload.get("owner_id") or payload.get("person_id")
    subject = (
        await person_by_id(int(subject_id), session=out.session)
        if isinstance(subject_id, int)
        else None
    )
    name = subject.name if subject else "?"
    if payload.get("notice") == "no_deputy":
        text = t(
            "{name} is away and has no deputy, so nobody was asked for their project's status.",
            name=name,
        )
    elif payload.get("notice") == "unreachable":
        text = t(
            "I can no longer reach {name}: they blocked or removed the bot. Their messages are on hold.",
            name=name,
        )
    else:
        text = t("A message could not be delivered.")
    return build_notice_card(text, t, warning=True)


INTENT = Intent(name="admin_notice", kinds=frozenset({"notice"}), compose=compose)
