"""The API's answer to each kind of hostile input the fuzzer (test_fuzz.py) draws at random,
shown here by the smallest request that meets it, on SQLite and on PostgreSQL:

- an integer beyond 64 bits in a query or path parameter is a 422 naming the parameter;
- a NUL character (U+0000) in the URL or the JSON body is a 422 and nothing is written, also
  when the body arrives in pieces; text that only spells one out (a backslash, then
  `u0000`) is an ordinary value;
- a body that is not UTF-8 is a 400, and a body over the size limit a 413, with or without
  a Content-Length;
- a request that fails validation gets a 422 in the ErrorOut shape, naming every field at
  fault;
- an unknown entity or a missing record is a 404;
- and every one of those statuses is documented on the operation that answers it.
"""

import http.client
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from fastapi.testclient import TestClient

from mdmhub.api.deps import MAX_ID
from tests.api.conftest import ADMIN_KEY, bearer
from tests.factories import payload
from tests.reliability._hub import serving

AUTHENTICATED = {400, 401, 403, 413, 422, 429}
"""What every operation behind an API key documents."""


class Call(NamedTuple):
    """One request: `url` is `template` filled in, with GOLDEN for a golden id of the test."""

    method: str
    template: str
    url: str
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.url.split('?')[0]}"


def _send(client: TestClient, call: Call, golden_id: str = "") -> httpx.Response:
    response: httpx.Response = client.request(
        call.method, call.url.replace("GOLDEN", golden_id), json=call.body
    )
    return response


def _documented(client: TestClient, call: Call) -> dict[str, Any]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    responses: dict[str, Any] = paths[call.template][call.method.lower()]["responses"]
    return responses


def _assert_answer(client: TestClient, call: Call, response: httpx.Response, status: int) -> None:
    """`status`, documented for the operation, with an ErrorOut body."""
    assert response.status_code == status, response.text
    assert str(status) in _documented(client, call)
    body = response.json()
    assert set(body) <= {"detail", "field", "errors"}, body
    assert isinstance(body["detail"], str), body
    assert body.get("field") is None or isinstance(body["field"], str), body
    for problem in body.get("errors", []):
        assert set(problem) == {"field", "message"}, body


def _last_write(client: TestClient) -> tuple[int, int]:
    """The newest audit entry and change event: every write adds at least one."""
    audit = client.get("/v1/audit", params={"after": 0, "limit": 1000}).json()
    events = client.get("/v1/events", params={"after": 0, "limit": 1000}).json()
    return audit["next_cursor"], events["next_cursor"]


@pytest.fixture
def golden_id(client: TestClient) -> str:
    response = client.post("/v1/customers/records", json=payload("crm", "1"))
    response.raise_for_status()
    found: str = response.json()["golden_id"]
    return found


def test_every_operation_documents_the_statuses_it_can_answer(client: TestClient) -> None:
    """400, 401, 403, 413, 422 and 429 behind an API key; 404 under /v1/{entity}."""
    missing = {}
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method, operation in operations.items():
            expected = AUTHENTICATED if operation.get("security") else set()
            if path.startswith("/v1/{entity}"):
                expected = expected | {404}
            if gaps := expected - {int(code) for code in operation["responses"]}:
                missing[f"{method.upper()} {path}"] = sorted(gaps)
    assert missing == {}


BEYOND_BIGINT = MAX_ID + 1
OVERFLOWS = [
    (Call("GET", "/v1/events", f"/v1/events?after={BEYOND_BIGINT}"), "after"),
    (Call("GET", "/v1/audit", f"/v1/audit?after={BEYOND_BIGINT}"), "after"),
    (Call("GET", "/v1/review-tasks", f"/v1/review-tasks?offset={BEYOND_BIGINT}"), "offset"),
    (Call("GET", "/v1/review-tasks/{task_id}", f"/v1/review-tasks/{BEYOND_BIGINT}"), "task_id"),
    (
        Call(
            "POST",
            "/v1/review-tasks/{task_id}/decision",
            f"/v1/review-tasks/{BEYOND_BIGINT}/decision",
            {"decision": "match"},
        ),
        "task_id",
    ),
    (
        Call(
            "GET",
            "/v1/customers/{golden_id}/360",
            f"/v1/customers/GOLDEN/360?offset={BEYOND_BIGINT}",
        ),
        "offset",
    ),
]


