"""Steward decisions hold whatever happens after them.

A property test drives random sequences of ingests, deletes, review decisions,
steward merges and splits, overrides and re-matches over a small population
(three people with near-duplicate records in three sources, namesakes in the
review band, a record that bridges two golden records), keeps its own account
of what the stewards decided, and checks after every step that the hub still
honours it. Plain examples pin down the service behaviours the property relies on.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from mdmhub.db.base import Base
from mdmhub.db.models import (
    CannotLink,
    GoldenRecord,
    GoldenRecordVersion,
    Override,
    ReviewTask,
    SourceRecord,
)
from mdmhub.db.repositories import cannot_links
from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.domain.records import RecordInput
from mdmhub.domain.review import ReviewDecision, ReviewKind, ReviewStatus
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.engine.spec import Thresholds
from mdmhub.services import (
    crosswalk,
    customer_360,
    customer_views,
    golden_records,
    golden_view,
    ingest,
    overrides,
    rematch,
    review_queue,
    sources,
    steward_actions,
)
from mdmhub.services.customer_360 import ALL_SECTIONS, TimelineQuery
from mdmhub.services.golden_records import Change
from mdmhub.services.match_context import MatchContext
from mdmhub.settings import Settings
from tests.factories import (
    LOOKALIKE,
    TOLEDO_NAMESAKE,
    duplicate_of,
    people,
    person,
    record,
)
from tests.services.conftest import Upsert

CUSTOMER = EntityType.CUSTOMER
TRUST = {"crm": 0.9, "shop": 0.5, "callcentre": 0.3}

Key = tuple[str, str]
"""A source record by its identity: (source, source_id)."""

JOSE = person()
JOSE_NEW_CONTACTS = person(email="pepe.garcia@correo.es", phone="+34 699 111 222")
JOSE_MOVED = person(
    address_line1="Avenida del Puerto 12",
    locality="Valencia",
    postal_code="46021",
    email="",
    phone="+34 699 111 222",
)
PEPE = person(given_name="Pepe", email="")
BRIDGE = {
    **person(),
    **{k: v for k, v in LOOKALIKE.items() if k != "birth_date"},
    "email": "jose.garcia@example.com",
    "phone": "+34 600 123 456",
}
"""José's contact data at the lookalike's address: matches both José and the lookalike."""
ANA, LUIS = people(2)
ANA_NEW_CONTACTS = {**ANA, "email": "ana.r@correo.es", "phone": "+34 655 000 111"}
ANA_NAMESAKE = {"given_name": ANA["given_name"], "family_name": ANA["family_name"]}

POPULATION: dict[Key, list[dict[str, str]]] = {
    ("crm", "jose"): [JOSE, JOSE_NEW_CONTACTS],
    ("shop", "jose"): [duplicate_of(JOSE), JOSE_MOVED],
    ("callcentre", "pepe"): [PEPE, BRIDGE],
    ("shop", "lookalike"): [LOOKALIKE, {**LOOKALIKE, "email": "jose.luna@example.com"}],
    ("callcentre", "toledo"): [TOLEDO_NAMESAKE],
    ("shop", "bridge"): [BRIDGE],
    ("crm", "ana"): [ANA, ANA_NEW_CONTACTS],
    ("shop", "ana"): [duplicate_of(ANA)],
    ("callcentre", "ana"): [ANA_NAMESAKE, duplicate_of(ANA), duplicate_of(LUIS)],
    ("crm", "luis"): [LUIS],
    ("shop", "luis"): [duplicate_of(LUIS), ANA_NAMESAKE],
}
"""Each record with the contents its source may send, the first on the initial load.

