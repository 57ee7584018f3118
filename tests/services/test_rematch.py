import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mdmhub.db.models import BlockingKey, Event, GoldenRecord
from mdmhub.db.session import transaction
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.domain.records import RecordInput
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.services import crosswalk, golden_view, ingest, match_models, rematch
from mdmhub.settings import Settings
from tests.factories import duplicate_of, people, person, record
from tests.services.conftest import Upsert, event_count

CUSTOMER = EntityType.CUSTOMER

# José García López with a national id, twice: these two agree on everything that identifies.
JOSE = person(national_id="12345678Z")
PEPE = person(national_id="12345678Z", given_name="Pepe")
# The same José with another email and phone: matched by name, birth date and address only.
JOSE_NEW_CONTACTS = person(email="pepe.garcia@correo.es", phone="+34 699 111 222")
# A José García from Sevilla: too little in common to match the shipped model.
JOSE_FROM_SEVILLA = {"given_name": "José", "family_name": "García", "locality": "Sevilla"}

LOW_THRESHOLDS = "[customer]\nupper = 0.05\nlower = 0.02\n"
"""Under these, José García from Sevilla is the José García from Madrid."""

_IDENTIFIERS = {"email", "phone", "national_id"}
_OTHERS = [c.name for c in DEFAULT_MODELS[CUSTOMER].comparisons if c.name not in _IDENTIFIERS]
ONLY_IDENTIFIERS = (
    f"[customer]\nupper = 0.999999\nlower = 0.99\ndrop_comparisons = {json.dumps(_OTHERS)}\n"
)
"""Under these, only records sharing email, phone and national id still match."""