@pytest.mark.parametrize(("call", "parameter"), OVERFLOWS, ids=[str(c) for c, _ in OVERFLOWS])
def test_a_number_beyond_64_bits_is_a_422_naming_the_parameter(
    client: TestClient, golden_id: str, call: Call, parameter: str
) -> None:
    """No database column holds it: it is refused before any query is made."""
    response = _send(client, call, golden_id)

    _assert_answer(client, call, response, 422)
    assert response.json()["field"].split(".")[-1] == parameter


def test_the_largest_64_bit_number_is_an_ordinary_cursor(client: TestClient) -> None:
    response = client.get("/v1/events", params={"after": MAX_ID})

    assert response.status_code == 200, response.text
    assert response.json()["events"] == []


NUL_REQUESTS = [
    Call("POST", "/v1/sources", "/v1/sources", {"name": "c\u0000rm", "trust": 0.5}),
    Call(
        "POST",
        "/v1/{entity}/records",
        "/v1/customers/records",
        {"source": "crm", "source_id": "x\u0000", "attributes": {"given_name": "Ana"}},
    ),
    Call(
        "POST",
        "/v1/{entity}/records",
        "/v1/customers/records",
        {"source": "crm", "source_id": "2", "attributes": {"given_name": "An\u0000a"}},
    ),
    Call(
        "GET",
        "/v1/{entity}/records/{source}/{source_id}",
        "/v1/customers/records/crm/a%00b",
    ),
    Call("GET", "/v1/{entity}/golden/{golden_id}", "/v1/customers/golden/cus_%00"),
    Call(
        "GET",
        "/v1/interactions/{source}/{interaction_id}",
        "/v1/interactions/crm/a%00",
    ),
    Call("DELETE", "/v1/keys/{key_id}", "/v1/keys/a%00"),
    Call("GET", "/v1/{entity}/match-explain", "/v1/customers/match-explain?a=crm:1&b=crm:%00"),
    Call("GET", "/v1/audit", "/v1/audit?action=a%00"),
    Call(
        "POST",
        "/v1/interactions",
        "/v1/interactions",
        {
            "source": "crm",
            "interaction_id": "i\u0000",
            "customer_source_id": "1",
            "type": "call",
            "occurred_at": "2025-03-01T10:00:00Z",
        },
    ),
]


@pytest.mark.parametrize("call", NUL_REQUESTS, ids=[f"{c} {i}" for i, c in enumerate(NUL_REQUESTS)])
def test_a_nul_character_is_a_422_and_nothing_is_written(
    client: TestClient, golden_id: str, call: Call
) -> None:
    """PostgreSQL text cannot hold U+0000, and no source system means one: both databases
    refuse it alike, at the door."""
    before = _last_write(client)

    response = _send(client, call)

    _assert_answer(client, call, response, 422)
    assert "NUL" in response.json()["detail"]
    assert _last_write(client) == before


def test_text_that_spells_out_a_nul_escape_is_an_ordinary_value(client: TestClient) -> None:
    r"""`C:\u0000` written out (a backslash, then `u0000`) holds no NUL character."""
    value = "C:\\u0000dir"
    body = {"source": "crm", "source_id": "path", "attributes": {"given_name": value}}

    response = client.post("/v1/customers/records", json=body)

    assert response.status_code == 200, response.text
    stored = client.get("/v1/customers/records/crm/path").json()
    assert stored["attributes"]["given_name"] == value


