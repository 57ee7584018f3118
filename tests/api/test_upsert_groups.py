"""Upsert requests that wait for the writer together are written in one transaction, and
each is still answered and audited on its own."""

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import partial

import pytest
from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mdmhub.api import deps
from mdmhub.api.upsert_groups import UpsertGroups, Waiting, take_group
from mdmhub.db.models import AuditEntry, Event, SourceRecord
from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM, Actor, Role
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import Outcome, RecordInput
from mdmhub.services import source_records, sources
from mdmhub.services.ingest import BatchReport
from mdmhub.settings import Settings
from tests.factories import people, record

CUSTOMER, PRODUCT = EntityType.CUSTOMER, EntityType.PRODUCT
CRM_KEY = Actor("crm key", Role.SOURCE, api_key_id="k1", source="crm")


def waiting(*source_ids: str, actor: Actor = SYSTEM, entity: EntityType = CUSTOMER) -> Waiting:
    return Waiting(actor, entity, [record("crm", source_id) for source_id in source_ids])


def test_a_lone_request_is_a_group_of_its_own() -> None:
    alone = waiting("1")
    queue = deque([alone])

    assert take_group(queue, 1000) == [alone]
    assert not queue


def test_requests_of_one_actor_for_one_entity_share_a_group_in_order() -> None:
    first, second, third = waiting("1"), waiting("2", "3"), waiting("4")

    assert take_group(deque([first, second, third]), 1000) == [first, second, third]


def test_another_actors_request_waits_for_a_group_of_its_own() -> None:
    first, other, third = waiting("1"), waiting("2", actor=CRM_KEY), waiting("3")
    queue = deque([first, other, third])

    assert take_group(queue, 1000) == [first, third]
    assert list(queue) == [other]


def test_another_entitys_request_waits_for_a_group_of_its_own() -> None:
    first, product = waiting("1"), waiting("2", entity=PRODUCT)
    queue = deque([first, product])

    assert take_group(queue, 1000) == [first]
    assert list(queue) == [product]


def test_a_request_for_a_record_already_in_the_group_waits_for_the_next() -> None:
    first, again = waiting("1"), waiting("1")
    queue = deque([first, again])

    assert take_group(queue, 1000) == [first]
    assert list(queue) == [again]


def test_a_record_is_not_written_before_an_earlier_request_passed_over_for_it() -> None:
    first, other, later = waiting("1"), waiting("2", actor=CRM_KEY), waiting("2")
    queue = deque([first, other, later])

    assert take_group(queue, 1000) == [first]
    assert list(queue) == [other, later]


def test_a_group_holds_at_most_the_largest_batch_and_never_splits_a_request() -> None:
    first, big, small = waiting("1", "2"), waiting("3", "4"), waiting("5")
    queue = deque([first, big, small])

    assert take_group(queue, 3) == [first, small]
    assert list(queue) == [big]


@pytest.fixture
def groups(settings: Settings) -> UpsertGroups:
    with transaction(settings.database_url) as session:
        sources.create(session, SYSTEM, name="crm", trust=0.9)
    return UpsertGroups(settings)


def upsert_together(
    groups: UpsertGroups, requests: list[list[RecordInput]], actor: Actor = SYSTEM
) -> list[BatchReport | BaseException]:
    """Send the requests, in order, while the writer lock is held, so that they all wait,
    then free it."""
    answers: list[BatchReport | BaseException] = [Exception("no answer")] * len(requests)

    def send(index: int) -> None:
        try:
            answers[index] = asyncio.run(groups.upsert(actor, CUSTOMER, requests[index]))
        except BaseException as error:
            answers[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    with deps.WRITE_LOCK:
        for count, thread in enumerate(threads, start=1):
            thread.start()
            wait_until(partial(waits, groups, count))
    for thread in threads:
        thread.join()
    return answers


def waits(groups: UpsertGroups, count: int) -> bool:
    return groups.waiting == count


def wait_until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the requests never all waited")


def test_requests_that_waited_together_are_written_in_one_transaction(
    groups: UpsertGroups, settings: Settings
) -> None:
    requests = [[record("crm", str(n), **person)] for n, person in enumerate(people(3))]

    answers = upsert_together(groups, requests)

    assert all(isinstance(answer, BatchReport) for answer in answers)
    with transaction(settings.database_url) as session:
        changes = session.scalar(select(func.count(func.distinct(Event.occurred_at))))
    assert changes == 1


def test_each_request_of_a_group_is_answered_with_its_own_records(groups: UpsertGroups) -> None:
    requests = [
        [record("crm", "a", **person) for person in people(2)],
        [record("crm", "b", **people(3)[2])],
    ]

    first, second = upsert_together(groups, requests)

    assert isinstance(first, BatchReport) and isinstance(second, BatchReport)
    assert [(r.index, r.source_id) for r in first.results] == [(0, "a"), (1, "a")]
    assert [r.problems != [] for r in first.results] == [False, True]
    assert [(r.index, r.source_id, r.outcome) for r in second.results] == [
        (0, "b", Outcome.CREATED)
    ]


def test_each_request_of_a_group_is_audited_on_its_own(
    groups: UpsertGroups, settings: Settings
) -> None:
    upsert_together(groups, [[record("crm", str(n), **p)] for n, p in enumerate(people(3))])

    with transaction(settings.database_url) as session:
        audited = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "records.upsert")
        ).all()
    assert [entry["records"] for entry in audited] == [1, 1, 1]


