from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mdmhub.db.base import Base
from mdmhub.db.models import Event, ReviewTask, SourceRecord
from mdmhub.db.session import transaction, write_transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import Outcome, RecordInput, RecordResult
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.errors import InvalidInputError, MdmError
from mdmhub.services import first_load, ingest, source_records, sources
from mdmhub.services.file_records import FileFormatError, chunked
from mdmhub.services.match_context import MatchContext, Standardised
from mdmhub.settings import Settings
from tests.conftest import empty_postgres
from tests.factories import people, record
from tests.reliability._hub import SOURCES, active_golden_attributes, customers

CUSTOMER = EntityType.CUSTOMER
CHUNK = 9
"""Small, so that records find their matches, and clusters merge, across chunks."""


def _records() -> list[RecordInput]:
    """Noisy copies of 40 customers, and 12 more who come first as two halves that only
    share a name (a review task each) and later whole, which merges the halves."""
    noisy = [
        RecordInput(r["source"], r["source_id"], r["attributes"])
        for r in customers(40, seed=5).records
    ]
    halves, wholes = [], []
    for i, person in enumerate(people(12)):
        name = {"given_name": person["given_name"], "family_name": person["family_name"]}
        email, phone = person["email"], person["phone"]
        halves.append(RecordInput("shop", f"e{i}", {**name, "email": email}))
        halves.append(RecordInput("erp", f"p{i}", {**name, "phone": phone}))
        whole = {**name, "email": email, "phone": phone, "birth_date": person["birth_date"]}
        wholes.append(RecordInput("crm", f"w{i}", whole))
    return halves + noisy + wholes


def _context(hub: Settings) -> MatchContext:
    return MatchContext(DEFAULT_MODELS[CUSTOMER], "ES", hub.block_size_cap)


def _register(hub: Settings) -> None:
    with transaction(hub.database_url) as session:
        for name, trust in SOURCES.items():
            sources.create(session, SYSTEM, name=name, trust=trust)


def _first_load(hub: Settings, records: list[RecordInput]) -> list[RecordResult]:
    results: list[RecordResult] = []
    with first_load.FirstLoad(CUSTOMER, records, _context(hub), set(SOURCES), CHUNK) as load:
        for chunk in load.chunks():
            with write_transaction(hub.database_url) as session:
                assert load.unchanged(session)
                report = source_records.store_first_load_chunk(
                    session, SYSTEM, CUSTOMER, load, chunk
                )
            results.extend(report.results)
    return results


def _through_the_store(hub: Settings, records: list[RecordInput]) -> list[RecordResult]:
    results: list[RecordResult] = []
    for chunk in chunked(iter(records), CHUNK):
        with write_transaction(hub.database_url) as session:
            report = source_records.upsert(session, SYSTEM, CUSTOMER, chunk, _context(hub))
        results.extend(report.results)
    return results


@dataclass(frozen=True)
class _Left:
    """What a load left, with nothing in it that names a golden record by its random id."""

    clusters: list[list[tuple[str, str]]]
    goldens: list[str]
    reviews: list[tuple[tuple[str, str], tuple[str, str], float | None]]
    events: Counter[str]
    outcomes: Counter[Outcome | None]


def _left(hub: Settings, results: list[RecordResult]) -> _Left:
    with transaction(hub.database_url) as session:
        rows = session.execute(
            select(SourceRecord.id, SourceRecord.source, SourceRecord.source_id,
                   SourceRecord.golden_id)
        ).all()  # fmt: skip
        key_of = {r.id: (r.source, r.source_id) for r in rows}
        members: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in rows:
            members[row.golden_id].append((row.source, row.source_id))
        reviews = session.execute(
            select(ReviewTask.left_record_id, ReviewTask.right_record_id, ReviewTask.score)
        ).all()
        events = Counter(session.scalars(select(Event.type)))
    goldens = active_golden_attributes(hub.database_url).values()
    return _Left(
        sorted(sorted(group) for group in members.values()),
        sorted(str(sorted(attributes.items())) for attributes in goldens),
        sorted((key_of[a], key_of[b], score) for a, b, score in reviews),
        events,
        Counter(r.outcome for r in results),
    )


def _empty(hub: Settings) -> None:
    """PostgreSQL's audit log refuses deletes (it is append-only); TRUNCATE passes."""
    if hub.database_url.startswith("postgresql"):
        empty_postgres(hub.database_url)
        return
    with transaction(hub.database_url) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


def test_a_first_load_leaves_what_a_load_through_the_store_leaves(settings: Settings) -> None:
    records = _records()
    _register(settings)
    through_the_store = _left(settings, _through_the_store(settings, records))
    _empty(settings)
    _register(settings)

    by_the_worker = _left(settings, _first_load(settings, records))

    assert by_the_worker == through_the_store
    assert through_the_store.events["golden.merged"] == 12
    assert len(through_the_store.reviews) >= 12


