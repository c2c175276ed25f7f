"""The bot: dispatches each activity to its handler through the routing table."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot import files, installs
from bot.connector import ConnectorError
from bot.context import (
    PERSON_KEY,
    REPLAY_KEY,
    SAVE_KEY,
    TRANSLATOR_KEY,
    UNDELIVERED_KEY,
    SaveState,
    Services,
    Turn,
    card_activity,
)
from bot.intents import guard, table
from bot.middleware import is_proactive, safe_for_log
from bot.questions.answering import lone_thing
from bot.questions.parse import parse, suggestions
from bot.router import Router
from cards.common import VERB_STATUS_REFRESH
from cards.elements import CONTENT_TYPE
from cards.messages import build_notice_card
from translations import Translator
from translations.markers import N_

log = logging.getLogger(__name__)


def build_router() -> Router:
    return Router(table)


def card_invoke_response(card: Mapping[str, Any]) -> InvokeResponse:
    return InvokeResponse(
        status=int(HTTPStatus.OK),
        body={"statusCode": 200, "type": CONTENT_TYPE, "value": dict(card)},
    )


class RoadmapBot:
    def __init__(self, services: Services, router: Router | None = None) -> None:
        self._services = services
        self._router = router or build_router()

    def _turn(self, context: TurnContext) -> Turn | None:
        person = context.turn_state.get(PERSON_KEY)
        if person is None:
            return None
        translator: Translator = context.turn_state[TRANSLATOR_KEY]
        return Turn(context=context, services=self._services, person=person, t=translator)

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            await self._on_message(context)
        elif activity.type == ActivityTypes.invoke:
            await self._on_invoke(context)
        elif activity.type == ActivityTypes.conversation_update:
            await self._on_conversation_update(context)
        elif activity.type == ActivityTypes.installation_update:
            action = (activity.action or "").lower()
            if action.startswith("add"):
                await installs.installed(context, self._services)
            elif action.startswith("remove"):
                await installs.uninstalled(context, self._services)

    async def _on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = activity.members_added or []
        removed = activity.members_removed or []
        if any(member.id == bot_id for member in added):
            await installs.installed(context, self._services)
        elif added:
            await installs.members_added(context, self._services)
        if any(member.id == bot_id for member in removed):
            await installs.uninstalled(context, self._services)

    async def _on_message(self, context: TurnContext) -> None:
        turn = self._turn(context)
        if turn is None:
            return
        value = context.activity.value
        if isinstance(value, dict) and isinstance(value.get("verb"), str):
            await self._on_submit(
                turn, value
            )  # Action.Submit from a client without Universal Actions
            return
        text = TurnContext.remove_recipient_mention(context.activity) or ""
        sent = files.sent_file(context.activity)
        if sent is not None:  # a file: the intent that reads files of its kind
            await guard.on_message(table.by_attachment[files.DOWNLOAD_INFO], turn, text)
            return
        intent, rest = self._router.command_for(text)
        if intent is not None:
            await guard.on_message(intent, turn, rest)
            return
        question = parse(text) or await lone_thing(turn, text)
        if question is None:
            card = table.not_understood_card(turn, safe_for_log(text, 80), suggestions(text))
            await turn.send_card(card)
            return
        await guard.on_question(table.questions_by_name[question.intent], turn, question)

    async def _on_submit(self, turn: Turn, value: Mapping[str, Any]) -> None:
        verb = str(value["verb"])
        intent = self._router.action_for(verb)
        if intent is None:
            await turn.send_card(
                build_notice_card(turn.t("That button is no longer supported."), turn.t)
            )
            return
        card = await guard.on_action(intent, turn, verb, value)
        reply_to = turn.activity.reply_to_id
        if reply_to:
            update = card_activity(card)
            update.id = reply_to
            await turn.context.update_activity(update)
        else:
            await turn.send_card(card)

    async def _on_invoke(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.name == files.CONSENT_INVOKE:
            await self._on_file_consent(context)
            return
        if activity.name != "adaptiveCard/action":
            await self._reply(context, InvokeResponse(status=int(HTTPStatus.NOT_IMPLEMENTED)))
            return
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else None
        turn = self._turn(context)
        if action is None or turn is None:
            await self._reply(
                context,
                _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", "missing action or sender"),
            )
            return
        verb = action.get("verb")
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        intent = self._router.action_for(verb) if isinstance(verb, str) else None
        if intent is None or not isinstance(verb, str):
            log.info("unknown card verb %s", safe_for_log(verb))
            card = build_notice_card(turn.t("That button is no longer supported."), turn.t)
        else:
            if context.turn_state.get(
                REPLAY_KEY
            ):  # a replay answers with the state, writes nothing
                verb = VERB_STATUS_REFRESH
                intent = table.by_verb[verb]
            card = await guard.on_action(intent, turn, verb, data)
        await self._reply(context, card_invoke_response(card))

    async def _on_file_consent(self, context: TurnContext) -> None:
        """The person accepted or declined a file consent card (``bot.files``)."""
        turn = self._turn(context)
        value = context.activity.value
        if turn is None or not isinstance(value, dict):
            await self._reply(
                context,
                _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", "missing consent or sender"),
            )
            return
        await files.on_consent(turn, value)
        await self._reply(context, InvokeResponse(status=int(HTTPStatus.OK)))

    @staticmethod
    async def _reply(context: TurnContext, response: InvokeResponse) -> None:
        await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))


def _invoke_error(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    return InvokeResponse(
        status=int(status),
        body={
            "statusCode": int(status),
            "type": "application/vnd.microsoft.error",
            "value": {"code": code, "message": message},
        },
    )


# What a failed turn tells the user: only what is known about its save (``SaveState``).
_FAILED = {
    None: N_(
        "Sorry, something went wrong on my side and nothing was saved. Please try again in a moment."
    ),
    SaveState.saved: N_(
        "Your answer was saved, but something went wrong on my side before I could show it. Type status to see it."
    ),
    SaveState.uncertain: N_(
        "Sorry, something went wrong on my side and I could not check whether your answer was saved. Type status to see what was saved before you try again."
    ),
}


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log the failure, tell the user what became of their save, answer an invoke with a card.

    A proactive turn re-raises instead: the dispatcher records the failed send and retries.
    A reply the connector would not take is the channel's side, not a defect: one line, no
    traceback. If the user could not be told either, the handler does not fail in its
    turn: it marks it ``UNDELIVERED_KEY``, which the edge answers with 502.
    """
    if is_proactive(context):
        raise error
    undelivered = error if isinstance(error, ConnectorError) else None
    if undelivered is None:
        log.error("turn failed: %s", type(error).__name__, exc_info=error)
    t: Translator | None = context.turn_state.get(TRANSLATOR_KEY)
    unreachable = undelivered is not None and undelivered.status is None
    told = False
    if t is not None:
        try:
            told = await _apologise(context, t, unreachable=unreachable)
        except ConnectorError as failed:
            undelivered = undelivered or failed
    if undelivered is not None:
        log.warning(
            "turn failed: a reply could not be sent (%s); the user was %s",
            safe_for_log(undelivered),
            "told" if told else "not told",
        )
        if not told:
            context.turn_state[UNDELIVERED_KEY] = True


async def _apologise(context: TurnContext, t: Translator, *, unreachable: bool) -> bool:
    """Tell the user what became of their save; False when the connector can't be reached anyway."""
    is_invoke = context.activity.type == ActivityTypes.invoke
    if unreachable and not is_invoke:  # an apology would go the same way
        return False
    card = build_notice_card(t(_FAILED[context.turn_state.get(SAVE_KEY)]), t, warning=True)
    if is_invoke:  # the card goes back in the HTTP response
        await RoadmapBot._reply(context, card_invoke_response(card))
    else:
        await context.send_activity(card_activity(card))
    return True
