"""API clients: `client` is an admin; `client_as` and `client_with` make any other caller.

The admin key is registered the way automation registers one, through
MDMHUB_BOOTSTRAP_ADMIN_KEY (here the `bootstrap_admin_key` setting) at app start-up.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import update

from mdmhub.api.app import create_app
from mdmhub.db.models import CustomerView
from mdmhub.db.session import transaction
from mdmhub.domain.actors import Role
from mdmhub.services import customer_views
from mdmhub.settings import Settings, get_settings
from tests.factories import person

ADMIN_KEY = "mdm_00000000000000ad_test-admin-secret-test-admin-secret"

ClientWith = Callable[[str | None], TestClient]
NewKey = Callable[..., str]
ClientAs = Callable[..., TestClient]


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"bootstrap_admin_key": SecretStr(ADMIN_KEY)})


@pytest.fixture
def app(api_settings: Settings) -> FastAPI:
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: api_settings
    return app


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def key_id(key: str) -> str:
    """The id inside a key `mdm_<id>_<secret>`."""
    return key.split("_")[1]


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An admin API client on this test's database, with `crm` and `shop` registered."""
    with TestClient(app, headers=bearer(ADMIN_KEY)) as test_client:
        for name, trust in (("crm", 0.9), ("shop", 0.5)):
            test_client.post("/v1/sources", json={"name": name, "trust": trust}).raise_for_status()
        yield test_client


@pytest.fixture
def client_with(client: TestClient) -> Iterator[ClientWith]:
    """A client sending this key, or no key at all, to the started app of `client`."""
    with ExitStack() as clients:

        def make(key: str | None) -> TestClient:
            headers = bearer(key) if key is not None else None
            test_client = TestClient(client.app, headers=headers)
            clients.callback(test_client.close)
            return test_client

        yield make


@pytest.fixture
def new_key(client: TestClient) -> NewKey:
    """Create a key through the API as the admin; returns the key itself."""

    def create(
        role: Role, source: str | None = None, *, name: str = "", sees_sensitive: bool = False
    ) -> str:
        body = {"role": role, "source": source, "name": name, "sees_sensitive": sees_sensitive}
        response = client.post("/v1/keys", json=body)
        response.raise_for_status()
        key: str = response.json()["key"]
        return key

    return create


@pytest.fixture
def client_as(client_with: ClientWith, new_key: NewKey) -> ClientAs:
    """A client holding a new key of `role` (give a source key its `source`)."""

    def make(role: Role, source: str | None = None, **options: bool | str) -> TestClient:
        return client_with(new_key(role, source, **options))

    return make


def upsert(
    client: TestClient,
    source: str,
    source_id: str,
    attributes: dict[str, str],
    links: list[dict[str, str]] | None = None,
    entity: str = "customers",
) -> str:
    """Upsert one record over REST; returns the golden id it resolved to."""
    response = client.post(
        f"/v1/{entity}/records",
        json={
            "source": source,
            "source_id": source_id,
            "attributes": attributes,
            "links": links or [],
        },
    )
    response.raise_for_status()
    golden_id: str = response.json()["golden_id"]
    return golden_id


# --- customer views kept ready ------------------------------------------------------

MARKER = b'{"served":"from the view"}'
"""What a test puts in a ready view: a read that sends it was answered from the view."""


@pytest.fixture
def golden_id(client: TestClient) -> str:
    return upsert(client, "crm", "1", person(national_id="12345678Z"))


def refresh(settings: Settings) -> None:
    customer_views.refresh_all(settings.database_url)


def set_view(settings: Settings, golden_id: str, **values: object) -> None:
    with transaction(settings.database_url) as session:
        session.execute(
            update(CustomerView).where(CustomerView.golden_id == golden_id).values(**values)
        )


def stale_count(settings: Settings) -> int:
    with transaction(settings.database_url) as session:
        return customer_views.stale_count(session)


def read_360(client: TestClient, golden_id: str, **params: str) -> bytes:
    response = client.get(f"/v1/customers/{golden_id}/360", params=params)
    response.raise_for_status()
    body: bytes = response.content
    return body


@pytest.fixture
def marked(api_settings: Settings, golden_id: str) -> str:
    """A customer whose ready view was replaced by MARKER: a read that sends MARKER was
    answered from the view."""
    refresh(api_settings)
    set_view(api_settings, golden_id, body=MARKER)
    return golden_id
