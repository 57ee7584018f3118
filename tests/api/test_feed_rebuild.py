"""A subscriber that knows nothing but the change feed can keep its own copy of the golden
records: the events carry everything it needs."""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from mdmhub.db.models import GoldenRecord
from mdmhub.db.session import transaction
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.domain.records import Outcome, RecordInput, RecordResult
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.services import ingest, match_models, rematch
from mdmhub.settings import Settings
from tests.factories import duplicate_of, people, person, record

CUSTOMER = EntityType.CUSTOMER

# Two José Garcías who agree on everything that identifies, and one from Sevilla that
# only a very low threshold joins to them (as in tests/services/test_rematch.py).
JOSE = person(national_id="12345678Z")
PEPE = person(national_id="12345678Z", given_name="Pepe")
JOSE_NEW_CONTACTS = person(email="pepe.garcia@correo.es", phone="+34 699 111 222")
JOSE_FROM_SEVILLA = {"given_name": "José", "family_name": "García", "locality": "Sevilla"}

# Marta, known by email to one system and by phone to another: apart until a third
# system sends all of her, which merges the two golden records.
MARTA = person(
    given_name="Marta",
    family_name="Sanz",
    second_family_name="Gil",
    birth_date="1975-03-04",
    email="marta.sanz@example.com",
    phone="+34 611 222 333",
    address_line1="Calle Luna 3",
    locality="Sevilla",
    postal_code="41001",
)
MARTA_BY_EMAIL = {k: MARTA[k] for k in ("given_name", "family_name", "birth_date", "email")}
MARTA_BY_PHONE = {k: MARTA[k] for k in ("given_name", "family_name", "phone", "locality")}

LOW_THRESHOLDS = "[customer]\nupper = 0.05\nlower = 0.02\n"
_IDENTIFIERS = {"email", "phone", "national_id"}
_OTHERS = [c.name for c in DEFAULT_MODELS[CUSTOMER].comparisons if c.name not in _IDENTIFIERS]
ONLY_IDENTIFIERS = (
    f"[customer]\nupper = 0.999999\nlower = 0.99\ndrop_comparisons = {json.dumps(_OTHERS)}\n"
)


def _with_model(settings: Settings, tmp_path: Path, name: str, text: str) -> Settings:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return settings.model_copy(update={"model_config_file": path})


def _upsert(settings: Settings, *records: RecordInput) -> list[RecordResult]:
    with transaction(settings.database_url) as session:
        context = match_models.context(session, CUSTOMER, settings)
        return ingest.upsert_records(session, CUSTOMER, list(records), context).results


def _delete(settings: Settings, source: str, source_id: str) -> None:
    with transaction(settings.database_url) as session:
        ingest.delete_record(session, CUSTOMER, source, source_id)


def _rematch(settings: Settings) -> rematch.RematchReport:
    with transaction(settings.database_url) as session:
        context = match_models.context(session, CUSTOMER, settings)
        return rematch.rematch(session, CUSTOMER, context)


def _history(settings: Settings, tmp_path: Path) -> None:
    """Duplicates, updates, a merge, deletes, a revival, a merging and a splitting rematch."""
    crowd = people(10)
    _upsert(
        settings,
        *(record("crm", f"c{i}", **p) for i, p in enumerate(crowd)),
        *(record("shop", f"s{i}", **duplicate_of(p)) for i, p in enumerate(crowd[:4])),
    )
    _upsert(settings, record("crm", "marta", **MARTA_BY_EMAIL))
    _upsert(settings, record("shop", "marta", **MARTA_BY_PHONE))
    [bridge] = _upsert(settings, record("callcentre", "marta", **MARTA))
    assert bridge.outcome is Outcome.MERGED
    _upsert(settings, record("callcentre", "sevilla", **JOSE_FROM_SEVILLA))
    _upsert(settings, record("crm", "jose", **JOSE), record("shop", "pepe", **PEPE))
    _upsert(settings, record("crm", "c1", **{**crowd[1], "email": "nuevo@example.com"}))
    _upsert(settings, record("shop", "moved", **JOSE_NEW_CONTACTS))
    _delete(settings, "crm", "c0")  # its shop duplicate stays
    _delete(settings, "crm", "c7")  # the only member: the golden record is deleted
    _delete(settings, "crm", "c8")
    _upsert(settings, record("crm", "c8", **crowd[8]))  # back again
    report = _rematch(_with_model(settings, tmp_path, "low", LOW_THRESHOLDS))
    assert report.retired > 0
    report = _rematch(_with_model(settings, tmp_path, "strict", ONLY_IDENTIFIERS))
    assert report.split > 0
    _upsert(settings, record("shop", "s9", **duplicate_of(crowd[9])))
    _delete(settings, "shop", "s2")


def _apply(copy: dict[str, dict[str, str]], event: dict[str, Any]) -> None:
    """What a subscriber does with each event, knowing nothing else."""
    kind, golden_id, payload = event["type"], event["golden_id"], event["payload"]
    if kind in {"golden.created", "golden.updated"}:
        copy[golden_id] = payload["attributes"]
    elif kind == "golden.merged":
        copy.pop(payload["retired"], None)
    elif kind == "golden.deleted":
        copy.pop(golden_id, None)
    # golden.split needs nothing: each part arrives as its own created or updated event


def _rebuild(client: TestClient) -> dict[str, dict[str, str]]:
    copy: dict[str, dict[str, str]] = {}
    cursor = 0
    while True:
        page = client.get("/v1/events", params={"after": cursor, "limit": 7}).json()
        if not page["events"]:
            return copy
        for event in page["events"]:
            _apply(copy, event)
        cursor = page["next_cursor"]


def _active_golden_records(client: TestClient, settings: Settings) -> dict[str, dict[str, str]]:
    with transaction(settings.database_url) as session:
        ids = session.scalars(
            select(GoldenRecord.id).where(
                GoldenRecord.entity == CUSTOMER.value, GoldenRecord.status == GoldenStatus.ACTIVE
            )
        ).all()
    found = {}
    for golden_id in ids:
        body = client.get(f"/v1/customers/golden/{golden_id}").json()
        found[golden_id] = {name: v["value"] for name, v in body["attributes"].items()}
    return found


def test_a_subscriber_rebuilds_the_golden_records_from_the_feed_alone(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    client.post("/v1/sources", json={"name": "callcentre", "trust": 0.3}).raise_for_status()
    _history(settings, tmp_path)

    assert _rebuild(client) == _active_golden_records(client, settings)
