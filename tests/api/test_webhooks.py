from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mdmhub.db.models import AuditEntry
from mdmhub.db.session import transaction
from mdmhub.services import webhook_delivery
from mdmhub.settings import Settings
from tests.factories import payload, people
from tests.receiver import Receiver

URL = "https://crm.example.com/mdm-events"


def _customers(client: TestClient, count: int) -> None:
    records = [payload("crm", f"c{i}", **p) for i, p in enumerate(people(count))]
    client.post("/v1/customers/records", json={"records": records}).raise_for_status()


def _create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": URL, **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _end_of_feed(client: TestClient) -> int:
    cursor: int = client.get("/v1/events", params={"limit": 1000}).json()["next_cursor"]
    return cursor


def test_creating_a_webhook_answers_201_with_its_id_and_secret(client: TestClient) -> None:
    created = _create(client, event_types=["golden.merged"], entities=["customer"])

    assert created["id"].startswith("whk_")
    assert len(created["secret"]) >= 32
    assert (created["url"], created["active"]) == (URL, True)
    assert (created["event_types"], created["entities"]) == (["golden.merged"], ["customer"])


def test_the_secret_is_not_shown_again(client: TestClient) -> None:
    created = _create(client)

    one = client.get(f"/v1/webhooks/{created['id']}").json()
    [listed] = client.get("/v1/webhooks").json()

    assert "secret" not in one and "secret" not in listed
    assert one == listed


def test_two_webhooks_get_different_secrets(client: TestClient) -> None:
    assert _create(client)["secret"] != _create(client)["secret"]


@pytest.mark.parametrize(
    "url", ["ftp://crm.example.com/hook", "crm.example.com/hook", "https://", "javascript:x"]
)
def test_a_url_that_is_not_http_or_https_is_a_422_naming_the_field(
    client: TestClient, url: str
) -> None:
    response = client.post("/v1/webhooks", json={"url": url})

    assert response.status_code == 422
    assert response.json()["field"] == "url"
    assert client.get("/v1/webhooks").json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_types": ["golden.renamed"]}, "event_types"),
        ({"entities": ["customers"]}, "entities"),
        ({"from_cursor": -1}, "from_cursor"),
        ({"secret": "mine"}, "secret"),
    ],
)
def test_a_body_that_does_not_fit_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/webhooks", json={"url": URL, **body})

    assert response.status_code == 422
    assert field in str(response.json()["detail"])


def test_a_new_webhook_starts_at_the_end_of_the_feed(client: TestClient) -> None:
    _customers(client, 2)

    assert _create(client)["cursor"] == _end_of_feed(client) > 0


def test_a_new_webhook_from_cursor_zero_starts_at_the_beginning(client: TestClient) -> None:
    _customers(client, 2)

    assert _create(client, from_cursor=0)["cursor"] == 0


def test_a_from_cursor_past_the_end_of_the_feed_is_a_422(client: TestClient) -> None:
    _customers(client, 2)

    response = client.post("/v1/webhooks", json={"url": URL, "from_cursor": 1_000})

    assert (response.status_code, response.json()["field"]) == (422, "from_cursor")


def test_an_unknown_webhook_is_a_404(client: TestClient) -> None:
    for response in (
        client.get("/v1/webhooks/whk_nope"),
        client.delete("/v1/webhooks/whk_nope"),
        client.get("/v1/webhooks/whk_nope/deliveries"),
        client.post("/v1/webhooks/whk_nope/replay", json={"after": 0}),
    ):
        assert response.status_code == 404


def test_deleting_a_webhook_deactivates_it(client: TestClient) -> None:
    created = _create(client)

    response = client.delete(f"/v1/webhooks/{created['id']}")

    assert response.status_code == 204
    assert client.get(f"/v1/webhooks/{created['id']}").json()["active"] is False


def test_replay_moves_the_cursor_back_and_clears_the_failures(client: TestClient) -> None:
    _customers(client, 3)
    created = _create(client)

    response = client.post(f"/v1/webhooks/{created['id']}/replay", json={"after": 1})

    assert response.status_code == 200
    assert (response.json()["cursor"], response.json()["failures"]) == (1, 0)


def test_replay_past_the_end_of_the_feed_is_a_422(client: TestClient) -> None:
    created = _create(client)

    response = client.post(f"/v1/webhooks/{created['id']}/replay", json={"after": 5})

    assert (response.status_code, response.json()["field"]) == (422, "after")


def test_replay_of_a_deactivated_webhook_is_a_409(client: TestClient) -> None:
    created = _create(client)
    client.delete(f"/v1/webhooks/{created['id']}")

    response = client.post(f"/v1/webhooks/{created['id']}/replay", json={"after": 0})

    assert response.status_code == 409


def test_each_webhook_write_is_audited(client: TestClient, settings: Settings) -> None:
    created = _create(client)
    client.post(f"/v1/webhooks/{created['id']}/replay", json={"after": 0})
    client.delete(f"/v1/webhooks/{created['id']}")

    with transaction(settings.database_url) as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.target)
            .where(AuditEntry.action.startswith("webhook."))
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(e) for e in entries] == [
        ("webhook.create", created["id"]),
        ("webhook.replay", created["id"]),
        ("webhook.deactivate", created["id"]),
    ]


def test_the_delivery_log_lists_attempts_newest_first(
    client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    created = _create(client, url=receiver.url)
    _customers(client, 2)
    first, second = (e["id"] for e in client.get("/v1/events").json()["events"])
    receiver.answer([500])
    no_wait = settings.model_copy(update={"webhook_backoff_base": 0.0})
    webhook_delivery.drain(no_wait)  # stops at the failure
    webhook_delivery.drain(no_wait)

    log = client.get(f"/v1/webhooks/{created['id']}/deliveries").json()

    assert [(d["event_id"], d["attempt"], d["succeeded"], d["error"]) for d in log] == [
        (second, 1, True, None),
        (first, 2, True, None),
        (first, 1, False, "HTTP 500"),
    ]


def test_the_delivery_log_limit_keeps_the_newest(
    client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    created = _create(client, url=receiver.url)
    _customers(client, 3)
    webhook_delivery.drain(settings)

    log = client.get(f"/v1/webhooks/{created['id']}/deliveries", params={"limit": 2}).json()

    every_id = [e["id"] for e in client.get("/v1/events").json()["events"]]
    assert [d["event_id"] for d in log] == every_id[:0:-1]


def test_a_delivered_body_is_the_event_as_the_feed_shows_it(
    client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    _create(client, url=receiver.url)
    _customers(client, 2)

    webhook_delivery.drain(settings)

    assert receiver.accepted == client.get("/v1/events").json()["events"]
