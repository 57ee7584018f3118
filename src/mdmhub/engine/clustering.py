"""Assigning incoming records to clusters without chaining weak links.

A record joins a cluster on its evidence against the cluster's members it was
compared with: its best pair must clear the upper threshold *and* the mean over
those members must clear the lower one. One lucky pair with a record that is
itself a borderline member therefore cannot pull a stranger in. A record whose
evidence clears the upper threshold on average against two clusters shows
they are one entity, and they are merged.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from mdmhub.engine.spec import Thresholds

NEW_CLUSTER_PREFIX = "new:"


class Decision(StrEnum):
    LINKED = "linked"
    NEW = "new"
    KEPT = "kept"
    """An updated record that found no better home stays where it was."""


@dataclass(frozen=True, slots=True)
class Assignment:
    cluster: str
    decision: Decision
    score: float
    """The best match probability against the cluster it joined (0 when alone)."""


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


class _Labels:
    """Cluster labels with merge redirects (a tiny union-find)."""

    def __init__(self, stored: Sequence[str]) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = defaultdict(int)
        for label in stored:
            self.size[label] += 1

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
        return survivor


def assign_clusters(
    stored_clusters: Sequence[str],
    previous_clusters: Sequence[str | None],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    probability: npt.NDArray[np.float64],
    thresholds: Thresholds,
) -> Clustering:
    """Assign each incoming record (indexes after the stored ones), in order.

    `previous_clusters[k]` is the cluster incoming record k belonged to before
    this update (None for a new record); the record stays there unless it finds
    strong evidence elsewhere or clearly no longer matches there.
    """
    start = len(stored_clusters)
    neighbours: list[list[tuple[int, float]]] = [[] for _ in previous_clusters]
    for a, b, p in zip(left.tolist(), right.tolist(), probability.tolist(), strict=True):
        if b >= start:
            neighbours[b - start].append((a, p))
        if a >= start:
            neighbours[a - start].append((b, p))

    labels: list[str | None] = [*stored_clusters, *([None] * len(previous_clusters))]
    clusters = _Labels(stored_clusters)
    result = Clustering(assignments=[])
    for offset, previous in enumerate(previous_clusters):
        evidence: dict[str, list[float]] = defaultdict(list)
        for other, p in neighbours[offset]:
            other_label = labels[other]
            if other_label is not None:
                evidence[clusters.find(other_label)].append(p)
        assignment = _assign_one(evidence, previous and clusters.find(previous), thresholds)
        strong_merge = [c for c, ps in evidence.items() if float(np.mean(ps)) >= thresholds.upper]
        if (
            assignment.decision is Decision.LINKED
            and assignment.cluster in strong_merge
            and len(strong_merge) > 1
        ):
            survivor = clusters.merge(strong_merge)
            result.merges.update({c: survivor for c in strong_merge if c != survivor})
            assignment = Assignment(survivor, Decision.LINKED, assignment.score)
        if assignment.decision is Decision.NEW:
            assignment = Assignment(f"{NEW_CLUSTER_PREFIX}{offset}", Decision.NEW, assignment.score)
            result.reviews.extend(
                ReviewPair(other, start + offset, p)
                for other, p in neighbours[offset]
                if thresholds.lower <= p < thresholds.upper and labels[other] is not None
            )
        labels[start + offset] = assignment.cluster
        clusters.size[assignment.cluster] += 1
        result.assignments.append(assignment)
    result.assignments = [
        Assignment(clusters.find(a.cluster), a.decision, a.score) for a in result.assignments
    ]
    result.merges = {retired: clusters.find(s) for retired, s in result.merges.items()}
    return result


def _assign_one(
    evidence: dict[str, list[float]], previous: str | None, thresholds: Thresholds
) -> Assignment:
    strong = {
        cluster: (float(np.mean(ps)), max(ps))
        for cluster, ps in evidence.items()
        if max(ps) >= thresholds.upper and float(np.mean(ps)) >= thresholds.lower
    }
    if previous in strong:
        return Assignment(previous, Decision.LINKED, strong[previous][1])
    if strong:
        best = max(strong, key=lambda c: (strong[c], c))
        return Assignment(best, Decision.LINKED, strong[best][1])
    if previous is not None and max(evidence.get(previous, [1.0])) >= thresholds.lower:
        return Assignment(previous, Decision.KEPT, max(evidence.get(previous, [0.0])))
    best_score = max((max(ps) for ps in evidence.values()), default=0.0)
    return Assignment("", Decision.NEW, best_score)