José, Pepe and the shop's José match; the lookalike and the Toledo namesake are
in the review band against them, and so is Ana's namesake against Ana. Updates
move records between people (callcentre:ana), change contact data, or turn a
record into a bridge between José and the lookalike."""
SLOTS = sorted(POPULATION)
PINS = [
    ("email", "verified@example.com"),
    ("email", "other@example.com"),
    ("phone", "+34 611 000 000"),
    ("locality", "Madrid"),
    ("locality", "Cádiz"),
]


def _context(hub: Settings) -> MatchContext:
    return MatchContext(DEFAULT_MODELS[CUSTOMER], "ES", hub.block_size_cap)


def _change(operation: str) -> Change:
    return Change.now(CUSTOMER, operation, SYSTEM)


def _pair(a: Key, b: Key) -> frozenset[Key]:
    return frozenset((a, b))


def _show(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


# --- the hub's state, read back after every step -------------------------------------


@dataclass(frozen=True)
class StoredRecord:
    id: int
    golden_id: str
    deleted: bool


@dataclass(frozen=True)
class StoredGolden:
    status: str
    merged_into: str | None
    version: int
    attributes: dict[str, Any]


@dataclass(frozen=True)
class StoredVersion:
    version: int
    status: str
    merged_into: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class OpenTask:
    id: int
    left: Key
    right: Key


@dataclass(frozen=True)
class OpenConflict:
    id: int
    golden_id: str
    attribute: str


@dataclass
class Snapshot:
    records: dict[Key, StoredRecord]
    golden: dict[str, StoredGolden]
    versions: dict[str, list[StoredVersion]]
    tasks: list[OpenTask]
    """Open possible matches a steward sees listed: both records live, in two golden records."""
    conflicts: list[OpenConflict]
    overrides: dict[tuple[str, str], list[str]]
    """(golden id, attribute) -> the values of the overrides in force there."""
    bound: set[str]
    """Golden records some cannot-link keeps apart from another."""

    @classmethod
    def read(cls, session: Session) -> "Snapshot":
        records = {
            (r.source, r.source_id): StoredRecord(r.id, r.golden_id, r.deleted)
            for r in session.execute(
                select(
                    SourceRecord.id,
                    SourceRecord.source,
                    SourceRecord.source_id,
                    SourceRecord.golden_id,
                    SourceRecord.deleted,
                ).where(SourceRecord.entity == CUSTOMER.value)
            )
        }
        golden = {
            g.id: StoredGolden(g.status, g.merged_into, g.version, g.attributes)
            for g in session.scalars(
                select(GoldenRecord).where(GoldenRecord.entity == CUSTOMER.value)
            )
        }
        versions: dict[str, list[StoredVersion]] = defaultdict(list)
        for v in session.scalars(
            select(GoldenRecordVersion)
            .where(GoldenRecordVersion.entity == CUSTOMER.value)
            .order_by(GoldenRecordVersion.golden_id, GoldenRecordVersion.version)
        ):
            versions[v.golden_id].append(
                StoredVersion(v.version, v.status, v.merged_into, v.attributes)
            )
        key_of = {r.id: k for k, r in records.items()}
        tasks: list[OpenTask] = []
        conflicts: list[OpenConflict] = []
        for task in session.scalars(
            select(ReviewTask)
            .where(ReviewTask.entity == CUSTOMER.value, ReviewTask.status == ReviewStatus.OPEN)
            .order_by(ReviewTask.id)
        ):
            if task.kind == ReviewKind.OVERRIDE_CONFLICT:
                conflicts.append(
                    OpenConflict(task.id, str(task.golden_id), str(task.detail["attribute"]))
                )
            elif task.right_record_id is not None:
                left, right = key_of[task.left_record_id], key_of[task.right_record_id]
                a, b = records[left], records[right]
                if not a.deleted and not b.deleted and a.golden_id != b.golden_id:
                    tasks.append(OpenTask(task.id, left, right))
        in_force: dict[tuple[str, str], list[str]] = defaultdict(list)
        for golden_id, attribute, value in session.execute(
            select(Override.golden_id, Override.attribute, Override.value).where(
                Override.removed_at.is_(None)
            )
        ):
            in_force[(golden_id, attribute)].append(value)
        bound = {
            golden_id
            for link in session.execute(select(CannotLink.golden_a, CannotLink.golden_b))
            for golden_id in link
        }
        return cls(records, golden, dict(versions), tasks, conflicts, dict(in_force), bound)

    def live(self, key: Key) -> bool:
        return key in self.records and not self.records[key].deleted

    def members(self, golden_id: str, *, live_only: bool = True) -> list[Key]:
        return sorted(
            k
            for k, r in self.records.items()
            if r.golden_id == golden_id and not (live_only and r.deleted)
        )

    def active(self) -> list[str]:
        return sorted(g for g, s in self.golden.items() if s.status == GoldenStatus.ACTIVE)

    def splittable(self) -> list[str]:
        return [g for g in self.active() if len(self.members(g)) >= 2]

    def redirect(self, golden_id: str) -> str:
        """Where reading `golden_id` lands, following merges."""
        seen = [golden_id]
        while self.golden[seen[-1]].status == GoldenStatus.MERGED:
            following = self.golden[seen[-1]].merged_into
            assert following is not None, f"{seen[-1]} is merged into nothing"
            assert following in self.golden, f"{seen[-1]} is merged into unknown {following}"
            assert following not in seen, f"merge cycle: {[*seen, following]}"
            seen.append(following)
        return seen[-1]


# --- what the stewards decided, as the test keeps it ---------------------------------


@dataclass
class Stewardship:
    together: dict[frozenset[Key], str] = field(default_factory=dict)
    """Pairs of records a steward brought together, with the step that did it."""
    apart: dict[frozenset[Key], str] = field(default_factory=dict)
    """Pairs of records a steward split apart or said are different things."""
    pinned: dict[str, dict[str, str | None]] = field(default_factory=lambda: defaultdict(dict))
    """Golden id -> attribute -> the value a steward pinned there (None when pins of two
    golden records merged into one disagree: either may show)."""

    def merged(self, state: Snapshot, survivor: str, retired: str, why: str) -> None:
        """The two golden records are one thing now: nothing between them is kept apart any
        more, and their live records stay together."""
        everyone = state.members(survivor, live_only=False)
        everyone += state.members(retired, live_only=False)
        for a, b in combinations(everyone, 2):
            self.apart.pop(_pair(a, b), None)
        for a, b in combinations(state.members(survivor) + state.members(retired), 2):
            self.together[_pair(a, b)] = why

    def split(self, state: Snapshot, golden_id: str, leaving: Sequence[Key], why: str) -> None:
        staying = [k for k in state.members(golden_id, live_only=False) if k not in leaving]
        for a in leaving:
            for b in staying:
                self.together.pop(_pair(a, b), None)
                if state.live(b):
                    self.apart[_pair(a, b)] = why

    def kept_apart(self, left: Key, right: Key, why: str) -> None:
        self.together.pop(_pair(left, right), None)
        self.apart[_pair(left, right)] = why

    def follow_merges(self, state: Snapshot) -> None:
        """Pins of golden records merged away (by a steward or by the machine) move to the
        golden record that took them over, unless it pins the attribute itself."""
        own = {golden_id: set(pins) for golden_id, pins in self.pinned.items()}
        arriving: dict[tuple[str, str], set[str | None]] = defaultdict(set)
        for golden_id in sorted(self.pinned):
            if state.golden[golden_id].status != GoldenStatus.MERGED:
                continue
            target = state.redirect(golden_id)
            for attribute, value in self.pinned.pop(golden_id).items():
                if attribute not in own.get(target, set()):
                    arriving[(target, attribute)].add(value)
        for (target, attribute), values in arriving.items():
            self.pinned[target][attribute] = values.pop() if len(values) == 1 else None


def _check(state: Snapshot, stewardship: Stewardship) -> None:
    problems: list[str] = []
    golden_of = {k: r.golden_id for k, r in state.records.items() if not r.deleted}

    # 1 and 2: records split apart or decided as no-match are in different golden records.
    for pair, why in sorted(stewardship.apart.items(), key=lambda item: sorted(item[0])):
        a, b = sorted(pair)
        if a in golden_of and b in golden_of and golden_of[a] == golden_of[b]:
            problems.append(f"{_show(a)} and {_show(b)}, kept apart by {why}, are together")
    # 3: records a steward brought together stay together.
    for pair, why in sorted(stewardship.together.items(), key=lambda item: sorted(item[0])):
        a, b = sorted(pair)
        if a in golden_of and b in golden_of and golden_of[a] != golden_of[b]:
            problems.append(f"{_show(a)} and {_show(b)}, brought together by {why}, are apart")

    # 4: an override in force shows on its golden record (or the one that took it over),
    # and it is the only one in force on that attribute.
    for golden_id in state.active():
        pins = stewardship.pinned.get(golden_id, {})
        stored = {a: v for (g, a), v in state.overrides.items() if g == golden_id}
        if set(pins) != set(stored):
            problems.append(f"{golden_id} has overrides on {sorted(stored)}, not {sorted(pins)}")
        for attribute, values in sorted(stored.items()):
            if len(values) > 1:
                problems.append(f"{golden_id}.{attribute} has {len(values)} overrides in force")
        for attribute, value in sorted(pins.items()):
            shown = state.golden[golden_id].attributes.get(attribute, {}).get("value")
            if value is not None and shown != value:
                problems.append(f"{golden_id}.{attribute} is {shown!r}, pinned to {value!r}")

    # 5: live records belong to active golden records, active ones have a live member,
    # merged ones lead (without cycles) to one that is not merged.
    for key, golden_id in sorted(golden_of.items()):
        status = state.golden[golden_id].status if golden_id in state.golden else "missing"
        if status != GoldenStatus.ACTIVE:
            problems.append(f"live {_show(key)} belongs to {golden_id}, which is {status}")
    populated = set(golden_of.values())
    for golden_id in state.active():
        if golden_id not in populated:
            problems.append(f"active {golden_id} has no live member")
    for golden_id, golden in sorted(state.golden.items()):
        if golden.status == GoldenStatus.MERGED:
            state.redirect(golden_id)  # asserts on dangling ids and cycles

    # 6: history runs 1..version and its last version is the current state.
    for golden_id, golden in sorted(state.golden.items()):
        history = state.versions.get(golden_id, [])
        if [v.version for v in history] != list(range(1, golden.version + 1)):
            numbers = [v.version for v in history]
            problems.append(f"{golden_id} at version {golden.version} has history {numbers}")
        elif history[-1] != StoredVersion(
            golden.version, golden.status, golden.merged_into, golden.attributes
        ):
            problems.append(f"{golden_id}: last version {history[-1]} is not {golden}")

    assert not problems, "\n".join(problems)


# --- the property --------------------------------------------------------------------


def _reset(url: str) -> None:
    """An empty hub with the three sources registered."""
    with transaction(url) as session:
        if session.get_bind().dialect.name == "postgresql":  # the audit log refuses DELETE
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(delete(table))
        for name, trust in TRUST.items():
            sources.create(session, SYSTEM, name=name, trust=trust)


class GoldenIds:
    """Golden ids that are the same on every run of an example, as Hypothesis needs (matching
    breaks ties by id), in an order each example chooses by its seed."""

    def __init__(self) -> None:
        self.seed = 0
        self.issued = 0

    def __call__(self, entity: EntityType) -> str:
        self.issued += 1
        digest = hashlib.sha256(f"{self.seed}:{self.issued}".encode()).hexdigest()
        return f"{entity.id_prefix}_{digest[:32]}"


class StewardedHub(RuleBasedStateMachine):
    """One hub on an emptied database; each rule is one unit of work, as the edges do it.

    Steps whose preconditions fail are not run; any exception a step raises fails it.
    """

    def __init__(self, hub: Settings, ids: GoldenIds) -> None:
        super().__init__()
        self.ids = ids
        self.url = hub.database_url
        self.context = _context(hub)
        self.stewardship = Stewardship()
        self.steps = 0
        _reset(self.url)
        self.state = self._read()

    def _read(self) -> Snapshot:
        with transaction(self.url) as session:
            return Snapshot.read(session)

    def _why(self, what: str) -> str:
        self.steps += 1
        return f"step {self.steps} ({what})"

    def _upsert(self, batch: Iterable[tuple[Key, int]]) -> None:
        records = [
            RecordInput(source, source_id, POPULATION[(source, source_id)][variant])
            for (source, source_id), variant in batch
        ]
        if records:
            with transaction(self.url) as session:
                ingest.upsert_records(session, CUSTOMER, records, self.context)

    @initialize(
        first=st.lists(st.sampled_from(SLOTS), min_size=3, unique=True),
        chunk=st.integers(1, 4),
        seed=st.integers(0, 2**16),
    )
    def load(self, first: list[Key], chunk: int, seed: int) -> None:
        """The first contents of some records, `chunk` records per batch."""
        self.ids.seed, self.ids.issued = seed, 0
        for start in range(0, len(first), chunk):
            self._upsert((key, 0) for key in first[start : start + chunk])
        self._why("load")

    @rule(slot=st.sampled_from(SLOTS), variant=st.integers(0, 2))
    def upsert(self, slot: Key, variant: int) -> None:
        self._upsert([(slot, variant % len(POPULATION[slot]))])
        self._why(f"upsert of {_show(slot)}")

    @rule(
        batch=st.lists(
            st.tuples(st.sampled_from(SLOTS), st.integers(0, 2)),
            min_size=2,
            max_size=4,
            unique_by=lambda item: item[0],
        )
    )
    def upsert_batch(self, batch: list[tuple[Key, int]]) -> None:
        self._upsert((slot, variant % len(POPULATION[slot])) for slot, variant in batch)
        self._why("upsert batch")

    @precondition(lambda self: any(self.state.live(k) for k in SLOTS))
    @rule(pick=st.integers(0, 50))
    def delete(self, pick: int) -> None:
        live = [k for k in SLOTS if self.state.live(k)]
        source, source_id = live[pick % len(live)]
        with transaction(self.url) as session:
            ingest.delete_record(session, CUSTOMER, source, source_id)
        self._why(f"delete of {source}:{source_id}")

    @precondition(lambda self: bool(self.state.tasks))
    @rule(pick=st.integers(0, 50), decision=st.sampled_from(["match", "no-match"]))
    def decide(self, pick: int, decision: str) -> None:
        task = self.state.tasks[pick % len(self.state.tasks)]
        with transaction(self.url) as session:
            review_queue.decide(session, task.id, ReviewDecision(decision), None, SYSTEM)
        why = self._why(f"{decision} on {_show(task.left)} and {_show(task.right)}")
        if decision == "match":
            left, right = (self.state.records[k].golden_id for k in (task.left, task.right))
            self.stewardship.merged(self.state, left, right, why)
        else:
            self.stewardship.kept_apart(task.left, task.right, why)

    @precondition(lambda self: bool(self.state.conflicts))
    @rule(pick=st.integers(0, 50), accept=st.booleans())
    def settle_conflict(self, pick: int, accept: bool) -> None:
        conflict = self.state.conflicts[pick % len(self.state.conflicts)]
        golden_id, attribute = conflict.golden_id, conflict.attribute
        # Accepting the source removes the override: not on a deleted golden record (a 409).
        accept = accept and self.state.golden[golden_id].status != GoldenStatus.DELETED
        decision = ReviewDecision.ACCEPT_SOURCE if accept else ReviewDecision.KEEP_OVERRIDE
        with transaction(self.url) as session:
            review_queue.decide(session, conflict.id, decision, None, SYSTEM)
        if accept:  # the override goes, if it is still there (it moves with a merge)
            self.stewardship.pinned.get(golden_id, {}).pop(attribute, None)
        self._why(f"{decision} on {golden_id}.{attribute}")

    @precondition(lambda self: len(self.state.active()) >= 2)
    @rule(survivor=st.integers(0, 50), retired=st.integers(0, 50))
    def merge(self, survivor: int, retired: int) -> None:
        active = self.state.active()
        kept = active.pop(survivor % len(active))
        gone = active[retired % len(active)]
        with transaction(self.url) as session:
            steward_actions.merge(session, _change("steward.merge"), kept, gone, None)
        self.stewardship.merged(self.state, kept, gone, self._why(f"merge of {gone} into {kept}"))

    def _splittable(self) -> list[str]:
        return self.state.splittable()

    @precondition(lambda self: bool(self._splittable()))
    @rule(pick=st.integers(0, 50), mask=st.integers(0, 1000))
    def split(self, pick: int, mask: int) -> None:
        candidates = self._splittable()
        golden_id = candidates[pick % len(candidates)]
        members = self.state.members(golden_id)
        chosen = mask % (2 ** len(members) - 2) + 1  # neither none nor all of them
        leaving = [k for i, k in enumerate(members) if chosen >> i & 1]
        with transaction(self.url) as session:
            new_id = steward_actions.split(
                session, _change("steward.split"), golden_id, leaving, None
            )
        names = [_show(k) for k in leaving]
        why = self._why(f"split of {names} out of {golden_id} into {new_id}")
        self.stewardship.split(self.state, golden_id, leaving, why)

    @precondition(lambda self: bool(self.state.active()))
    @rule(pick=st.integers(0, 50), pin=st.sampled_from(PINS))
    def pin(self, pick: int, pin: tuple[str, str]) -> None:
        active = self.state.active()
        golden_id = active[pick % len(active)]
        attribute, value = pin
        with transaction(self.url) as session:
            overrides.pin(session, _change("steward.override"), golden_id, attribute, value, "seen")
        self.stewardship.pinned[golden_id][attribute] = value
        self._why(f"pin of {golden_id}.{attribute}")

    def _removable(self) -> list[tuple[str, str]]:
        return [
            (golden_id, attribute)
            for golden_id in self.state.active()
            for attribute in sorted(self.stewardship.pinned.get(golden_id, {}))
        ]

    @precondition(lambda self: bool(self._removable()))
    @rule(pick=st.integers(0, 50))
    def unpin(self, pick: int) -> None:
        removable = self._removable()
        golden_id, attribute = removable[pick % len(removable)]
        with transaction(self.url) as session:
            overrides.remove(session, _change("steward.override"), golden_id, attribute)
        del self.stewardship.pinned[golden_id][attribute]
        self._why(f"removal of the pin on {golden_id}.{attribute}")

    @rule()
    def rematch(self) -> None:
        with transaction(self.url) as session:
            rematch.rematch(session, CUSTOMER, self.context)
        self._why("rematch")

    @rule()
    def refresh_views(self) -> None:
        customer_views.refresh_all(self.url)

    @invariant()
    def ready_views_are_current(self) -> None:
        """A view kept ready is the answer a live read gives: every write that changed what
        it shows marked it stale."""
        with transaction(self.url) as session:
            for golden_id in self._read().active():
                ready = customer_views.read(session.connection(), golden_id, hide_sensitive=False)
                if ready is not None:
                    live = customer_360.view(session, golden_id, ALL_SECTIONS, TimelineQuery())
                    assert orjson.loads(ready) == orjson.loads(
                        customer_360.render(customer_360.document(live))
                    ), f"the view of {golden_id} is stale after {self.steps} steps"

    @invariant()
    def steward_decisions_hold(self) -> None:
        self.state = self._read()
        self.stewardship.follow_merges(self.state)
        _check(self.state, self.stewardship)


@pytest.fixture
def ids(monkeypatch: pytest.MonkeyPatch) -> GoldenIds:
    issued = GoldenIds()
    monkeypatch.setattr(golden_records, "new_golden_id", issued)
    return issued


def test_steward_decisions_hold_after_any_sequence_of_changes(
    hub: Settings, ids: GoldenIds
) -> None:
    class OnThisHub(StewardedHub):
        def __init__(self) -> None:
            super().__init__(hub, ids)

    on_sqlite = hub.database_url.startswith("sqlite")
    run_state_machine_as_test(
        OnThisHub,
        settings=settings(
            # A few seconds per database: PostgreSQL spends more on each round trip.
            max_examples=25 if on_sqlite else 8,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# --- the service behaviours the property relies on, one by one -----------------------


def _golden_of(hub: Settings) -> dict[str, str]:
    with transaction(hub.database_url) as session:
        return {f"{s}:{i}": golden for _, s, i, golden in crosswalk.rows(session, CUSTOMER)}


def _decide(hub: Settings, left: str, right: str, decision: ReviewDecision) -> None:
    """Decide the open possible match between the records `left` and `right` ("source:id")."""
    with transaction(hub.database_url) as session:
        _, views = review_queue.list_tasks(
            session, CUSTOMER, ReviewStatus.OPEN, ReviewKind.POSSIBLE_MATCH, False, 0, 100
        )
        [task_id] = [
            v.task.id
            for v in views
            if v.right is not None
            and {f"{v.left.source}:{v.left.source_id}", f"{v.right.source}:{v.right.source_id}"}
            == {left, right}
        ]
        review_queue.decide(session, task_id, decision, None, SYSTEM)


def _rematch(hub: Settings) -> None:
    with transaction(hub.database_url) as session:
        rematch.rematch(session, CUSTOMER, _context(hub))


def _merge(hub: Settings, survivor: str, retired: str) -> None:
    with transaction(hub.database_url) as session:
        steward_actions.merge(session, _change("steward.merge"), survivor, retired, None)


def _split(hub: Settings, golden_id: str, *records: Key) -> str:
    with transaction(hub.database_url) as session:
        return steward_actions.split(session, _change("steward.split"), golden_id, records, None)


def _pin(hub: Settings, golden_id: str, attribute: str, value: str) -> None:
    with transaction(hub.database_url) as session:
        overrides.pin(session, _change("steward.override"), golden_id, attribute, value, "seen")


def _delete(hub: Settings, source: str, source_id: str) -> None:
    with transaction(hub.database_url) as session:
        ingest.delete_record(session, CUSTOMER, source, source_id)


def _kept_apart(hub: Settings, a: str, b: str) -> bool:
    with transaction(hub.database_url) as session:
        return cannot_links.exists(session, a, b)


def _review_pair(upsert: Upsert) -> tuple[str, str]:
    """José and his lookalike from Sevilla: two golden records and an open review task."""
    [jose] = upsert(record("crm", "jose", **JOSE))
    [lookalike] = upsert(record("shop", "lookalike", **LOOKALIKE))
    assert jose.golden_id and lookalike.golden_id and jose.golden_id != lookalike.golden_id
    return jose.golden_id, lookalike.golden_id


def _three_joses(upsert: Upsert) -> str:
    """José, Pepe and the shop's José in one golden record."""
    results = upsert(
        record("crm", "jose", **JOSE),
        record("callcentre", "pepe", **PEPE),
        record("shop", "jose", **duplicate_of(JOSE)),
    )
    [golden_id] = {r.golden_id for r in results}
    assert golden_id
    return golden_id


