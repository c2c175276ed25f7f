"""Harness for end-to-end tests in the Microsoft 365 Agents Playground.

This module holds helpers only (no test functions).  It covers three layers:

1. The Playground process: :func:`write_config` writes the
   ``.m365agentsplayground.yml`` that the Playground reads from its working
   directory, :func:`start_playground` starts it on a free port pointed at a bot
   endpoint, waits until it is ready and returns a :class:`Playground` whose
   :meth:`Playground.stop` kills the whole process group.
2. The browser: :func:`launch_browser` starts Debian's headless Chromium via
   Playwright (never a downloaded browser) with a fresh user-data dir and, by
   default, aborts every request that does not go to this machine.
3. Page helpers: open a conversation, type a message into the compose box and
   press Enter, wait for a bot message or an Adaptive Card, fill card inputs,
   click card buttons, take screenshots.

It uses Playwright's *sync* API, so call it from plain (non-asyncio) tests; run
the bot under test in its own process (see :func:`start_process`).

Selectors were taken from the real DOM of Playground 0.2.28 (see
``docs/playground.md``).  Role/label selectors are used wherever the UI exposes
them; the few CSS selectors are the stable, unhashed Fluent UI / Adaptive Cards
class names (``fai-OutputCard``, ``ac-adaptiveCard``) or Lexical attributes.

Typical use (``art`` is an artefact dir, ``wd`` a scratch dir)::

    write_config(wd, make_config())
    bot_port = free_port()
    with start_process([sys.executable, "app.py"], log_path=art / "bot.log",
                       env={"PORT": str(bot_port)}, wait_port=bot_port), \\
         start_playground(f"http://127.0.0.1:{bot_port}/api/messages", wd,
                          log_dir=art) as pg, \\
         launch_browser(trace_path=art / "trace.zip") as browser:
        page = open_playground(browser, pg)
        open_personal_chat(page)
        wait_for_bot_message(page, "Welcome")
        send_message(page, "card")
        card = wait_for_card(page, "Roadmap item")
        fill_input(card, "Title", "Ship v2")
        click_card_button(card, "Save")
        wait_for_card(page, "Saved: Ship v2")   # replaced in place
        screenshot(page, art, "saved")
        assert pg.activities_to_bot()[-1]["name"] == "adaptiveCard/action"

Import it as ``tests.e2e.playground`` (the repo root is on ``pythonpath``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAYGROUND_BIN = Path("node_modules/.bin/agentsplayground")
# Where the dev sandbox has the npm package installed (a fixed, trusted path).
FALLBACK_PLAYGROUND_BIN = Path("/tmp/pg/node_modules/.bin/agentsplayground")  # noqa: S108
CONFIG_FILE_NAME = ".m365agentsplayground.yml"

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Even with the flags above Chromium resolves update.googleapis.com,
    # accounts.google.com and content-autofill.googleapis.com at start-up.  Make
    # every non-local host name fail inside Chromium, without asking DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)

#: Environment for the Playground process.  ``TEAMSAPPTESTER_BROWSER=none``
#: stops it from opening a browser.  ``--disable-telemetry`` (always passed)
#: only stops custom events; the Application Insights SDK inside still starts
#: "statsbeat", which probes the Azure metadata address 169.254.169.254 and
#: resolves Azure hosts, so statsbeat and the SDK's sender are switched off too.
PLAYGROUND_ENV: dict[str, str] = {
    "TEAMSAPPTESTER_BROWSER": "none",
    "APPLICATION_INSIGHTS_NO_STATSBEAT": "1",
    "APPLICATIONINSIGHTS_CONFIGURATION_CONTENT": json.dumps(
        {"disableAppInsights": True, "disableStatsbeat": True}
    ),
}

# Selectors (Playground 0.2.28).
#: The Lexical compose box ("Type a message..." / "Start a new post").
SEL_COMPOSER = '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]'
#: One bot message bubble (text or card) in a personal or group chat.
SEL_BOT_MESSAGE = ".fai-OutputCard"
#: The root element of a rendered Adaptive Card (any conversation).
SEL_CARD = ".ac-adaptiveCard"
#: Banner shown under a card after an Action.Execute invoke.
SEL_INVOKE_BANNER = '[aria-label="Display Invoked Message"]'
#: Elements that can hold an Adaptive Card input value.
SEL_FORM_CONTROL = "input, textarea, select"

INVOKE_SENT_TEXT = "Your response was sent to the app"
PERSONAL_CHAT_NAME = "Personal Chat"
DEFAULT_TIMEOUT_MS = 15_000

_LISTENING_RE = re.compile(rb"Listening on (\d+)")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


# --------------------------------------------------------------------------
# Small process / network utilities
# --------------------------------------------------------------------------


def find_playground_bin() -> Path:
    """Return the ``agentsplayground`` executable.

    ``$PLAYGROUND_BIN`` wins (relative paths are taken from the repo root); else
    ``<repo>/node_modules/.bin/agentsplayground``; else
    ``/tmp/pg/node_modules/.bin/agentsplayground``.
    """
    env_value = os.environ.get("PLAYGROUND_BIN")
    if env_value:
        path = Path(env_value)
        if not path.is_absolute():
            path = REPO_ROOT / path
        if not path.exists():
            raise FileNotFoundError(f"PLAYGROUND_BIN={env_value!r} does not exist ({path})")
        return path
    for candidate in (REPO_ROOT / DEFAULT_PLAYGROUND_BIN, FALLBACK_PLAYGROUND_BIN):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        "agentsplayground not found: set PLAYGROUND_BIN or install "
        "@microsoft/m365agentsplayground into the repo's node_modules"
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int,
    host: str = "127.0.0.1",
    timeout: float = 30.0,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Block until something accepts TCP connections on ``host:port``.

    If ``process`` is given and exits first, raise ``RuntimeError``.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process exited with {process.returncode} before {host}:{port} opened"
            )
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s") from None
            time.sleep(0.1)


def _stop_process_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the process group led by ``process``, then SIGKILL if needed."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=timeout)


@dataclass
class ManagedProcess:
    """A subprocess started in its own process group (see :func:`start_process`)."""

    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        """Kill the process group and close the log file."""
        try:
            _stop_process_group(self.process, timeout)
        finally:
            self._log.close()

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_process(
    args: Sequence[str],
    *,
    log_path: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    wait_port: int | None = None,
    timeout: float = 30.0,
) -> ManagedProcess:
    """Start ``args`` (e.g. the bot) in a new session, output to ``log_path``.

    ``env`` is added to the current environment.  With ``wait_port`` it blocks
    until 127.0.0.1:``wait_port`` accepts connections.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    full_env = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    managed = ManagedProcess(process=process, log_path=log_path, _log=log)
    if wait_port is not None:
        try:
            wait_for_port(wait_port, timeout=timeout, process=process)
        except BaseException:
            managed.stop()
            raise
    return managed


