"""Request limits (body size, rate per key), request ids, and log lines without personal data."""

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from mdmhub.api.app import create_app
from mdmhub.logs import JsonFormatter
from mdmhub.settings import Settings, get_settings
from tests.api.conftest import ADMIN_KEY, bearer
from tests.factories import payload


def _client(settings: Settings, **limits: int | float) -> TestClient:
    configured = settings.model_copy(update={"bootstrap_admin_key": SecretStr(ADMIN_KEY), **limits})
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: configured
    return TestClient(app, headers=bearer(ADMIN_KEY))


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    """A client whose key may send 3 requests at once, then one every 100 seconds."""
    with _client(settings, rate_limit_burst=3, rate_limit_per_second=0.01) as client:
        yield client


def test_a_key_over_its_rate_gets_429_with_retry_after(limited: TestClient) -> None:
    answers = [limited.get("/v1/sources") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_anonymous_requests_are_refused_before_they_spend_a_budget(limited: TestClient) -> None:
    for _ in range(5):
        assert limited.get("/v1/sources", headers={"Authorization": ""}).status_code == 401

    assert limited.get("/v1/sources").status_code == 200


def test_a_body_over_the_limit_is_a_413_and_changes_nothing(settings: Settings) -> None:
    with _client(settings, max_body_bytes=2048) as client:
        client.post("/v1/sources", json={"name": "crm", "trust": 0.9}).raise_for_status()
        big = payload("crm", "1", given_name="x" * 4096)

        response = client.post("/v1/customers/records", json=big)

        assert response.status_code == 413
        assert client.get("/v1/customers/records/crm/1").status_code == 404


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    chosen = client.get("/v1/sources", headers={"X-Request-Id": "abc-123"})
    generated = [client.get("/v1/sources").headers["X-Request-Id"] for _ in range(2)]

    assert chosen.headers["X-Request-Id"] == "abc-123"
    assert [len(request_id) for request_id in generated] == [32, 32]
    assert generated[0] != generated[1]


def test_the_access_log_names_the_route_template_not_the_personal_data_in_the_url(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="mdmhub.access"):
        client.get("/v1/customers/search", params={"q": "jose.garcia@example.com"})

    [record] = [r for r in caplog.records if r.name == "mdmhub.access"]
    line = JsonFormatter().format(record)
    assert json.loads(line)["route"] == "/v1/customers/search"
    assert "jose" not in line
