"""The failover experiment with real processes, on a short lease.

Three ``app.main()`` replicas on one PostgreSQL database, a connector process that
answers 100 ms late, refuses 3 % of the sends and writes every request to disk, and the
leader killed with SIGKILL in five trials and frozen with SIGSTOP in one
(``bench.failover``, with a 3 s lease instead of 20 s so that it runs in minutes):

* a kill repeats at most the dispatcher's concurrency of cards, and loses none;
* the frozen leader, woken long after the lease moved, sends nothing;
* the new leader takes the old one's claims at once: the takeover is the lease's time,
  not the outbox's 60 s claim timeout.
"""

from __future__ import annotations

import os

import pytest

from bench.failover import CONCURRENCY, Options, checks, experiment, takeover_limit
from tests.support.databases import pg_available

TTL = 3.0


@pytest.mark.postgres
async def test_killed_and_frozen_leaders_repeat_at_most_their_sends_in_flight() -> None:
    reason = await pg_available()
    if reason:
        if os.environ.get("ROADMAP_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    options = Options(owners=120, kills=5, stops=1, stop_seconds=15, replicas=3, lease_ttl=TTL)
    trials = await experiment(options)

    described = "\n".join(str(t) for t in trials)
    assert [t.fault for t in trials] == ["none"] + ["kill"] * 5 + ["stop"], described
    assert all((t.delivered, t.lost) == (120, 0) for t in trials), described
    assert trials[0].duplicates == 0, described
    assert all(t.duplicates <= CONCURRENCY for t in trials[1:]), described
    assert trials[-1].woken_posts == 0, described
    assert all(
        t.takeover_s is not None and t.takeover_s < takeover_limit(options) for t in trials[1:]
    ), described
    assert all(checks(trials, options).values()), described
