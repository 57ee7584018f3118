from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import payload, person


def test_upserting_one_record_answers_with_its_golden_id(client: TestClient) -> None:
    response = client.post("/v1/customers/records", json=payload("crm", "42"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted"
    assert body["outcome"] == "created"
    assert body["golden_id"].startswith("cus_")


def test_a_batch_answers_per_record_what_was_accepted_and_refused(client: TestClient) -> None:
    records = [payload("crm", "1"), payload("nobody", "2"), payload("shop", "3")]

    response = client.post("/v1/customers/records", json={"records": records})

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["refused"]) == (2, 1)
    refused = body["results"][1]
    assert refused["status"] == "refused"
    assert refused["errors"] == [
        {"field": "source", "message": "unknown source 'nobody'; register it first"}
    ]


def test_a_record_without_source_id_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.post(
        "/v1/customers/records", json={"source": "crm", "attributes": {"given_name": "Ana"}}
    )

    assert response.status_code == 422
    assert "source_id" in str(response.json()["detail"])


def test_a_batch_over_1000_records_is_refused_whole(client: TestClient) -> None:
    records = [payload("crm", str(i)) for i in range(1001)]

    response = client.post("/v1/customers/records", json={"records": records})

    assert response.status_code == 422
    assert client.get("/v1/customers/records/crm/0").status_code == 404


def test_a_single_record_from_an_unknown_source_is_a_422_and_changes_nothing(
    client: TestClient,
) -> None:
    response = client.post("/v1/customers/records", json=payload("nobody", "1"))

    assert response.status_code == 422
    assert response.json() == {
        "detail": "unknown source 'nobody'; register it first",
        "field": "source",
        "errors": [],
    }
    assert client.get("/v1/customers/records/nobody/1").status_code == 404


def test_an_unknown_entity_is_a_404(client: TestClient) -> None:
    response = client.post("/v1/planets/records", json=payload("crm", "1"))

    assert response.status_code == 404
    assert response.json()["field"] == "entity"


def test_a_stored_record_reads_back_with_version_and_golden_id(client: TestClient) -> None:
    created = client.post("/v1/customers/records", json=payload("crm", "7")).json()

    record = client.get("/v1/customers/records/crm/7").json()

    assert (record["version"], record["golden_id"]) == (1, created["golden_id"])
    assert record["attributes"]["given_name"] == "José"


def test_attribute_values_of_any_json_scalar_are_kept_as_text(client: TestClient) -> None:
    body = payload("crm", "8", given_name="Ana", postal_code=28013, vip=True, note=None)

    client.post("/v1/customers/records", json=body).raise_for_status()

    attributes = client.get("/v1/customers/records/crm/8").json()["attributes"]
    assert attributes == {"given_name": "Ana", "postal_code": "28013", "vip": "true"}


def test_deleting_a_record_tombstones_it(client: TestClient) -> None:
    client.post("/v1/customers/records", json=payload("crm", "9")).raise_for_status()

    deleted = client.delete("/v1/customers/records/crm/9")

    assert deleted.json()["outcome"] == "deleted"
    record = client.get("/v1/customers/records/crm/9").json()
    assert (record["deleted"], record["version"]) == (True, 2)


def test_deleting_an_unknown_record_is_a_404(client: TestClient) -> None:
    assert client.delete("/v1/customers/records/crm/nope").status_code == 404


def _golden(client: TestClient, golden_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/customers/golden/{golden_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_a_golden_record_shows_lineage_and_members(client: TestClient) -> None:
    client.post(
        "/v1/customers/records", json=payload("shop", "S1", **person(email="s@example.com"))
    )
    created = client.post("/v1/customers/records", json=payload("crm", "C1")).json()

    golden = _golden(client, created["golden_id"])

    assert golden["attributes"]["email"] == {
        "value": "jose.garcia@example.com",
        "source": "crm",
        "source_id": "C1",
        "rule": "most_trusted_then_most_recent",
    }
    assert sorted(m["source_id"] for m in golden["members"]) == ["C1", "S1"]


def test_a_merged_away_golden_id_answers_with_the_survivor(client: TestClient) -> None:
    ana = person(
        given_name="Ana",
        family_name="Ruiz",
        birth_date="1990-05-05",
        email="ana@example.com",
        phone="+34 611 222 333",
    )
    survivor = client.post("/v1/customers/records", json=payload("crm", "C1", **ana)).json()
    retired = client.post("/v1/customers/records", json=payload("shop", "S1")).json()

    client.post("/v1/customers/records", json=payload("shop", "S1", **ana)).raise_for_status()

    golden = _golden(client, retired["golden_id"])
    assert (golden["id"], golden["requested_id"]) == (survivor["golden_id"], retired["golden_id"])


def test_an_unknown_golden_id_is_a_404(client: TestClient) -> None:
    assert client.get("/v1/customers/golden/cus_nope").status_code == 404


def test_match_explain_adds_up_to_the_score(client: TestClient) -> None:
    client.post("/v1/customers/records", json=payload("crm", "C1")).raise_for_status()
    other = person(given_name="Pepe", email="pepe@example.com")
    client.post("/v1/customers/records", json=payload("shop", "S1", **other)).raise_for_status()

    response = client.get("/v1/customers/match-explain", params={"a": "crm:C1", "b": "shop:S1"})

    assert response.status_code == 200
    body = response.json()
    total = body["prior_weight"] + sum(c["weight"] for c in body["comparisons"])
    assert total == pytest.approx(body["match_weight"])
    assert body["probability"] == pytest.approx(1 / (1 + 2 ** -body["match_weight"]))
    given = next(c for c in body["comparisons"] if c["name"] == "given_name")
    assert (given["level"], given["left"], given["right"]) == ("nickname", "jose", "pepe")


def test_match_explain_of_an_unknown_record_is_a_404(client: TestClient) -> None:
    client.post("/v1/customers/records", json=payload("crm", "C1")).raise_for_status()

    response = client.get("/v1/customers/match-explain", params={"a": "crm:C1", "b": "crm:nope"})

    assert response.status_code == 404


def test_match_explain_needs_source_and_id(client: TestClient) -> None:
    response = client.get("/v1/customers/match-explain", params={"a": "crm:C1", "b": "nocolon"})

    assert response.status_code == 422
    assert response.json()["field"] == "b"
