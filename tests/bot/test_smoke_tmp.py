from tests.support import activities as a
from tests.support.portfolio import OWNER


async def test_help(sqlite_bot):
    status, body = await sqlite_bot.post(a.message(OWNER, sqlite_bot.connector.url, "ohje"))
    print(status, body, sqlite_bot.connector.calls)
    status, body = await sqlite_bot.post(a.message(OWNER, sqlite_bot.connector.url, "tila"))
    print(status, body)
    card = sqlite_bot.connector.cards()[-1]
    data = {"verb": "status.submit", "project_id": sqlite_bot.portfolio.kartalla_id, "period": "2026-11",
            "health": "at_risk", "progress": "55", "spent": "25000", "forecast": "50000",
            "metric_%d" % sqlite_bot.portfolio.metric_ids[0]: "120", "metric_%d" % sqlite_bot.portfolio.metric_ids[1]: "",
            "achievements": "Done", "next_steps": "", "risks": ""}
    status, body = await sqlite_bot.post(a.execute(OWNER, sqlite_bot.connector.url, "status.submit", data))
    print(status, body)
    assert 0
