"""What the ``adaptivecards`` package lacks, built on its own base classes.

The package (0.4.1) has text, containers and fact sets, but no ``Input.*``, ``Action.*``,
``refresh`` or ``msteams`` properties, and its ``AdaptiveCard`` defaults to version 1.2.
"""

from __future__ import annotations

from typing import Any

import orjson
from adaptivecards.adaptivecard import AdaptiveCard as _PackageCard
from adaptivecards.baseobject import BareObject, PropertyType
from adaptivecards.containers import ActionSet, Column, ColumnSet, Container, Fact, FactSet
from adaptivecards.elements import Element, Image, TextBlock

__all__ = [
    "ActionExecute",
    "ActionOpenUrl",
    "ActionSet",
    "ActionSubmit",
    "AdaptiveCard",
    "Choice",
    "Column",
    "ColumnSet",
    "Container",
    "Fact",
    "FactSet",
    "Image",
    "InputChoiceSet",
    "InputNumber",
    "InputText",
    "Refresh",
    "TextBlock",
    "render",
    "rendered",
]

CARD_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class AdaptiveCard(_PackageCard):  # type: ignore[misc]
    """A version 1.5 card with Universal Actions' ``refresh``."""

    refresh = PropertyType(type=BareObject)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_data("version", CARD_VERSION)


class Input(Element):  # type: ignore[misc]
    label = PropertyType(type=str)
    is_required = PropertyType(type=bool, key_name="isRequired")
    error_message = PropertyType(type=str, key_name="errorMessage")


class InputText(Input):
    element_type = "Input.Text"
    value = PropertyType(type=str)
    placeholder = PropertyType(type=str)
    is_multiline = PropertyType(type=bool, key_name="isMultiline")
    max_length = PropertyType(type=int, key_name="maxLength")


class InputNumber(Input):
    element_type = "Input.Number"
    value = PropertyType(type=(int, float))
    placeholder = PropertyType(type=str)
    min = PropertyType(type=(int, float))
    max = PropertyType(type=(int, float))


class Choice(BareObject):  # type: ignore[misc]
    title = PropertyType(type=str)
    value = PropertyType(type=str)


class InputChoiceSet(Input):
    element_type = "Input.ChoiceSet"
    choices = PropertyType(type=list)
    value = PropertyType(type=str)
    style = PropertyType(type=str)
    placeholder = PropertyType(type=str)


class _Action(BareObject):  # type: ignore[misc]
    action_type = "None"
    title = PropertyType(type=str)
    style = PropertyType(type=str)
    id = PropertyType(type=str)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._data["type"] = self.action_type


class ActionExecute(_Action):
    """Universal Action: arrives as an ``adaptiveCard/action`` invoke."""

    action_type = "Action.Execute"
    verb = PropertyType(type=str)
    data = PropertyType(type=dict)
    associated_inputs = PropertyType(type=str, key_name="associatedInputs")


class ActionSubmit(_Action):
    """Arrives as a message whose ``value`` is ``data`` merged with the inputs."""

    action_type = "Action.Submit"
    data = PropertyType(type=dict)
    associated_inputs = PropertyType(type=str, key_name="associatedInputs")


class ActionOpenUrl(_Action):
    """Opens a link: a web page, or a Teams deep link such as a chat with the bot."""

    action_type = "Action.OpenUrl"
    url = PropertyType(type=str)


class TappableColumnSet(ColumnSet):  # type: ignore[misc]
    """A ColumnSet whose ``selectAction`` is an action (the package types it as a string)."""

    select_action = PropertyType(type=_Action, key_name="selectAction")


class Refresh(BareObject):  # type: ignore[misc]
    """``refresh.action`` is invoked automatically for the listed user ids (at most 60)."""

    action = PropertyType(type=ActionExecute)
    user_ids = PropertyType(type=list, key_name="userIds")


def render(card: AdaptiveCard | dict[str, Any]) -> dict[str, Any]:
    """The card as plain JSON data: a copy that shares nothing with the built objects, nor
    with any prebuilt part (``rendered``) a card given as a dictionary holds."""
    result: dict[str, Any] = orjson.loads(orjson.dumps(card, default=_bare_data))
    return result


def rendered(element: BareObject) -> dict[str, Any]:
    """One element as plain JSON data, to keep as a prebuilt part of cards: a card copies
    it, fills in its values and is ``render``-ed whole, so the part is never changed."""
    result: dict[str, Any] = orjson.loads(orjson.dumps(element, default=_bare_data))
    return result


def _bare_data(value: object) -> Any:
    """What the package's ``AdaptiveCardJSONEncoder`` writes for its objects."""
    if isinstance(value, BareObject):
        return value._data
    raise TypeError(f"{type(value).__name__} is not JSON")
