"""Build the Teams app package: ``python -m manifest.build [--out PATH]``.

The package is a zip with ``manifest.json``, its localization files and its two
icons at the root. ``manifest.json`` in the repository carries the all-zero GUID
as a placeholder (the schema requires a GUID for ``id`` and ``bots[].botId``);
the build replaces it with the bot's real Microsoft App ID, read from the
environment variable ``MicrosoftAppId`` or else from ``./.env``. If
``PUBLIC_BASE_URL`` is set, its host is added to ``validDomains``.

Exit codes: 0 on success, 2 when the settings or the source files are unusable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger("manifest.build")  # not __main__ under python -m

SOURCE_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = Path("build") / "roadmap-bot.zip"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
APP_ID_VAR = "MicrosoftAppId"
BASE_URL_VAR = "PUBLIC_BASE_URL"
EXIT_USAGE = 2

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Zip entries get a fixed timestamp so the same inputs give a byte-identical package.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """The package cannot be built; the message says why and what to do."""


def read_dotenv(path: Path) -> dict[str, str]:
    """Read ``KEY=value`` lines from a .env file; a missing file gives ``{}``.

    Blank lines, ``#`` comments and an ``export`` prefix are understood, and one
    pair of matching quotes around a value is removed. Nothing is interpolated.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def _setting(name: str, environ: Mapping[str, str], dotenv: Mapping[str, str]) -> str | None:
    """The environment wins over .env; an empty value counts as unset."""
    for source in (environ, dotenv):
        value = source.get(name, "").strip()
        if value:
            return value
    return None


def _printable(value: str) -> str:
    """A value safe to put in a log line (no control characters, bounded length)."""
    cleaned = _CONTROL.sub("?", value)
    return cleaned if len(cleaned) <= 60 else cleaned[:57] + "..."


def parse_app_id(value: str | None) -> str:
    """Return the app id in lower case, or raise BuildError saying what is wrong."""
    if value is None:
        raise BuildError(
            f"{APP_ID_VAR} is not set: set the environment variable or add "
            f"'{APP_ID_VAR}=<GUID>' to ./.env "
            "(the bot's Microsoft App ID, from its Azure Bot resource)"
        )
    if not _GUID.fullmatch(value):
        raise BuildError(
            f"{APP_ID_VAR} {_printable(value)!r} is not a GUID "
            "(expected the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
        )
    if value == PLACEHOLDER_ID:
        raise BuildError(
            f"{APP_ID_VAR} is the all-zero placeholder GUID; use the bot's real Microsoft App ID"
        )
    return value.lower()


def parse_base_host(value: str | None) -> str | None:
    """The host of PUBLIC_BASE_URL: ``https://bot.example.org/x`` gives ``bot.example.org``."""
    if value is None:
        return None
    try:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        host = parts.hostname
    except ValueError as error:
        raise BuildError(f"{BASE_URL_VAR} {_printable(value)!r} is not a URL: {error}") from error
    if not host or any(char.isspace() for char in host):
        raise BuildError(
            f"{BASE_URL_VAR} {_printable(value)!r} has no host name (expected e.g. https://bot.example.org)"
        )
    return host


def _substitute(node: Any, app_id: str) -> Any:
    """Replace the placeholder GUID wherever it occurs in a string of the manifest."""
    if isinstance(node, dict):
        return {key: _substitute(value, app_id) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, app_id) for item in node]
    if isinstance(node, str):
        return node.replace(PLACEHOLDER_ID, app_id)
    return node


def render_manifest(
    template: Mapping[str, Any], app_id: str, base_host: str | None = None
) -> dict[str, Any]:
    """The manifest with the real app id and, if given, the bot's host in validDomains."""
    manifest: dict[str, Any] = _substitute(dict(template), app_id)
    if base_host is not None:
        domains: list[str] = list(manifest.get("validDomains", []))
        if base_host not in domains:
            domains.append(base_host)
        manifest["validDomains"] = domains
    return manifest


def package_files(manifest: Mapping[str, Any]) -> list[str]:
    """The files the manifest refers to: its icons and localization files."""
    icons = manifest.get("icons", {})
    names = [icons.get("color"), icons.get("outline"), icons.get("color32x32")]
    localization = manifest.get("localizationInfo", {})
    names.append(localization.get("defaultLanguageFile"))
    names.extend(language.get("file") for language in localization.get("additionalLanguages", []))
    return [name for name in names if isinstance(name, str)]


def _load_manifest(source_dir: Path) -> dict[str, Any]:
    path = source_dir / "manifest.json"
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BuildError(f"{path} is missing") from error
    except json.JSONDecodeError as error:
        raise BuildError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(loaded, dict):
        raise BuildError(f"{path} must hold a JSON object")
    return loaded


def build_package(
    out: Path,
    app_id: str,
    base_host: str | None = None,
    source_dir: Path = SOURCE_DIR,
) -> Path:
    """Write the app package to ``out`` and return its path.

    The zip is written next to ``out`` first and moved into place, so a failed
    build never leaves a half-written package behind.
    """
    manifest = render_manifest(_load_manifest(source_dir), app_id, base_host)
    names = package_files(manifest)
    for name in names:
        if Path(name).name != name:
            raise BuildError(
                f"manifest.json refers to {name!r}: Teams expects every file at the package root"
            )
        if not (source_dir / name).is_file():
            raise BuildError(
                f"manifest.json refers to {name!r}, which is missing from {source_dir}"
            )

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=out.parent, prefix=f".{out.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = Path(handle.name)
    except OSError as error:
        raise BuildError(f"cannot write to {out.parent}: {error}") from error
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
            _write_entry(archive, "manifest.json", text.encode("utf-8"))
            for name in names:
                _write_entry(archive, name, (source_dir / name).read_bytes())
        temporary.replace(out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise BuildError(f"cannot write {out}: {error}") from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return out


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m manifest.build",
        description="Build the Teams app package: manifest.json, localizations and icons in a zip.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write the zip (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    env = os.environ if environ is None else environ
    dotenv = read_dotenv(Path.cwd() / ".env")
    try:
        app_id = parse_app_id(_setting(APP_ID_VAR, env, dotenv))
        base_host = parse_base_host(_setting(BASE_URL_VAR, env, dotenv))
        out = build_package(args.out, app_id, base_host)
    except BuildError as error:
        logger.error("cannot build the app package: %s", error)
        return EXIT_USAGE
    sys.stdout.write(f"{out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
