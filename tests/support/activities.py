"""Teams-shaped activity JSON, as the channel posts it to /api/messages."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

TENANT = "tenant-porvoo"
BOT = {"id": "28:roadmap-bot", "name": "Roadmap Bot"}
_ids = itertools.count(1)


@dataclass(frozen=True)
class User:
    teams_id: str
    aad: str
    name: str
    locale: str = "en-US"

    @property
    def account(self) -> dict[str, Any]:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad}

    @property
    def conversation(self) -> str:
        return f"a:personal-{self.aad}"


LANGUAGES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


def as_language(user: User, language: str) -> User:
    """The same user, with their Teams client in ``language`` (fi, sv or en)."""
    return User(user.teams_id, user.aad, user.name, LANGUAGES[language])


def _base(user: User, service_url: str, kind: str = "message", **extra: Any) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": kind,
        "id": f"act-{next(_ids)}",
        "timestamp": "2026-11-29T08:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": user.account,
        "recipient": BOT,
        "conversation": {
            "id": user.conversation,
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "locale": user.locale,
    }
    activity.update(extra)
    return activity


CHANNEL = "19:roadmap-channel@thread.tacv2"
GROUP_CHAT = "19:group-chat@thread.v2"


def in_conversation(activity: dict[str, Any], kind: str) -> dict[str, Any]:
    """The same activity sent in a ``personal`` chat, a ``groupChat`` or a ``channel``."""
    if kind == "personal":
        return activity
    conversation_id = CHANNEL if kind == "channel" else GROUP_CHAT
    activity["conversation"] = {
        "id": conversation_id,
        "conversationType": kind,
        "tenantId": TENANT,
        "isGroup": True,
    }
    if kind == "channel":
        activity["channelData"] = {
            "tenant": {"id": TENANT},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": CHANNEL},
        }
    return activity


def message(user: User, service_url: str, text: str) -> dict[str, Any]:
    return _base(user, service_url, text=text, textFormat="plain")


def execute(user: User, service_url: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    """Action.Execute: an ``adaptiveCard/action`` invoke; Teams merges inputs into data."""
    return _base(
        user,
        service_url,
        "invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        },
        replyToId="card-1",
    )


def submit(user: User, service_url: str, data: dict[str, Any]) -> dict[str, Any]:
    """Action.Submit: a message whose value is the card's data merged with its inputs."""
    return _base(user, service_url, value=data, replyToId="card-1")


def personal_install(user: User, service_url: str) -> dict[str, Any]:
    return _base(user, service_url, "installationUpdate", action="add")


def personal_uninstall(user: User, service_url: str) -> dict[str, Any]:
    return _base(user, service_url, "installationUpdate", action="remove")


def bot_added_to_personal(user: User, service_url: str) -> dict[str, Any]:
    return _base(user, service_url, "conversationUpdate", membersAdded=[BOT, user.account])


def team_install(
    user: User, service_url: str, team_id: str = "19:team@thread.tacv2"
) -> dict[str, Any]:
    activity = _base(user, service_url, "conversationUpdate", membersAdded=[BOT])
    activity["conversation"] = {
        "id": team_id,
        "conversationType": "channel",
        "tenantId": TENANT,
        "isGroup": True,
        "name": "Digital programme",
    }
    activity["channelData"] = {
        "tenant": {"id": TENANT},
        "team": {"id": team_id, "name": "Digital programme"},
        "eventType": "teamMemberAdded",
    }
    return activity