def test_a_rematch_keeps_records_a_steward_matched_in_their_golden_record(
    upsert: Upsert, hub: Settings
) -> None:
    jose, _ = _review_pair(upsert)
    _decide(hub, "crm:jose", "shop:lookalike", ReviewDecision.MATCH)

    _rematch(hub)

    assert _golden_of(hub) == {"crm:jose": jose, "shop:lookalike": jose}


def test_a_rematch_does_not_merge_golden_records_a_steward_kept_apart(
    upsert: Upsert, hub: Settings
) -> None:
    jose, lookalike = _review_pair(upsert)
    _decide(hub, "crm:jose", "shop:lookalike", ReviewDecision.NO_MATCH)
    upsert(record("shop", "bridge", **BRIDGE))  # as strong evidence for one as for the other

    _rematch(hub)

    golden_of = _golden_of(hub)
    assert (golden_of["crm:jose"], golden_of["shop:lookalike"]) == (jose, lookalike)


def test_it_is_the_cannot_link_that_keeps_them_apart_on_a_rematch(
    upsert: Upsert, hub: Settings
) -> None:
    """The test above is not vacuous: without the cannot-link the rematch merges them."""
    _review_pair(upsert)
    _decide(hub, "crm:jose", "shop:lookalike", ReviewDecision.NO_MATCH)
    upsert(record("shop", "bridge", **BRIDGE))
    with transaction(hub.database_url) as session:
        session.execute(delete(CannotLink))

    _rematch(hub)

    assert len(set(_golden_of(hub).values())) == 1


