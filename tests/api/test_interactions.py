"""Interactions over REST: one or a batch, idempotent by (source, interaction id), checked,
read back, and kept to their own source."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from mdmhub.domain.actors import Role
from tests.api.conftest import ClientAs
from tests.factories import interaction, payload


def post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/interactions", json=body)
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def read(client: TestClient, source: str, interaction_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/interactions/{source}/{interaction_id}")
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def customer(client: TestClient, source: str = "crm", source_id: str = "1") -> str:
    response = client.post("/v1/customers/records", json=payload(source, source_id))
    response.raise_for_status()
    golden_id: str = response.json()["golden_id"]
    return golden_id


def test_one_interaction_is_accepted_as_created(client: TestClient) -> None:
    answer = post(client, interaction(interaction_id="order-1", type="purchase",
                                      amount="19.99", currency="EUR"))  # fmt: skip

    assert answer["status"] == "accepted"
    assert answer["outcome"] == "created"
    assert (answer["source"], answer["interaction_id"]) == ("crm", "order-1")
    assert answer["errors"] == []


def test_an_interaction_reads_back_as_written(client: TestClient) -> None:
    post(
        client,
        interaction(
            "7",
            "shop",
            interaction_id="order-9",
            customer_source="crm",
            type="purchase",
            channel="web",
            occurred_at="2025-03-01T10:00:00Z",
            amount="19.99",
            currency="EUR",
            product_source_id="P-1",
            text="two cups",
            attributes={"basket": 3, "gift": True},
        ),
    )

    found = read(client, "shop", "order-9")

    assert found["customer_source"] == "crm"
    assert found["customer_source_id"] == "7"
    assert found["type"] == "purchase"
    assert found["channel"] == "web"
    assert datetime.fromisoformat(found["occurred_at"]) == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert Decimal(found["amount"]) == Decimal("19.99")
    assert found["currency"] == "EUR"
    assert (found["product_source"], found["product_source_id"]) == ("shop", "P-1")
    assert found["text"] == "two cups"
    assert found["attributes"] == {"basket": "3", "gift": "true"}


def test_channel_and_status_are_stored_in_lower_case(client: TestClient) -> None:
    post(client, interaction(interaction_id="c-1", type="complaint", channel="Web",
                             status="In_Progress"))  # fmt: skip

    found = read(client, "crm", "c-1")

    assert (found["channel"], found["status"]) == ("web", "in_progress")


def test_a_batch_answers_per_item_what_was_accepted_and_what_refused(client: TestClient) -> None:
    good = interaction(interaction_id="a")
    bad = interaction(interaction_id="b", type="purchase", amount="5.00")
    also_good = interaction(interaction_id="c", type="enquiry")

    answer = post(client, {"interactions": [good, bad, also_good]})

    assert (answer["accepted"], answer["refused"]) == (2, 1)
    assert [(r["index"], r["interaction_id"], r["status"]) for r in answer["results"]] == [
        (0, "a", "accepted"),
        (1, "b", "refused"),
        (2, "c", "accepted"),
    ]
    assert answer["results"][1]["errors"][0]["field"] == "currency"
    assert client.get("/v1/interactions/crm/b").status_code == 404
    assert read(client, "crm", "c")["type"] == "enquiry"


def test_the_same_id_twice_in_one_batch_is_refused_the_second_time(client: TestClient) -> None:
    first = interaction(interaction_id="dup", channel="web")
    second = {**first, "channel": "store"}

    answer = post(client, {"interactions": [first, second]})

    assert [r["status"] for r in answer["results"]] == ["accepted", "refused"]
    assert answer["results"][1]["errors"][0]["field"] == "interaction_id"
    assert read(client, "crm", "dup")["channel"] == "web"


def test_sending_the_same_interaction_again_is_unchanged(client: TestClient) -> None:
    body = interaction(type="purchase", amount="19.99", currency="EUR")
    post(client, body)

    answer = post(client, body)

    assert answer["outcome"] == "unchanged"


def test_sending_an_interaction_again_with_changed_content_updates_it(
    client: TestClient,
) -> None:
    body = interaction(interaction_id="case-1", type="complaint", status="open")
    post(client, body)

    answer = post(client, {**body, "status": "resolved", "resolved_at": "2025-03-02T10:00:00Z"})

    assert answer["outcome"] == "updated"
    found = read(client, "crm", "case-1")
    assert found["status"] == "resolved"
    assert datetime.fromisoformat(found["resolved_at"]) == datetime(2025, 3, 2, 10, tzinfo=UTC)


def test_the_same_interaction_id_from_two_sources_is_two_interactions(
    client: TestClient,
) -> None:
    post(client, interaction(interaction_id="1", source="crm", channel="phone"))

    answer = post(client, interaction(interaction_id="1", source="shop", channel="web"))

    assert answer["outcome"] == "created"
    assert read(client, "crm", "1")["channel"] == "phone"
    assert read(client, "shop", "1")["channel"] == "web"


def test_an_interaction_from_an_unknown_source_is_refused(client: TestClient) -> None:
    response = client.post("/v1/interactions", json=interaction(source="erp", interaction_id="x"))

    assert response.status_code == 422
    assert response.json()["field"] == "source"
    assert "erp" in response.json()["detail"]


def test_an_interaction_naming_a_customer_in_an_unknown_source_is_refused(
    client: TestClient,
) -> None:
    response = client.post(
        "/v1/interactions", json=interaction(customer_source="erp", interaction_id="x")
    )

    assert response.status_code == 422
    assert response.json()["field"] == "source"
    assert client.get("/v1/interactions/crm/x").status_code == 404


def test_resolved_before_occurred_is_refused(client: TestClient) -> None:
    body = interaction(
        interaction_id="x",
        type="complaint",
        occurred_at="2025-03-02T10:00:00Z",
        resolved_at="2025-03-02T09:59:59Z",
    )

    response = client.post("/v1/interactions", json=body)

    assert response.status_code == 422
    assert response.json()["field"] == "resolved_at"
    assert client.get("/v1/interactions/crm/x").status_code == 404


def test_resolved_at_the_moment_it_occurred_is_accepted(client: TestClient) -> None:
    body = interaction(type="enquiry", occurred_at="2025-03-02T10:00:00Z",
                       resolved_at="2025-03-02T10:00:00Z")  # fmt: skip

    assert post(client, body)["status"] == "accepted"


def test_an_amount_without_a_currency_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/interactions", json=interaction(interaction_id="x", type="purchase", amount="5")
    )

    assert response.status_code == 422
    assert response.json()["field"] == "currency"
    assert client.get("/v1/interactions/crm/x").status_code == 404


def test_a_currency_without_an_amount_is_refused(client: TestClient) -> None:
    response = client.post("/v1/interactions", json=interaction(type="purchase", currency="EUR"))

    assert response.status_code == 422
    assert response.json()["field"] == "currency"


def test_a_currency_that_is_not_an_iso_code_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/interactions", json=interaction(type="purchase", amount="5", currency="euro")
    )

    assert response.status_code == 422


def test_a_naive_timestamp_is_taken_as_utc(client: TestClient) -> None:
    post(client, interaction(interaction_id="naive", occurred_at="2025-03-01T10:00:00"))

    found = read(client, "crm", "naive")

    assert datetime.fromisoformat(found["occurred_at"]) == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_a_naive_timestamp_sent_again_with_its_utc_zone_is_unchanged(client: TestClient) -> None:
    body = interaction(occurred_at="2025-03-01T10:00:00")
    post(client, body)

    answer = post(client, {**body, "occurred_at": "2025-03-01T10:00:00Z"})

    assert answer["outcome"] == "unchanged"


def test_a_timestamp_with_an_offset_is_stored_as_the_same_instant(client: TestClient) -> None:
    post(client, interaction(interaction_id="madrid", occurred_at="2025-03-01T11:00:00+01:00"))

    found = read(client, "crm", "madrid")

    assert datetime.fromisoformat(found["occurred_at"]) == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_the_answer_names_no_golden_customer_before_the_customer_record_exists(
    client: TestClient,
) -> None:
    answer = post(client, interaction("1"))

    assert answer["status"] == "accepted"
    assert answer["golden_id"] is None


def test_the_answer_names_the_golden_customer_once_the_record_exists(
    client: TestClient,
) -> None:
    body = interaction("1")
    post(client, body)
    golden_id = customer(client, "crm", "1")

    answer = post(client, body)

    assert answer["outcome"] == "unchanged"
    assert answer["golden_id"] == golden_id


def test_the_answer_names_the_golden_customer_of_another_sources_record(
    client: TestClient,
) -> None:
    golden_id = customer(client, "crm", "42")

    answer = post(client, interaction("42", "shop", customer_source="crm"))

    assert answer["golden_id"] == golden_id


def test_reading_an_unknown_interaction_is_a_404(client: TestClient) -> None:
    assert client.get("/v1/interactions/crm/nope").status_code == 404


def test_a_source_key_writes_and_reads_its_own_interactions(client_as: ClientAs) -> None:
    crm = client_as(Role.SOURCE, "crm")

    answer = post(crm, interaction(interaction_id="mine"))

    assert answer["status"] == "accepted"
    assert read(crm, "crm", "mine")["interaction_id"] == "mine"


def test_a_source_key_cannot_write_another_sources_interaction(
    client: TestClient, client_as: ClientAs
) -> None:
    crm = client_as(Role.SOURCE, "crm")

    response = crm.post("/v1/interactions", json=interaction(source="shop", interaction_id="x"))

    assert response.status_code == 403
    assert response.json()["field"] == "source"
    assert client.get("/v1/interactions/shop/x").status_code == 404


def test_in_a_batch_a_source_keys_items_of_another_source_are_refused(
    client: TestClient, client_as: ClientAs
) -> None:
    crm = client_as(Role.SOURCE, "crm")
    items = [interaction(interaction_id="own"), interaction(source="shop", interaction_id="other")]

    answer = post(crm, {"interactions": items})

    assert [r["status"] for r in answer["results"]] == ["accepted", "refused"]
    assert answer["results"][1]["errors"][0]["field"] == "source"
    assert client.get("/v1/interactions/shop/other").status_code == 404


def test_a_source_key_may_name_a_customer_record_of_another_source(
    client: TestClient, client_as: ClientAs
) -> None:
    golden_id = customer(client, "crm", "1")
    shop = client_as(Role.SOURCE, "shop")

    answer = post(shop, interaction("1", "shop", customer_source="crm"))

    assert answer["golden_id"] == golden_id


def test_another_sources_interaction_does_not_exist_for_a_source_key(
    client: TestClient, client_as: ClientAs
) -> None:
    post(client, interaction(source="shop", interaction_id="theirs"))
    crm = client_as(Role.SOURCE, "crm")

    response = crm.get("/v1/interactions/shop/theirs")

    assert response.status_code == 404


def test_an_agent_may_not_write_interactions(client_as: ClientAs) -> None:
    agent = client_as(Role.AGENT)

    assert agent.post("/v1/interactions", json=interaction()).status_code == 403