# --------------------------------------------------------------------------
# Config file (.m365agentsplayground.yml)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaygroundUser:
    """A user in the Playground config (all keys the schema requires)."""

    id: str
    name: str
    aad_object_id: str
    email: str = ""
    given_name: str = ""
    surname: str = ""
    user_principal_name: str = ""

    def to_config(self) -> dict[str, str]:
        """Render as the schema's ``User`` object (note ``userPrincipleName``)."""
        first, _, last = self.name.partition(" ")
        email = self.email or f"{self.id.replace(':', '-')}@example.com"
        return {
            "id": self.id,
            "name": self.name,
            "userPrincipleName": self.user_principal_name or email,
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name or first,
            "surname": self.surname or last or first,
            "email": email,
        }


DEFAULT_TENANT_ID = "00000000-0000-0000-0000-0000000000a1"
DEFAULT_CURRENT_USER = PlaygroundUser(
    id="29:user-pm-1",
    name="Priya Manager",
    aad_object_id="00000000-0000-0000-0000-0000000000b1",
    email="priya@contoso.example",
)
REQUIRED_OTHER_USERS = 5  # the schema demands exactly five entries in `users`


def make_config(
    *,
    current_user: PlaygroundUser = DEFAULT_CURRENT_USER,
    users: Sequence[PlaygroundUser] = (),
    tenant_id: str = DEFAULT_TENANT_ID,
    bot_id: str = "28:roadmap-bot",
    bot_name: str = "Roadmap Bot",
    personal_chat_id: str = "a:personal-chat",
    group_chat_id: str = "19:group-chat@thread.v2",
    group_chat_name: str = "Group Chat",
    team_id: str = "19:team-general@thread.tacv2",
    team_name: str = "Product Team",
    team_aad_group_id: str = "00000000-0000-0000-0000-0000000000c1",
    channel: tuple[str, str] | None = ("19:roadmap-channel@thread.tacv2", "Roadmap"),
) -> dict[str, Any]:
    """Build a config dict that satisfies the Playground's schema (v0.1.1).

    ``users`` are the *other* users (group chat / team members); the schema
    needs exactly five, so fewer are padded with generated users.  ``channel``
    is the single extra channel (id, name) besides General, whose id is
    ``team_id``.
    """
    if len(users) > REQUIRED_OTHER_USERS:
        raise ValueError(f"the Playground accepts exactly {REQUIRED_OTHER_USERS} other users")
    if len(bot_name) > 42:
        raise ValueError("bot name is limited to 42 characters by the schema")
    padded = list(users)
    n = 1
    while len(padded) < REQUIRED_OTHER_USERS:
        padded.append(
            PlaygroundUser(
                id=f"29:test-user-{n}",
                name=f"Test User{n}",
                aad_object_id=f"00000000-0000-0000-0000-{n:012d}",
            )
        )
        n += 1
    return {
        "version": "0.1.1",
        "tenantId": tenant_id,
        "bot": {"id": bot_id, "name": bot_name},
        "currentUser": current_user.to_config(),
        "users": [u.to_config() for u in padded],
        "personalChat": {"id": personal_chat_id},
        "groupChat": {"id": group_chat_id, "name": group_chat_name},
        "team": {
            "id": team_id,
            "name": team_name,
            "aadGroupId": team_aad_group_id,
            "channels": [] if channel is None else [{"id": channel[0], "name": channel[1]}],
        },
    }


