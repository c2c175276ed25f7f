"""``cycle_settings`` reads the cycle's settings as plain columns: the same settings as
``settings_of(load_config(...))``, before the row exists and after an admin changed it."""

from __future__ import annotations

from storage.cycle_store import cycle_settings, load_config, save_config, settings_of
from storage.db import SessionFactory


async def test_the_defaults_before_the_row_exists(sessions: SessionFactory) -> None:
    async with sessions() as session:
        assert await cycle_settings(session=session) == settings_of(
            await load_config(session=session)
        )


async def test_what_an_admin_changed(sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        config = await load_config(session=session)
        config.prompt_working_day = 3
        config.send_time = "08:15"
        config.due_working_days = 9
        config.reminder_offsets = [-5, -1, 2]
        config.escalation_after = 4
        config.close_after = 6
        config.digest_time = "11:45"
        await save_config(config, by=None, session=session)
    async with sessions() as session:
        settings = await cycle_settings(session=session)
        assert settings == settings_of(await load_config(session=session))
    assert settings.reminder_offsets == (-5, -1, 2)
    assert settings.send_time.hour == 8 and settings.send_time.minute == 15
    assert settings.due_working_days == 9 and settings.close_after == 6
