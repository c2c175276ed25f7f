"""``python -m storage.migrate``: upgrade DATABASE_URL's schema to the latest revision."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine.url import make_url

from settings import Settings
from storage.db import upgrade

log = logging.getLogger(__name__)


def main() -> None:
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(message)s")
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    log.info("Migrating %s to the latest schema", shown)
    asyncio.run(upgrade(settings.database_url))


if __name__ == "__main__":
    main()
