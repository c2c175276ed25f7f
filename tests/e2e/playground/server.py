"""The Playground itself: its config file (``.m365agentsplayground.yml``) and its process.

:func:`write_config` writes the file the Playground reads from its working directory;
:func:`start_playground` starts it on a free port pointed at a bot endpoint, waits until
it is ready and returns a :class:`Playground` whose :meth:`Playground.stop` kills the
whole process group, and which reads the Playground's recording of every exchange.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from tests.e2e.playground.processes import free_port, stop_process_group

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_PLAYGROUND_BIN = Path("node_modules/.bin/agentsplayground")
# Where the dev sandbox has the npm package installed (a fixed, trusted path).
FALLBACK_PLAYGROUND_BIN = Path("/tmp/pg/node_modules/.bin/agentsplayground")  # noqa: S108
CONFIG_FILE_NAME = ".m365agentsplayground.yml"

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

_LISTENING_RE = re.compile(rb"Listening on (\d+)")


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
        """Bodies the bot sent to the mock connector (POST = new, PUT = update); its reads
        (GET a member, the roster) have none."""
        return [
            e["request"]["body"]
            for e in self.recorded_events()
            if e["direction"].startswith("User Application ->") and "body" in e["request"]
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
            stop_process_group(self.process, timeout)
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
        stop_process_group(process, 10.0)
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
