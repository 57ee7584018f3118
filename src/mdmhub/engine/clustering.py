"""Assigning incoming records to clusters without chaining weak links.

A record joins a cluster on its evidence against the cluster's members it was
compared with: its best pair must clear the upper threshold *and* the mean over
those members must clear the lower one. One lucky pair with a record that is
itself a borderline member therefore cannot pull a stranger in. A record whose
evidence clears the upper threshold on average against two clusters shows
they are one entity, and they are merged.

Steward decisions bind the machine: a pinned record stays in its cluster
whatever its evidence, and two clusters a steward kept apart never merge, nor
does anything that has joined either of them since.
"""

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from mdmhub.engine.spec import Thresholds
from mdmhub.pickling import as_constructor_call

NEW_CLUSTER_PREFIX = "new:"


class Decision(StrEnum):
    LINKED = "linked"
    NEW = "new"
    KEPT = "kept"
    """An updated record that found no better home stays where it was."""


@as_constructor_call
@dataclass(frozen=True, slots=True)
class Assignment:
    cluster: str
    decision: Decision
    score: float
    """The best match probability against the cluster it joined (0 when alone)."""


@as_constructor_call
@dataclass(frozen=True, slots=True)
class ReviewPair:
    """A pair in the review band whose records stayed apart: a steward should look."""

    left: int
    right: int
    probability: float


@dataclass
class Clustering:
    assignments: list[Assignment]
    merges: dict[str, str] = field(default_factory=dict)
    """Retired cluster label -> surviving label."""
    reviews: list[ReviewPair] = field(default_factory=list)


@dataclass(frozen=True)
class Constraints:
    """What stewards decided, as the clustering sees it."""

    pinned: frozenset[int] = frozenset()
    """Offsets of incoming records that stay in their previous cluster."""
    apart: Collection[tuple[str, str]] = ()
    """Pairs of stored cluster labels that must never merge."""


class _Labels:
    """Cluster labels with merge redirects (a tiny union-find) and the pairs kept apart."""

    def __init__(self, stored: Sequence[str], apart: Collection[tuple[str, str]]) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = defaultdict(int)
        for label in stored:
            self.size[label] += 1
        self.apart: dict[str, set[str]] = defaultdict(set)
        for a, b in apart:
            self.apart[a].add(b)
            self.apart[b].add(a)

    def compatible(self, cluster: str, others: Sequence[str]) -> list[str]:
        """`cluster` and those of `others` that may join it, in order, each kept apart from none
        of the ones chosen before it."""
        chosen = [cluster]
        for other in others:
            if other not in chosen and not any(other in self.apart[c] for c in chosen):
                chosen.append(other)
        return chosen

    def find(self, label: str) -> str:
        while label in self.parent:
            label = self.parent[label]
        return label

    def merge(self, labels: Sequence[str]) -> str:
        """Merge into the existing (not new) label with most members, then the smallest id."""
        survivor = min(
            labels,
            key=lambda c: (c.startswith(NEW_CLUSTER_PREFIX), -self.size[c], c),
        )
        for label in labels:
            if label != survivor:
                self.parent[label] = survivor
                self.size[survivor] += self.size.pop(label, 0)
                for other in self.apart.pop(label, set()):
                    self.apart[other].discard(label)
                    self.apart[other].add(survivor)
                    self.apart[survivor].add(other)
        return survivor


@dataclass(slots=True)
class _Evidence:
    """A record's pairs with the compared members of one cluster, summed as they come."""

    total: float
    best: float
    count: int

    def add(self, probability: float) -> None:
        self.total += probability
        if probability > self.best:
            self.best = probability
        self.count += 1

    @property
    def mean(self) -> float:
        return self.total / self.count


class _Neighbours:
    """Each incoming record's scored pairs, grouped by record with numpy rather than per pair."""

    def __init__(
        self,
        start: int,
        incoming: int,
        left: npt.NDArray[np.int64],
        right: npt.NDArray[np.int64],
        probability: npt.NDArray[np.float64],
    ) -> None:
        left_in, right_in = left >= start, right >= start
        source = np.concatenate([left[left_in], right[right_in]])
        order = np.argsort(source, kind="stable")
        self.other: list[int] = np.concatenate([right[left_in], left[right_in]])[order].tolist()
        self.probability: list[float] = np.concatenate(
            [probability[left_in], probability[right_in]]
        )[order].tolist()
        self.bounds: list[int] = np.searchsorted(
            source[order], np.arange(start, start + incoming + 1)
        ).tolist()

    def of(self, offset: int) -> Iterator[tuple[int, float]]:
        lo, hi = self.bounds[offset], self.bounds[offset + 1]
        return zip(self.other[lo:hi], self.probability[lo:hi], strict=True)