def _adds_a_new_person(session: Session, hub: Settings) -> None:
    ingest.upsert_records(session, CUSTOMER, [record("shop", "other")], _context(hub))


def _adds_a_copy_that_wins_nothing(session: Session, hub: Settings) -> None:
    ingest.upsert_records(session, CUSTOMER, [_copy("shop", "copy-2")], _context(hub))


def _deletes_a_copy_that_won_nothing(session: Session, hub: Settings) -> None:
    ingest.delete_record(session, CUSTOMER, "shop", "copy-1")


def _copy(source: str, source_id: str) -> RecordInput:
    return RecordInput(source, source_id, people(1)[0])


@pytest.mark.parametrize(
    "change",
    [_adds_a_new_person, _adds_a_copy_that_wins_nothing, _deletes_a_copy_that_won_nothing],
)
def test_a_change_by_another_writer_between_chunks_ends_the_first_load(
    settings: Settings, change: Callable[[Session, Settings], None]
) -> None:
    """A copy from a less trusted source changes no golden value, so it writes no event:
    the record versions tell."""
    _register(settings)
    records = [_copy("crm", "copy-0"), _copy("shop", "copy-1"), *_records()]
    with first_load.FirstLoad(CUSTOMER, records, _context(settings), set(SOURCES), CHUNK) as load:
        chunks = load.chunks()
        with write_transaction(settings.database_url) as session:
            assert load.unchanged(session)
            source_records.store_first_load_chunk(session, SYSTEM, CUSTOMER, load, next(chunks))
        with write_transaction(settings.database_url) as session:
            change(session, settings)

        with write_transaction(settings.database_url) as session:
            assert not load.unchanged(session)


def test_a_load_into_a_hub_that_holds_records_of_the_entity_is_not_a_first_load(
    settings: Settings,
) -> None:
    _register(settings)
    with transaction(settings.database_url) as session:
        assert first_load.applies(session, CUSTOMER)
    with write_transaction(settings.database_url) as session:
        ingest.upsert_records(session, CUSTOMER, [record("crm", "1")], _context(settings))

    with transaction(settings.database_url) as session:
        assert not first_load.applies(session, CUSTOMER)
        assert first_load.applies(session, EntityType.PRODUCT)


def _failing(records: list[RecordInput]) -> Iterator[RecordInput]:
    yield from records
    raise OSError("the disk went away")


def _second_chunk(settings: Settings, records: Iterator[RecordInput]) -> None:
    """Has a first load's worker match `records` (a chunk, then a failure) and raises what
    asking for its second chunk raises."""
    _register(settings)
    with first_load.FirstLoad(CUSTOMER, records, _context(settings), set(SOURCES), CHUNK) as load:
        chunks = load.chunks()
        assert len(next(chunks).records) == CHUNK
        next(chunks)


def test_a_worker_that_dies_stops_the_load_with_a_clear_error(settings: Settings) -> None:
    with pytest.raises(first_load.MatchingWorkerError, match=r"stopped \(exit code 1\)"):
        _second_chunk(settings, _failing(_records()[:CHUNK]))


def _then(error: MdmError, records: list[RecordInput]) -> Iterator[RecordInput]:
    yield from records
    raise error


@pytest.mark.parametrize(
    "error",
    [
        FileFormatError(Path("people.csv"), 7, "7 fields where the header has 6"),
        InvalidInputError("people.txt: a file of unknown type"),
    ],
)
def test_a_worker_that_meets_a_bad_file_stops_quietly_for_the_file_check_to_report_it(
    settings: Settings, capfd: pytest.CaptureFixture[str], error: MdmError
) -> None:
    with pytest.raises(first_load.MatchingWorkerError, match=r"stopped \(exit code 0\)"):
        _second_chunk(settings, _then(error, _records()[:CHUNK]))

    assert "Traceback" not in capfd.readouterr().err


def test_a_worker_takes_the_features_computed_before_for_the_very_records_given(
    settings: Settings,
) -> None:
    _register(settings)
    records = _records()[:CHUNK]
    given = records[:3]
    marked = [
        {**_context(settings).standardize(CUSTOMER, r.attributes), "marked": "1"} for r in given
    ]
    with first_load.FirstLoad(
        CUSTOMER,
        records,
        _context(settings),
        set(SOURCES),
        CHUNK,
        Standardised([r.attributes for r in given], marked),
    ) as load:
        [chunk] = list(load.chunks())

    assert chunk.features[:3] == marked
    assert chunk.features[3:] == [
        _context(settings).standardize(CUSTOMER, r.attributes) for r in records[3:]
    ]
