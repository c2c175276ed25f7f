"""Markers for message ids that are translated later, where they are shown.

``N_`` marks a message id; ``NP_`` a plural pair (singular, plural) for ``Translator.plural``
and ``Translator.unit``. Both only mark: the extractor (``translations/extract.py``) finds them.
"""


def N_(message: str) -> str:
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural
