from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from mdmhub.cli import app
from mdmhub.settings import Settings, get_settings

Run = Callable[..., Result]


@pytest.fixture
def mdmhub(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """Run `mdmhub ARGS...` in-process against this test's database, with `crm` registered."""
    monkeypatch.setenv("MDMHUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MDMHUB_LOAD_CHUNK_SIZE", "3")
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    assert run("sources", "add", "crm", "--trust", "0.9").exit_code == 0
    yield run
    get_settings.cache_clear()
