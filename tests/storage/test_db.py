"""A save the database refuses: the owner is told, and what they typed is in no log."""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SessionFactory, create_engine
from storage.models import Health, StatusReport
from tests.support import activities as a
from tests.support.activities import as_language
from tests.support.cards import submission, texts
from tests.support.harness import BotHarness
from tests.support.portfolio import OWNER
from tests.support.state import snapshot

TYPED = "Budjettiylitys-Kq7Zr2: toimittaja vaihtuu"  # what the owner typed; no log may hold it


async def refuse_status_reports(sessions: SessionFactory) -> None:
    """Make the database refuse every new or changed status report, as a full disk, a
    constraint a migration added, or a bug would: the save fails inside its transaction."""
    async with sessions() as session, session.begin():
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # NOT VALID: the rows already there stay; every new one fails, and PostgreSQL's
            # DETAIL quotes the whole failing row
            await (await session.connection()).execute(
                text("ALTER TABLE statusreport ADD CONSTRAINT refused CHECK (false) NOT VALID")
            )
        else:
            for change in ("INSERT", "UPDATE"):
                await (await session.connection()).execute(
                    text(
                        f"CREATE TRIGGER refuse_{change.lower()} BEFORE {change} ON statusreport "
                        "BEGIN SELECT RAISE(ABORT, 'status reports are refused'); END"
                    )
                )


async def test_a_failed_save_tells_the_owner_and_logs_nothing_they_typed(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await refuse_status_reports(bot.sessions)
    before = await snapshot(bot.sessions)
    caplog.set_level(logging.DEBUG)  # LOG_LEVEL=DEBUG: SQLAlchemy logs every statement too

    status, body = await bot.post(
        a.execute(
            as_language(OWNER, "en"),
            bot.connector.url,
            "status.submit",
            submission(bot, achievements=TYPED),
        )
    )

    assert status == 200
    assert "nothing was saved" in texts(body["value"])
    assert await snapshot(bot.sessions) == before
    failures = [r for r in caplog.records if r.exc_info]
    assert failures, "the failure is logged, with its traceback"
    assert "statusreport" in caplog.text, "the log still says which statement failed"
    assert TYPED not in caplog.text
    assert "Kq7Zr2" not in caplog.text


async def test_a_refused_statement_names_no_value_in_its_message_or_traceback(
    sessions: SessionFactory,
) -> None:
    await refuse_status_reports(sessions)
    report = StatusReport(
        project_id=1,
        period="2026-10",
        health=Health.on_track,
        progress=10,
        spent_cents=0,
        forecast_cents=0,
        risks=TYPED,
        submitted_by_id=1,
    )
    with pytest.raises(DBAPIError) as error:
        async with sessions() as session, session.begin():
            session.add(report)
    shown = str(error.value) + "".join(traceback.format_exception(error.value))
    assert "INSERT INTO statusreport" in shown
    assert "Kq7Zr2" not in shown


async def test_a_connection_the_server_dropped_is_replaced_before_a_session_uses_it(
    engine: AsyncEngine,
) -> None:
    """A pooled connection that PostgreSQL ended (a restart, an idle session it killed) is
    tried when checked out and replaced, so the next session works."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    pid = text("SELECT pg_backend_pid()")
    async with engine.connect() as connection:
        dropped = (await connection.execute(pid)).scalar_one()
    killer = create_engine(engine.url.render_as_string(hide_password=False))
    try:
        async with killer.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    finally:
        await killer.dispose()
    async with engine.connect() as connection:
        now = (await connection.execute(pid)).scalar_one()
    assert now != dropped