def test_a_no_match_decision_keeps_the_two_golden_records_apart_by_a_cannot_link(
    upsert: Upsert, hub: Settings
) -> None:
    jose, lookalike = _review_pair(upsert)

    _decide(hub, "crm:jose", "shop:lookalike", ReviewDecision.NO_MATCH)

    assert _kept_apart(hub, jose, lookalike)


def test_a_split_golden_record_and_its_new_one_are_kept_apart_by_a_cannot_link(
    upsert: Upsert, hub: Settings
) -> None:
    golden_id = _three_joses(upsert)

    new_id = _split(hub, golden_id, ("callcentre", "pepe"))

    assert _kept_apart(hub, golden_id, new_id)


def test_a_split_out_golden_record_takes_each_value_from_its_most_trusted_member(
    upsert: Upsert, hub: Settings
) -> None:
    golden_id = _three_joses(upsert)

    new_id = _split(hub, golden_id, ("crm", "jose"), ("shop", "jose"))

    with transaction(hub.database_url) as session:
        given_name = golden_view.get_golden(session, CUSTOMER, new_id).attributes["given_name"]
    # The shop (trust 0.5) writes the name in lower case, and its name sorts after crm's.
    assert (given_name["value"], given_name["source"]) == (JOSE["given_name"], "crm")