def _configured(hub: Settings, tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    return hub.model_copy(update={"model_config_file": path})


def _rematch(settings: Settings) -> rematch.RematchReport:
    with transaction(settings.database_url) as session:
        context = match_models.context(session, CUSTOMER, settings)
        return rematch.rematch(session, CUSTOMER, context)


def _xref(settings: Settings) -> dict[str, str]:
    with transaction(settings.database_url) as session:
        return {f"{s}:{i}": golden for _, s, i, golden in crosswalk.rows(session, CUSTOMER)}


def _events(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    with transaction(settings.database_url) as session:
        rows = session.scalars(select(Event).order_by(Event.id))
        return [(e.type, e.golden_id, e.payload) for e in rows]


def _count_events(settings: Settings) -> int:
    with transaction(settings.database_url) as session:
        return event_count(session)


def _golden(settings: Settings, golden_id: str) -> golden_view.GoldenView:
    with transaction(settings.database_url) as session:
        return golden_view.get_golden(session, CUSTOMER, golden_id)


def _ingest(settings: Settings, *records: RecordInput) -> None:
    """Ingest with the model in force for `settings` (the `upsert` fixture uses the default)."""
    with transaction(settings.database_url) as session:
        context = match_models.context(session, CUSTOMER, settings)
        ingest.upsert_records(session, CUSTOMER, list(records), context)


def _crowd(upsert: Upsert) -> None:
    everyone = people(12)
    upsert(
        *(record("crm", f"c{i}", **p) for i, p in enumerate(everyone)),
        *(record("shop", f"s{i}", **duplicate_of(p)) for i, p in enumerate(everyone[:5])),
        record("crm", "jose", **JOSE),
        record("shop", "pepe", **PEPE),
        record("callcentre", "sevilla", **JOSE_FROM_SEVILLA),
    )


def _merge_setup(upsert: Upsert) -> tuple[str, str]:
    """A one-member golden record (born first) and a two-member one that only a lower
    threshold joins; returns (small, big)."""
    [small] = upsert(record("callcentre", "sevilla", **JOSE_FROM_SEVILLA))
    jose, pepe = upsert(record("crm", "jose", **JOSE), record("shop", "pepe", **PEPE))
    assert jose.golden_id == pepe.golden_id != small.golden_id
    assert small.golden_id and jose.golden_id
    return small.golden_id, jose.golden_id


def _split_setup(upsert: Upsert) -> str:
    """One golden record of three, born from the member that will split off, whose
    source is the most trusted (so the golden record shows its email and phone)."""
    first, jose, pepe = upsert(
        record("crm", "new-contacts", **JOSE_NEW_CONTACTS),
        record("shop", "jose", **JOSE),
        record("callcentre", "pepe", **PEPE),
    )
    assert first.golden_id == jose.golden_id == pepe.golden_id
    assert first.golden_id
    return first.golden_id


def test_rematch_with_nothing_changed_changes_nothing(upsert: Upsert, hub: Settings) -> None:
    _crowd(upsert)
    xref, events = _xref(hub), _count_events(hub)

    report = _rematch(hub)

    assert report == rematch.RematchReport(records=20, moved=0, created=0, retired=0, split=0)
    assert _xref(hub) == xref
    assert _count_events(hub) == events


def test_rematch_with_nothing_changed_leaves_golden_versions_alone(
    upsert: Upsert, hub: Settings
) -> None:
    _crowd(upsert)
    before = {g: _golden(hub, g).record.version for g in set(_xref(hub).values())}

    _rematch(hub)

    assert {g: _golden(hub, g).record.version for g in before} == before


def test_rematch_on_an_empty_hub_reports_nothing(hub: Settings) -> None:
    assert _rematch(hub) == rematch.RematchReport(0, 0, 0, 0, 0)


def test_a_lower_threshold_merges_two_golden_records_into_the_one_with_more_members(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    _small, big = _merge_setup(upsert)

    report = _rematch(_configured(hub, tmp_path, LOW_THRESHOLDS))

    assert _xref(hub) == {"callcentre:sevilla": big, "crm:jose": big, "shop:pepe": big}
    assert (report.moved, report.retired, report.created, report.split) == (1, 1, 0, 0)


def test_the_id_retired_by_a_rematch_merge_answers_with_the_survivor(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    small, big = _merge_setup(upsert)

    _rematch(_configured(hub, tmp_path, LOW_THRESHOLDS))

    view = _golden(hub, small)
    assert (view.requested_id, view.record.id) == (small, big)
    assert sorted(m.source_id for m in view.members) == ["jose", "pepe", "sevilla"]


def test_a_rematch_merge_writes_golden_merged_for_the_retired_id(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    small, big = _merge_setup(upsert)
    before = _count_events(hub)

    _rematch(_configured(hub, tmp_path, LOW_THRESHOLDS))

    new_events = _events(hub)[before:]
    merged = [(g, p) for kind, g, p in new_events if kind == "golden.merged"]
    assert merged == [(small, {"version": 2, "survivor": big, "retired": small})]


def test_the_id_retired_by_a_rematch_merge_is_marked_merged_into_the_survivor(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    small, big = _merge_setup(upsert)

    _rematch(_configured(hub, tmp_path, LOW_THRESHOLDS))

    with transaction(hub.database_url) as session:
        retired = session.get(GoldenRecord, small)
        assert retired is not None
        assert (retired.status, retired.merged_into, retired.version) == (
            GoldenStatus.MERGED,
            big,
            2,
        )


def test_a_rematch_split_keeps_the_old_id_on_the_biggest_part(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    old = _split_setup(upsert)

    report = _rematch(_configured(hub, tmp_path, ONLY_IDENTIFIERS))

    xref = _xref(hub)
    assert xref["shop:jose"] == xref["callcentre:pepe"] == old
    assert xref["crm:new-contacts"] != old
    assert (report.moved, report.created, report.split, report.retired) == (1, 1, 1, 0)


def test_a_rematch_split_gives_the_part_that_left_a_new_golden_record(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    old = _split_setup(upsert)

    _rematch(_configured(hub, tmp_path, ONLY_IDENTIFIERS))

    new = _xref(hub)["crm:new-contacts"]
    assert new.startswith(old.split("_")[0] + "_")
    view = _golden(hub, new)
    assert (view.record.id, view.record.status) == (new, GoldenStatus.ACTIVE)
    assert [m.source_id for m in view.members] == ["new-contacts"]
    assert view.attributes["email"]["value"] == "pepe.garcia@correo.es"
    assert sorted(m.source_id for m in _golden(hub, old).members) == ["jose", "pepe"]
    assert _golden(hub, old).attributes["email"]["value"] == "jose.garcia@example.com"


def test_a_rematch_split_writes_golden_split_and_golden_created(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    old = _split_setup(upsert)
    before = _count_events(hub)

    _rematch(_configured(hub, tmp_path, ONLY_IDENTIFIERS))

    new = _xref(hub)["crm:new-contacts"]
    new_events = {(kind, g): p for kind, g, p in _events(hub)[before:]}
    assert new_events[("golden.split", old)] == {"into": [new]}
    assert ("golden.created", new) in new_events
    assert ("golden.updated", old) in new_events
    assert not [kind for kind, _ in new_events if kind == "golden.merged"]


def test_a_second_rematch_after_a_split_moves_nothing(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    _split_setup(upsert)
    settings = _configured(hub, tmp_path, ONLY_IDENTIFIERS)
    _rematch(settings)
    xref, events = _xref(hub), _count_events(hub)

    again = _rematch(settings)

    assert again == rematch.RematchReport(records=3, moved=0, created=0, retired=0, split=0)
    assert (_xref(hub), _count_events(hub)) == (xref, events)


def test_a_second_rematch_after_a_merge_moves_nothing(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    _merge_setup(upsert)
    settings = _configured(hub, tmp_path, LOW_THRESHOLDS)
    _rematch(settings)
    xref, events = _xref(hub), _count_events(hub)

    again = _rematch(settings)

    assert again.moved == 0
    assert (_xref(hub), _count_events(hub)) == (xref, events)


def test_rematch_leaves_deleted_records_deleted(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    _small, big = _merge_setup(upsert)
    with transaction(hub.database_url) as session:
        ingest.delete_record(session, CUSTOMER, "callcentre", "sevilla")

    report = _rematch(_configured(hub, tmp_path, LOW_THRESHOLDS))

    assert report.records == 2
    assert _xref(hub) == {"crm:jose": big, "shop:pepe": big}


def test_records_ingested_after_a_rematch_merge_join_the_survivor(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    _, big = _merge_setup(upsert)
    settings = _configured(hub, tmp_path, LOW_THRESHOLDS)
    _rematch(settings)

    _ingest(settings, record("shop", "jose-again", **person(email="", phone="")))

    assert _xref(hub)["shop:jose-again"] == big


def test_after_a_rematch_with_new_blocking_rules_new_records_find_their_duplicates(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    [jose] = upsert(record("crm", "jose", **JOSE))
    settings = _configured(hub, tmp_path, '[customer]\nblocking = [["given", "birth_date"]]\n')
    assert _rematch(settings).moved == 0

    _ingest(settings, record("shop", "moved", **JOSE_NEW_CONTACTS))

    assert _xref(hub)["shop:moved"] == jose.golden_id


def _stored_key_rules(settings: Settings) -> set[str]:
    with transaction(settings.database_url) as session:
        keys = session.scalars(select(BlockingKey.key).where(BlockingKey.entity == "customer"))
        return {key.partition(":")[0] for key in keys}


def test_a_rematch_under_new_blocking_rules_keeps_only_the_new_rules_keys(
    upsert: Upsert, hub: Settings, tmp_path: Path
) -> None:
    _crowd(upsert)
    settings = _configured(hub, tmp_path, '[customer]\nblocking = [["given", "birth_date"]]\n')

    _rematch(settings)

    assert _stored_key_rules(hub) == {"given+birth_date"}


def test_a_rematch_under_the_same_rules_leaves_the_stored_keys_as_they_were(
    upsert: Upsert, hub: Settings
) -> None:
    _crowd(upsert)
    with transaction(hub.database_url) as session:
        before = set(session.execute(select(BlockingKey.record_id, BlockingKey.key)))

    _rematch(hub)

    with transaction(hub.database_url) as session:
        after = set(session.execute(select(BlockingKey.record_id, BlockingKey.key)))
    assert after == before
