"""The Microsoft 365 Agents SDK's quickstart echo agent, as a peer for ``bench.benchmark``.

Where it comes from: the Python quickstart of the Microsoft 365 Agents SDK ("Create and
test a basic agent", learn.microsoft.com/microsoft-365/agents-sdk/quickstart), whose
``app.py`` and ``start_server.py`` are also in microsoft/Agents-for-python
(``test_samples/app_style/empty_agent.py`` and ``test_samples/app_style/shared/
start_server.py``, commit 8ff0ac3b). The two files are put together here, unchanged
except:

* it serves on ``127.0.0.1`` (``localhost`` in the quickstart) on ``PORT``, which the
  benchmark chooses;
* it runs in anonymous mode: the benchmark sets
  ``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true`` (the
  ``SERVICE_CONNECTION`` entry, without a client id or secret), so no token is asked for
  or checked, as our bot and the stock echo bot run without credentials too.

It runs with ``bench/.venv-agents/bin/python`` (``bench/agents-requirements.txt``), never
with the bot's venv: it imports only the Agents SDK, so this file is not part of the
project's packages, lint aside.
"""

import re
from os import environ

from aiohttp.web import Application, Request, Response, run_app
from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_middleware,
    start_agent_process,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    Authorization,
    MemoryStorage,
    TurnContext,
    TurnState,
)

# --- start_server.py ---


def start_server(agent_application: AgentApplication, auth_configuration: AgentAuthConfiguration):
    async def entry_point(req: Request) -> Response:
        agent: AgentApplication = req.app["agent_app"]
        adapter: CloudAdapter = req.app["adapter"]
        return await start_agent_process(
            req,
            agent,
            adapter,
        )

    APP = Application(middlewares=[jwt_authorization_middleware])
    APP.router.add_post("/api/messages", entry_point)
    APP.router.add_get("/api/messages", lambda _: Response(status=200))
    APP["agent_configuration"] = auth_configuration
    APP["agent_app"] = agent_application
    APP["adapter"] = agent_application.adapter

    try:
        # the one change: 127.0.0.1 instead of "localhost", and the port as a number
        run_app(APP, host="127.0.0.1", port=int(environ.get("PORT", 3978)))
    except Exception as error:
        raise error


# --- app.py ---

agents_sdk_config = load_configuration_from_env(environ)

STORAGE = MemoryStorage()
CONNECTION_MANAGER = MsalConnectionManager(**agents_sdk_config)
ADAPTER = CloudAdapter(connection_manager=CONNECTION_MANAGER)
AUTHORIZATION = Authorization(STORAGE, CONNECTION_MANAGER, **agents_sdk_config)

AGENT_APP = AgentApplication[TurnState](
    storage=STORAGE, adapter=ADAPTER, authorization=AUTHORIZATION, **agents_sdk_config
)


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, _state: TurnState):
    await context.send_activity(
        "Welcome to the empty agent! "
        "This agent is designed to be a starting point for your own agent development."
    )
    return True


@AGENT_APP.message(re.compile(r"^hello$"))
async def on_hello(context: TurnContext, _state: TurnState):
    await context.send_activity("Hello!")


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, _state: TurnState):
    await context.send_activity(f"you said: {context.activity.text}")


if __name__ == "__main__":
    try:
        start_server(AGENT_APP, CONNECTION_MANAGER.get_default_connection_configuration())
    except Exception as error:
        raise error