def test_records_split_out_stay_out_after_a_rematch(upsert: Upsert, hub: Settings) -> None:
    golden_id = _three_joses(upsert)
    new_id = _split(hub, golden_id, ("callcentre", "pepe"))

    _rematch(hub)

    assert _golden_of(hub) == {
        "crm:jose": golden_id,
        "shop:jose": golden_id,
        "callcentre:pepe": new_id,
    }


def test_a_steward_merge_lifts_the_cannot_link_between_the_two_golden_records(
    upsert: Upsert, hub: Settings
) -> None:
    golden_id = _three_joses(upsert)
    new_id = _split(hub, golden_id, ("callcentre", "pepe"))

    _merge(hub, golden_id, new_id)

    assert not _kept_apart(hub, golden_id, new_id)
    assert set(_golden_of(hub).values()) == {golden_id}


def test_a_cannot_link_follows_the_golden_record_a_steward_merges_it_into(
    upsert: Upsert, hub: Settings
) -> None:
    jose, lookalike = _review_pair(upsert)
    _decide(hub, "crm:jose", "shop:lookalike", ReviewDecision.NO_MATCH)
    [toledo] = upsert(record("callcentre", "toledo", **TOLEDO_NAMESAKE))
    assert toledo.golden_id not in (None, jose, lookalike)

    _merge(hub, toledo.golden_id, lookalike)

    assert _kept_apart(hub, jose, toledo.golden_id)


