"""Customer views kept ready: what answers a default 360 read, what makes a view stale, and
that a view built before a write is never stored over it.

(Every test of test_customer_360.py also runs with the views kept ready.)
"""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mdmhub.api import deps
from mdmhub.api.app import create_app
from mdmhub.db.models import CustomerView
from mdmhub.db.repositories import customer_views as views_repo
from mdmhub.db.session import transaction
from mdmhub.domain.actors import Role
from mdmhub.services.background import WriteActivity
from mdmhub.settings import Settings, get_settings
from tests.api.conftest import (
    ADMIN_KEY,
    MARKER,
    ClientAs,
    bearer,
    read_360,
    refresh,
    set_view,
    stale_count,
    upsert,
)
from tests.factories import interaction, people, person


def test_a_new_customer_waits_for_its_view(api_settings: Settings, golden_id: str) -> None:
    assert stale_count(api_settings) == 1


def test_a_refreshed_view_is_the_live_answer(
    client: TestClient, api_settings: Settings, golden_id: str
) -> None:
    live = read_360(client, golden_id)
    refresh(api_settings)

    assert stale_count(api_settings) == 0
    assert read_360(client, golden_id) == live


def test_a_default_read_sends_the_stored_view_as_it_is(client: TestClient, marked: str) -> None:
    assert read_360(client, marked) == MARKER


def test_a_read_with_parameters_is_built_live(client: TestClient, marked: str) -> None:
    assert read_360(client, marked, include="golden") != MARKER


def test_a_view_past_its_validity_is_built_live(
    client: TestClient, api_settings: Settings, marked: str
) -> None:
    set_view(api_settings, marked, valid_until=datetime.now(UTC))

    assert read_360(client, marked) != MARKER
    assert stale_count(api_settings) == 1


def test_an_interaction_marks_its_customers_view_stale(
    client: TestClient, api_settings: Settings, golden_id: str
) -> None:
    refresh(api_settings)

    client.post("/v1/interactions", json=interaction("1")).raise_for_status()

    assert stale_count(api_settings) == 1
    assert client.get(f"/v1/customers/{golden_id}/360").json()["interactions"]["total"] == 1


def test_a_view_is_valid_until_the_next_open_case_falls_due(
    client: TestClient, api_settings: Settings, golden_id: str
) -> None:
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    case = interaction("1", type="complaint", status="open", due_at=due.isoformat())
    client.post("/v1/interactions", json=case).raise_for_status()

    refresh(api_settings)

    with transaction(api_settings.database_url) as session:
        stored = views_repo.get(session.connection(), golden_id, masked=False)
    assert stored is not None and stored.valid_until == due


def test_a_view_built_before_a_write_is_not_stored(
    client: TestClient, api_settings: Settings, golden_id: str
) -> None:
    with transaction(api_settings.database_url) as session:
        [(stale_id, generation)] = views_repo.stale(session, datetime.now(UTC), 10)

    client.post("/v1/interactions", json=interaction("1")).raise_for_status()
    with transaction(api_settings.database_url) as session:
        stored = views_repo.store(
            session,
            [
                {
                    "view_id": stale_id,
                    "read_generation": generation,
                    "body": MARKER,
                    "masked_body": MARKER,
                    "built_at": datetime.now(UTC),
                    "valid_until": None,
                }
            ],
        )

    assert stored == 0
    assert read_360(client, golden_id) != MARKER


def test_a_merged_away_customers_view_is_dropped(
    client: TestClient, api_settings: Settings
) -> None:
    ana, eva = people(2)
    survivor, retired = upsert(client, "crm", "1", ana), upsert(client, "crm", "2", eva)
    refresh(api_settings)

    merged = client.post(f"/v1/customers/golden/{survivor}/merge", json={"other": retired})
    assert merged.status_code == 204, merged.text
    refresh(api_settings)

    with transaction(api_settings.database_url) as session:
        assert session.get(CustomerView, retired) is None
        assert views_repo.get(session.connection(), survivor, masked=False) is not None
    assert client.get(f"/v1/customers/{retired}/360").json()["id"] == survivor


def test_agents_without_sensitive_access_get_the_masked_view(
    client: TestClient, client_as: ClientAs, api_settings: Settings, golden_id: str
) -> None:
    refresh(api_settings)
    agent = client_as(Role.AGENT)

    body = agent.get(f"/v1/customers/{golden_id}/360").json()

    assert body["attributes"]["national_id"]["value"] == "*******8Z"
    assert body["sources"][0]["attributes"]["national_id"] == "*******8Z"


@pytest.fixture
def refreshing_app(api_settings: Settings) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app()
    configured = api_settings.model_copy(
        update={"refresh_customer_views": True, "customer_view_poll_interval": 0.05}
    )
    app.dependency_overrides[get_settings] = lambda: configured
    with TestClient(app, headers=bearer(ADMIN_KEY)) as client:
        yield app, client


def test_the_service_keeps_views_ready_in_the_background(
    refreshing_app: tuple[FastAPI, TestClient], api_settings: Settings
) -> None:
    app, client = refreshing_app
    client.post("/v1/sources", json={"name": "crm", "trust": 0.9}).raise_for_status()
    upsert(client, "crm", "1", person())

    deadline = time.monotonic() + 10
    while stale_count(api_settings) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert stale_count(api_settings) == 0
    assert app.state.customer_view_worker.running


def test_a_record_write_tells_the_view_refresher_that_the_process_is_writing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = WriteActivity()
    monkeypatch.setattr(deps, "WRITES", writes)
    client.get("/v1/sources").raise_for_status()
    assert not writes.busy()

    upsert(client, "crm", "1", person())

    assert writes.busy()
