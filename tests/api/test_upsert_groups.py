"""Upsert requests that wait for the writer together are written in one transaction, and
each is still answered and audited on its own."""

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mdmhub.api import deps
from mdmhub.api.upsert_groups import UpsertGroups, Waiting, take_group
from mdmhub.db.models import AuditEntry, Event
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
    groups: UpsertGroups, requests: list[list[RecordInput]]
) -> list[BatchReport | Exception]:
    """Send the requests while the writer lock is held, so that they all wait, then free it."""
    answers: list[BatchReport | Exception] = [Exception("no answer")] * len(requests)

    def send(index: int) -> None:
        try:
            answers[index] = asyncio.run(groups.upsert(SYSTEM, CUSTOMER, requests[index]))
        except Exception as error:
            answers[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    with deps.WRITE_LOCK:
        for thread in threads:
            thread.start()
        wait_until(lambda: groups.waiting == len(requests))
    for thread in threads:
        thread.join()
    return answers


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


@pytest.fixture
def failing_for_bad(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The write fails for any transaction that holds the record crm:bad."""
    write = source_records.upsert_with_model_in_force

    def failing(
        session: Session,
        settings: Settings,
        actor: Actor,
        entity: EntityType,
        requests: Sequence[list[RecordInput]],
    ) -> list[BatchReport]:
        if any(r.source_id == "bad" for records in requests for r in records):
            raise RuntimeError("the store refused crm:bad")
        return write(session, settings, actor, entity, requests)

    monkeypatch.setattr(source_records, "upsert_with_model_in_force", failing)
    yield


@pytest.mark.usefixtures("failing_for_bad")
def test_a_failing_request_fails_alone_and_the_others_of_its_group_are_written(
    groups: UpsertGroups,
) -> None:
    good, bad, other = people(3)
    requests = [
        [record("crm", "1", **good)],
        [record("crm", "bad", **bad)],
        [record("crm", "3", **other)],
    ]

    first, failed, third = upsert_together(groups, requests)

    assert isinstance(failed, RuntimeError)
    assert isinstance(first, BatchReport) and first.results[0].outcome is Outcome.CREATED
    assert isinstance(third, BatchReport) and third.results[0].outcome is Outcome.CREATED