def _post_in_pieces(port: int, path: str, pieces: list[bytes]) -> tuple[int, bytes]:
    """POST a JSON body sent as separate writes, a pause apart, so the server receives each
    piece as its own chunk."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest("POST", path)
        headers = {
            **bearer(ADMIN_KEY),
            "Content-Type": "application/json",
            "Content-Length": str(sum(map(len, pieces))),
        }
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        for piece in pieces:
            connection.send(piece)
            time.sleep(0.3)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_nul_escape_split_between_two_chunks_is_still_a_422(
    database_url: str, tmp_path: Path
) -> None:
    """A large body reaches the server in pieces, and an escape may straddle two of them."""
    body = b'{"name": "c\\u00' + b'00rm", "trust": 0.5}'
    cut = body.index(b"00rm")
    with serving(database_url, tmp_path / "server.log") as server:
        status, answer = _post_in_pieces(server.port, "/v1/sources", [body[:cut], body[cut:]])

        assert status == 422, answer
        with server.client() as client:
            assert client.get("/v1/sources").json() == [], "nothing is written"


NOT_UTF8 = [
    (Call("POST", "/v1/sources", "/v1/sources"), b'{"name": "caf\xe9", "trust": 0.5}'),
    (Call("POST", "/v1/keys", "/v1/keys"), b'{"role": "agent", "name": "caf\xe9"}'),
    (
        Call("POST", "/v1/{entity}/records", "/v1/customers/records"),
        b'{"source": "crm", "source_id": "\xe9", "attributes": {}}',
    ),
    (
        Call("POST", "/v1/interactions", "/v1/interactions"),
        b'{"source": "crm", "interaction_id": "\xe9"}',
    ),
    (Call("POST", "/v1/webhooks", "/v1/webhooks"), b'{"url": "http://example.com/\xe9"}'),
]


@pytest.mark.parametrize(("call", "body"), NOT_UTF8, ids=[c.url for c, _ in NOT_UTF8])
def test_a_body_that_is_not_utf8_is_a_400(client: TestClient, call: Call, body: bytes) -> None:
    response = client.post(call.url, content=body, headers={"content-type": "application/json"})

    _assert_answer(client, call, response, 400)


def test_a_body_over_the_limit_without_a_content_length_is_a_413(client: TestClient) -> None:
    """Sent chunked, the size is known only as the body arrives; it is still a 413."""
    limit: int = client.app.state.max_body_bytes  # type: ignore[attr-defined]
    piece = b" " * 1_000_000
    call = Call("POST", "/v1/sources", "/v1/sources")

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // len(piece) + 1):
            yield piece
        yield b'{"name": "big", "trust": 0.5}'

    response = client.post(call.url, content=chunks(), headers={"content-type": "application/json"})

    _assert_answer(client, call, response, 413)
    assert "big" not in {source["name"] for source in client.get("/v1/sources").json()}


INVALID_REQUESTS = [
    Call("POST", "/v1/keys", "/v1/keys", {}),
    Call("POST", "/v1/{entity}/records", "/v1/customers/records", {}),
    Call("POST", "/v1/{entity}/golden/{golden_id}/merge", "/v1/customers/golden/GOLDEN/merge", {}),
    Call("POST", "/v1/{entity}/golden/{golden_id}/split", "/v1/customers/golden/GOLDEN/split", {}),
    Call(
        "PUT",
        "/v1/{entity}/golden/{golden_id}/overrides/{attribute}",
        "/v1/customers/golden/GOLDEN/overrides/email",
        {},
    ),
    Call(
        "DELETE",
        "/v1/{entity}/golden/{golden_id}/overrides/{attribute}",
        f"/v1/customers/golden/GOLDEN/overrides/{'x' * 101}",
    ),
    Call("POST", "/v1/review-tasks/{task_id}/decision", "/v1/review-tasks/1/decision", {}),
    Call("GET", "/v1/{entity}/match-explain", "/v1/customers/match-explain?a=crm:1"),
    Call("GET", "/v1/customers/search", f"/v1/customers/search?q={'0' * 201}"),
    Call("GET", "/v1/customers/{golden_id}/360", "/v1/customers/GOLDEN/360?offset=-1"),
    Call("POST", "/v1/interactions", "/v1/interactions", {}),
    Call("POST", "/v1/webhooks", "/v1/webhooks", {}),
    Call("POST", "/v1/webhooks/{webhook_id}/replay", "/v1/webhooks/1/replay", {}),
]


@pytest.mark.parametrize(
    "call", INVALID_REQUESTS, ids=[f"{c.method} {c.template}" for c in INVALID_REQUESTS]
)
def test_a_request_that_fails_validation_gets_a_422_naming_every_field_at_fault(
    client: TestClient, golden_id: str, call: Call
) -> None:
    response = _send(client, call, golden_id)

    _assert_answer(client, call, response, 422)
    schema = _documented(client, call)["422"]["content"]["application/json"]["schema"]
    assert schema["$ref"].rsplit("/", 1)[-1] == "ErrorOut"
    body = response.json()
    assert body["errors"], body
    assert body["field"] == body["errors"][0]["field"]
    assert body["detail"].startswith(f"{body['field']}: ")


MISSING = [
    Call("POST", "/v1/{entity}/records", "/v1/people/records", payload("crm", "1")),
    Call("GET", "/v1/{entity}/records/{source}/{source_id}", "/v1/people/records/crm/1"),
    Call("GET", "/v1/{entity}/records/{source}/{source_id}", "/v1/customers/records/crm/9"),
    Call("DELETE", "/v1/{entity}/records/{source}/{source_id}", "/v1/customers/records/crm/9"),
]


@pytest.mark.parametrize("call", MISSING, ids=[str(c) for c in MISSING])
def test_a_missing_entity_or_record_is_a_404(client: TestClient, call: Call) -> None:
    response = _send(client, call)

    _assert_answer(client, call, response, 404)
