"""Who may call what: one table for every route, and the source-key boundary."""

import re
from typing import Literal

import pytest
from fastapi.testclient import TestClient

from mdmhub.api.app import create_app
from mdmhub.domain.actors import Role
from tests.api.conftest import ClientAs, ClientWith, NewKey, key_id
from tests.factories import payload

SOURCE, AGENT, STEWARD, ADMIN = Role.SOURCE, Role.AGENT, Role.STEWARD, Role.ADMIN
PUBLIC: Literal["public"] = "public"

ACCESS: dict[tuple[str, str], frozenset[Role] | Literal["public"]] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("POST", "/v1/sources"): frozenset({ADMIN}),
    ("GET", "/v1/sources"): frozenset({STEWARD, ADMIN}),
    ("POST", "/v1/keys"): frozenset({ADMIN}),
    ("GET", "/v1/keys"): frozenset({ADMIN}),
    ("DELETE", "/v1/keys/{key_id}"): frozenset({ADMIN}),
    ("POST", "/v1/{entity}/records"): frozenset({SOURCE, ADMIN}),
    ("GET", "/v1/{entity}/records/{source}/{source_id}"): frozenset({SOURCE, ADMIN}),
    ("DELETE", "/v1/{entity}/records/{source}/{source_id}"): frozenset({SOURCE, ADMIN}),
    ("GET", "/v1/{entity}/golden/{golden_id}"): frozenset({AGENT, STEWARD, ADMIN}),
    ("GET", "/v1/{entity}/match-explain"): frozenset({STEWARD, ADMIN}),
    ("GET", "/v1/{entity}/golden/{golden_id}/history"): frozenset({AGENT, STEWARD, ADMIN}),
    ("POST", "/v1/{entity}/golden/{golden_id}/merge"): frozenset({STEWARD, ADMIN}),
    ("POST", "/v1/{entity}/golden/{golden_id}/split"): frozenset({STEWARD, ADMIN}),
    ("PUT", "/v1/{entity}/golden/{golden_id}/overrides/{attribute}"): frozenset({STEWARD, ADMIN}),
    ("DELETE", "/v1/{entity}/golden/{golden_id}/overrides/{attribute}"): frozenset(
        {STEWARD, ADMIN}
    ),
    ("GET", "/v1/review-tasks"): frozenset({STEWARD, ADMIN}),
    ("GET", "/v1/review-tasks/labelled-pairs"): frozenset({STEWARD, ADMIN}),
    ("GET", "/v1/review-tasks/{task_id}"): frozenset({STEWARD, ADMIN}),
    ("POST", "/v1/review-tasks/{task_id}/decision"): frozenset({STEWARD, ADMIN}),
    ("GET", "/v1/audit"): frozenset({ADMIN}),
    ("GET", "/v1/customers/search"): frozenset({AGENT, ADMIN}),
    ("GET", "/v1/customers/{golden_id}/360"): frozenset({AGENT, ADMIN}),
    ("POST", "/v1/interactions"): frozenset({SOURCE, ADMIN}),
    ("GET", "/v1/interactions/{source}/{interaction_id}"): frozenset({SOURCE, ADMIN}),
    ("GET", "/v1/events"): frozenset({AGENT, ADMIN}),
    ("GET", "/v1/webhooks"): frozenset({ADMIN}),
    ("POST", "/v1/webhooks"): frozenset({ADMIN}),
    ("GET", "/v1/webhooks/{webhook_id}"): frozenset({ADMIN}),
    ("DELETE", "/v1/webhooks/{webhook_id}"): frozenset({ADMIN}),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): frozenset({ADMIN}),
    ("POST", "/v1/webhooks/{webhook_id}/replay"): frozenset({ADMIN}),
}
"""Every route of the OpenAPI schema, by method and path template. A route missing here
fails the suite: a new endpoint must say who may call it."""

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ROUTES = sorted(
    (method.upper(), path)
    for path, operations in create_app().openapi()["paths"].items()
    for method in operations
    if method in HTTP_METHODS
)
ALLOWED_VALUES = {"entity": "customers", "source": "crm", "source_id": "1"}
"""Parameters for callers the table lets in: the source key's own source, so an answer
other than 401/403 shows the role check passed (404 and 422 for dummy ids are fine)."""
REFUSED_VALUES = {"entity": "planets", "source": "shop", "source_id": "1"}
"""Parameters for callers the table keeps out: an unknown entity would answer 404 if any
lookup ran before the role check, so the 401/403 proves the check comes first."""


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: values.get(match[1], "1"), path)


