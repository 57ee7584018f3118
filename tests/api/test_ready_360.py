"""The default 360 read of a ready view, answered before routing (`api.ready_360`): which
reads it answers, and that every other read is left to the route with the same outcome.

(test_customer_views.py covers what a ready view holds and when it is stale.)
"""

import json
import logging
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from mdmhub.api.rate_limit import RateLimiter
from mdmhub.api.ready_360 import Ready360Reads
from mdmhub.domain.actors import Role
from mdmhub.logs import JsonFormatter
from mdmhub.settings import Settings
from tests.api.conftest import MARKER, ClientWith, NewKey, bearer, key_id, read_360, set_view

LEFT_TO_THE_APP = 418


def read_alone(
    client: TestClient, key: str, path: str, params: dict[str, str] | None = None
) -> Response:
    """A read sent to the middleware alone, in front of an app that answers 418 to whatever
    reaches it; the middleware sees the state of `client`'s started app (settings, key
    cache, rate limits)."""
    middleware = Ready360Reads(PlainTextResponse("the route", status_code=LEFT_TO_THE_APP))

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = client.app
        await middleware(scope, receive, send)

    answer: Response = TestClient(served).get(path, params=params, headers=bearer(key))
    return answer


@pytest.fixture
def known_agent(client_with: ClientWith, new_key: NewKey, marked: str) -> str:
    """An agent key that has read once, so this process knows it."""
    key = new_key(Role.AGENT, sees_sensitive=True)
    client_with(key).get(f"/v1/customers/{marked}/360").raise_for_status()
    return key


def test_a_ready_read_by_a_known_agent_is_answered_before_routing(
    client: TestClient, known_agent: str, marked: str
) -> None:
    answer = read_alone(client, known_agent, f"/v1/customers/{marked}/360")

    assert (answer.status_code, answer.content) == (200, MARKER)
    assert answer.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/customers/{golden_id}/360", {"include": "golden"}),
        ("/v1/customers/{golden_id}/360", {"limit": "5"}),
        ("/v1/customers/{golden_id}/360/", {}),
        ("/v1/customers/golden/{golden_id}", {}),
    ],
)
def test_other_reads_are_left_to_the_app(
    client: TestClient, known_agent: str, marked: str, path: str, params: dict[str, str]
) -> None:
    answer = read_alone(client, known_agent, path.format(golden_id=marked), params)

    assert answer.status_code == LEFT_TO_THE_APP


def test_a_key_this_process_has_not_checked_is_left_to_the_app(
    client: TestClient, new_key: NewKey, marked: str
) -> None:
    fresh = new_key(Role.AGENT)

    answer = read_alone(client, fresh, f"/v1/customers/{marked}/360")

    assert answer.status_code == LEFT_TO_THE_APP


def test_a_view_not_ready_is_left_to_the_app(
    client: TestClient, api_settings: Settings, known_agent: str, marked: str
) -> None:
    set_view(api_settings, marked, valid_until=datetime.now(UTC))

    answer = read_alone(client, known_agent, f"/v1/customers/{marked}/360")

    assert answer.status_code == LEFT_TO_THE_APP


def test_a_known_key_whose_role_may_not_read_customers_is_refused(
    client_with: ClientWith, new_key: NewKey, marked: str
) -> None:
    steward = client_with(new_key(Role.STEWARD))
    steward.get("/v1/review-tasks")

    assert steward.get(f"/v1/customers/{marked}/360").status_code == 403


def test_a_revoked_key_is_refused_at_once(
    client: TestClient, client_with: ClientWith, known_agent: str, marked: str
) -> None:
    client.delete(f"/v1/keys/{key_id(known_agent)}").raise_for_status()

    assert client_with(known_agent).get(f"/v1/customers/{marked}/360").status_code == 401


def test_ready_reads_spend_the_keys_rate(
    app: FastAPI, client: TestClient, known_agent: str, marked: str
) -> None:
    app.state.rate_limiter = RateLimiter(rate=0.001, burst=2)
    agent = TestClient(client.app, headers=bearer(known_agent))

    statuses = [agent.get(f"/v1/customers/{marked}/360").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_an_agent_who_may_not_see_sensitive_data_reads_the_masked_ready_view(
    client_with: ClientWith, new_key: NewKey, marked: str
) -> None:
    agent = client_with(new_key(Role.AGENT))
    first = read_360(agent, marked)

    again = read_360(agent, marked)

    assert again == first
    assert json.loads(again)["attributes"]["national_id"]["value"] == "*******8Z"


def test_the_access_log_names_the_route_and_key_of_a_ready_read(
    client_with: ClientWith, known_agent: str, marked: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="mdmhub.access"):
        read_360(client_with(known_agent), marked)

    [record] = [r for r in caplog.records if r.name == "mdmhub.access"]
    line = json.loads(JsonFormatter().format(record))
    assert (line["route"], line["api_key_id"], line["status"]) == (
        "/v1/customers/{golden_id}/360",
        key_id(known_agent),
        200,
    )