def write_config(workdir: Path, config: Mapping[str, Any]) -> Path:
    """Write ``config`` to ``workdir/.m365agentsplayground.yml`` and return it.

    The file is written as JSON, which is valid YAML for the Playground's parser.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / CONFIG_FILE_NAME
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# The Playground process
# --------------------------------------------------------------------------


@dataclass
class Playground:
    """A running Playground (see :func:`start_playground`)."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: Path
    log_dir: Path
    bot_endpoint: str
    _stdout: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        """Web UI (same origin also serves the mock connector)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        """The ``serviceUrl`` put on activities: the bot replies here."""
        return f"http://localhost:{self.port}/_connector"

    @property
    def server_log(self) -> Path:
        """The Playground's own log (console output goes only here)."""
        return self.log_dir / "m365agentsplayground.log"

    @property
    def stdout_log(self) -> Path:
        return self.log_dir / "playground.stdout.log"

    @property
    def events_file(self) -> Path:
        """Events recording (``--enable-events-recording``), if switched on."""
        return self.log_dir / "events.log"

    def recorded_events(self) -> list[dict[str, Any]]:
        """Parse :attr:`events_file`: every exchange in both directions, in order.

        Each item has ``direction`` ("Microsoft 365 Agents Playground -> User
        Application" for activities sent to the bot, the reverse for the bot's
        connector calls), ``activityName`` (e.g. "message", "invoke"),
        ``conversationId``, ``request`` (``method``, ``url``, ``headers``,
        ``body`` = the activity) and ``response`` (``statusCode``, ``body``; for
        an invoke the bot's invoke response).  Empty if recording is off.
        """
        if not self.events_file.exists():
            return []
        text = self.events_file.read_text(encoding="utf-8")
        return [json.loads(chunk) for chunk in text.split("\n---\n") if chunk.strip()]

    def activities_to_bot(self) -> list[dict[str, Any]]:
        """Bodies of the activities the Playground POSTed to the bot, in order."""
        return [
            e["request"]["body"]
            for e in self.recorded_events()
            if e["direction"].endswith("-> User Application")
        ]

    def activities_from_bot(self) -> list[dict[str, Any]]:
        """Bodies the bot sent to the mock connector (POST = new, PUT = update)."""
        return [
            e["request"]["body"]
            for e in self.recorded_events()
            if e["direction"].startswith("User Application ->")
        ]

    def request_json(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
        """Call one of the Playground's HTTP endpoints; decode a JSON reply."""
        return _http_json(self.port, method, path, body, timeout)

    def activity_template(self, conversation_id: str, activity_type: str | None = None) -> Any:
        """Activity the "Mock an Activity" dialog would start from.

        ``activity_type`` is one of install, uninstall, botAdded, userAdded,
        botRemoved, userRemoved, channelCreated, channelRenamed,
        channelDeleted, teamRenamed, teamDeleted (None: custom activity).
        """
        query = {"conversationId": conversation_id}
        if activity_type:
            query["type"] = activity_type
        return self.request_json(
            "GET", "/_internal/v1/customActivities/template?" + urllib.parse.urlencode(query)
        )

    def send_custom_activity(self, activity: Mapping[str, Any]) -> None:
        """POST ``activity`` unchanged to the bot (fire and forget).

        This is the way to send something the UI cannot: another ``from`` user,
        another ``locale``, a hand-made invoke.  Replies show in the UI when
        they target a conversation that is open there.
        """
        self.request_json("POST", "/_internal/v1/customActivities", dict(activity))

    def stop(self, timeout: float = 10.0) -> None:
        """Kill the Playground's process group and close its stdout log."""
        try:
            _stop_process_group(self.process, timeout)
        finally:
            self._stdout.close()

    def __enter__(self) -> Playground:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except OSError:
        return ""


def start_playground(
    bot_endpoint: str,
    workdir: Path,
    *,
    port: int | None = None,
    log_dir: Path | None = None,
    timeout: float = 60.0,
    channel_id: str | None = None,
    timezone: str | None = None,
    record_events: bool = True,
    extra_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
) -> Playground:
    """Start the Playground in ``workdir`` (which holds the yml) and wait for it.

    ``bot_endpoint`` is e.g. ``http://127.0.0.1:3978/api/messages``.  The UI
    and the mock connector share one port (a free one unless ``port`` is
    given; if that is taken the Playground picks another and we read which).
    ``timezone`` sets ``TZ`` and so ``localTimezone`` on activities.  Logs go
    to ``log_dir`` (default ``workdir/devTools``); with ``record_events`` every
    exchange is also written to ``log_dir/events.log`` (see
    :meth:`Playground.recorded_events`).  Start the bot first: when the page
    loads, the Playground waits up to 15 s for the bot endpoint.
    """
    workdir = workdir.resolve()
    if not (workdir / CONFIG_FILE_NAME).exists():
        raise FileNotFoundError(f"{workdir / CONFIG_FILE_NAME} missing (see write_config)")
    log_dir = (log_dir or workdir / "devTools").resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(find_playground_bin()),
        "start",
        "--app-endpoint",
        bot_endpoint,
        "--port",
        str(port if port is not None else free_port()),
        "--disable-telemetry",
    ]
    if channel_id:
        args += ["--channel-id", channel_id]
    if record_events:
        args.append("--enable-events-recording")
    args += list(extra_args)
    env = {
        **os.environ,
        **PLAYGROUND_ENV,
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(log_dir / "m365agentsplayground.log"),
        "M365_AGENTS_PLAYGROUND_RECORDING_FILE": str(log_dir / "events.log"),
        **({"TZ": timezone} if timezone else {}),
        **(extra_env or {}),
    }
    (log_dir / "events.log").unlink(missing_ok=True)  # the Playground appends
    stdout_path = log_dir / "playground.stdout.log"
    stdout = stdout_path.open("wb")
    process = subprocess.Popen(
        args,
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    pg: Playground | None = None
    try:
        deadline = time.monotonic() + timeout
        actual_port: int | None = None
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"Playground exited with {process.returncode}\n--- stdout ---\n"
                    f"{_tail(stdout_path)}\n--- log ---\n{_tail(log_dir / 'm365agentsplayground.log')}"
                )
            if actual_port is None:
                match = _LISTENING_RE.search(stdout_path.read_bytes())
                if match:
                    actual_port = int(match.group(1))
                    pg = Playground(process, actual_port, workdir, log_dir, bot_endpoint, stdout)
            if pg is not None and _ping(pg.port):
                return pg
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Playground not ready after {timeout}s\n{_tail(stdout_path)}\n"
                    f"{_tail(log_dir / 'm365agentsplayground.log')}"
                )
            time.sleep(0.1)
    except BaseException:
        _stop_process_group(process, 10.0)
        stdout.close()
        raise


