"""Admin commands for the monthly cycle, and owners' away/deputy settings.

``cycle`` shows this period's progress; ``prompt now`` and ``remind now`` send at once;
``close period``; ``pause cycle`` / ``resume cycle``; ``cycle set KEY VALUE``;
``digest here``; ``away DATE [for NAME]``, ``back`` and ``deputy NAME``. Every word
also works in Finnish and Swedish (see ``WORDS``).
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import parse_date
from sqlmodel import select

from bot.access import Refusal, audit_refusal
from bot.context import Turn
from bot.middleware import safe_for_log
from cards.cycle import build_cycle_status_card
from cards.messages import build_notice_card
from cards.views import CycleStatusView, MissingProject
from scheduler import cycle, jobs, runner
from scheduler.calendar import period_of, period_start
from storage import audit
from storage import cycle as store
from storage import digest as digests
from storage.db import write_transaction
from storage.matching import best
from storage.models import Conversation, Person, Role, utcnow
from translations import Translator
from translations.markers import N_

# command -> every language's words
WORDS: dict[str, frozenset[str]] = {
    "cycle": frozenset({"cycle", "kierros", "cykel"}),
    "prompt_now": frozenset({"prompt now", "kysy nyt", "fråga nu"}),
    "remind_now": frozenset({"remind now", "muistuta nyt", "påminn nu"}),
    "close_period": frozenset({"close period", "sulje jakso", "stäng period"}),
    "reopen_period": frozenset({"reopen period", "avaa jakso", "öppna period"}),
    "pause": frozenset({"pause cycle", "tauota kierros", "pausa cykeln"}),
    "resume": frozenset({"resume cycle", "jatka kierrosta", "återuppta cykeln"}),
    "set": frozenset({"cycle set", "kierros aseta", "cykel ställ"}),
    "digest_here": frozenset({"digest here", "kooste tänne", "sammandrag hit"}),
    "away": frozenset({"away", "poissa", "borta"}),
    "back": frozenset({"back", "paikalla", "tillbaka"}),
    "deputy": frozenset({"deputy", "sijainen", "ersättare"}),
}
STEP_LABELS = {
    cycle.PROMPT: N_("Prompt"),
    cycle.ESCALATION: N_("Escalation"),
    cycle.CLOSE: N_("Period closes"),
    cycle.DIGEST: N_("Digest"),
}
SETTING_KEYS = {
    "time": "send_time",
    "aika": "send_time",
    "tid": "send_time",
    "digest": "digest_time",
    "kooste": "digest_time",
    "sammandrag": "digest_time",
    "day": "prompt_working_day",
    "päivä": "prompt_working_day",
    "dag": "prompt_working_day",
    "due": "due_working_days",
    "määräaika": "due_working_days",
    "frist": "due_working_days",
    "reminders": "reminder_offsets",
    "muistutukset": "reminder_offsets",
    "påminnelser": "reminder_offsets",
    "escalation": "escalation_after",
    "eskalointi": "escalation_after",
    "eskalering": "escalation_after",
    "close": "close_after",
    "sulkeminen": "close_after",
    "stängning": "close_after",
}
ONLY_ADMINS = N_("Only programme admins can do that.")
CLOSED = N_("This month's period is closed: no more status cards or reminders are sent for it.")
PAUSED = N_("The cycle is paused, so nothing is sent. Type resume cycle first.")


async def _notice(turn: Turn, text: str, *, warning: bool = False) -> None:
    await turn.send_card(build_notice_card(text, turn.t, warning=warning))


def _is_admin(turn: Turn) -> bool:
    return turn.person.role == Role.admin


async def _admin_only(turn: Turn, command: str) -> bool:
    """True for an admin; anyone else is told so, and the refusal is audited."""
    if _is_admin(turn):
        return True
    await audit_refusal(turn, command, None, Refusal.not_admin)
    await _notice(turn, turn.t(ONLY_ADMINS), warning=True)
    return False


def _step_label(kind: str, t: Translator) -> str:
    if cycle.is_reminder(kind):
        return t("Reminder {number}", number=kind.removeprefix(cycle.REMINDER_PREFIX))
    return t(STEP_LABELS.get(kind, kind))


async def status(turn: Turn, _rest: str) -> None:
    if not await _admin_only(turn, "cycle"):
        return
    t = turn.t
    period = period_of(utcnow(), turn.services.settings.zone)
    async with turn.services.sessions() as session:
        config = await store.load_config(session=session)
        settings = store.settings_of(config)
        runs = {run.kind: run.trigger for run in await store.runs(period, session=session)}
        expected = len(await store.expected_projects(session=session))
        received = await store.report_count(period, session=session)
        missing = await digests.missing(period, session=session)
    zone = turn.services.settings.zone

    def state(kind: str) -> str:
        if kind not in runs:
            return "pending"
        return "missed" if runs[kind] == "missed" else "done"

    steps = [
        (_step_label(step.kind, t), t.datetime(step.moment(zone)), state(step.kind))
        for step in cycle.cycle_steps(period, settings)
    ]
    view = CycleStatusView(
        period_start=period_start(period),
        due=settings.due(period),
        paused=config.paused,
        expected=expected,
        received=received,
        missing=[
            MissingProject(
                m.project.code,
                t.named(m.project),
                m.owner_name,
                "",
            )
            for m in missing
        ],
        steps=steps,
    )
    await turn.send_card(build_cycle_status_card(view, t))


async def prompt_now(turn: Turn, _rest: str) -> None:
    if not await _admin_only(turn, "prompt_now"):
        return
    try:
        count = await jobs.prompt_now()
    except jobs.PeriodClosedError:
        await _notice(turn, turn.t(CLOSED), warning=True)
        return
    except jobs.CyclePausedError:
        await _notice(turn, turn.t(PAUSED), warning=True)
        return
    await _notice(
        turn,
        turn.t.plural(
            "Status card queued for {count} unanswered project.",
            "Status cards queued for {count} unanswered projects.",
            count,
        ),
    )


async def remind_now(turn: Turn, _rest: str) -> None:
    if not await _admin_only(turn, "remind_now"):
        return
    try:
        count = await jobs.remind_now()
    except jobs.PeriodClosedError:
        await _notice(turn, turn.t(CLOSED), warning=True)
        return
    except jobs.CyclePausedError:
        await _notice(turn, turn.t(PAUSED), warning=True)
        return
    await _notice(
        turn,
        turn.t.plural(
            "Reminder queued for {count} unanswered project.",
            "Reminders queued for {count} unanswered projects.",
            count,
        ),
    )


_PERIOD_ARGUMENT = re.compile(r"^\s*(?:(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4}))\s*$")


def _period_argument(turn: Turn, rest: str) -> str | None:
    """``2026-10`` or ``10/2026``, up to this month; this month when none is given."""
    current = period_of(utcnow(), turn.services.settings.zone)
    if not rest.strip():
        return current
    match = _PERIOD_ARGUMENT.match(rest)
    if match is None:
        return None
    year, month = (match[1], match[2]) if match[1] else (match[4], match[3])
    period = f"{int(year):04d}-{int(month):02d}"
    if not 1 <= int(month) <= 12 or period > current:
        return None
    return period


async def _bad_period(turn: Turn, rest: str) -> None:
    await _notice(
        turn,
        turn.t(
            "I did not understand the month {text}. Write it as 2026-10 or 10/2026, up to this month.",
            text=safe_for_log(rest, 40),
        ),
        warning=True,
    )


async def _change_period(turn: Turn, rest: str, *, close: bool) -> tuple[str, bool] | None:
    """Close or reopen the month ``rest`` names, audited; the period and whether it changed.

    None when the person is not an admin or the month is not one (they have been told).
    """
    command = "close_period" if close else "reopen_period"
    if not await _admin_only(turn, command):
        return None
    period = _period_argument(turn, rest)
    if period is None:
        await _bad_period(turn, rest)
        return None
    async with write_transaction(turn.services.sessions) as session:
        if close:
            changed = await store.close_period(period, session=session)
            if changed:
                await store.mark_run(period, cycle.CLOSE, "admin", session=session)
        else:
            changed = await store.reopen_period(period, session=session)
        if changed:
            await audit.record(
                actor_id=turn.person.id,
                action="period.close" if close else "period.reopen",
                entity="reporting_period",
                entity_id=period,
                activity_id=turn.activity.id,
                details={"period": period},
                session=session,
            )
    return period, changed


async def close_period(turn: Turn, rest: str) -> None:
    changed = await _change_period(turn, rest, close=True)
    if changed is None:
        return
    period, closed = changed
    month = turn.t.month(period_start(period))
    text = (
        turn.t("{month} is closed: later changes are recorded as late.", month=month)
        if closed
        else turn.t("{month} was closed already.", month=month)
    )
    await _notice(turn, text)


async def reopen_period(turn: Turn, rest: str) -> None:
    """Reopen a closed period, so that its given reports can be changed again."""
    changed = await _change_period(turn, rest, close=False)
    if changed is None:
        return
    period, reopened = changed
    month = turn.t.month(period_start(period))
    text = (
        turn.t(
            "{month} is open again: its reports can be changed. Type close period {period} to close it again.",
            month=month,
            period=period,
        )
        if reopened
        else turn.t("{month} is not closed.", month=month)
    )
    await _notice(turn, text)


async def _set_paused(turn: Turn, paused: bool) -> None:
    if not await _admin_only(turn, "pause" if paused else "resume"):
        return
    async with write_transaction(turn.services.sessions) as session:
        config = await store.load_config(session=session)
        config.paused = paused
        await store.save_config(config, by=turn.person, session=session)
    await runner.replan()
    await _notice(
        turn, turn.t("The cycle is paused.") if paused else turn.t("The cycle is running again.")
    )


async def pause(turn: Turn, _rest: str) -> None:
    await _set_paused(turn, True)


async def resume(turn: Turn, _rest: str) -> None:
    await _set_paused(turn, False)


async def set_setting(turn: Turn, rest: str) -> None:
    """``cycle set time 09:30``, ``cycle set due 7``, ``cycle set reminders -3,0``…"""
    if not await _admin_only(turn, "cycle set"):
        return
    key, _, value = rest.strip().partition(" ")
    field = SETTING_KEYS.get(key.lower())
    usage = turn.t(
        "Use for example: cycle set time 09:00, cycle set day 1, cycle set due 7, cycle set reminders -3,0, cycle set escalation 2, cycle set close 3, cycle set digest 10:00."
    )
    if field is None or not value.strip():
        await _notice(turn, usage, warning=True)
        return
    async with write_transaction(turn.services.sessions) as session:
        config = await store.load_config(session=session)
        try:
            _apply(config, field, value.strip())
            store.settings_of(config)  # every value still parses
            cycle.cycle_steps(
                period_of(utcnow(), turn.services.settings.zone), store.settings_of(config)
            )
        except ValueError:
            await _notice(turn, usage, warning=True)
            return
        await store.save_config(config, by=turn.person, session=session)
    await runner.replan()  # changing a setting reschedules the steps
    await status(turn, "")


def _apply(config: object, field: str, value: str) -> None:
    limits = {
        "prompt_working_day": (1, 10),
        "due_working_days": (1, 20),
        "escalation_after": (0, 20),
        "close_after": (0, 20),
    }
    if field in ("send_time", "digest_time"):
        parsed = cycle.parse_clock(value)
        setattr(config, field, parsed.strftime("%H:%M"))
    elif field == "reminder_offsets":
        offsets = [int(part) for part in re.split(r"[,\s]+", value) if part]
        if not offsets or any(abs(o) > 20 for o in offsets):
            raise ValueError(value)
        setattr(config, field, sorted(set(offsets)))
    else:
        number = int(value)
        low, high = limits[field]
        if not low <= number <= high:
            raise ValueError(value)
        setattr(config, field, number)


async def digest_here(turn: Turn, _rest: str) -> None:
    if not await _admin_only(turn, "digest_here"):
        return
    async with write_transaction(turn.services.sessions) as session:
        conversation = (
            await session.exec(
                select(Conversation).where(
                    Conversation.conversation_id == turn.activity.conversation.id
                )
            )
        ).first()
        if conversation is None:
            await _notice(turn, turn.t("Add the bot to this team or chat first."), warning=True)
            return
        conversation.digest = True
        session.add(conversation)
    await _notice(
        turn, turn.t("The managers' digest will be posted here after each period closes.")
    )


def _parse_day(text: str, t: Translator) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parse_date(text, locale=t.babel_locale)
    except (ValueError, IndexError):
        return None


async def _find_person(name: str, *, turn: Turn) -> Person | None:
    async with turn.services.sessions() as session:
        people = list((await session.exec(select(Person))).all())
    found = best(name, {p.id: p.name for p in people}, cutoff=80)
    return next((p for p in people if p.id == found), None) if found is not None else None


async def away(turn: Turn, rest: str) -> None:
    """``away 2026-12-20`` for yourself; admins may add ``for NAME``."""
    parts = re.split(r"\s+(?:for|för|puolesta)\s+", rest, maxsplit=1)
    day_text = parts[0]
    whom = parts[1] if len(parts) > 1 else None
    target: Person | None = turn.person
    if whom:
        if not await _admin_only(turn, "away"):
            return
        target = await _find_person(whom, turn=turn)
    day = _parse_day(day_text, turn.t)
    if target is None or day is None or day < utcnow().date():
        await _notice(
            turn,
            turn.t("Use for example: away 2026-12-20 (admins: away 2026-12-20 for Name)."),
            warning=True,
        )
        return
    async with write_transaction(turn.services.sessions) as session:
        stored = await session.get(Person, target.id)
        assert stored is not None  # noqa: S101 (found above)
        stored.away_until = day
        session.add(stored)
        turn.services.people.forget(stored.aad_object_id)
        deputy = await session.get(Person, stored.deputy_id) if stored.deputy_id else None
    text = turn.t("{name} is away until {date}.", name=target.name, date=turn.t.date(day))
    if deputy is None:
        text += " " + turn.t(
            "There is no deputy: name one with deputy NAME, or the admins are told."
        )
    else:
        text += " " + turn.t("{deputy} gets the status cards meanwhile.", deputy=deputy.name)
    await _notice(turn, text)


async def back(turn: Turn, _rest: str) -> None:
    async with write_transaction(turn.services.sessions) as session:
        stored = await session.get(Person, turn.person.id)
        assert stored is not None  # noqa: S101 (the turn's own person)
        stored.away_until = None
        session.add(stored)
    turn.services.people.forget(turn.person.aad_object_id)
    await _notice(turn, turn.t("Welcome back: the status cards come to you again."))


async def deputy(turn: Turn, rest: str) -> None:
    """``deputy NAME``: your deputy while you are away."""
    candidate = await _find_person(rest.strip(), turn=turn) if rest.strip() else None
    if candidate is None or candidate.id == turn.person.id:
        await _notice(
            turn,
            turn.t("I did not find that person. Use for example: deputy Sanna Lehtonen."),
            warning=True,
        )
        return
    async with write_transaction(turn.services.sessions) as session:
        stored = await session.get(Person, turn.person.id)
        assert stored is not None  # noqa: S101 (the turn's own person)
        stored.deputy_id = candidate.id
        session.add(stored)
    turn.services.people.forget(turn.person.aad_object_id)
    await _notice(turn, turn.t("{deputy} is now your deputy.", deputy=candidate.name))
