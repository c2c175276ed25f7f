"""Throughput and latency of Roadmap Bot against three peers.

``python -m bench.benchmark`` (or ``make bench``) runs, one after the other and under the
same load, four bots that each reply to a local fake Bot Framework connector:

* echo: the stock botbuilder sample, an ``ActivityHandler`` that sends the text back,
  served with ``CloudAdapter.process`` and ``ConfigurationBotFrameworkAuthentication``
  (empty app id and password, ``MultiTenant``) exactly as shipped;
* agents: the Microsoft 365 Agents SDK's quickstart echo agent (``bench/agents_echo.py``),
  in anonymous mode, run by its own venv (``agents``: made on first use from
  ``bench/agents-requirements.txt``);
* floor: a bare aiohttp handler that makes the one outgoing POST of a reply;
* ours: ``create_app(Settings(...))`` on a fresh, migrated database (``--database
  sqlite|postgres``) with the demo portfolio or a generated one (``--portfolio
  demo|generated``, see ``bench/portfolio.py``); ``help`` and ``status`` are sent as an
  owner (the demo owner: three started projects, so ``status`` answers one request with
  three cards), ``summary`` and ``budget 2025`` as a manager.

After our ``summary`` and ``budget 2025`` answers, the chart linked from the last card is
fetched twice, cold (first render) and warm (cached), and both times are printed.

Each bot, the connector and the load generator run in separate processes, so neither the
load nor the connector shares the bot's event loop. The round trip measured is the
``POST /api/messages``: every bot answers only after its replies reached the connector.
A run is invalid, and exits 1, if any request is not answered 200/201 or the connector
did not receive exactly the expected replies; otherwise it exits 0 whatever the numbers.

Internally the same command serves each process but the agent's: ``--serve\necho|floor|ours|connector``.

The modules, by job:

* ``servers``: the echo bot, the floor, ours and the fake connector as served processes, and
  :func:`serve_until_signalled`, which other benchmarks serve their apps with;
* ``processes``: those processes, and the Agents SDK's, as children of the load generator
  (``Child``);
* ``agents``: the Agents SDK's venv;
* ``load``: the scenarios' activities, the load at a concurrency, the replies checked;
* ``databases``: the database under our bot, loaded with a portfolio;
* ``report``: the printed figures and targets;
* ``__main__``: the command line and the run.
"""

from bench.benchmark.servers import serve_until_signalled

__all__ = ["serve_until_signalled"]
