from typing import Any

from sqlalchemy import select

from mdmhub.db.models import Event, SourceRecord, SourceRecordVersion
from mdmhub.db.session import transaction
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import Outcome
from mdmhub.services import golden_view, ingest
from mdmhub.settings import Settings
from tests.factories import people, person, record
from tests.services.conftest import Upsert, event_count


def test_a_new_record_creates_a_golden_record(upsert: Upsert, hub: Settings) -> None:
    [result] = upsert(record(source_id="1"))

    assert result.outcome is Outcome.CREATED
    assert result.version == 1
    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, EntityType.CUSTOMER, result.golden_id or "")
        assert view.attributes["family_name"]["value"] == "García"


def test_resending_the_same_content_changes_nothing_and_emits_no_event(
    upsert: Upsert, hub: Settings
) -> None:
    [first] = upsert(record(source_id="1"))
    with transaction(hub.database_url) as session:
        events_before = event_count(session)

    [again] = upsert(record(source_id="1"))

    assert again.outcome is Outcome.UNCHANGED
    assert (again.golden_id, again.version) == (first.golden_id, 1)
    with transaction(hub.database_url) as session:
        assert event_count(session) == events_before


def test_a_changed_record_gets_a_new_version_and_keeps_the_old_one(
    upsert: Upsert, hub: Settings
) -> None:
    upsert(record(source_id="1"))

    [result] = upsert(record(source_id="1", **person(email="pepe@example.com")))

    assert (result.outcome, result.version) == (Outcome.UPDATED, 2)
    with transaction(hub.database_url) as session:
        versions = session.scalars(
            select(SourceRecordVersion.attributes).order_by(SourceRecordVersion.version)
        ).all()
        assert [v["email"] for v in versions] == ["jose.garcia@example.com", "pepe@example.com"]


def test_the_same_person_from_two_sources_shares_one_golden_record(upsert: Upsert) -> None:
    [crm] = upsert(record("crm", "1"))
    [shop] = upsert(record("shop", "A-9", **person(given_name="Jose", phone="600123456", email="")))

    assert shop.golden_id == crm.golden_id


def test_a_namesake_in_another_town_born_another_day_stays_apart(upsert: Upsert) -> None:
    [madrid] = upsert(record("crm", "1"))
    [sevilla] = upsert(
        record(
            "shop",
            "2",
            **person(
                birth_date="1975-09-12",
                locality="Sevilla",
                postal_code="41001",
                address_line1="Avenida de la Constitución 20",
                email="jgarcia@correo.es",
                phone="+34 699 000 111",
            ),
        )
    )

    assert sevilla.golden_id != madrid.golden_id


def test_a_record_from_an_unknown_source_is_refused_and_nothing_is_written(
    upsert: Upsert, hub: Settings
) -> None:
    [result] = upsert(record("nobody", "1"))

    assert not result.accepted
    assert result.problems[0].field == "source"
    with transaction(hub.database_url) as session:
        assert event_count(session) == 0


def test_a_batch_refuses_a_repeated_id_and_accepts_the_rest(upsert: Upsert) -> None:
    results = upsert(record("crm", "1"), record("crm", "1"), record("shop", "1"))

    assert [r.accepted for r in results] == [True, False, True]
    assert results[1].problems[0].message == "appears more than once in this batch"


def test_the_most_trusted_source_wins_each_attribute_with_its_lineage(
    upsert: Upsert, hub: Settings
) -> None:
    upsert(record("shop", "S1", **person(email="shop@example.com")))
    [crm] = upsert(record("crm", "C1", **person(email="crm@example.com")))

    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, EntityType.CUSTOMER, crm.golden_id or "")
    assert view.attributes["email"] == {
        "value": "crm@example.com",
        "source": "crm",
        "source_id": "C1",
        "rule": "most_trusted_then_most_recent",
    }
    assert sorted(m.source_id for m in view.members) == ["C1", "S1"]


