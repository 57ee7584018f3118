from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import payload, people


def _customers(client: TestClient, count: int) -> None:
    records = [payload("crm", f"c{i}", **p) for i, p in enumerate(people(count))]
    client.post("/v1/customers/records", json={"records": records}).raise_for_status()


def _product(client: TestClient) -> None:
    body = payload("crm", "p1", name="Lavadora X200", brand="Acme", gtin="4006381333931")
    client.post("/v1/products/records", json=body).raise_for_status()


def _feed(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_feed_lists_every_event_in_id_order(client: TestClient) -> None:
    _customers(client, 3)

    events = _feed(client)["events"]

    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(ids) == 3
    assert {e["type"] for e in events} == {"golden.created"}


def test_an_event_shows_its_entity_golden_id_payload_and_time(client: TestClient) -> None:
    created = client.post("/v1/customers/records", json=payload("crm", "1")).json()

    [event] = _feed(client)["events"]

    assert set(event) == {"id", "entity", "golden_id", "type", "payload", "occurred_at"}
    assert (event["entity"], event["golden_id"]) == ("customer", created["golden_id"])
    assert event["payload"]["attributes"]["given_name"] == "José"
    assert event["occurred_at"].endswith("Z")


def test_next_cursor_is_the_id_of_the_last_event_returned(client: TestClient) -> None:
    _customers(client, 3)

    page = _feed(client, limit=2)

    assert page["next_cursor"] == page["events"][-1]["id"]


def test_reading_on_from_next_cursor_returns_the_following_events(client: TestClient) -> None:
    _customers(client, 5)
    every_id = [e["id"] for e in _feed(client)["events"]]

    seen: list[int] = []
    cursor = 0
    while page := _feed(client, after=cursor, limit=2)["events"]:
        seen += [e["id"] for e in page]
        cursor = page[-1]["id"]

    assert seen == every_id


def test_an_empty_page_keeps_the_cursor_given(client: TestClient) -> None:
    _customers(client, 2)
    end = _feed(client)["next_cursor"]

    page = _feed(client, after=end)

    assert page == {"events": [], "next_cursor": end}


def test_a_reader_at_the_end_gets_the_events_written_since(client: TestClient) -> None:
    _customers(client, 2)
    end = _feed(client)["next_cursor"]

    client.post("/v1/customers/records", json=payload("crm", "new")).raise_for_status()

    [event] = _feed(client, after=end)["events"]
    assert event["id"] > end


def test_the_feed_filters_by_entity(client: TestClient) -> None:
    _customers(client, 2)
    _product(client)

    events = _feed(client, entity="product")["events"]

    assert [e["entity"] for e in events] == ["product"]


def test_the_feed_filters_by_type(client: TestClient) -> None:
    _customers(client, 2)
    client.delete("/v1/customers/records/crm/c0").raise_for_status()

    events = _feed(client, type="golden.deleted")["events"]

    assert [e["type"] for e in events] == ["golden.deleted"]


def test_a_filtered_page_with_no_match_keeps_the_cursor_given(client: TestClient) -> None:
    _customers(client, 2)

    assert _feed(client, type="golden.merged") == {"events": [], "next_cursor": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"after": -1}, "after"),
        ({"entity": "customers"}, "entity"),
        ({"type": "golden.renamed"}, "type"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/v1/events", params=params)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"query.{field}"]
