"""Display names of the domain's fixed values, as message ids for the translator."""

from __future__ import annotations

from translations.markers import N_, NC_, NP_

HEALTH = {"on_track": N_("On track"), "at_risk": N_("At risk"), "off_track": N_("Off track")}
HEALTH_COLOURS = {"on_track": "Good", "at_risk": "Warning", "off_track": "Attention"}
# A project's state, in the context "state": "Planned" is also a money column (context
# "budget"), and Swedish writes a state in the singular (Slutfört), a group in the plural.
STATE = {
    "planned": NC_("state", "Planned"),
    "started": NC_("state", "Started"),
    "completed": NC_("state", "Completed"),
    "paused": NC_("state", "Paused"),
    "cancelled": NC_("state", "Cancelled"),
}
# A count of projects in a state, as one message: the word agrees with the number ("1
# valmistunut", "12 valmistunutta"; "1 slutfört", "12 slutförda").
STATE_COUNT = {
    "planned": NP_("{count} planned", "{count} planned"),
    "started": NP_("{count} started", "{count} started"),
    "completed": NP_("{count} completed", "{count} completed"),
    "paused": NP_("{count} paused", "{count} paused"),
    "cancelled": NP_("{count} cancelled", "{count} cancelled"),
}
LEVEL = {
    "analytics": N_("Analytics and data"),
    "foundation": N_("Digital foundation and security"),
    "common": N_("City-wide common solutions"),
    "sector": N_("Sector-specific applications"),
}
NEED = {
    "end_of_support": N_("A system's support ends"),
    "law": N_("Law or obligation"),
    "strategy": N_("City strategy"),
}
BENEFIT = {
    "human_centred": N_("Human-centredness"),
    "sustainability": N_("Sustainability"),
    "renewal": N_("Renewal"),
}
FUNDING = {"city_budget": N_("City budget"), "project_grant": N_("Project funding")}
DIMENSION = {
    "theme": N_("By theme"),
    "level": N_("By level"),
    "need": N_("By need source"),
    "benefit": N_("By long-term benefit"),
    "director": N_("By responsible director"),
}
FIXED = {"level": LEVEL, "need": NEED, "benefit": BENEFIT}
