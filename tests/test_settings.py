"""Start-up refusals: weak client secrets are refused, and no refusal shows a secret."""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from pydantic import ValidationError

from settings import MIN_CLIENT_SECRET_CHARS, Settings

APP_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "66666666-7777-8888-9999-000000000000"
# shaped like a client secret from Entra's "Certificates & secrets"
ISSUED_SECRET = "Jx8Q~k2vP.aZ3_bR9-mN4tY7wL0cE5hG1fD6sUq"
STRONG_CHART_KEY = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d1f"


def credentials(password: str) -> dict[str, Any]:
    return {
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": password,
        "MicrosoftAppTenantId": TENANT,
    }


def shown(error: BaseException) -> str:
    """Everything a start-up refusal prints: the message and the whole traceback."""
    return str(error) + repr(error) + "".join(traceback.format_exception(error))


@pytest.mark.parametrize(
    "password",
    [
        "<client secret>",  # the README's own example
        "<Client Secret for the Roadmap Bot app>",
        "changeme",
        "CHANGEME",
        "Change-Me-Change-Me-2026",
        "REPLACE_ME",
        "replace-me-with-the-real-one",
        "your-client-secret-here",
        "Your-Password-Goes-Here",
        "secret",
        "PASSWORD",
        "x",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ISSUED_SECRET[: MIN_CLIENT_SECRET_CHARS - 1],  # random, but too short to be issued
    ],
)
def test_weak_client_secrets_are_refused(password: str) -> None:
    with pytest.raises(ValidationError, match="MicrosoftAppPassword"):
        Settings(**credentials(password), _env_file=None)


def test_an_issued_client_secret_is_accepted() -> None:
    settings = Settings(**credentials(ISSUED_SECRET), _env_file=None)
    assert settings.app_password.get_secret_value() == ISSUED_SECRET


@pytest.mark.parametrize(
    "key",
    ["<chart signing key: 32 random bytes, in hex>", "changeme" * 4, "REPLACE_ME" * 4],
)
def test_placeholder_chart_keys_are_refused(key: str) -> None:
    with pytest.raises(ValidationError, match="CHART_SIGNING_KEY"):
        Settings(CHART_SIGNING_KEY=key, _env_file=None)


@pytest.mark.parametrize(
    ("values", "secrets"),
    [
        # a short chart key: refused, and its end is not printed
        ({"CHART_SIGNING_KEY": "short-but-Kq7Zr2Tail"}, ["Kq7Zr2Tail"]),
        # another setting refused: the good secrets given with it are not printed either
        (
            {
                "HOST": "0.0.0.0",  # noqa: S104 (refused: no credentials)
                "CHART_SIGNING_KEY": STRONG_CHART_KEY,
            },
            [STRONG_CHART_KEY, STRONG_CHART_KEY[-12:]],
        ),
        (
            {
                **credentials(ISSUED_SECRET),
                "MicrosoftAppTenantId": "",
                "CHART_SIGNING_KEY": STRONG_CHART_KEY,
            },
            [ISSUED_SECRET, ISSUED_SECRET[-12:], STRONG_CHART_KEY[-12:]],
        ),
        # a refused client secret is not printed
        (credentials("<Pa55-Word-For-Kq7Zr2>"), ["Pa55-Word-For-Kq7Zr2"]),
        (credentials("Kq7Zr2-too-short"[:15]), ["Kq7Zr2-too-shor"]),
    ],
)
def test_a_refusal_never_prints_a_secret(values: dict[str, Any], secrets: list[str]) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(**values, _env_file=None)
    printed = shown(error.value)
    for secret in secrets:
        assert secret not in printed