def test_a_steward_merge_carries_the_retired_override_to_the_survivor(
    upsert: Upsert, hub: Settings
) -> None:
    jose, lookalike = _review_pair(upsert)
    _pin(hub, lookalike, "email", "verified@example.com")

    _merge(hub, jose, lookalike)

    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, CUSTOMER, jose)
        assert view.attributes["email"]["value"] == "verified@example.com"


def test_in_a_steward_merge_the_survivors_own_override_wins(upsert: Upsert, hub: Settings) -> None:
    jose, lookalike = _review_pair(upsert)
    _pin(hub, jose, "locality", "Madrid")
    _pin(hub, lookalike, "locality", "Cádiz")

    _merge(hub, jose, lookalike)

    with transaction(hub.database_url) as session:
        view = golden_view.get_golden(session, CUSTOMER, jose)
        assert view.attributes["locality"]["value"] == "Madrid"
        in_force = session.scalars(
            select(Override.value).where(Override.removed_at.is_(None))
        ).all()
        assert in_force == ["Madrid"]


def test_records_split_apart_stay_apart_when_one_of_them_is_split_out_again(
    upsert: Upsert, hub: Settings
) -> None:
    """The property's shrunk counterexample."""
    [jose, pepe] = upsert(record("crm", "jose", **JOSE), record("callcentre", "pepe", **PEPE))
    assert jose.golden_id and jose.golden_id == pepe.golden_id
    _split(hub, jose.golden_id, ("callcentre", "pepe"))  # Pepe and José: two people
    upsert(record("shop", "jose", **duplicate_of(JOSE)))  # joins José
    _split(hub, jose.golden_id, ("crm", "jose"))  # the shop's José is yet another person

    upsert(record("shop", "bridge", **BRIDGE))  # matches José and Pepe alike

    golden_of = _golden_of(hub)
    assert golden_of["crm:jose"] != golden_of["callcentre:pepe"]


