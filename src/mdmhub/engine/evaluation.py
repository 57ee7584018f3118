"""Pairwise precision, recall and F1 of a clustering against ground truth.

Every pair of records in one true entity is a true pair; every pair in one
predicted cluster is a predicted pair. Pairs are counted from cluster sizes
(a contingency table), never enumerated, so a 50k-record evaluation is instant.
For linkage between sources, only pairs whose records come from different
sources count.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

RecordKey = TypeVar("RecordKey", bound=Hashable)


@dataclass(frozen=True)
class PairwiseScores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(members: Iterable[str | None]) -> int:
    """Pairs within one group; with sources given, only pairs across two sources."""
    by_source = Counter(members)
    size = sum(by_source.values())
    if None in by_source:
        return size * (size - 1) // 2
    return (size * size - sum(n * n for n in by_source.values())) // 2


def pairwise_scores(
    truth: Mapping[RecordKey, Hashable],
    predicted: Mapping[RecordKey, Hashable],
    source_of: Mapping[RecordKey, str] | None = None,
) -> PairwiseScores:
    """Score `predicted` clusters against `truth` over the records both name."""
    keys = truth.keys() & predicted.keys()
    true_groups: dict[Hashable, list[str | None]] = defaultdict(list)
    predicted_groups: dict[Hashable, list[str | None]] = defaultdict(list)
    cells: dict[tuple[Hashable, Hashable], list[str | None]] = defaultdict(list)
    for key in keys:
        source = source_of[key] if source_of is not None else None
        true_groups[truth[key]].append(source)
        predicted_groups[predicted[key]].append(source)
        cells[(truth[key], predicted[key])].append(source)
    return PairwiseScores(
        true_pairs=sum(_pairs(g) for g in true_groups.values()),
        predicted_pairs=sum(_pairs(g) for g in predicted_groups.values()),
        correct_pairs=sum(_pairs(g) for g in cells.values()),
    )
