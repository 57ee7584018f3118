"""Agents see national ids and birth dates masked unless their key may see them."""

from fastapi.testclient import TestClient

from mdmhub.domain.actors import Role
from mdmhub.domain.masking import mask, masked
from tests.api.conftest import ClientAs
from tests.factories import payload, person

SENSITIVE_PERSON = person(national_id="12345678Z")


def _golden_id(client: TestClient) -> str:
    response = client.post("/v1/customers/records", json=payload("crm", "1", **SENSITIVE_PERSON))
    response.raise_for_status()
    golden_id: str = response.json()["golden_id"]
    return golden_id


def test_an_agent_reads_the_360_with_national_id_and_birth_date_masked(
    client: TestClient, client_as: ClientAs
) -> None:
    golden_id = _golden_id(client)

    body = client_as(Role.AGENT).get(f"/v1/customers/{golden_id}/360").json()

    assert body["attributes"]["national_id"]["value"] == "*******8Z"
    assert body["attributes"]["birth_date"]["value"] == "********01"
    assert body["sources"][0]["attributes"]["national_id"] == "*******8Z"
    assert "12345678Z" not in str(body) and "1980-02-01" not in str(body)
    assert body["attributes"]["given_name"]["value"] == "José"


def test_an_agent_allowed_to_see_sensitive_values_reads_them_plain(
    client: TestClient, client_as: ClientAs
) -> None:
    golden_id = _golden_id(client)

    agent = client_as(Role.AGENT, sees_sensitive=True)
    body = agent.get(f"/v1/customers/{golden_id}/360").json()

    assert body["attributes"]["national_id"]["value"] == "12345678Z"


def test_a_steward_reads_golden_records_plain(client: TestClient, client_as: ClientAs) -> None:
    golden_id = _golden_id(client)

    body = client_as(Role.STEWARD).get(f"/v1/customers/golden/{golden_id}").json()

    assert body["attributes"]["national_id"]["value"] == "12345678Z"


def test_search_by_national_id_finds_the_customer_but_shows_it_masked(
    client: TestClient, client_as: ClientAs
) -> None:
    golden_id = _golden_id(client)

    body = client_as(Role.AGENT).get("/v1/customers/search", params={"q": "12345678Z"}).json()

    assert body["hits"][0]["golden_id"] == golden_id
    assert "12345678Z" not in str(body) and "1980-02-01" not in str(body)


def test_the_change_feed_masks_sensitive_values_for_agents(
    client: TestClient, client_as: ClientAs
) -> None:
    _golden_id(client)

    body = client_as(Role.AGENT).get("/v1/events").json()

    assert body["events"][0]["payload"]["attributes"]["national_id"] == "*******8Z"


def test_masking_keeps_the_last_two_characters() -> None:
    assert (mask("12345678Z"), mask("ab"), mask("")) == ("*******8Z", "***", "***")


def test_masking_reaches_items_about_a_sensitive_attribute() -> None:
    data = {
        "comparisons": [
            {"name": "birth_date", "left": "1980-02-01", "right": None, "weight": 3.0},
            {"name": "given_name", "left": "jose", "right": "jose"},
        ],
        "changes": [{"attribute": "national_id", "before": None, "after": "12345678Z"}],
    }

    assert masked(data) == {
        "comparisons": [
            {"name": "birth_date", "left": "********01", "right": None, "weight": 3.0},
            {"name": "given_name", "left": "jose", "right": "jose"},
        ],
        "changes": [{"attribute": "national_id", "before": None, "after": "*******8Z"}],
    }