def test_a_no_match_holds_after_one_of_its_records_is_split_out(
    upsert: Upsert, hub: Settings
) -> None:
    jose = _three_joses(upsert)
    upsert(record("shop", "lookalike", **LOOKALIKE))
    _decide(hub, "crm:jose", "shop:lookalike", ReviewDecision.NO_MATCH)  # José is not the lookalike
    _split(hub, jose, ("crm", "jose"))

    upsert(record("shop", "bridge", **BRIDGE))  # matches José and the lookalike alike

    golden_of = _golden_of(hub)
    assert golden_of["crm:jose"] != golden_of["shop:lookalike"]


def test_a_deleted_record_sent_again_does_not_land_in_a_merged_golden_record(
    upsert: Upsert, hub: Settings
) -> None:
    upsert(record("crm", "luis", **LUIS))
    upsert(record("crm", "ana", **ANA), record("callcentre", "ana", **duplicate_of(ANA)))
    _delete(hub, "crm", "ana")
    # The call centre's record was Luis all along: Ana's golden record, left with no live
    # member, is merged into Luis's.
    upsert(record("callcentre", "ana", **duplicate_of(LUIS)))

    [back] = upsert(record("crm", "ana", **ANA))

    with transaction(hub.database_url) as session:
        landed = session.get(GoldenRecord, back.golden_id)
        assert landed is not None
        assert landed.status == GoldenStatus.ACTIVE


