"""``N_`` marks a message id for extraction; it is translated later, where it is shown."""


def N_(message: str) -> str:
    return message
