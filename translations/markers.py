"""Markers for message ids that are translated later, where they are shown.

``N_`` marks a message id; ``NP_`` a plural pair (singular, plural) for ``Translator.plural``
and ``Translator.unit``; ``NC_`` a message id in a context (gettext's ``msgctxt``), for a
word that means two things: "Planned" is a project's state, and in the context "budget" a
money column. All only mark: the extractor (``translations/extract.py``) finds them.
"""

from typing import NamedTuple


class InContext(NamedTuple):
    """A message id and the context that tells it apart from the same English word."""

    context: str
    message: str


def N_(message: str) -> str:
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural


def NC_(context: str, message: str) -> InContext:
    return InContext(context, message)