def _ana_kept_apart_from_her_namesake(upsert: Upsert, hub: Settings) -> tuple[str, str]:
    """Ana (crm, shop) and a namesake (callcentre) a steward said is someone else; then the
    crm record is deleted. Returns the two golden ids."""
    ana, _ = upsert(record("crm", "ana", **ANA), record("shop", "ana", **duplicate_of(ANA)))
    [namesake] = upsert(record("callcentre", "ana", **ANA_NAMESAKE))
    _decide(hub, "crm:ana", "callcentre:ana", ReviewDecision.NO_MATCH)
    _delete(hub, "crm", "ana")
    assert ana.golden_id and namesake.golden_id
    return ana.golden_id, namesake.golden_id


def _merged_into(hub: Settings, golden_id: str) -> str | None:
    with transaction(hub.database_url) as session:
        golden = session.get(GoldenRecord, golden_id)
        assert golden is not None
        return golden.merged_into


def test_a_golden_record_is_not_merged_into_one_it_is_kept_apart_from_by_an_ingest(
    upsert: Upsert, hub: Settings
) -> None:
    ana, namesake = _ana_kept_apart_from_her_namesake(upsert, hub)
    upsert(record("callcentre", "ana", **duplicate_of(LUIS)))  # the namesake is Luis

    # So is the shop's record: it leaves Ana's golden record with no live member.
    [moved] = upsert(record("shop", "ana", **LUIS))

    assert moved.golden_id == namesake
    assert _merged_into(hub, ana) != namesake


def test_a_golden_record_is_not_merged_into_one_it_is_kept_apart_from_by_a_rematch(
    upsert: Upsert, hub: Settings
) -> None:
    ana, namesake = _ana_kept_apart_from_her_namesake(upsert, hub)
    # The namesake's record now reads like the shop's, which the rematch moves to it.
    upsert(record("callcentre", "ana", **duplicate_of(ANA)))

    _rematch(hub)

    assert _golden_of(hub)["shop:ana"] == namesake
    assert _merged_into(hub, ana) != namesake


def test_one_override_is_in_force_after_two_pinned_golden_records_merge_into_a_third(
    upsert: Upsert, hub: Settings
) -> None:
    upsert(record("crm", "jose", **JOSE), record("shop", "jose", **duplicate_of(JOSE)))
    [lookalike] = upsert(record("shop", "lookalike", **LOOKALIKE))
    [toledo] = upsert(record("callcentre", "toledo", **TOLEDO_NAMESAKE))
    assert lookalike.golden_id and toledo.golden_id
    _pin(hub, lookalike.golden_id, "email", "luna@example.com")
    _pin(hub, toledo.golden_id, "email", "toledo@example.com")
    lenient = replace(DEFAULT_MODELS[CUSTOMER], thresholds=Thresholds(upper=0.5, lower=0.3))

    with transaction(hub.database_url) as session:  # a model under which all are one José
        rematch.rematch(session, CUSTOMER, replace(_context(hub), model=lenient))

    assert len(set(_golden_of(hub).values())) == 1
    with transaction(hub.database_url) as session:
        in_force = session.scalars(select(Override.value).where(Override.removed_at.is_(None)))
        assert len(in_force.all()) == 1
