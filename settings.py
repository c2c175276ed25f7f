"""The one settings class. Created once, in app.py or a command's main()."""

from __future__ import annotations

import ipaddress
import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from yarl import URL

from translations import LANGUAGES

DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path('data') / 'roadmap.db'}"
# where the Bot Framework channel publishes the keys that sign its tokens (the SDK's
# TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
CHANNEL_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
MIN_CLIENT_SECRET_CHARS = 16
# Placeholder phrases, compared with letters and digits only: "REPLACE_ME", "Change-Me" and
# "your-client-secret-here" are all caught. Each is long enough that a random secret never
# contains one by chance. (A bare "secret" or "password" is shorter than a secret may be.)
_PLACEHOLDER_WORDS = (
    "changeme",
    "replaceme",
    "placeholder",
    "yoursecret",
    "clientsecret",
    "secrethere",
    "yourpassword",
    "passwordhere",
    "example",
    "dummy",
    "fixme",
    "notset",
)
_IN_ANGLE_BRACKETS = re.compile(r"<[^<>]*>")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _is_placeholder(secret: str) -> bool:
    """A secret copied from documentation or a template rather than issued: ``<client secret>``,
    ``changeme`` or ``REPLACE_ME`` in any case, or one character repeated."""
    letters = re.sub(r"[^0-9a-z]", "", secret.lower())
    return (
        bool(_IN_ANGLE_BRACKETS.search(secret))
        or len(set(letters)) <= 1
        or any(word in letters for word in _PLACEHOLDER_WORDS)
    )


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Every setting the bot reads, with safe defaults for local use."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        # A refusal names the setting but never echoes what was given: the input is every
        # setting at once, the secrets included.
        hide_input_in_errors=True,
    )

    app_id: str = Field(default="", alias="MicrosoftAppId")
    app_password: SecretStr = Field(default=SecretStr(""), alias="MicrosoftAppPassword")
    app_type: Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"] = Field(
        default="SingleTenant", alias="MicrosoftAppType"
    )
    app_tenant_id: str = Field(default="", alias="MicrosoftAppTenantId")
    openid_metadata_url: str = Field(default=CHANNEL_OPENID_METADATA_URL, alias="BotOpenIdMetadata")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=3978, ge=1, le=65535, alias="PORT")
    public_base_url: str = Field(default="", alias="PUBLIC_BASE_URL")
    timezone: str = Field(default="Europe/Helsinki", alias="TIMEZONE")
    # The language for someone who has chosen none, when Teams sends no locale either
    # (a message to a person the bot reached through a team roster): fi, sv or en.
    default_locale: str = Field(default="fi-FI", alias="DEFAULT_LOCALE")
    allowed_tenants: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="ALLOWED_TENANTS"
    )
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="ADMINS")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    cycle_enabled: bool = Field(default=True, alias="CYCLE_ENABLED")
    chart_key: SecretStr = Field(default=SecretStr(""), alias="CHART_SIGNING_KEY")
    chart_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600, alias="CHART_TTL_SECONDS")
    # Hosts the bot downloads a sent file from and uploads an accepted one to: SharePoint
    # and OneDrive, where Teams keeps files (a leading dot: the domain and its subdomains).
    file_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [".sharepoint.com", ".1drv.ms", ".onedrive.com", ".1drv.com"],
        alias="FILE_HOSTS",
    )
    file_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, alias="FILE_MAX_BYTES")
    file_ttl_seconds: int = Field(default=3600, ge=60, le=24 * 3600, alias="FILE_TTL_SECONDS")
    # the board deck: the city's own .pptx template (its slide master and layouts), and the
    # city's name on the title slide
    deck_template: Path | None = Field(default=None, alias="DECK_TEMPLATE")
    city_name: str = Field(default="", max_length=200, alias="CITY_NAME")

    @field_validator("allowed_tenants", "admins", "file_hosts", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value.replace("_", "-").split("-", 1)[0].lower() not in LANGUAGES:
            raise ValueError(f"DEFAULT_LOCALE: a locale of {', '.join(LANGUAGES)}, such as fi-FI")
        return value

    @field_validator("deck_template", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("deck_template")
    @classmethod
    def _template_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"DECK_TEMPLATE: no such file {value.name!r}")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("openid_metadata_url")
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        url = urlsplit(value)
        # plain http only to this machine: a local stand-in, in tests
        local = url.scheme == "http" and url.hostname in ("localhost", "127.0.0.1", "::1")
        if not url.hostname or not (url.scheme == "https" or local):
            raise ValueError("BotOpenIdMetadata must be an https:// URL")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if not self.app_id and not self.is_loopback:
            raise ValueError(
                f"HOST={self.host} is not a loopback address and MicrosoftAppId is empty: "
                "without credentials the bot accepts unauthenticated requests, so it only "
                "listens on 127.0.0.1 or ::1. Set MicrosoftAppId/MicrosoftAppPassword."
            )
        if self.app_id and not _GUID.match(self.app_id):
            raise ValueError("MicrosoftAppId must be the app registration's GUID")
        password = self.app_password.get_secret_value()
        if self.app_id and self.app_type != "UserAssignedMSI" and not password:
            raise ValueError("MicrosoftAppPassword is required when MicrosoftAppId is set")
        chart_key = self.chart_key.get_secret_value()
        if chart_key and (_is_placeholder(chart_key) or len(chart_key.encode()) < 32):
            raise ValueError(
                "CHART_SIGNING_KEY must be at least 32 random bytes: "
                'python -c "import secrets; print(secrets.token_hex(32))"'
            )
        if password and (_is_placeholder(password) or len(password) < MIN_CLIENT_SECRET_CHARS):
            raise ValueError(
                "MicrosoftAppPassword looks like a placeholder or is too short; set the client "
                "secret from the app registration (Certificates & secrets)"
            )
        if self.app_id and self.app_type == "SingleTenant" and not self.app_tenant_id:
            raise ValueError("MicrosoftAppTenantId is required for a SingleTenant bot")
        return self

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)

    @cached_property
    def chart_signing_key(self) -> bytes:
        """The key that signs chart links; random per process unless set (set it for replicas)."""
        configured = self.chart_key.get_secret_value()
        return configured.encode() if configured else secrets.token_bytes(32)

    @property
    def base_url(self) -> str:
        """Where Teams fetches the bot's own images from."""
        return self.public_base_url or f"http://{self.host}:{self.port}"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def file_host_allowed(self, url: str) -> bool:
        """An https URL on one of ``file_hosts``; in local mode, also http on loopback (the
        Playground and tests serve files there)."""
        try:
            parsed = URL(url)
        except ValueError:
            return False
        host = (parsed.host or "").lower().rstrip(".")
        if parsed.scheme == "https" and any(
            host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed))
            for allowed in self.file_hosts
        ):
            return True
        if self.auth_enabled or parsed.scheme not in ("http", "https"):
            return False
        try:
            return host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        """An empty allow-list admits every tenant only in local (no credentials) mode."""
        if self.allowed_tenants:
            return tenant_id in self.allowed_tenants
        if self.auth_enabled:
            return tenant_id == self.app_tenant_id
        return True
