"""The incoming activity, read into botbuilder's ``Activity`` without msrest's walk.

msrest's ``Deserializer`` reads an activity generically: for every attribute of every model
it copies the attribute's description, runs its key extractors and dispatches on the type
string, and it copies every ``object`` value node by node. That was about a tenth of a
turn. This reader does the same for the shapes the channel sends, from each model's
``_attribute_map`` prepared once: the same classes, the same attributes, ``iso-8601``
parsed by msrest's own parser, and the keys no attribute names kept in
``additional_properties`` as msrest keeps them (a mention's ``mentioned`` and ``text``
live there).

Anything it is not sure to read exactly as msrest would (a number where a string is
expected, a dictionary-typed attribute, a model that is not a JSON object) is handed to
msrest whole, so the result, and a refusal of a malformed activity, stay msrest's.
``tests/bot/test_incoming.py`` holds the two readers against each other on a corpus of
Teams activities.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.schema import Activity
from msrest.serialization import Deserializer, Model


class _Unusual(Exception):
    """Not a shape this reader takes: msrest reads the activity instead."""


Reader = Callable[[Any], Any]


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise _Unusual
    return value


def _boolean(value: Any) -> Any:
    if type(value) is not bool:
        raise _Unusual
    return value


def _integer(value: Any) -> Any:
    if type(value) is not int:
        raise _Unusual
    return value


def _number(value: Any) -> Any:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)  # as msrest's float(value)
    raise _Unusual


def _timestamp(value: Any) -> Any:
    if type(value) is not str:
        raise _Unusual
    return Deserializer.deserialize_iso(value)  # type: ignore[no-untyped-call]


def _anything(value: Any) -> Any:
    # msrest copies JSON values node by node into equal ones; the parsed body is
    # not used after the activity is read, so it is shared instead.
    return value


_BASIC: dict[str, Reader] = {
    "str": _string,
    "bool": _boolean,
    "int": _integer,
    "long": _integer,
    "float": _number,
    "iso-8601": _timestamp,
    "object": _anything,
}


class _ModelReader:
    """One model class: its attributes by JSON key, each with the reader of its type."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.fields: list[tuple[str, str, Reader]] = []
        self.known_keys: frozenset[str] = frozenset()

    def prepare(self, models: dict[str, type[Model]]) -> None:
        fields = []
        for attribute, description in self.model._attribute_map.items():
            key, kind = description["key"], description["type"]
            if attribute == "additional_properties" or "." in key or "\\" in key:
                raise TypeError(f"{self.model.__name__}.{attribute} needs msrest")
            fields.append((attribute, key, _reader(kind, models)))
        self.fields = fields
        self.known_keys = frozenset(key for _attribute, key, _reader in fields)

    def __call__(self, data: Any) -> Any:
        if type(data) is not dict:
            raise _Unusual
        values = {}
        for attribute, key, read in self.fields:
            value = data.get(key)
            values[attribute] = None if value is None else read(value)
        instance = self.model(**values)
        if len(data) > len(self.known_keys) or not self.known_keys.issuperset(data):
            extra = {key: value for key, value in data.items() if key not in self.known_keys}
            if extra:
                instance.additional_properties = extra
        return instance


_READERS: dict[type[Model], _ModelReader] = {}


def _model_reader(model: type[Model], models: dict[str, type[Model]]) -> _ModelReader:
    reader = _READERS.get(model)
    if reader is None:
        reader = _READERS[model] = _ModelReader(model)
        reader.prepare(models)  # once registered: models refer to each other
    return reader


def _list_of(read: Reader) -> Reader:
    def read_list(value: Any) -> Any:
        if type(value) is not list:
            raise _Unusual
        return [None if item is None else read(item) for item in value]

    return read_list


def _unusual(_value: Any) -> Any:
    raise _Unusual


def _reader(kind: str, models: dict[str, type[Model]]) -> Reader:
    if kind in _BASIC:
        return _BASIC[kind]
    if kind.startswith("[") and kind.endswith("]"):
        return _list_of(_reader(kind[1:-1], models))
    model = models.get(kind)
    if (
        model is not None
        and not getattr(model, "_subtype_map", None)
        and not getattr(model, "_validation", None)
    ):
        return _model_reader(model, models)
    return _unusual  # dictionaries, bytes, enums, polymorphic or validated models: msrest


_ACTIVITY = _model_reader(Activity, Activity._infer_class_models())


def read_activity(body: dict[str, Any]) -> Activity:
    """The activity in ``body`` (parsed JSON), as ``Activity().deserialize(body)`` reads it.

    Raises what msrest raises for an activity it can't read.
    """
    try:
        activity: Activity = _ACTIVITY(body)
    except _Unusual:
        activity = Activity().deserialize(body)
    return activity
