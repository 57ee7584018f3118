"""API keys over REST, the first admin key, and the audit trail of writes made with keys."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from mdmhub.api.app import create_app
from mdmhub.db.models import AuditEntry
from mdmhub.db.session import transaction
from mdmhub.domain.actors import Role
from mdmhub.errors import InvalidInputError
from mdmhub.services import api_keys, audit
from mdmhub.settings import Settings, get_settings
from tests.api.conftest import ADMIN_KEY, ClientWith, NewKey, bearer, key_id
from tests.factories import payload


def _audit_log(settings: Settings) -> list[AuditEntry]:
    with transaction(settings.database_url) as session:
        return list(audit.entries(session, after=0, limit=1000))


def _app(settings: Settings) -> FastAPI:
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: settings
    return app


def test_a_created_key_is_shown_once_and_listed_without_its_secret(
    client: TestClient,
) -> None:
    body = {"role": "agent", "name": "call centre", "sees_sensitive": True}

    created = client.post("/v1/keys", json=body)

    assert created.status_code == 201
    key = created.json()["key"]
    assert re.fullmatch(r"mdm_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", key)
    listing = client.get("/v1/keys")
    assert key.split("_", 2)[2] not in listing.text
    listed = {k["id"]: k for k in listing.json()}
    assert listed[key_id(key)] == {
        "id": key_id(key),
        "role": "agent",
        "source": None,
        "name": "call centre",
        "sees_sensitive": True,
        "created_at": created.json()["created_at"],
        "last_used_at": None,
        "revoked_at": None,
    }


def test_a_revoked_key_stops_working_and_stays_listed(
    client: TestClient, client_with: ClientWith, new_key: NewKey
) -> None:
    key = new_key(Role.STEWARD)

    revoked = client.delete(f"/v1/keys/{key_id(key)}")

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client_with(key).get("/v1/sources").status_code == 401
    assert client.delete(f"/v1/keys/{key_id(key)}").json() == revoked.json()
    assert client.delete("/v1/keys/0000000000000000").status_code == 404


def test_a_used_key_shows_when_it_was_last_used(
    client: TestClient, client_with: ClientWith, new_key: NewKey
) -> None:
    key = new_key(Role.STEWARD)

    client_with(key).get("/v1/sources").raise_for_status()

    listed = {k["id"]: k for k in client.get("/v1/keys").json()}
    assert listed[key_id(key)]["last_used_at"] is not None


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"role": "source"}, "source", "a source key needs the source it writes for"),
        (
            {"role": "source", "source": "erp"},
            "source",
            "unknown source 'erp'; register it first",
        ),
        (
            {"role": "agent", "source": "crm"},
            "source",
            "only source keys are bound to a source, agent keys are not",
        ),
        (
            {"role": "steward", "sees_sensitive": True},
            "sees_sensitive",
            "sees_sensitive applies to agent keys only",
        ),
    ],
)
def test_a_key_that_makes_no_sense_is_a_422_and_nothing_is_created(
    client: TestClient, body: dict[str, object], field: str, detail: str
) -> None:
    before = client.get("/v1/keys").json()

    response = client.post("/v1/keys", json=body)

    assert response.status_code == 422
    assert response.json() == {"detail": detail, "field": field, "errors": []}
    assert client.get("/v1/keys").json() == before


def test_key_and_record_writes_are_audited_with_who_made_them(
    client: TestClient, client_with: ClientWith, new_key: NewKey, api_settings: Settings
) -> None:
    key = new_key(Role.SOURCE, "crm", name="crm sync")
    crm = client_with(key)
    crm.post("/v1/customers/records", json={"records": [payload("crm", "1"), payload("shop", "2")]})
    crm.delete("/v1/customers/records/crm/1").raise_for_status()
    client.delete(f"/v1/keys/{key_id(key)}").raise_for_status()

    entries = [
        (e.action, e.actor, e.api_key_id, e.target)
        for e in _audit_log(api_settings)
        if e.action != "sources.add"
    ]

    admin_id = key_id(ADMIN_KEY)
    assert entries == [
        ("keys.create", "system", None, admin_id),
        ("keys.create", "bootstrap admin", admin_id, key_id(key)),
        ("records.upsert", "crm sync", key_id(key), None),
        ("records.delete", "crm sync", key_id(key), "crm:1"),
        ("keys.revoke", "bootstrap admin", admin_id, key_id(key)),
    ]
    upsert = next(e for e in _audit_log(api_settings) if e.action == "records.upsert")
    assert upsert.entity == "customer"
    assert upsert.detail == {
        "records": 2,
        "accepted": 1,
        "refused": 1,
        "outcomes": {"created": 1},
    }


def test_registering_a_source_is_audited(client: TestClient, api_settings: Settings) -> None:
    client.post("/v1/sources", json={"name": "erp", "trust": 0.7}).raise_for_status()

    added = [e for e in _audit_log(api_settings) if e.action == "sources.add"]

    assert [(e.target, e.actor, e.detail) for e in added][-1] == (
        "erp",
        "bootstrap admin",
        {"trust": 0.7, "description": ""},
    )


def test_an_unnamed_key_acts_under_its_id(
    new_key: NewKey, client_with: ClientWith, api_settings: Settings
) -> None:
    key = new_key(Role.ADMIN)

    client_with(key).post("/v1/sources", json={"name": "erp", "trust": 0.7}).raise_for_status()

    assert _audit_log(api_settings)[-1].actor == key_id(key)


def test_a_fresh_hub_prints_an_admin_key_once_at_its_first_start(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(settings)
    with TestClient(app):
        pass
    printed = capsys.readouterr().err
    match = re.search(r"mdm_[0-9a-f]{16}_[A-Za-z0-9_-]+", printed)
    assert match, printed

    with TestClient(app, headers=bearer(match[0])) as admin:
        assert admin.get("/v1/keys").status_code == 200

    assert "mdm_" not in capsys.readouterr().err


def test_the_bootstrap_key_is_registered_once_however_often_the_hub_starts(
    client: TestClient, api_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(_app(api_settings)):
        pass

    keys = client.get("/v1/keys").json()
    assert [(k["id"], k["role"]) for k in keys] == [(key_id(ADMIN_KEY), "admin")]
    assert "mdm_" not in capsys.readouterr().err


def test_server_processes_starting_together_on_a_fresh_hub_share_one_admin_key(
    api_settings: Settings,
) -> None:
    """As `mdmhub serve --workers 4` starts: each worker runs the start-up check at once."""
    together = threading.Barrier(4)

    def start() -> None:
        app = _app(api_settings)
        together.wait()
        with TestClient(app):
            pass

    with ThreadPoolExecutor(4) as workers:
        for started in [workers.submit(start) for _ in range(4)]:
            started.result()

    with transaction(api_settings.database_url) as session:
        assert [k.id for k in api_keys.get_all(session)] == [key_id(ADMIN_KEY)]


def test_a_malformed_bootstrap_key_stops_the_start(settings: Settings) -> None:
    broken = settings.model_copy(update={"bootstrap_admin_key": SecretStr("admin")})

    with (
        pytest.raises(InvalidInputError, match="MDMHUB_BOOTSTRAP_ADMIN_KEY must read mdm_"),
        TestClient(_app(broken)),
    ):
        pass
