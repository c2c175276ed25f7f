"""``bot.incoming.read_activity`` against msrest's ``Activity().deserialize`` on a corpus of
Teams activities: the same classes, attributes, values and ``additional_properties``,
and the same refusals."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest
from azure.core.exceptions import DeserializationError
from botbuilder.schema import Activity
from msrest.serialization import Model

from bot.incoming import read_activity
from tests.support import activities as shapes

USER = shapes.User("29:aino", "aad-aino", "Aino Virtanen", locale="fi-FI")
URL = "https://smba.trafficmanager.net/emea/"


def _teams_message_with_mention() -> dict[str, Any]:
    """As Teams posts a channel message that @mentions the bot (trimmed ids)."""
    return {
        "text": "<at>Roadmap Bot</at> budget 2025",
        "textFormat": "plain",
        "attachments": [
            {
                "contentType": "text/html",
                "content": '<div><at id="0">Roadmap Bot</at> budget 2025</div>',
            }
        ],
        "type": "message",
        "timestamp": "2026-11-30T06:20:11.4873215Z",
        "localTimestamp": "2026-11-30T08:20:11.4873215+02:00",
        "id": "1764483611487",
        "channelId": "msteams",
        "serviceUrl": URL,
        "from": {
            "id": "29:1abc",
            "name": "Björn Lindqvist",
            "aadObjectId": "0f4c1c1e-1111-2222-3333-444455556666",
        },
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": "tenant-porvoo",
            "id": "19:abc@thread.tacv2;messageid=1764483611487",
        },
        "recipient": {"id": "28:roadmap-bot", "name": "Roadmap Bot"},
        "entities": [
            {
                "mentioned": {"id": "28:roadmap-bot", "name": "Roadmap Bot"},
                "text": "<at>Roadmap Bot</at>",
                "type": "mention",
            },
            {
                "locale": "sv-FI",
                "country": "FI",
                "platform": "Web",
                "timezone": "Europe/Helsinki",
                "type": "clientInfo",
            },
        ],
        "channelData": {
            "teamsChannelId": "19:abc@thread.tacv2",
            "teamsTeamId": "19:team@thread.tacv2",
            "channel": {"id": "19:abc@thread.tacv2"},
            "team": {"id": "19:team@thread.tacv2"},
            "tenant": {"id": "tenant-porvoo"},
        },
        "locale": "sv-FI",
        "localTimezone": "Europe/Helsinki",
    }


def _corpus() -> list[dict[str, Any]]:
    service = URL
    personal = shapes.message(USER, service, "tila")
    channel = shapes.in_conversation(shapes.message(USER, service, "yhteenveto"), "channel")
    group = shapes.in_conversation(shapes.message(USER, service, "budget 2025"), "groupChat")
    execute = shapes.execute(USER, service, "status.save", {"project": "12", "health": "green"})
    submit = shapes.submit(
        USER, service, {"verb": "status.save", "project": "12", "spent": "1 200,50"}
    )
    with_unknown = shapes.message(USER, service, "help")
    with_unknown["someFutureField"] = {"nested": [1, 2.5, None, "x"]}
    with_unknown["from"]["userRole"] = "user"  # a key ChannelAccount has no attribute for
    attachments = shapes.message(USER, service, "")
    attachments["attachments"] = [
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "contentUrl": "https://porvoo.sharepoint.com/a.xlsx",
            "name": "a.xlsx",
            "content": {"downloadUrl": "https://porvoo.sharepoint.com/d", "fileType": "xlsx"},
        }
    ]
    expect_replies = shapes.message(USER, service, "ohje")
    expect_replies["deliveryMode"] = "expectReplies"
    reaction = shapes.message(USER, service, "x")
    reaction.update(
        type="messageReaction",
        reactionsAdded=[{"type": "like"}],
        replyToId="1764483611487",
    )
    return [
        personal,
        channel,
        group,
        execute,
        submit,
        with_unknown,
        attachments,
        expect_replies,
        reaction,
        shapes.personal_install(USER, service),
        shapes.personal_uninstall(USER, service),
        shapes.bot_added_to_personal(USER, service),
        shapes.team_install(USER, service),
        _teams_message_with_mention(),
    ]


def _unusual() -> list[dict[str, Any]]:
    """Shapes the fast reader hands to msrest: the result must still be msrest's."""
    number_text = shapes.message(USER, URL, "x")
    number_text["text"] = 2025
    string_flag = shapes.message(USER, URL, "x")
    string_flag["conversation"]["isGroup"] = "true"
    whole_seconds = shapes.message(USER, URL, "x")
    whole_seconds["timestamp"] = "2026-11-29T08:00:00Z"
    return [number_text, string_flag, whole_seconds]


def _state(value: Any) -> Any:
    """A model as nested plain data: its class, every attribute, additional properties."""
    if isinstance(value, Model):
        return (type(value).__name__, {key: _state(item) for key, item in vars(value).items()})
    if isinstance(value, list):
        return [_state(item) for item in value]
    if isinstance(value, dict):
        return {key: _state(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    return (type(value).__name__, value)


@pytest.mark.parametrize("body", _corpus() + _unusual(), ids=lambda body: str(body.get("type")))
def test_reads_every_activity_as_msrest_does(body: dict[str, Any]) -> None:
    expected = Activity().deserialize(copy.deepcopy(body))
    assert _state(read_activity(copy.deepcopy(body))) == _state(expected)


def test_a_mention_keeps_what_msrest_keeps_in_additional_properties() -> None:
    activity = read_activity(_teams_message_with_mention())
    mention = activity.entities[0]
    assert mention.type == "mention"
    assert mention.additional_properties == {
        "mentioned": {"id": "28:roadmap-bot", "name": "Roadmap Bot"},
        "text": "<at>Roadmap Bot</at>",
    }
    assert activity.from_property.aad_object_id == "0f4c1c1e-1111-2222-3333-444455556666"
    assert activity.timestamp is not None and activity.timestamp.utcoffset() is not None


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "message", "timestamp": "not a date"},
        {"type": "message", "conversation": "not an object"},
        {"type": "message", "entities": {"not": "a list"}},
    ],
)
def test_what_msrest_refuses_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(DeserializationError):
        Activity().deserialize(copy.deepcopy(broken))
    with pytest.raises(DeserializationError):
        read_activity(copy.deepcopy(broken))
