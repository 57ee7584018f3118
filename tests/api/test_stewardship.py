"""The review queue and steward actions over REST, and the history they leave."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import upsert
from tests.factories import LOOKALIKE, TOLEDO_NAMESAKE, person


def open_tasks(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/review-tasks", params=params)
    response.raise_for_status()
    tasks: list[dict[str, Any]] = response.json()["tasks"]
    return tasks


@pytest.fixture
def review_pair(client: TestClient) -> tuple[str, str]:
    """Two golden records whose records scored in the review band."""
    return upsert(client, "crm", "1", person()), upsert(client, "shop", "2", LOOKALIKE)


def decide(client: TestClient, task_id: int, decision: str) -> dict[str, Any]:
    response = client.post(
        f"/v1/review-tasks/{task_id}/decision", json={"decision": decision, "comment": "checked"}
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def test_a_pair_in_the_review_band_opens_a_task_with_both_records(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    tasks = open_tasks(client)

    assert len(tasks) == 1
    task = tasks[0]
    assert task["kind"] == "possible_match"
    assert 0.5 <= task["score"] < 0.95
    assert {task["left"]["golden_id"], task["right"]["golden_id"]} == set(review_pair)


def test_reading_a_task_explains_the_score_attribute_by_attribute(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    task_id = open_tasks(client)[0]["id"]

    task = client.get(f"/v1/review-tasks/{task_id}").json()

    explanation = task["explanation"]
    assert explanation["probability"] == pytest.approx(task["score"])
    assert "given_name" in {c["name"] for c in explanation["comparisons"]}


def test_a_match_decision_merges_the_two_golden_records(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    task = open_tasks(client)[0]

    decided = decide(client, task["id"], "match")

    assert decided["status"] == "decided"
    assert decided["decided_by"]
    left = client.get("/v1/customers/records/crm/1").json()
    right = client.get("/v1/customers/records/shop/2").json()
    assert left["golden_id"] == right["golden_id"]
    assert left["link_method"] == right["link_method"] == "steward"
    assert open_tasks(client) == []


def test_a_no_match_decision_keeps_the_records_apart_when_a_bridge_record_arrives(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    decide(client, open_tasks(client)[0]["id"], "no-match")
    bridge = {**person(), **{k: v for k, v in LOOKALIKE.items() if k != "birth_date"}}
    bridge.update(email="jose.garcia@example.com", phone="+34 600 123 456")

    upsert(client, "shop", "3", bridge)

    left = client.get("/v1/customers/records/crm/1").json()["golden_id"]
    right = client.get("/v1/customers/records/shop/2").json()["golden_id"]
    assert left != right


def test_a_task_decided_twice_is_a_409(client: TestClient, review_pair: tuple[str, str]) -> None:
    task_id = open_tasks(client)[0]["id"]
    decide(client, task_id, "no-match")

    response = client.post(f"/v1/review-tasks/{task_id}/decision", json={"decision": "match"})

    assert response.status_code == 409


def test_an_override_decision_on_a_possible_match_is_a_422(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    task_id = open_tasks(client)[0]["id"]

    response = client.post(
        f"/v1/review-tasks/{task_id}/decision", json={"decision": "keep-override"}
    )

    assert response.status_code == 422
    assert response.json()["field"] == "decision"


def test_the_queue_orders_by_score_when_asked(client: TestClient) -> None:
    upsert(client, "crm", "1", person())
    upsert(client, "shop", "2", LOOKALIKE)
    upsert(client, "shop", "3", TOLEDO_NAMESAKE)

    scores = [t["score"] for t in open_tasks(client, order="score")]

    assert len(scores) >= 2
    assert scores == sorted(scores, reverse=True)


def test_a_steward_merge_redirects_the_merged_away_id(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    survivor, retired = review_pair

    response = client.post(f"/v1/customers/golden/{survivor}/merge", json={"other": retired})

    assert response.status_code == 204
    read = client.get(f"/v1/customers/golden/{retired}").json()
    assert read["id"] == survivor
    assert len(read["members"]) == 2


def test_merging_a_golden_record_with_itself_is_a_422(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    survivor, _ = review_pair

    response = client.post(f"/v1/customers/golden/{survivor}/merge", json={"other": survivor})

    assert response.status_code == 422


def test_a_split_record_does_not_merge_back_when_updated(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person()) == golden_id

    response = client.post(
        f"/v1/customers/golden/{golden_id}/split",
        json={"records": [{"source": "shop", "source_id": "2"}], "comment": "two people"},
    )
    assert response.status_code == 201
    new_id = response.json()["new_golden_id"]
    upsert(client, "shop", "2", person(phone="+34 600 999 999"))
    upsert(client, "crm", "3", person())

    assert client.get("/v1/customers/records/shop/2").json()["golden_id"] == new_id
    assert client.get("/v1/customers/records/crm/1").json()["golden_id"] == golden_id


def test_splitting_out_every_member_is_a_422_and_changes_nothing(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())

    response = client.post(
        f"/v1/customers/golden/{golden_id}/split",
        json={"records": [{"source": "crm", "source_id": "1"}]},
    )

    assert response.status_code == 422
    assert client.get(f"/v1/customers/golden/{golden_id}").json()["version"] == 1


def test_splitting_a_record_that_is_not_a_member_is_a_422_naming_it(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    upsert(client, "shop", "2", person())

    response = client.post(
        f"/v1/customers/golden/{golden_id}/split",
        json={"records": [{"source": "shop", "source_id": "nope"}]},
    )

    assert response.status_code == 422
    assert "shop:nope" in response.json()["detail"]


def test_an_override_wins_over_the_sources_until_removed(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    url = f"/v1/customers/golden/{golden_id}/overrides/email"

    assert client.put(url, json={"value": "jg@verified.es", "reason": "called"}).status_code == 204
    upsert(client, "crm", "1", person(phone="+34 600 000 001"))
    pinned = client.get(f"/v1/customers/golden/{golden_id}").json()["attributes"]["email"]
    assert client.delete(url).status_code == 204
    unpinned = client.get(f"/v1/customers/golden/{golden_id}").json()["attributes"]["email"]

    assert pinned["value"] == "jg@verified.es"
    assert pinned["rule"] == "steward_override"
    assert pinned["reason"] == "called"
    assert unpinned["value"] == "jose.garcia@example.com"


def test_a_source_contradicting_an_override_opens_a_conflict_task(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    client.put(
        f"/v1/customers/golden/{golden_id}/overrides/email",
        json={"value": "jg@verified.es", "reason": "called"},
    ).raise_for_status()

    upsert(client, "crm", "1", person(email="jose@new-provider.es"))

    [task] = open_tasks(client, kind="override_conflict")
    assert task["golden_id"] == golden_id
    assert task["detail"] == {
        "attribute": "email",
        "override": "jg@verified.es",
        "source_value": "jose@new-provider.es",
    }
    golden = client.get(f"/v1/customers/golden/{golden_id}").json()
    assert golden["attributes"]["email"]["value"] == "jg@verified.es"


def test_accepting_the_source_in_a_conflict_removes_the_override(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    client.put(
        f"/v1/customers/golden/{golden_id}/overrides/email",
        json={"value": "jg@verified.es", "reason": "called"},
    ).raise_for_status()
    upsert(client, "crm", "1", person(email="jose@new-provider.es"))
    [task] = open_tasks(client, kind="override_conflict")

    decide(client, task["id"], "accept-source")

    golden = client.get(f"/v1/customers/golden/{golden_id}").json()
    assert golden["attributes"]["email"]["value"] == "jose@new-provider.es"


def test_removing_an_override_that_does_not_exist_is_a_404(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())

    response = client.delete(f"/v1/customers/golden/{golden_id}/overrides/email")

    assert response.status_code == 404


def test_history_lists_each_version_with_what_changed_and_why(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    upsert(client, "crm", "1", person(phone="+34 600 000 001"))

    versions = client.get(f"/v1/customers/golden/{golden_id}/history").json()["versions"]

    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["operation"] == "ingest"
    [change] = versions[1]["changes"]
    assert change["attribute"] == "phone"
    assert change["after"] == "+34 600 000 001"
    assert (change["source"], change["source_id"]) == ("crm", "1")


def test_an_as_of_read_returns_the_record_as_it_was(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    first = client.get(f"/v1/customers/golden/{golden_id}/history").json()["versions"][0]
    upsert(client, "crm", "1", person(phone="+34 600 000 001"))

    then = client.get(
        f"/v1/customers/golden/{golden_id}", params={"as_of": first["recorded_at"]}
    ).json()

    assert then["version"] == 1
    assert then["attributes"]["phone"]["value"] == "+34 600 123 456"
    assert then["members"] is None


def test_an_as_of_read_before_the_record_existed_is_a_404(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())

    response = client.get(
        f"/v1/customers/golden/{golden_id}", params={"as_of": "2000-01-01T00:00:00Z"}
    )

    assert response.status_code == 404


def test_every_steward_action_is_in_the_audit_log(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    survivor, retired = review_pair
    client.post(f"/v1/customers/golden/{survivor}/merge", json={"other": retired})

    entries = client.get("/v1/audit", params={"action": "golden.merge"}).json()["entries"]

    assert [(e["target"], e["detail"]["retired"]) for e in entries] == [(survivor, retired)]


def test_decided_pairs_export_as_labelled_training_pairs(
    client: TestClient, review_pair: tuple[str, str]
) -> None:
    decide(client, open_tasks(client)[0]["id"], "no-match")

    response = client.get("/v1/review-tasks/labelled-pairs", params={"entity": "customer"})

    [pair] = [line for line in response.text.splitlines() if line]
    assert '"label":0' in pair.replace(" ", "")


def test_an_override_follows_its_golden_record_when_the_machine_merges_it_away(
    client: TestClient,
) -> None:
    ana = person(given_name="Ana", family_name="Ruiz", birth_date="1990-05-05",
                 email="ana@example.com", phone="+34 611 222 333")  # fmt: skip
    survivor = upsert(client, "crm", "1", ana)
    retired = upsert(client, "shop", "2", person())
    client.put(
        f"/v1/customers/golden/{retired}/overrides/gender",
        json={"value": "F", "reason": "customer said so"},
    ).raise_for_status()

    assert upsert(client, "shop", "2", ana) == survivor

    golden = client.get(f"/v1/customers/golden/{survivor}").json()
    assert golden["attributes"]["gender"]["value"] == "F"
