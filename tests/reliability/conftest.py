"""Reliability tests reuse the API and CLI fixtures: an admin `client` of an in-process app,
and `mdmhub` run in-process, on a fresh SQLite or PostgreSQL database (see
tests/api/conftest.py and tests/cli/conftest.py)."""

from tests.api.conftest import api_settings, app, client
from tests.cli.conftest import mdmhub

__all__ = ["api_settings", "app", "client", "mdmhub"]