def test_deleting_a_record_tombstones_it_and_recomputes_the_golden_record(
    upsert: Upsert, hub: Settings
) -> None:
    upsert(record("shop", "S1", **person(email="shop@example.com")))
    [crm] = upsert(record("crm", "C1", **person(email="crm@example.com")))

    with transaction(hub.database_url) as session:
        deleted = ingest.delete_record(session, EntityType.CUSTOMER, "crm", "C1")
    assert (deleted.outcome, deleted.version) == (Outcome.DELETED, 2)
    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, EntityType.CUSTOMER, crm.golden_id or "")
        assert view.attributes["email"]["value"] == "shop@example.com"
        assert golden_view.get_source_record(session, EntityType.CUSTOMER, "crm", "C1").deleted


def test_deleting_the_last_member_marks_the_golden_record_deleted(
    upsert: Upsert, hub: Settings
) -> None:
    [result] = upsert(record("crm", "C1"))

    with transaction(hub.database_url) as session:
        ingest.delete_record(session, EntityType.CUSTOMER, "crm", "C1")
    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, EntityType.CUSTOMER, result.golden_id or "")
        assert view.record.status == "deleted"
        kinds = session.scalars(select(Event.type).order_by(Event.id)).all()
    assert kinds == ["golden.created", "golden.deleted"]


def test_resending_a_deleted_record_revives_its_golden_record(
    upsert: Upsert, hub: Settings
) -> None:
    [first] = upsert(record("crm", "C1"))
    with transaction(hub.database_url) as session:
        ingest.delete_record(session, EntityType.CUSTOMER, "crm", "C1")

    [again] = upsert(record("crm", "C1"))

    assert (again.outcome, again.golden_id, again.version) == (Outcome.UPDATED, first.golden_id, 3)


def test_a_record_that_moves_to_another_golden_record_retires_its_empty_old_one(
    upsert: Upsert, hub: Settings
) -> None:
    other = person(
        given_name="Ana",
        family_name="Ruiz",
        second_family_name="Gil",
        birth_date="1990-05-05",
        email="ana@example.com",
        phone="+34 611 222 333",
    )
    [ana] = upsert(record("crm", "C1", **other))
    [lonely] = upsert(record("shop", "S1"))
    assert lonely.golden_id != ana.golden_id

    [moved] = upsert(record("shop", "S1", **other))

    assert (moved.outcome, moved.golden_id) == (Outcome.MERGED, ana.golden_id)
    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, EntityType.CUSTOMER, lonely.golden_id or "")
        assert (view.record.id, view.requested_id) == (ana.golden_id, lonely.golden_id)


def test_every_golden_record_change_writes_one_event_in_order(
    upsert: Upsert, hub: Settings
) -> None:
    [created] = upsert(record("crm", "C1"))
    upsert(record("shop", "S1", **person(email="shop@example.com", nickname="Pepe")))

    with transaction(hub.database_url) as session:
        events = session.execute(select(Event.type, Event.golden_id, Event.payload)).all()
    assert [(kind, golden) for kind, golden, _ in events] == [
        ("golden.created", created.golden_id),
        ("golden.updated", created.golden_id),
    ]
    assert events[1].payload["attributes"]["nickname"] == "Pepe"


def _versions_by_source_id(settings: Settings) -> dict[str, dict[str, Any]]:
    with transaction(settings.database_url) as session:
        rows = session.execute(
            select(SourceRecord.source_id, SourceRecordVersion.attributes).join(
                SourceRecordVersion, SourceRecordVersion.record_id == SourceRecord.id
            )
        )
        return dict(rows.all())


def test_records_written_in_bulk_are_stored_under_the_ids_their_versions_name(
    upsert: Upsert, hub: Settings
) -> None:
    """Batches big enough for the bulk path draw their ids before the insert, twice over."""
    everyone = people(60)
    batches = [everyone[:30], everyone[30:]]
    sent = {}
    for batch_number, batch in enumerate(batches):
        records = [record("crm", f"b{batch_number}-{i}", **p) for i, p in enumerate(batch)]
        records += [record("shop", f"s{batch_number}-{i}", **p) for i, p in enumerate(batch)]
        upsert(*records)
        sent.update({r.source_id: r.attributes for r in records})

    assert _versions_by_source_id(hub) == sent