def assign_clusters(
    stored_clusters: Sequence[str],
    previous_clusters: Sequence[str | None],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    probability: npt.NDArray[np.float64],
    thresholds: Thresholds,
    constraints: Constraints = Constraints(),
) -> Clustering:
    """Assign each incoming record (indexes after the stored ones), in order.

    `previous_clusters[k]` is the cluster incoming record k belonged to before
    this update (None for a new record); the record stays there unless it finds
    strong evidence elsewhere or clearly no longer matches there.
    """
    start = len(stored_clusters)
    neighbours = _Neighbours(start, len(previous_clusters), left, right, probability)
    labels: list[str | None] = [*stored_clusters, *([None] * len(previous_clusters))]
    clusters = _Labels(stored_clusters, constraints.apart)
    result = Clustering(assignments=[])
    for offset, previous in enumerate(previous_clusters):
        evidence: dict[str, _Evidence] = {}
        for other, p in neighbours.of(offset):
            other_label = labels[other]
            if other_label is None:
                continue
            cluster = clusters.find(other_label)
            found = evidence.get(cluster)
            if found is None:
                evidence[cluster] = _Evidence(p, p, 1)
            else:
                found.add(p)
        previous = previous and clusters.find(previous)
        if previous is not None and offset in constraints.pinned:
            before = evidence.get(previous)
            assignment = Assignment(previous, Decision.KEPT, before.best if before else 0.0)
        else:
            assignment = _assign_one(evidence, previous, thresholds)
        if assignment.decision is Decision.LINKED and len(evidence) > 1:
            assignment = _merge_strong(assignment, evidence, clusters, thresholds, result)
        if assignment.decision is Decision.NEW:
            assignment = Assignment(f"{NEW_CLUSTER_PREFIX}{offset}", Decision.NEW, assignment.score)
        labels[start + offset] = assignment.cluster
        clusters.size[assignment.cluster] += 1
        result.assignments.append(assignment)
    result.assignments = [
        Assignment(clusters.find(a.cluster), a.decision, a.score) for a in result.assignments
    ]
    result.merges = {retired: clusters.find(s) for retired, s in result.merges.items()}
    # Reviews are collected once every record has its final cluster, so a pair with a
    # record assigned later (or a pair whose clusters were merged since) is judged right.
    apart = {start + k for k, a in enumerate(result.assignments) if a.decision is Decision.NEW}
    final = [clusters.find(label or "") for label in labels]
    band = (probability >= thresholds.lower) & (probability < thresholds.upper)
    result.reviews = [
        ReviewPair(a, b, p)
        for a, b, p in zip(
            left[band].tolist(), right[band].tolist(), probability[band].tolist(), strict=True
        )
        if (a in apart or b in apart) and final[a] != final[b]
    ]
    return result


def _merge_strong(
    linked: Assignment,
    evidence: dict[str, _Evidence],
    clusters: _Labels,
    thresholds: Thresholds,
    result: Clustering,
) -> Assignment:
    """A record linked to one cluster of several it holds evidence against: the clusters
    its evidence clears the upper threshold for on average are one entity, merged (those
    kept apart from one chosen before left out)."""
    strong = sorted(
        (c for c, e in evidence.items() if e.mean >= thresholds.upper),
        key=lambda c: (-evidence[c].mean, c),
    )
    if linked.cluster not in strong:
        return linked
    joined = clusters.compatible(linked.cluster, strong)
    if len(joined) == 1:
        return linked
    survivor = clusters.merge(joined)
    result.merges.update({c: survivor for c in joined if c != survivor})
    return Assignment(survivor, Decision.LINKED, linked.score)


def _assign_one(
    evidence: dict[str, _Evidence], previous: str | None, thresholds: Thresholds
) -> Assignment:
    strong = {
        cluster: (e.mean, e.best)
        for cluster, e in evidence.items()
        if e.best >= thresholds.upper and e.mean >= thresholds.lower
    }
    if previous in strong:
        return Assignment(previous, Decision.LINKED, strong[previous][1])
    if strong:
        best = max(strong, key=lambda c: (strong[c], c))
        return Assignment(best, Decision.LINKED, strong[best][1])
    if previous is not None:
        before = evidence.get(previous)
        if before is None or before.best >= thresholds.lower:
            return Assignment(previous, Decision.KEPT, before.best if before else 0.0)
    best_score = max((e.best for e in evidence.values()), default=0.0)
    return Assignment("", Decision.NEW, best_score)