def _http_json(port: int, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
    """Plain HTTP/1.1 to 127.0.0.1:``port``; raise on a non-2xx status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    if not 200 <= resp.status < 300:
        raise RuntimeError(f"{method} {path} -> HTTP {resp.status}: {raw[:500]!r}")
    return json.loads(raw) if raw.strip() else None


def _ping(port: int) -> bool:
    """True once the backend routes are mounted (``/_debug/ping`` -> pong)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2.0)
    try:
        conn.request("GET", "/_debug/ping")
        resp = conn.getresponse()
        return resp.status == 200 and resp.read().strip() == b"pong"
    except OSError:
        return False
    finally:
        conn.close()


# --------------------------------------------------------------------------
# Activity-rewriting proxy (locale / user the Playground cannot send)
# --------------------------------------------------------------------------

Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


class ActivityProxy:
    """HTTP proxy between the Playground and the bot that rewrites activities.

    The Playground hard-codes ``locale: "en-US"`` and always sends as the
    yml's ``currentUser``.  Point the Playground at :attr:`url` instead of the
    bot and set :attr:`locale` (and/or :attr:`rewrite`) at any time; every
    activity POSTed to the bot afterwards is changed on the way.  Replies go
    straight from the bot to the Playground (``serviceUrl``), so the UI is
    unaffected.  Use as a context manager; it serves from a daemon thread.
    """

    def __init__(self, target_url: str, *, locale: str | None = None) -> None:
        parsed = urllib.parse.urlsplit(target_url)
        if parsed.scheme != "http" or parsed.hostname is None:
            raise ValueError(f"need an http:// bot URL, got {target_url!r}")
        self._target_host = parsed.hostname
        self._target_port = parsed.port or 80
        self._path = parsed.path or "/"
        self.locale = locale
        self.rewrite: Rewrite | None = None
        self.forwarded: list[dict[str, Any]] = []
        self._server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler, self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Give this to :func:`start_playground` as the bot endpoint."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self._path}"

    def apply(self, activity: dict[str, Any]) -> dict[str, Any]:
        """The rewrite applied to each activity (locale first, then ``rewrite``)."""
        if self.locale:
            activity["locale"] = self.locale
            for entity in activity.get("entities") or []:
                if isinstance(entity, dict) and entity.get("type") == "clientInfo":
                    entity["locale"] = self.locale
        if self.rewrite is not None:
            activity = self.rewrite(activity)
        return activity

    def forward(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        if method == "POST" and body:
            try:
                activity = json.loads(body)
            except ValueError:
                activity = None
            if isinstance(activity, dict):
                activity = self.apply(activity)
                self.forwarded.append(activity)
                body = json.dumps(activity).encode()
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "authorization")}
        conn = http.client.HTTPConnection(self._target_host, self._target_port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=keep)
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type", ""), resp.read()
        finally:
            conn.close()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ActivityProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        proxy: ActivityProxy,
    ) -> None:
        super().__init__(address, handler)
        self.proxy = proxy


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        assert isinstance(self.server, _ProxyServer)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, content_type, payload = self.server.proxy.forward(
                self.command, self.path, dict(self.headers.items()), body
            )
        except OSError as exc:
            status, content_type, payload = 502, "text/plain", str(exc).encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _handle
    do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output quiet


