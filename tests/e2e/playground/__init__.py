"""Harness for end-to-end tests in the Microsoft 365 Agents Playground.

This package holds helpers only (no test functions), one module per layer:

* :mod:`~tests.e2e.playground.processes`: free ports, waiting for a port, and
  :func:`start_process`, a subprocess (the bot) in its own process group;
* :mod:`~tests.e2e.playground.server`: the Playground itself. :func:`write_config` writes
  the ``.m365agentsplayground.yml`` it reads from its working directory (or copy the
  repo's), :func:`start_playground` starts it on a free port pointed at a bot endpoint,
  waits until it is ready and returns a :class:`Playground` whose
  :meth:`Playground.stop` kills the whole process group;
* :mod:`~tests.e2e.playground.proxy`: :class:`ActivityProxy`, between the Playground and
  the bot, to send a locale or a user the Playground cannot;
* :mod:`~tests.e2e.playground.browser`: :func:`launch_browser` starts Debian's headless
  Chromium via Playwright (never a downloaded browser) with a fresh user-data dir and, by
  default, aborts every request that does not go to this machine;
  :func:`open_playground` loads the UI;
* :mod:`~tests.e2e.playground.pages`: open a conversation, type a message into the
  compose box and press Enter, wait for a bot message or an Adaptive Card, fill card
  inputs, click card buttons, take screenshots.

It uses Playwright's *sync* API, so call it from plain (non-asyncio) tests; run the bot
under test in its own process (:func:`start_process`). ``tests/e2e/roadmap_stack.py``
puts it all together for Roadmap Bot's journeys.

Typical use: Aino Virtanen (the repo's yml; her stored language is Finnish) reports the
month's status of one of her projects (``art`` is an artefact dir, ``wd`` a scratch dir
holding a copy of the repo's ``.m365agentsplayground.yml``, ``db`` a migrated SQLite
database with the demo portfolio)::

    bot_port = free_port()
    env = {"PORT": str(bot_port), "DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    with start_process([sys.executable, "app.py"], log_path=art / "bot.log",
                       cwd=REPO_ROOT, env=env, wait_port=bot_port), \\
         start_playground(f"http://127.0.0.1:{bot_port}/api/messages", wd,
                          log_dir=art, timezone="Europe/Helsinki") as pg, \\
         launch_browser(trace_path=art / "trace.zip") as browser:
        page = open_playground(browser, pg)
        open_personal_chat(page)
        wait_for_bot_message(page, "Hei Aino!")
        send_message(page, "tila")
        card = wait_for_card(page, "DR25-02")
        fill_input(card, "Edistyminen (%)", "60")
        click_card_button(card, "Tallenna tila")
        wait_for_card(page, "✅ Tallentanut Aino Virtanen")   # replaced in place
        screenshot(page, art, "saved")
        assert pg.activities_to_bot()[-1]["name"] == "adaptiveCard/action"

Import the modules as ``tests.e2e.playground.<module>`` (the repo root is on
``pythonpath``); this package re-exports nothing.
"""