def test_records_a_source_key_may_not_write_are_refused_in_their_own_request(
    groups: UpsertGroups,
) -> None:
    first_person, second_person, third_person = people(3)
    requests = [
        [record("shop", "9", **first_person), record("crm", "1", **second_person)],
        [record("crm", "2", **third_person)],
    ]

    first, second = upsert_together(groups, requests, actor=CRM_KEY)

    assert isinstance(first, BatchReport) and isinstance(second, BatchReport)
    assert [
        (r.index, r.source, r.problems[0].field if r.problems else None) for r in first.results
    ] == [
        (0, "shop", "source"),
        (1, "crm", None),
    ]
    assert [(r.index, r.source_id, r.outcome) for r in second.results] == [
        (0, "2", Outcome.CREATED)
    ]


def test_two_requests_for_one_record_are_written_in_the_order_they_arrived(
    groups: UpsertGroups, settings: Settings
) -> None:
    customer = people(1)[0]
    moved = {**customer, "locality": "Bilbao"}

    first, second = upsert_together(
        groups, [[record("crm", "1", **customer)], [record("crm", "1", **moved)]]
    )

    assert isinstance(first, BatchReport) and isinstance(second, BatchReport)
    assert [first.results[0].version, second.results[0].version] == [1, 2]
    with transaction(settings.database_url) as session:
        stored = session.scalars(select(SourceRecord.attributes)).one()
    assert stored["locality"] == "Bilbao"


def test_a_request_cancelled_before_a_thread_takes_it_leaves_the_queue(
    groups: UpsertGroups, settings: Settings
) -> None:
    async def cancel_while_threads_are_busy() -> None:
        to_thread.current_default_thread_limiter().total_tokens = 1
        busy = threading.Event()
        occupant = asyncio.ensure_future(to_thread.run_sync(busy.wait))
        waiting = asyncio.ensure_future(
            groups.upsert(SYSTEM, CUSTOMER, [record("crm", "1", **people(1)[0])])
        )
        while groups.waiting == 0:
            await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        busy.set()
        await occupant

    asyncio.run(cancel_while_threads_are_busy())

    assert groups.waiting == 0
    with transaction(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(SourceRecord)) == 0


@pytest.fixture
def failing_for_bad(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The write fails for any transaction that holds the record crm:bad; yields the
    number of requests of every transaction tried."""
    write = source_records.upsert_with_model_in_force
    tried: list[int] = []

    def failing(
        session: Session,
        settings: Settings,
        actor: Actor,
        entity: EntityType,
        requests: Sequence[list[RecordInput]],
    ) -> list[BatchReport]:
        tried.append(len(requests))
        if any(r.source_id == "bad" for records in requests for r in records):
            raise RuntimeError("the store refused crm:bad")
        return write(session, settings, actor, entity, requests)

    monkeypatch.setattr(source_records, "upsert_with_model_in_force", failing)
    yield tried


def test_a_failing_request_fails_alone_and_the_others_of_its_group_are_written(
    groups: UpsertGroups, failing_for_bad: list[int]
) -> None:
    good, bad, other = people(3)
    requests = [
        [record("crm", "1", **good)],
        [record("crm", "bad", **bad)],
        [record("crm", "3", **other)],
    ]

    first, failed, third = upsert_together(groups, requests)

    assert failing_for_bad == [3, 1, 1, 1]
    assert isinstance(failed, RuntimeError)
    assert isinstance(first, BatchReport) and first.results[0].outcome is Outcome.CREATED
    assert isinstance(third, BatchReport) and third.results[0].outcome is Outcome.CREATED


class Interrupted(BaseException):
    """Not an Exception: what a write might raise that no ordinary handler catches."""


def test_a_group_interrupted_mid_write_answers_every_request_with_the_interruption(
    groups: UpsertGroups, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: object) -> list[BatchReport]:
        raise Interrupted

    monkeypatch.setattr(source_records, "upsert_with_model_in_force", interrupted)

    answers = upsert_together(
        groups, [[record("crm", str(n), **p)] for n, p in enumerate(people(3))]
    )

    assert [type(answer) for answer in answers] == [Interrupted] * 3
    assert groups.waiting == 0