# --------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------


@dataclass
class BrowserSession:
    """Playwright + a persistent Chromium context (see :func:`launch_browser`)."""

    playwright: Playwright
    context: BrowserContext
    user_data_dir: Path
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.hostname in _LOCAL_HOSTS


@contextlib.contextmanager
def launch_browser(
    *,
    headless: bool = True,
    viewport: tuple[int, int] = (1400, 900),
    block_external: bool = True,
    trace_path: Path | None = None,
    default_timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Iterator[BrowserSession]:
    """Headless Debian Chromium with a fresh, temporary user-data dir.

    With ``block_external`` every request that does not go to 127.0.0.1 /
    localhost is aborted (the UI otherwise asks a CDN for Segoe UI fonts and an
    animation worklet; it works fine without them) and listed in
    ``blocked_requests``.  With ``trace_path`` a Playwright trace (screenshots +
    DOM snapshots) is saved there on exit.
    """
    user_data_dir = Path(tempfile.mkdtemp(prefix="pg-chromium-"))
    pw = sync_playwright().start()
    try:
        context = pw.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=CHROMIUM_PATH,
            headless=headless,
            args=list(CHROMIUM_ARGS),
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        session = BrowserSession(pw, context, user_data_dir)
        context.set_default_timeout(default_timeout_ms)
        if block_external:

            def _route(route: Route) -> None:
                url = route.request.url
                if _is_local(url):
                    route.continue_()
                else:
                    session.blocked_requests.append(url)
                    route.abort()

            context.route("**/*", _route)
        if trace_path is not None:
            context.tracing.start(screenshots=True, snapshots=True)
        try:
            yield session
        finally:
            if trace_path is not None:
                trace_path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(Exception):
                    context.tracing.stop(path=str(trace_path))
            context.close()
    finally:
        pw.stop()
        shutil.rmtree(user_data_dir, ignore_errors=True)


def open_playground(session: BrowserSession, pg: Playground, timeout_ms: int = 30_000) -> Page:
    """Load the Playground UI and wait until the conversation list is shown.

    Every page load starts with an empty client-side chat history.  On load the
    Playground sends installationUpdate + conversationUpdate (membersAdded) for
    the personal chat to the bot (so a welcome arrives even before the chat is
    opened); a group chat or channel gets them when first opened.  A reload
    sends them again.
    """
    context = session.context
    page = context.pages[0] if context.pages else context.new_page()

    def _on_console(msg: ConsoleMessage) -> None:
        text = msg.text
        if msg.type != "error" or "ERR_FAILED" in text:
            return
        if any(url in text for url in session.blocked_requests):
            return  # fallout of block_external (CDN fonts / worklet)
        session.console_errors.append(text)

    page.on("console", _on_console)
    page.goto(pg.url)
    expect(page.get_by_role("tree", name="Personal and Group Chat")).to_be_visible(
        timeout=timeout_ms
    )
    return page


# --------------------------------------------------------------------------
# Page helpers: conversations and messages
# --------------------------------------------------------------------------


def composer(page: Page) -> Locator:
    """The compose box (in a channel: the "Start a new post" box)."""
    return page.locator(SEL_COMPOSER).first


def _open_conversation(page: Page, tree_item_name: str, timeout_ms: int) -> None:
    page.get_by_role("treeitem", name=tree_item_name, exact=True).click()
    expect(composer(page)).to_be_visible(timeout=timeout_ms)


def open_personal_chat(page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Open the 1:1 chat with the bot; its messages since page load are shown."""
    _open_conversation(page, PERSONAL_CHAT_NAME, timeout_ms)


def open_group_chat(page: Page, name: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Open the group chat called ``name`` (``groupChat.name`` in the yml).

    The bot only receives group-chat messages that @mention it.
    """
    _open_conversation(page, name, timeout_ms)


def open_channel(
    page: Page, team: str, channel: str = "General", timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> None:
    """Open a team channel (tree item "<team> - <channel>").

    Use :func:`post_in_channel` there; bot replies render in the post's thread
    (not as ``SEL_BOT_MESSAGE``), cards still match ``SEL_CARD``.
    """
    _open_conversation(page, f"{team} - {channel}", timeout_ms)


def _type_into(page: Page, box: Locator, text: str, mention: str | None, timeout_ms: int) -> None:
    box.click()
    if mention:
        box.press_sequentially("@" + mention)
        page.get_by_role("menuitem", name=mention).first.click(timeout=timeout_ms)
        if text:
            box.press_sequentially(" ")
    if text:
        box.press_sequentially(text)


def send_message(
    page: Page, text: str, *, mention: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> None:
    """Type ``text`` into the compose box and press Enter.

    ``mention`` (e.g. the bot's name) inserts an @mention first, picked from
    the typeahead menu; needed in group chats and channels.
    """
    box = composer(page)
    expect(box).to_be_visible(timeout=timeout_ms)
    _type_into(page, box, text, mention, timeout_ms)
    box.press("Enter")
    expect(box).to_have_text("", timeout=timeout_ms)


def post_in_channel(
    page: Page, text: str, *, mention: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Start a new channel post and return its thread (a ``role=group`` card)."""
    box = composer(page)
    _type_into(page, box, text, mention, timeout_ms)
    page.get_by_role("button", name="Post", exact=True).click()
    thread = page.get_by_role("group").filter(has_text=text).last
    expect(thread).to_be_visible(timeout=timeout_ms)
    return thread


def bot_messages(page: Page) -> Locator:
    """All bot message bubbles (text and cards) in the open personal/group chat."""
    return page.locator(SEL_BOT_MESSAGE)


def latest_bot_message(page: Page) -> Locator:
    return bot_messages(page).last


def wait_for_bot_message(
    page: Page, text: str | re.Pattern[str], timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait for a bot message containing ``text``; return the latest such message."""
    message = bot_messages(page).filter(has_text=text).last
    expect(message).to_be_visible(timeout=timeout_ms)
    return message


def wait_for_bot_reply(
    page: Page, previous_count: int, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait until there are more than ``previous_count`` bot messages; return the newest.

    Take ``previous_count = bot_messages(page).count()`` before sending.
    """
    expect(bot_messages(page)).not_to_have_count(previous_count, timeout=timeout_ms)
    return latest_bot_message(page)


# --------------------------------------------------------------------------
# Page helpers: Adaptive Cards
# --------------------------------------------------------------------------


def cards(page: Page | Locator) -> Locator:
    return page.locator(SEL_CARD)


def wait_for_card(
    page: Page | Locator, text: str | re.Pattern[str], timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait for an Adaptive Card containing ``text``; return the latest such card."""
    card = cards(page).filter(has_text=text).last
    expect(card).to_be_visible(timeout=timeout_ms)
    return card


def card_input(card: Locator, label: str) -> Locator:
    """An input of ``card`` found by its exact ``label`` or else its placeholder.

    The card's ``Input.*`` ``id`` is *not* in the DOM (the renderer generates
    ids), so give inputs a ``label`` (or at least a ``placeholder``).  For an
    ``isRequired`` input the renderer appends a red " *" to the ``<label>``,
    which Playwright counts as part of the label text, so the match allows it.
    """
    exact_label = re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$")
    by_label = card.get_by_label(exact_label).and_(card.locator(SEL_FORM_CONTROL))
    by_placeholder = card.get_by_placeholder(label, exact=True)
    return by_label.or_(by_placeholder).first


def fill_input(card: Locator, label: str, value: str) -> None:
    """Fill a text-like card input found by label (or placeholder)."""
    card_input(card, label).fill(value)


def click_card_button(card: Locator, title: str) -> None:
    """Click the card action whose title is ``title``."""
    card.get_by_role("button", name=title, exact=True).click()


def wait_for_invoke_banner(
    card_or_page: Page | Locator, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait for the banner the UI shows after a successful Action.Execute."""
    banner = card_or_page.locator(SEL_INVOKE_BANNER).filter(has_text=INVOKE_SENT_TEXT).last
    expect(banner).to_be_visible(timeout=timeout_ms)
    return banner


# --------------------------------------------------------------------------
# Artefacts
# --------------------------------------------------------------------------


def screenshot(page: Page, artefact_dir: Path, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG screenshot as ``artefact_dir/<name>.png`` and return its path."""
    artefact_dir.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    path = artefact_dir / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
