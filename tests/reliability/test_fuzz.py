"""Fuzzing every operation of the live OpenAPI schema with schemathesis, as the admin.

Two properties, each its own test so a finding in one does not hide the other:
`test_no_server_error` (no 5xx, whatever the input) and `test_responses_match_the_schema`
(the status code is documented, and the body and headers fit what is documented for it).
Both send schema-valid (positive) and schema-violating (negative) requests to the app
in-process, on SQLite and on PostgreSQL, against a hub seeded with a few customers (one
pair in the review band), a product, an address, an interaction, a webhook and a key;
path parameters and record sources are drawn partly from those seeded values, so the
requests get past "unknown entity" and "no such id" into the code that does the work.

The inputs that no database can store are sent on purpose, not left to chance: besides
what schemathesis draws (which includes U+0000 and out-of-range integers, rarely), each
path, query and body is also sent with a NUL character in every string, and with every
integer beyond 64 bits; each must get a documented answer, never a 5xx (the smallest
requests showing each rule are in tests/reliability/test_api_findings.py).

Generation is derandomised and shrinking is off, so each operation costs a bounded number
of requests (`MAX_EXAMPLES` generated cases plus schemathesis' explicit and boundary cases).
"""

from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import Case, HookContext
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mdmhub.api.app import create_app
from tests.api.conftest import ADMIN_KEY, bearer
from tests.factories import LOOKALIKE, duplicate_of, interaction, people, person, product

MAX_EXAMPLES = 25
"""Per operation and property: 33 operations x 2 properties x 25 cases, plus schemathesis'
own examples and boundary cases, stay within a couple of minutes per database."""

BEYOND_64_BITS = 2**64
"""Past any BIGINT, signed or not."""

schema = schemathesis.openapi.from_dict(create_app().openapi())

schema.config.generation.update(allow_x00=True)  # schemathesis' default, said rather than assumed

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

_ENTITIES = ["customers", "products", "addresses"]


@pytest.fixture
def seeded(client: TestClient) -> dict[str, list[str]]:
    """A small hub to fuzz, and the ids in it that path parameters may take."""
    customers = [
        {"source": "crm", "source_id": "1", "attributes": person()},
        {"source": "shop", "source_id": "1", "attributes": duplicate_of(person())},
        {"source": "crm", "source_id": "2", "attributes": LOOKALIKE},
        *(
            {"source": "crm", "source_id": f"p{i}", "attributes": attributes}
            for i, attributes in enumerate(people(3))
        ),
    ]
    results = client.post("/v1/customers/records", json={"records": customers}).json()["results"]
    golden = [r["golden_id"] for r in results]
    for entity, attributes in (
        ("products", product()),
        ("addresses", {"address_line1": "Calle Mayor", "house_number": "5", "locality": "Madrid"}),
    ):
        body = {"source": "crm", "source_id": "1", "attributes": attributes}
        golden.append(client.post(f"/v1/{entity}/records", json=body).json()["golden_id"])
    client.post("/v1/interactions", json=interaction("1", interaction_id="i1")).raise_for_status()
    webhook = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}).json()
    key = client.post("/v1/keys", json={"role": "agent", "name": "fuzz"}).json()
    tasks = client.get("/v1/review-tasks").json()["tasks"]
    assert tasks, "the lookalike should have opened a review task"
    return {
        "entity": _ENTITIES,
        "golden_id": list(dict.fromkeys(golden)),  # in seeding order: the same every run
        "task_id": [str(t["id"]) for t in tasks],
        "webhook_id": [str(webhook["id"])],
        "key_id": [str(key["id"])],
        "source": ["crm", "shop"],
        "source_id": ["1", "2"],
        "interaction_id": ["i1"],
        "attribute": ["email", "given_name"],
    }


_KNOWN: dict[str, list[str]] = {}
"""The seeded values of the running test, read by the hooks below at draw time."""


def _leaves(value: Any, kind: type, change: Callable[[Any], Any]) -> Any:
    """`value` with `change` applied to every string or integer (`kind`) in it."""
    if isinstance(value, dict):
        return {k: _leaves(v, kind, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_leaves(v, kind, change) for v in value]
    if isinstance(value, kind) and not isinstance(value, bool):
        return change(value)
    return value


def _hostile(value: Any) -> list[Any]:
    """`value`, then (where it holds any string or integer) the same with a NUL character in
    every string, and with every integer beyond 64 bits."""
    variants = [
        value,
        _leaves(value, str, lambda text: f"{text}\u0000"),
        _leaves(value, int, lambda number: BEYOND_64_BITS if number >= 0 else -BEYOND_64_BITS),
    ]
    return [v for i, v in enumerate(variants) if v not in variants[:i]]


@schema.hook
def flatmap_query(context: HookContext, query: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(_hostile(query))


@schema.hook
def flatmap_path_parameters(
    context: HookContext, path_parameters: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Each path parameter keeps its generated value, takes a seeded one, or a hostile one."""
    choices = {
        name: st.sampled_from([*_hostile(value), *_KNOWN.get(name, [])])
        for name, value in (path_parameters or {}).items()
    }
    return st.fixed_dictionaries(choices)


@schema.hook
def flatmap_body(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
    """A body naming a source sometimes names a registered one, so records get accepted;
    it is sometimes hostile."""
    bodies = _hostile(body)
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        records = body["records"]
        if all(isinstance(r, dict) for r in records):
            bodies.append({**body, "records": [{**r, "source": "crm"} for r in records]})
    elif isinstance(body, dict) and "source" in body:
        bodies.append({**body, "source": "crm"})
    return st.sampled_from(bodies)


@pytest.fixture
def asgi(seeded: dict[str, list[str]], client: TestClient) -> Iterator[ASGIClient]:
    """schemathesis' own in-process client of the app `client` started (lifespan included)."""
    _KNOWN.update(seeded)
    # Not entered as a context manager: that would start the app's lifespan a second time.
    session = ASGIClient(cast(Any, client.app))
    yield session
    session.close()
    _KNOWN.clear()


CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _call(case: Case[Any], asgi: ASGIClient, checks: list[Any]) -> None:
    case.call_and_validate(
        session=asgi, base_url="http://testserver", headers=bearer(ADMIN_KEY), checks=checks
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error(case: Case[Any], asgi: ASGIClient) -> None:
    """Whatever the input, the answer is never a 5xx."""
    _call(case, asgi, [not_a_server_error])


@schema.parametrize()
@FUZZ_SETTINGS
def test_responses_match_the_schema(case: Case[Any], asgi: ASGIClient) -> None:
    """Every answer's status is documented for its operation, and its body, content type and
    headers fit what is documented for that status."""
    _call(case, asgi, CONFORMANCE)
