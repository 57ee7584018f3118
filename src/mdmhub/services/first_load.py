"""A first load on two cores: a forked worker matches the file while this process writes it.

When the hub holds no record of an entity, the records a load has matched so far are all
the candidates there are (`engine/chunked_matching.py`). A worker process checks,
standardises and matches the records chunk by chunk and sends each chunk here, where it is
stored as a batch matched against the store is (`ingest.store_matched`), while the worker
goes on with the next. `bench/ingest.py` loaded the 50k in 5.5-5.8 s instead of 7.8-7.9 s
on SQLite (README, Ingest).

The worker knows only the load's own records. So each chunk's transaction first checks,
under the writer's lock, that nothing else changed the hub since the load's last chunk (a
newer record version, event or steward pair: see `_stamp`); when something did, the load
stops using the worker and the rest of the file goes through the store, as a re-run after
a crash does.
"""

import signal
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection

from sqlalchemy.orm import Session

from mdmhub.db.repositories import cannot_links
from mdmhub.db.repositories import events as events_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import Problem, RecordInput, RecordResult
from mdmhub.engine.chunked_matching import ChunkedMatcher, MatchedChunk
from mdmhub.engine.clustering import NEW_CLUSTER_PREFIX, Assignment, Clustering
from mdmhub.engine.forked import ForkedChild, WithChild
from mdmhub.errors import MdmError
from mdmhub.services import ingest
from mdmhub.services.file_records import chunked
from mdmhub.services.match_context import MatchContext, Standardised


@dataclass(frozen=True)
class WorkerChunk:
    """A chunk as the worker matched it."""

    records: list[RecordInput]
    problems: list[list[Problem]]
    """Per record, why it is refused; a refused record takes no part in the matching."""
    features: list[dict[str, str]]
    """Of the accepted records, in order; so are `digests` and the matching."""
    digests: list[str]
    matched: MatchedChunk


def _match_records(
    records: Iterable[RecordInput],
    entity: EntityType,
    context: MatchContext,
    known_sources: Collection[str],
    chunk_size: int,
    standardised: Standardised | None,
    sender: Connection,
) -> None:
    """The worker: match the records chunk by chunk, sending each chunk as it is matched.
    Ctrl-C is for the writer, which ends the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    matcher = ChunkedMatcher(context.model, context.block_size_cap)
    try:
        for chunk in chunked(iter(records), chunk_size):
            problems = [ingest.refusals(entity, record, known_sources) for record in chunk]
            accepted = [r for r, refused in zip(chunk, problems, strict=True) if not refused]
            features = [context.standardize(entity, r.attributes, standardised) for r in accepted]
            digests = [ingest.content_hash(record) for record in accepted]
            sender.send(WorkerChunk(chunk, problems, features, digests, matcher.match(features)))
    except MdmError:
        return  # a bad file: the writer's check of the whole file, running meanwhile, says why
    sender.send(None)


def applies(session: Session, entity: EntityType) -> bool:
    """Whether a load of `entity` now would be its first: the hub holds none of its records."""
    return not records_repo.holds_any(session, entity.value)


class MatchingWorkerError(MdmError):
    status_code = 500


def _stamp(session: Session) -> tuple[int, int, int]:
    """Raised by any change another writer makes that the worker would have to know of: a
    record written or deleted (even one that leaves its golden record as it was, and so
    writes no event), a golden record changed by a steward, a pair kept apart."""
    return (
        records_repo.last_version_id(session),
        events_repo.last_id(session),
        cannot_links.last_id(session),
    )


class FirstLoad(WithChild):
    """The writing side: the chunks the worker matched, each stored in the caller's
    transaction, and what the later chunks need of it (their clusters' golden ids, the
    stored ids of their candidates)."""

    _child: ForkedChild
    """The worker."""

    def __init__(
        self,
        entity: EntityType,
        records: Iterable[RecordInput],
        context: MatchContext,
        known_sources: Collection[str],
        chunk_size: int,
        standardised: Standardised | None = None,
    ) -> None:
        """`standardised`: features computed before for (some of) the records' attributes."""
        self._child = ForkedChild(
            partial(
                _match_records, records, entity, context, known_sources, chunk_size, standardised
            )
        )
        self._entity = entity
        self._golden_of: dict[str, str] = {}
        self._record_ids: list[int] = []
        self._stamp: tuple[int, int, int] | None = None

    def chunks(self) -> Iterator[WorkerChunk]:
        while True:
            try:
                chunk: WorkerChunk | None = self._child.receive()
            except EOFError:
                raise MatchingWorkerError(
                    f"the matching process stopped (exit code {self._child.exit_code()})"
                ) from None
            if chunk is None:
                return
            yield chunk

    def unchanged(self, session: Session) -> bool:
        """Whether the hub is as this load left it: at its first chunk, without a record of
        the entity; after, without a change by anyone else."""
        if self._stamp is None:
            return applies(session, self._entity)
        return _stamp(session) == self._stamp

    def store(self, session: Session, chunk: WorkerChunk, actor: Actor) -> ingest.BatchReport:
        matched = chunk.matched
        accepted = [i for i, problems in enumerate(chunk.problems) if not problems]
        results, record_ids = ingest.store_matched(
            session,
            self._entity,
            ingest.MatchedNew(
                [chunk.records[i] for i in accepted],
                accepted,
                chunk.features,
                chunk.digests,
                matched.keys,
                self._named(matched.clustering),
                [self._record_ids[position] for position in matched.candidates],
            ),
            actor,
        )
        for assignment, result in zip(matched.clustering.assignments, results, strict=True):
            if result.golden_id is not None:
                self._golden_of[assignment.cluster.removeprefix(NEW_CLUSTER_PREFIX)] = (
                    result.golden_id
                )
        self._record_ids.extend(record_ids)
        self._stamp = _stamp(session)
        refused = [
            RecordResult(i, record.source, record.source_id, problems=problems)
            for i, (record, problems) in enumerate(zip(chunk.records, chunk.problems, strict=True))
            if problems
        ]
        return ingest.BatchReport(
            sorted(results + refused, key=lambda result: result.index), matched.capped_keys
        )

    def _named(self, clustering: Clustering) -> Clustering:
        """The worker's labels of earlier chunks' clusters as their golden ids."""

        def named(cluster: str) -> str:
            return self._golden_of.get(cluster, cluster)

        return Clustering(
            [Assignment(named(a.cluster), a.decision, a.score) for a in clustering.assignments],
            merges={
                named(retired): named(survivor) for retired, survivor in clustering.merges.items()
            },
            reviews=clustering.reviews,
        )
