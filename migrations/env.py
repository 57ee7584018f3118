"""Alembic environment: the URL comes from the hub's settings unless the caller set one."""

from alembic import context

import mdmhub.db.models  # noqa: F401  (registers the tables on Base.metadata)
from mdmhub.db.base import Base
from mdmhub.db.session import get_engine
from mdmhub.settings import get_settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    with get_engine(url).connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
