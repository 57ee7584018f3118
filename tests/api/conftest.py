from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mdmhub.api.app import create_app
from mdmhub.settings import Settings, get_settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An API client on this test's database, with `crm` and `shop` registered."""
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: settings
    with TestClient(app) as test_client:
        for name, trust in (("crm", 0.9), ("shop", 0.5)):
            test_client.post("/v1/sources", json={"name": name, "trust": trust}).raise_for_status()
        yield test_client
