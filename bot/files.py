"""Files to and from Teams: offering a made file, its upload after consent, and a sent
file's download.

Out: in a 1:1 chat in Teams the file goes the Teams way, as a file consent card; once the
person accepts, Teams' ``fileConsent/invoke`` gives an upload URL in their OneDrive, the
file is made again from the signed description in the card's context and put there, and
a file card shows it. In a shared conversation, and in local mode (the Playground, which
has no OneDrive), it goes as a signed, expiring download link (``exports.links``). Either
way the file is made for the person it was offered to, under the rights it was signed for.

In: a file someone sends is downloaded only from the allowed hosts (``FILE_HOSTS``;
loopback too in local mode), up to ``FILE_MAX_BYTES``, within a time limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.access import is_shared
from bot.context import Turn
from cards.messages import build_file_link_card, build_notice_card
from cards.views import FileLinkView
from charts.signing import BadSignature
from exports.kinds import FileNotFound, MadeFile
from exports.links import file_url, signed_params, verify
from translations.markers import N_

log = logging.getLogger(__name__)
CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
CONSENT_INVOKE = "fileConsent/invoke"
TIMEOUT = ClientTimeout(total=60, connect=10)


class FileRefused(Exception):
    """A sent file that is not read: from another host, too large, or not there.

    ``reason`` is a message id, said to the person who sent it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _for(turn: Turn) -> str:
    return turn.person.aad_object_id or str(turn.person.id)


def offer(
    turn: Turn, kind: str, params: Mapping[str, str], made: MadeFile, *, title: str
) -> dict[str, Any] | Attachment:
    """How to give the person a file that ``exports`` can make again from ``kind`` and
    ``params``: a card with a signed link (in a shared conversation, and in local mode, the
    Playground, which has no OneDrive), or Teams' file consent card in the 1:1 chat."""
    settings = turn.services.settings
    params = {**params, "for": _for(turn)}
    now = int(time.time())
    if is_shared(turn) or not settings.auth_enabled:
        url = file_url(
            settings.base_url,
            kind,
            params,
            rights="money",
            ttl_seconds=settings.file_ttl_seconds,
            key=settings.chart_signing_key,
            now=now,
        )
        view = FileLinkView(
            title=title,
            file_name=made.name,
            url=url,
            expires_at=datetime.fromtimestamp(now + settings.file_ttl_seconds, UTC),
        )
        return build_file_link_card(view, turn.t)
    context = signed_params(
        kind,
        params,
        rights="money",
        expires_at=now + settings.file_ttl_seconds,
        key=settings.chart_signing_key,
    )
    return Attachment(
        content_type=CONSENT,
        name=made.name,
        content={
            "description": title,
            "sizeInBytes": len(made.data),
            "acceptContext": {"kind": kind, "link": context},
            "declineContext": {"kind": kind},
        },
    )


async def on_consent(turn: Turn, value: Mapping[str, Any]) -> None:
    """The person accepted or declined a file consent card: upload it, or say so."""
    t = turn.t
    if value.get("action") != "accept":
        await turn.send_card(build_notice_card(t("All right: I did not send the file."), t))
        return
    context = _mapping(value.get("context"))
    upload = _mapping(value.get("uploadInfo"))
    kind, link = context.get("kind"), context.get("link")
    upload_url, content_url = upload.get("uploadUrl"), upload.get("contentUrl")
    settings = turn.services.settings
    try:
        if not isinstance(kind, str) or not isinstance(link, dict):
            raise BadSignature("no file in the context")
        request = verify(link, kind=kind, key=settings.chart_signing_key, now=int(time.time()))
        if request.params.get("for") != _for(turn):
            raise BadSignature("offered to someone else")
    except BadSignature as error:
        log.info("file consent refused: %s", error)
        await turn.send_card(
            build_notice_card(t("That file offer has expired. Ask for the file again."), t)
        )
        return
    if not isinstance(upload_url, str) or not settings.file_host_allowed(upload_url):
        log.warning("file consent with an upload URL outside FILE_HOSTS")
        await turn.send_card(
            build_notice_card(t("I could not upload the file. Please try again."), t, warning=True)
        )
        return
    try:
        made = await turn.services.files.make(request.kind, request.params, turn.services.sessions)
    except FileNotFound:
        await turn.send_card(
            build_notice_card(t("That file offer has expired. Ask for the file again."), t)
        )
        return
    try:
        await _upload(upload_url, made.data)
    except (ClientError, TimeoutError) as error:
        log.warning("file upload failed: %s", type(error).__name__)
        await turn.send_card(
            build_notice_card(t("I could not upload the file. Please try again."), t, warning=True)
        )
        return
    info = Attachment(
        content_type=FILE_INFO,
        content_url=content_url,
        name=upload.get("name") or made.name,
        content={"uniqueId": upload.get("uniqueId"), "fileType": upload.get("fileType")},
    )
    await turn.context.send_activity(Activity(type=ActivityTypes.message, attachments=[info]))


async def _upload(url: str, data: bytes) -> None:
    """One PUT of the whole file to the upload session Teams opened in OneDrive."""
    headers = {
        "Content-Length": str(len(data)),
        "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
    }
    async with (
        ClientSession(timeout=TIMEOUT) as session,
        session.put(url, data=data, headers=headers) as response,
    ):
        response.raise_for_status()


def sent_file(activity: Activity) -> tuple[str, str] | None:
    """The name and download URL of a file sent in this message, if there is one."""
    for attachment in activity.attachments or []:
        if attachment.content_type != DOWNLOAD_INFO:
            continue
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl")
        if isinstance(url, str):
            return attachment.name or "", url
    return None


async def download(turn: Turn, url: str) -> bytes:
    """A sent file's bytes, from an allowed host, within the size and time limits."""
    settings = turn.services.settings
    if not settings.file_host_allowed(url):
        raise FileRefused(N_("it is not stored where Teams keeps files"))
    limit = settings.file_max_bytes
    try:
        async with (
            ClientSession(timeout=TIMEOUT) as session,
            session.get(url, allow_redirects=False) as response,
        ):
            if response.status != 200:
                raise FileRefused(N_("it could not be downloaded"), f"{response.status}")
            if response.content_length is not None and response.content_length > limit:
                raise FileRefused(N_("it is too large"))
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise FileRefused(N_("it is too large"))
            return bytes(data)
    except (ClientError, TimeoutError) as error:
        raise FileRefused(N_("it could not be downloaded"), type(error).__name__) from error
