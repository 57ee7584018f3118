from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mdmhub.api.app import create_app
from mdmhub.settings import Settings, get_settings
from tests.api.conftest import ADMIN_KEY, bearer
from tests.factories import payload
from tests.receiver import Receiver


def _app(settings: Settings, run_worker: bool) -> FastAPI:
    app = create_app()
    configured = settings.model_copy(
        update={"run_webhook_worker": run_worker, "webhook_poll_interval": 0.05}
    )
    app.dependency_overrides[get_settings] = lambda: configured
    return app


@pytest.fixture
def serving(api_settings: Settings, receiver: Receiver) -> Iterator[tuple[FastAPI, TestClient]]:
    """The app serving with its webhook worker, `crm` registered and `receiver` subscribed."""
    app = _app(api_settings, run_worker=True)
    with TestClient(app, headers=bearer(ADMIN_KEY)) as client:
        client.post("/v1/sources", json={"name": "crm", "trust": 0.9}).raise_for_status()
        client.post("/v1/webhooks", json={"url": receiver.url}).raise_for_status()
        yield app, client


def test_the_service_delivers_webhooks_in_the_background(
    serving: tuple[FastAPI, TestClient], receiver: Receiver
) -> None:
    _, client = serving

    client.post("/v1/customers/records", json=payload("crm", "1")).raise_for_status()

    assert receiver.wait_for(1)
    assert receiver.accepted == client.get("/v1/events").json()["events"]


def test_shutting_the_service_down_stops_its_worker(settings: Settings) -> None:
    app = _app(settings, run_worker=True)
    with TestClient(app):
        worker = app.state.webhook_worker
        assert worker.running

    assert not worker.running


def test_no_worker_starts_when_the_setting_is_off(settings: Settings) -> None:
    app = _app(settings, run_worker=False)

    with TestClient(app):
        assert not hasattr(app.state, "webhook_worker")
