"""Issue 14, "Lead somewhere": list answers lead on (summary to late, at risk and over
budget, a row to its project, a group to its projects, pages back and forth), the owners'
risks are shown, and what changed since last month; on the cards the demo is answered with."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text

from tests.bot.test_answer_numbers import _row_text, _sections
from tests.bot.test_answers import HELSINKI, MANAGER, VIEWER
from tests.support import activities as a
from tests.support.cards import facts, texts
from tests.support.harness import BotHarness, ask
from translations import Translator

EN = Translator("en", HELSINKI)


async def _rows(bot: BotHarness, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with bot.sessions() as session:
        result = await (await session.connection()).execute(text(sql), params)
        return [tuple(row) for row in result.all()]


async def _press(bot: BotHarness, action: dict[str, Any]) -> dict[str, Any]:
    """Press an Action.Execute (a button or a row's selectAction): the card that replaces it."""
    assert action["type"] == "Action.Execute"
    status, body = await bot.post(
        a.execute(MANAGER["en"], bot.connector.url, action["verb"], action["data"])
    )
    assert status == 200
    card: dict[str, Any] = body["value"]
    return card


def _buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {action["title"]: action for action in card.get("actions", [])}


def _tappable(card: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each list row's text and the action tapping it runs."""
    return [
        (_row_text(row["columns"]), row["selectAction"])
        for item in card["body"]
        if item.get("type") == "Container"
        for row in item["items"][1:]
        if "selectAction" in row
    ]


async def test_the_summary_leads_to_late_at_risk_and_over_budget(demo_bot: BotHarness) -> None:
    card = await ask(demo_bot, MANAGER["en"], "summary")
    buttons = _buttons(card)
    assert [buttons[b]["data"]["intent"] for b in buttons] == ["late", "at_risk", "over_budget"]
    assert (await _press(demo_bot, buttons["What is late"]))["body"][0]["text"] == "What is late"
    risky = await _press(demo_bot, buttons["Projects at risk or off track"])
    assert risky["body"][0]["text"] == "Projects at risk or off track"
    over = await _press(demo_bot, buttons["Over budget"])
    assert over["body"][0]["text"] == "Over budget" and "€" in texts(over)
    viewer = await ask(demo_bot, VIEWER, "summary")  # no money: no over-budget button
    assert [b["data"]["intent"] for b in viewer["actions"]] == ["late", "at_risk"]


async def test_a_risk_list_row_opens_its_project_with_what_its_owner_wrote(
    demo_bot: BotHarness,
) -> None:
    latest = dict(
        (code, (risks, steps))
        for code, risks, steps in await _rows(
            demo_bot,
            "SELECT p.code, r.risks, r.next_steps FROM statusreport r "
            "JOIN project p ON p.id = r.project_id WHERE r.period = (SELECT MAX(period) "
            "FROM statusreport WHERE project_id = p.id)",
        )
    )
    card = await ask(demo_bot, MANAGER["en"], "what is at risk?")
    rows = _tappable(card)
    assert rows and len(rows) == sum(len(r) for _, r in _sections(card))
    with_risks = 0
    for shown, action in rows:
        code = shown.split(" · ", 1)[0]
        risks = " ".join(latest.get(code, ("", ""))[0].split())
        if risks:
            with_risks += 1
            assert "Risks and help needed" in shown and risks[:50] in shown, code
        assert action["verb"] == "answer.project" and isinstance(action["data"]["project_id"], int)
    assert with_risks > 0
    shown, action = rows[0]
    code = shown.split(" · ", 1)[0]
    project = await _press(demo_bot, action)
    assert project["body"][0]["text"].startswith(f"{code} · ")
    risks, steps = latest[code]
    headings = [heading for heading, _ in _sections(project)]
    assert any(h.startswith("What the owner wrote for ") for h in headings)
    assert " ".join(risks.split())[:50] in " ".join(texts(project).split())
    assert " ".join(steps.split())[:50] in " ".join(texts(project).split())


async def test_late_pages_back_as_well_as_forward(demo_bot: BotHarness) -> None:
    first = await ask(demo_bot, MANAGER["en"], "late")
    assert "Previous page" not in _buttons(first)
    second = await _press(demo_bot, _buttons(first)["Show more"])
    assert second["body"][0]["text"] == "What is late"
    assert _sections(second) != _sections(first)
    again = await _press(demo_bot, _buttons(second)["Previous page"])
    assert _sections(again) == _sections(first)


async def test_themes_are_numbered_in_order_and_each_leads_to_its_projects(
    demo_bot: BotHarness,
) -> None:
    themes = await _rows(demo_bot, "SELECT id, number, name_en FROM theme ORDER BY number")
    card = await ask(demo_bot, MANAGER["en"], "projects by theme")
    rows = _tappable(card)
    assert [shown.split("\n")[0] for shown, _ in rows] == [
        f"{number}. {name}" for _, number, name in themes
    ]
    assert "finance director" not in texts(card).lower()
    for (shown, action), (theme_id, number, name) in zip(rows, themes, strict=True):
        codes = {
            code
            for (code,) in await _rows(
                demo_bot, "SELECT code FROM project WHERE theme_id = :id", id=theme_id
            )
        }
        assert shown.split("\n")[1] == str(len(codes))
        projects = await _press(demo_bot, action)
        assert projects["body"][0]["text"] == f"{number}. {name}"
        assert facts(projects)["Projects"] == str(len(codes))


async def test_a_director_leads_to_their_projects(demo_bot: BotHarness) -> None:
    directors = dict(
        await _rows(
            demo_bot,
            "SELECT d.title_en, COUNT(*) FROM project p JOIN director d ON d.id = p.director_id "
            "GROUP BY d.title_en",
        )
    )
    card = await ask(demo_bot, MANAGER["en"], "projects by director")
    rows = _tappable(card)
    assert {shown.split("\n")[0] for shown, _ in rows} == set(directors)
    shown, action = rows[-1]
    title = shown.split("\n")[0]
    projects = await _press(demo_bot, action)
    assert projects["body"][0]["text"] == title
    assert facts(projects)["Projects"] == str(directors[title])
    assert all(r["verb"] == "answer.project" for _, r in _tappable(projects))


async def test_a_project_shows_what_changed_since_its_last_report(demo_bot: BotHarness) -> None:
    [(period,)] = await _rows(demo_bot, "SELECT MAX(period) FROM statusreport")
    [(before_period,)] = await _rows(
        demo_bot, "SELECT MAX(period) FROM statusreport WHERE period < :p", p=period
    )
    [(code, old_h, new_h, old_p, new_p, old_f, new_f)] = await _rows(
        demo_bot,
        "SELECT p.code, b.health, a.health, b.progress, a.progress, b.forecast_cents, "
        "a.forecast_cents FROM project p JOIN statusreport a ON a.project_id = p.id "
        "JOIN statusreport b ON b.project_id = p.id WHERE a.period = :p AND b.period = :b "
        "AND a.progress <> b.progress ORDER BY p.code LIMIT 1",
        p=period,
        b=before_period,
    )
    card = await ask(demo_bot, MANAGER["en"], f"show {code}")
    shown = facts(card)
    month = EN.month(date(int(before_period[:4]), int(before_period[5:]), 1))
    health = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
    assert shown[f"Health since {month}"] == f"{health[old_h]} → {health[new_h]}"
    assert shown[f"Progress since {month}"] == f"{EN.percent(old_p)} → {EN.percent(new_p)}"
    change = new_f - old_f
    sign = "+" if change > 0 else "-" if change < 0 else ""
    assert shown[f"Forecast since {month}"] == (
        f"{EN.money(old_f)} → {EN.money(new_f)} ({sign}{EN.money(abs(change))})"
    )
    viewer = await ask(demo_bot, VIEWER, f"show {code}")
    assert f"Forecast since {month}" not in facts(viewer)


async def test_the_summary_says_what_moved_since_last_month(demo_bot: BotHarness) -> None:
    [(period,)] = await _rows(demo_bot, "SELECT MAX(period) FROM statusreport")
    [(before_period,)] = await _rows(
        demo_bot, "SELECT MAX(period) FROM statusreport WHERE period < :p", p=period
    )
    pairs = await _rows(
        demo_bot,
        "SELECT b.health, a.health, a.progress - b.progress, a.forecast_cents - b.forecast_cents "
        "FROM statusreport a JOIN statusreport b ON b.project_id = a.project_id "
        "WHERE a.period = :p AND b.period = :b",
        p=period,
        b=before_period,
    )
    rank = {"on_track": 0, "at_risk": 1, "off_track": 2}
    better = sum(1 for old, new, _, _ in pairs if rank[new] < rank[old])
    worse = sum(1 for old, new, _, _ in pairs if rank[new] > rank[old])
    assert better + worse > 0
    card = await ask(demo_bot, MANAGER["en"], "summary")
    shown = facts(card)
    month = EN.month(date(int(before_period[:4]), int(before_period[5:]), 1))
    assert shown[f"Health better since {month}"] == str(better)
    assert shown[f"Health worse since {month}"] == str(worse)
    forecast = sum(f for *_, f in pairs)
    assert EN.money(abs(forecast)) in shown[f"Forecasts since {month}"]
    assert "Forecasts since" not in " ".join(facts(await ask(demo_bot, VIEWER, "summary")))


async def test_an_unknown_question_gets_a_short_card_with_what_it_came_closest_to(
    demo_bot: BotHarness,
) -> None:
    card = await ask(demo_bot, MANAGER["en"], "lateee")
    shown = texts(card)
    assert 'I did not understand "lateee".' in shown
    assert "Commands" not in shown and len(card["body"]) <= 3  # not the full help card
    buttons = _buttons(card)
    assert buttons["what is late?"]["data"] == {
        "msteams": {"type": "imBack", "value": "what is late?"}
    }
    assert buttons["Everything I can do"]["data"]["msteams"]["value"] == "help"
    assert len(buttons) <= 3  # one or two suggestions, and the help
    fi = await ask(demo_bot, a.as_language(MANAGER["en"], "fi"), "digiohjelma kuulumiset")
    assert list(_buttons(fi)) == ["tilannekatsaus", "Kaikki, mitä osaan"]
    nothing = await ask(demo_bot, MANAGER["en"], "xyzzy")
    assert "Ask for example:" in texts(nothing) and list(_buttons(nothing)) == [
        "Everything I can do"
    ]


async def test_a_lone_area_programme_or_project_word_answers_with_that_thing(
    demo_bot: BotHarness,
) -> None:
    [(area_fi, area_en)] = await _rows(
        demo_bot, "SELECT name_fi, name_en FROM budgetline WHERE area = 'tori' LIMIT 1"
    )
    card = await ask(demo_bot, a.as_language(MANAGER["en"], "fi"), "tori")
    assert card["body"][0]["text"].startswith("Budjetti ") and area_fi in card["body"][0]["text"]
    card = await ask(demo_bot, MANAGER["en"], "TORI")
    assert area_en in card["body"][0]["text"]
    summary = await ask(demo_bot, a.as_language(MANAGER["en"], "fi"), "digiohjelma")
    assert summary["body"][0]["text"] == "Tilannekatsaus"
    [(code, name)] = await _rows(
        demo_bot, "SELECT code, name_en FROM project WHERE name_fi LIKE 'Kartalla%' LIMIT 1"
    )
    project = await ask(demo_bot, MANAGER["en"], "Kartalla")
    assert project["body"][0]["text"] == f"{code} · {name}"


async def test_the_help_example_for_a_director_names_the_demos_finance_director(
    demo_bot: BotHarness,
) -> None:
    [(fi, sv, en)] = await _rows(
        demo_bot, "SELECT title_fi, title_sv, title_en FROM director WHERE key = 'finance'"
    )
    for language, title in (("fi", fi), ("sv", sv), ("en", en)):
        t = Translator(language, HELSINKI)
        card = await ask(
            demo_bot, a.as_language(MANAGER["en"], language), t("projects of the finance director")
        )
        assert card["body"][0]["text"] == title, language
