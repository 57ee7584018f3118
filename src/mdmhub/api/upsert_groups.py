"""Upsert requests that wait together are written together: a group commit.

A source system that sends one record per request (a CRM's change hook) sends many at
once. Each write transaction pays a fixed cost (the writer lock, the model in force, the
golden records' reads, the commit: about 6 ms on SQLite) several times what one record's
matching costs, and writers take turns. So the requests that queued up while another
wrote are taken into one transaction when the lock frees, as a database's group commit
does: each is still audited and answered on its own. A lone request is written at once,
as before; nothing waits for company.

The records of a group are matched as one batch, as a batch request's are: every
record's outcome and the golden records that result are the same as written one
request after another, but two requests holding the same new customer make one
`golden.created` event with both members, where written apart they make a
`golden.created` and a `golden.updated`.
"""

import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from mdmhub.api import deps
from mdmhub.db.session import write_transaction
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import RecordInput
from mdmhub.services import source_records
from mdmhub.services.ingest import BatchReport
from mdmhub.settings import Settings


@dataclass(eq=False)
class Waiting:
    """One upsert request waiting for its answer."""

    actor: Actor
    entity: EntityType
    records: list[RecordInput]
    answer: "Future[BatchReport]" = field(default_factory=Future)

    @property
    def keys(self) -> set[tuple[str, str]]:
        return {(record.source, record.source_id) for record in self.records}


def take_group(waiting: deque[Waiting], max_records: int) -> list[Waiting]:
    """The oldest waiting request, with the later ones that may share its transaction.

    A request joins when it comes from the same actor (the transaction is audited and
    matched as theirs) for the same entity, the group stays within `max_records`, and none
    of its records is in the group or in a request passed over before it: one record's
    versions are written in the order they arrived.
    """
    first = waiting.popleft()
    group, count = [first], len(first.records)
    held = first.keys
    passed_over: list[Waiting] = []
    for request in waiting:
        keys = request.keys
        if (
            request.actor == first.actor
            and request.entity == first.entity
            and count + len(request.records) <= max_records
            and held.isdisjoint(keys)
        ):
            group.append(request)
            count += len(request.records)
        else:
            passed_over.append(request)
        held |= keys
    waiting.clear()
    waiting.extend(passed_over)
    return group


class UpsertGroups:
    """The requests of one server process waiting to be written."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._waiting: deque[Waiting] = deque()
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        """Requests waiting for the writer."""
        with self._lock:
            return len(self._waiting)

    async def upsert(
        self, actor: Actor, entity: EntityType, records: list[RecordInput]
    ) -> BatchReport:
        request = Waiting(actor, entity, records)
        with self._lock:
            self._waiting.append(request)
        try:
            return await run_in_threadpool(self._write_until_answered, request)
        except BaseException:
            # Cancelled before a thread took it (a client gone, a server stopping): a
            # request nobody waits for must not be written later, after newer ones.
            with self._lock:
                if request in self._waiting:
                    self._waiting.remove(request)
            raise

    def _write_until_answered(self, request: Waiting) -> BatchReport:
        """Whoever holds the writer lock writes what waits, oldest first, until this
        request has its answer (another thread may have written it meanwhile)."""
        with deps.WRITE_LOCK:
            while not request.answer.done():
                with self._lock:
                    if not self._waiting:
                        raise RuntimeError("an upsert left the queue unanswered")
                    group = take_group(self._waiting, self._settings.max_batch_size)
                self._write(group)
        deps.WRITES.wrote()
        return request.answer.result()

    def _write(self, group: list[Waiting]) -> None:
        """One transaction for the group; when it fails, each request alone, so that the
        failure is answered to the request that caused it and the others are written.
        Whatever escapes, no request of the group is left without an answer."""
        try:
            reports = self._transaction(group)
        except Exception as error:
            if len(group) == 1:
                group[0].answer.set_exception(error)
                return
            for request in group:
                self._write([request])
            return
        except BaseException as error:
            for request in group:
                if not request.answer.done():
                    request.answer.set_exception(error)
            raise
        for request, report in zip(group, reports, strict=True):
            request.answer.set_result(report)

    def _transaction(self, group: Sequence[Waiting]) -> list[BatchReport]:
        first = group[0]
        with write_transaction(self._settings.database_url) as session:
            return source_records.upsert_with_model_in_force(
                session,
                self._settings,
                first.actor,
                first.entity,
                [request.records for request in group],
            )


async def _upsert_groups(request: Request) -> UpsertGroups:
    groups: UpsertGroups = request.app.state.upsert_groups
    return groups


UpsertGroupsDep = Annotated[UpsertGroups, Depends(_upsert_groups)]
