"""The Teams app manifest, its localizations, its icons and the app-package build."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema.validators import validator_for
from PIL import Image

from manifest import build, draw_icons

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO.parent / "shared" / "schemas"
MANIFEST_DIR = REPO / "manifest"

APP_ID = "5f3c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59"
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
PACKAGE_FILES = {"manifest.json", "fi.json", "sv.json", "color.png", "outline.png"}

PERSONAL = ["help", "status", "summary", "roadmap", "budget", "project", "late"]
SHARED = ["help", "summary", "roadmap", "budget", "late"]
TRANSLATIONS = {
    "fi": {
        "help": "ohje",
        "status": "tila",
        "summary": "yhteenveto",
        "roadmap": "tiekartta",
        "budget": "budjetti",
        "project": "projekti",
        "late": "myöhässä",
    },
    "sv": {
        "help": "hjälp",
        "status": "status",
        "summary": "sammanfattning",
        "roadmap": "färdplan",
        "budget": "budget",
        "project": "projekt",
        "late": "försenade",
    },
}
# Command words that are the same in the language as in English.
SAME_AS_ENGLISH = {"sv": {"status", "budget"}}

_COMMAND_KEY = re.compile(
    r"^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$"
)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def validator(schema_name: str) -> jsonschema.protocols.Validator:
    """A validator of the draft the schema declares (both Teams schemas say draft-04)."""
    path = SCHEMAS / schema_name
    assert path.is_file(), f"{path} is missing: shared/schemas must lie beside the repository"
    schema = load_json(path)
    cls = validator_for(schema, default=None)
    assert cls is not None, f"{schema_name} declares no known $schema draft"
    # The schema is checked against its meta-schema without format checks: the
    # manifest schema has a pattern with \p{L}, which Python's re cannot compile.
    cls.check_schema(schema, format_checker=None)
    # Both schemas only use local "#/..." references, so no remote $ref is ever fetched.
    return cls(schema)


def assert_valid(instance: Any, schema_name: str) -> None:
    errors = sorted(validator(schema_name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def manifest() -> dict[str, Any]:
    result: dict[str, Any] = load_json(MANIFEST_DIR / "manifest.json")
    return result


def localization(language: str) -> dict[str, Any]:
    result: dict[str, Any] = load_json(MANIFEST_DIR / f"{language}.json")
    return result


def commands(manifest_data: dict[str, Any]) -> list[tuple[int, int, dict[str, str]]]:
    return [
        (list_index, command_index, command)
        for list_index, command_list in enumerate(manifest_data["bots"][0]["commandLists"])
        for command_index, command in enumerate(command_list["commands"])
    ]


def rgba_pixels(image: Image.Image) -> list[tuple[int, int, int, int]]:
    data = image.convert("RGBA").tobytes()
    return [(data[i], data[i + 1], data[i + 2], data[i + 3]) for i in range(0, len(data), 4)]


def build_zip(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    out: str = "pkg/roadmap-bot.zip",
) -> tuple[int, Path]:
    monkeypatch.chdir(tmp_path)
    code = build.main(["--out", out], environ=environ)
    return code, tmp_path / out


# --- manifest.json -------------------------------------------------------------------------------


def test_manifest_validates_against_the_v1_25_schema() -> None:
    assert_valid(manifest(), "teams-manifest-v1.25.schema.json")


@pytest.mark.parametrize(
    "breakage",
    [
        lambda data: data.update(id="${{BOT_ID}}"),
        lambda data: data.pop("developer"),
        lambda data: data["bots"][0]["commandLists"][0]["commands"].append({"title": "x"}),
        lambda data: data.update(accentColor="blue"),
    ],
)
def test_the_schema_check_catches_a_broken_manifest(breakage: Any) -> None:
    data = manifest()
    breakage(data)
    assert list(validator("teams-manifest-v1.25.schema.json").iter_errors(data))


def test_the_schema_check_catches_a_broken_localization() -> None:
    data = localization("fi")
    data["bots[0].commandLists[0].commands[12].title"] = "liikaa"
    del data["description.short"]
    errors = list(validator("teams-manifest-localization-v1.25.schema.json").iter_errors(data))
    assert len(errors) == 2


def test_manifest_declares_v1_25() -> None:
    # The schema says `"const": "1.25"`, a keyword that draft-04 validators ignore.
    data = manifest()
    assert data["manifestVersion"] == "1.25"
    assert data["$schema"].endswith("/teams/v1.25/MicrosoftTeams.schema.json")


def test_manifest_describes_the_bot() -> None:
    data = manifest()
    assert data["name"]["short"] == "Roadmap Bot"
    assert data["id"] == PLACEHOLDER
    assert data["localizationInfo"] == {
        "defaultLanguageTag": "en-us",
        "additionalLanguages": [
            {"languageTag": "fi-fi", "file": "fi.json"},
            {"languageTag": "sv-se", "file": "sv.json"},
        ],
    }
    [bot] = data["bots"]
    assert bot["botId"] == PLACEHOLDER
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is True  # the workbook comes and goes as a file in the 1:1 chat
    assert bot["isNotificationOnly"] is False
    full = data["description"]["full"]
    for topic in ("status card", "remind", "budget", "impact", "Finnish", "Swedish", "English"):
        assert topic in full


def test_command_lists_per_scope() -> None:
    personal, shared = manifest()["bots"][0]["commandLists"]
    assert personal["scopes"] == ["personal"]
    assert [command["title"] for command in personal["commands"]] == PERSONAL
    assert sorted(shared["scopes"]) == ["groupChat", "team"]
    assert [command["title"] for command in shared["commands"]] == SHARED
    # One command has one description, whichever scope it is offered in.
    by_title = {command["title"]: command["description"] for command in personal["commands"]}
    for command in shared["commands"]:
        assert command["description"] == by_title[command["title"]]


# --- fi.json and sv.json -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_localization_validates_against_its_schema(language: str) -> None:
    assert_valid(localization(language), "teams-manifest-localization-v1.25.schema.json")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_localization_respects_the_manifest_limits(language: str) -> None:
    # In the localization schema maxLength sits beside a $ref, and draft-04 ignores
    # keywords beside a $ref, so the limits of the manifest schema are checked here.
    data = localization(language)
    assert 0 < len(data["name.short"]) <= 30
    assert 0 < len(data["name.full"]) <= 100
    assert 0 < len(data["description.short"]) <= 80
    assert 0 < len(data["description.full"]) <= 4000
    for key in ("name.short", "name.full", "description.short", "description.full"):
        assert data[key] != manifest()[key.split(".")[0]][key.split(".")[1]]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_command_is_translated(language: str) -> None:
    data = localization(language)
    expected = TRANSLATIONS[language]
    same = SAME_AS_ENGLISH.get(language, set())
    for list_index, command_index, command in commands(manifest()):
        prefix = f"bots[0].commandLists[{list_index}].commands[{command_index}]"
        title = data.get(f"{prefix}.title")
        description = data.get(f"{prefix}.description")
        assert title == expected[command["title"]], prefix
        assert description, f"{prefix}.description is missing in {language}.json"
        assert description != command["description"], f"{prefix}.description is not translated"
        if command["title"] not in same:
            assert title != command["title"], f"{prefix}.title is not translated"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_localization_names_only_existing_commands(language: str) -> None:
    known = {(list_index, command_index) for list_index, command_index, _ in commands(manifest())}
    for key in localization(language):
        match = _COMMAND_KEY.match(key)
        if match:
            assert (int(match[1]), int(match[2])) in known, f"{key} names no command"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_command_reads_the_same_in_every_scope(language: str) -> None:
    data = localization(language)
    seen: dict[str, tuple[str, str]] = {}
    for list_index, command_index, command in commands(manifest()):
        prefix = f"bots[0].commandLists[{list_index}].commands[{command_index}]"
        text = (data[f"{prefix}.title"], data[f"{prefix}.description"])
        assert seen.setdefault(command["title"], text) == text, prefix


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_localized_command_titles_are_distinct(language: str) -> None:
    data = localization(language)
    for list_index, command_list in enumerate(manifest()["bots"][0]["commandLists"]):
        titles = [
            data[f"bots[0].commandLists[{list_index}].commands[{index}].title"]
            for index in range(len(command_list["commands"]))
        ]
        assert len(titles) == len(set(titles))


# --- icons ---------------------------------------------------------------------------------------


def test_color_icon_is_192_full_colour() -> None:
    with Image.open(MANIFEST_DIR / "color.png") as image:
        assert image.format == "PNG"
        assert image.size == (192, 192)
        assert image.mode in {"RGB", "RGBA"}
        rgba = image.convert("RGBA")
    # Opaque in the middle, with the accent blue and the white roadmap both present.
    centre = rgba.crop((24, 24, 168, 168))
    assert all(alpha == 255 for *_, alpha in rgba_pixels(centre))
    pixels = rgba_pixels(centre)
    assert sum(pixel[:3] == (255, 255, 255) for pixel in pixels) > 500
    blue = sum(b > 140 and b > r + 60 for r, _, b, _ in pixels)
    assert blue > len(pixels) // 2


def test_outline_icon_is_white_on_transparent() -> None:
    with Image.open(MANIFEST_DIR / "outline.png") as image:
        assert image.format == "PNG"
        assert image.size == (32, 32)
        assert image.mode == "RGBA"
        pixels = rgba_pixels(image)
    alphas = [alpha for *_, alpha in pixels]
    assert all(pixel[3] == 0 for pixel in (pixels[0], pixels[31], pixels[-32], pixels[-1]))
    assert sum(alpha == 0 for alpha in alphas) > 32 * 32 // 3, "the background must be transparent"
    assert sum(alpha == 255 for alpha in alphas) > 100, "the outline must be visible"
    not_white = [pixel for pixel in pixels if pixel[3] > 0 and pixel[:3] != (255, 255, 255)]
    assert not not_white, f"{len(not_white)} visible pixels are not white"


@pytest.mark.parametrize(
    ("name", "draw"),
    [("color.png", draw_icons.draw_color), ("outline.png", draw_icons.draw_outline)],
)
def test_committed_icons_match_their_drawing(name: str, draw: Any) -> None:
    """The PNGs are what draw_icons.py draws now: rerun it after changing the drawing."""
    drawn = draw().convert("RGBA")
    with Image.open(MANIFEST_DIR / name) as image:
        committed = image.convert("RGBA")
    assert drawn.size == committed.size
    difference = sum(abs(a - b) for a, b in zip(drawn.tobytes(), committed.tobytes(), strict=True))
    # A little slack for a different Pillow's rounding; a changed drawing is far above it.
    assert difference / len(drawn.tobytes()) < 1.0


# --- the app package -----------------------------------------------------------------------------


def test_build_packages_the_manifest_with_the_real_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = build_zip(tmp_path, monkeypatch, {"MicrosoftAppId": APP_ID})
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert set(archive.namelist()) == PACKAGE_FILES
        assert len(archive.namelist()) == len(PACKAGE_FILES)
        packaged = json.loads(archive.read("manifest.json").decode("utf-8"))
        for name in PACKAGE_FILES - {"manifest.json"}:
            assert archive.read(name) == (MANIFEST_DIR / name).read_bytes(), name
    assert packaged["id"] == APP_ID
    assert packaged["bots"][0]["botId"] == APP_ID
    assert PLACEHOLDER not in json.dumps(packaged)
    assert_valid(packaged, "teams-manifest-v1.25.schema.json")
    # Nothing but the id changes.
    assert json.loads(json.dumps(packaged).replace(APP_ID, PLACEHOLDER)) == manifest()


def test_build_icons_in_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = build_zip(tmp_path, monkeypatch, {"MicrosoftAppId": APP_ID})
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        with archive.open("color.png") as handle, Image.open(handle) as color:
            assert color.size == (192, 192)
            assert color.mode in {"RGB", "RGBA"}
        with archive.open("outline.png") as handle, Image.open(handle) as outline:
            assert outline.size == (32, 32)
            assert outline.mode == "RGBA"
            pixels = rgba_pixels(outline)
    assert any(pixel[3] == 0 for pixel in pixels)
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels if pixel[3] > 0)


def test_build_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {"MicrosoftAppId": APP_ID}
    assert build_zip(tmp_path, monkeypatch, environ, "one.zip")[0] == 0
    assert build_zip(tmp_path, monkeypatch, environ, "two.zip")[0] == 0
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


def test_build_reads_the_id_from_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        f'# local settings\nMicrosoftAppPassword=secret\nexport MicrosoftAppId="{APP_ID}"\n',
        encoding="utf-8",
    )
    code, out = build_zip(tmp_path, monkeypatch, {})
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "MicrosoftAppId=11111111-2222-3333-4444-555555555555\n", encoding="utf-8"
    )
    code, out = build_zip(tmp_path, monkeypatch, {"MicrosoftAppId": APP_ID})
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID


def test_public_base_url_host_becomes_a_valid_domain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environ = {
        "MicrosoftAppId": APP_ID,
        "PUBLIC_BASE_URL": "https://Roadmap.Porvoo.example:8443/bot/",
    }
    code, out = build_zip(tmp_path, monkeypatch, environ)
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        packaged = json.loads(archive.read("manifest.json"))
    assert packaged["validDomains"] == ["roadmap.porvoo.example"]
    assert_valid(packaged, "teams-manifest-v1.25.schema.json")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "MicrosoftAppId is not set"),
        ({"MicrosoftAppId": "   "}, "MicrosoftAppId is not set"),
        ({"MicrosoftAppId": "not-a-guid"}, "'not-a-guid' is not a GUID"),
        ({"MicrosoftAppId": APP_ID + "0"}, "is not a GUID"),
        ({"MicrosoftAppId": "{" + APP_ID + "}"}, "is not a GUID"),
        ({"MicrosoftAppId": PLACEHOLDER}, "placeholder"),
        ({"MicrosoftAppId": APP_ID, "PUBLIC_BASE_URL": "https://"}, "PUBLIC_BASE_URL"),
    ],
)
def test_build_refuses_a_missing_or_bad_setting(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    environ: dict[str, str],
    message: str,
) -> None:
    with caplog.at_level(logging.ERROR, logger="manifest.build"):
        code, out = build_zip(tmp_path, monkeypatch, environ)
    assert code == 2
    assert message in caplog.text
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_a_control_character_in_the_id_is_not_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="manifest.build"):
        code, _ = build_zip(tmp_path, monkeypatch, {"MicrosoftAppId": "abc\nERROR forged line"})
    assert code == 2
    assert "\n" not in caplog.records[-1].getMessage()


def _run_cli(tmp_path: Path, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MicrosoftAppId", "PUBLIC_BASE_URL"}
    }
    env.update(environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "manifest.build", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_writes_the_default_package_and_prints_its_path(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, MicrosoftAppId=APP_ID)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(Path("build") / "roadmap-bot.zip")
    with zipfile.ZipFile(tmp_path / "build" / "roadmap-bot.zip") as archive:
        assert set(archive.namelist()) == PACKAGE_FILES


def test_cli_exits_2_with_a_clear_message_without_an_id(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--out", "app.zip")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "MicrosoftAppId is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "app.zip").exists()