def test_every_route_of_the_schema_and_only_those_have_an_access_rule() -> None:
    assert set(ROUTES) == set(ACCESS)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_each_route_admits_exactly_the_roles_of_the_table(
    method: str, path: str, client_with: ClientWith, new_key: NewKey, client: TestClient
) -> None:
    assert (method, path) in ACCESS, f"{method} {path} has no rule in ACCESS"
    allowed = ACCESS[(method, path)]
    revoked = new_key(ADMIN)
    client.delete(f"/v1/keys/{key_id(revoked)}").raise_for_status()
    keys = {role: new_key(role, "crm" if role is SOURCE else None) for role in Role}

    for label, key in (("no key", None), ("a revoked key", revoked)):
        values = ALLOWED_VALUES if allowed == PUBLIC else REFUSED_VALUES
        response = client_with(key).request(method, _url(path, values))
        if allowed == PUBLIC:
            assert response.status_code < 400, (label, response.text)
        else:
            assert response.status_code == 401, (label, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
    for role, key in keys.items():
        admitted = allowed == PUBLIC or role in allowed
        values = ALLOWED_VALUES if admitted else REFUSED_VALUES
        response = client_with(key).request(method, _url(path, values))
        if admitted:
            assert response.status_code not in {401, 403}, (role, response.text)
            assert response.status_code < 500, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_the_docs_need_no_key(path: str, client_with: ClientWith) -> None:
    assert client_with(None).get(path).status_code == 200


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "send an API key as `Authorization: Bearer <key>`"),
        ("Basic YWRtaW46YWRtaW4=", "send an API key as `Authorization: Bearer <key>`"),
        ("Bearer not-a-key", "malformed API key"),
        ("Bearer mdm_00000000000000ad_a-guess-at-the-admin-secret-000000", "unknown API key"),
    ],
)
def test_a_missing_malformed_or_unknown_key_is_a_401_with_a_bearer_challenge(
    authorization: str | None, detail: str, client_with: ClientWith
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = client_with(None).get("/v1/sources", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"].startswith(detail)


def test_a_revoked_key_is_told_so(
    client: TestClient, client_with: ClientWith, new_key: NewKey
) -> None:
    key = new_key(STEWARD)
    assert client_with(key).get("/v1/sources").status_code == 200

    client.delete(f"/v1/keys/{key_id(key)}").raise_for_status()

    response = client_with(key).get("/v1/sources")
    assert response.status_code == 401
    assert response.json()["detail"] == f"API key {key_id(key)} was revoked"


def test_a_wrong_role_is_a_403_naming_the_roles_needed(client_as: ClientAs) -> None:
    response = client_as(AGENT).post("/v1/sources", json={"name": "erp", "trust": 0.5})

    assert response.status_code == 403
    assert response.json()["detail"] == "the role agent may not do this; allowed roles: admin"


class TestASourceKeyActsOnlyForItsSource:
    """`crm`'s key against `shop`'s records: refused alike whether the record exists or not."""

    @pytest.fixture
    def crm(self, client: TestClient, client_as: ClientAs) -> TestClient:
        client.post("/v1/customers/records", json=payload("shop", "S1")).raise_for_status()
        return client_as(SOURCE, "crm")

    def test_it_writes_reads_and_deletes_its_own_records(self, crm: TestClient) -> None:
        assert crm.post("/v1/customers/records", json=payload("crm", "C1")).status_code == 200
        assert crm.get("/v1/customers/records/crm/C1").json()["version"] == 1
        assert crm.delete("/v1/customers/records/crm/C1").json()["outcome"] == "deleted"

    @pytest.mark.parametrize("source_id", ["S1", "S404"])
    def test_another_sources_record_reads_as_not_found(
        self, crm: TestClient, source_id: str
    ) -> None:
        response = crm.get(f"/v1/customers/records/shop/{source_id}")

        assert response.status_code == 404
        assert response.json()["detail"] == f"no customer record shop:{source_id}"

    @pytest.mark.parametrize("source_id", ["S1", "S404"])
    def test_deleting_another_sources_record_is_a_403(
        self, crm: TestClient, client: TestClient, source_id: str
    ) -> None:
        response = crm.delete(f"/v1/customers/records/shop/{source_id}")

        assert response.status_code == 403
        assert response.json() == {
            "detail": "this key acts only for source 'crm'",
            "field": "source",
            "errors": [],
        }
        assert client.get("/v1/customers/records/shop/S1").json()["deleted"] is False

    def test_upserting_another_sources_record_is_a_403_and_changes_nothing(
        self, crm: TestClient, client: TestClient
    ) -> None:
        response = crm.post(
            "/v1/customers/records", json=payload("shop", "S1", given_name="Mallory")
        )

        assert response.status_code == 403
        assert client.get("/v1/customers/records/shop/S1").json()["version"] == 1

    def test_a_batch_refuses_another_sources_records_one_by_one(
        self, crm: TestClient, client: TestClient
    ) -> None:
        records = [payload("shop", "S1", given_name="Mallory"), payload("crm", "C2")]

        body = crm.post("/v1/customers/records", json={"records": records}).json()

        assert (body["accepted"], body["refused"]) == (1, 1)
        assert [r["status"] for r in body["results"]] == ["refused", "accepted"]
        assert [r["index"] for r in body["results"]] == [0, 1]
        assert body["results"][0]["errors"] == [
            {"field": "source", "message": "this key acts only for source 'crm'"}
        ]
        assert client.get("/v1/customers/records/shop/S1").json()["version"] == 1

    def test_it_reads_no_golden_record_directly(self, crm: TestClient) -> None:
        golden_id = crm.post("/v1/customers/records", json=payload("crm", "C3")).json()["golden_id"]

        assert crm.get(f"/v1/customers/golden/{golden_id}").status_code == 403
        assert crm.get("/v1/customers/records/crm/C3").json()["golden_id"] == golden_id
