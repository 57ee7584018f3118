"""Customer search over REST: what an agent types finds the person through the matcher."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mdmhub.api.schemas import SearchOut
from mdmhub.domain.actors import Role
from tests.api.conftest import ClientAs, upsert
from tests.factories import TOLEDO_NAMESAKE, people, person


def search(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/customers/search", params=params)
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["hits"]
    return hits


@pytest.fixture
def jose(client: TestClient) -> str:
    """José García (crm:1, national id 12345678Z) among five other customers."""
    for number, other in enumerate(people(5), start=2):
        upsert(client, "crm", str(number), other)
    return upsert(client, "crm", "1", person(national_id="12345678Z"))


def test_a_misspelt_name_finds_the_person(client: TestClient, jose: str) -> None:
    hits = search(client, q="Jose Garsia")

    assert hits[0]["golden_id"] == jose


def test_a_phone_in_another_format_finds_the_person(client: TestClient, jose: str) -> None:
    hits = search(client, q="600123456")

    assert [h["golden_id"] for h in hits] == [jose]


def test_an_email_finds_the_person(client: TestClient, jose: str) -> None:
    hits = search(client, q="Jose.Garcia@Example.com")

    assert [h["golden_id"] for h in hits] == [jose]


def test_a_national_id_finds_the_person(client: TestClient, jose: str) -> None:
    hits = search(client, q="12345678-z")

    assert [h["golden_id"] for h in hits] == [jose]


def test_explicit_fields_find_the_person(client: TestClient, jose: str) -> None:
    hits = search(client, phone="+34 600-123-456", birth_date="01/02/1980")

    assert hits[0]["golden_id"] == jose


def test_a_hit_names_the_record_that_matched_and_the_golden_values(
    client: TestClient, jose: str
) -> None:
    [hit] = search(client, q="600123456")

    assert (hit["matched_source"], hit["matched_source_id"]) == ("crm", "1")
    assert hit["attributes"]["given_name"] == "José"


def test_a_hit_carries_the_explanation_of_its_score(client: TestClient, jose: str) -> None:
    [hit] = search(client, q="600 12 34 56")

    explanation = hit["explanation"]
    assert explanation["probability"] == pytest.approx(hit["score"])
    phone = next(c for c in explanation["comparisons"] if c["name"] == "phone")
    assert phone["level"] == "exact"
    assert phone["weight"] > 0


def test_the_answer_has_exactly_the_documented_shape(client: TestClient, jose: str) -> None:
    answer = client.get("/v1/customers/search", params={"q": "Jose Garsia"}).json()

    assert SearchOut.model_validate(answer).model_dump(mode="json") == answer


def test_a_misspelt_family_name_finds_a_person_whose_records_give_no_town(
    client: TestClient,
) -> None:
    """Sott and Scott have different phonetic codes, and the town searched for is on no
    record: none of the search's own blocking keys reaches Jessica Scott."""
    for number, (given, family) in enumerate([("Jessica", "Jones"), ("Jesús", "Sanz")]):
        upsert(client, "crm", f"o{number}", {"given_name": given, "family_name": family})
    scott = upsert(client, "crm", "1", {"given_name": "Jessica", "family_name": "Scott"})

    hits = search(client, name="Jessica Sott", city="London")

    assert hits[0]["golden_id"] == scott


def test_more_fields_rank_the_right_namesake_first(client: TestClient) -> None:
    madrid = upsert(client, "crm", "1", person())
    toledo = upsert(client, "shop", "2", TOLEDO_NAMESAKE)
    assert madrid != toledo

    in_toledo = search(client, name="José García", city="Toledo")
    born_1980 = search(client, name="José García", birth_date="1980-02-01")

    assert [h["golden_id"] for h in in_toledo][:2] == [toledo, madrid]
    assert [h["golden_id"] for h in born_1980][:2] == [madrid, toledo]


def test_hits_are_ranked_by_score(client: TestClient) -> None:
    upsert(client, "crm", "1", person())
    upsert(client, "shop", "2", TOLEDO_NAMESAKE)

    scores = [h["score"] for h in search(client, name="José García", city="Toledo")]

    assert len(scores) == 2
    assert scores == sorted(scores, reverse=True)


def test_a_customer_with_two_records_is_one_hit(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person()) == golden_id

    hits = search(client, q="600123456")

    assert [h["golden_id"] for h in hits] == [golden_id]


def test_limit_caps_the_hits(client: TestClient) -> None:
    upsert(client, "crm", "1", person())
    upsert(client, "shop", "2", TOLEDO_NAMESAKE)

    assert len(search(client, name="José García", limit=1)) == 1


def test_a_search_that_matches_nobody_answers_no_hits(client: TestClient, jose: str) -> None:
    assert search(client, q="nadie@example.com") == []


def test_a_deleted_customer_is_not_found(client: TestClient, jose: str) -> None:
    client.delete("/v1/customers/records/crm/1").raise_for_status()

    assert search(client, q="600123456") == []


def test_a_search_without_criteria_is_a_422(client: TestClient) -> None:
    response = client.get("/v1/customers/search")

    assert response.status_code == 422
    assert response.json()["field"] == "q"


def test_a_search_of_blanks_only_is_a_422(client: TestClient) -> None:
    response = client.get("/v1/customers/search", params={"q": "   ", "name": " "})

    assert response.status_code == 422


def test_an_agent_may_search(client: TestClient, client_as: ClientAs, jose: str) -> None:
    response = client_as(Role.AGENT).get("/v1/customers/search", params={"q": "600123456"})

    assert response.status_code == 200
    assert [h["golden_id"] for h in response.json()["hits"]] == [jose]


def test_a_source_key_may_not_search(client_as: ClientAs) -> None:
    response = client_as(Role.SOURCE, "crm").get("/v1/customers/search", params={"q": "José"})

    assert response.status_code == 403
