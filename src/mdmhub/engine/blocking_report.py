"""How well the blocking rules do: candidate pairs per rule, capped blocks, and, with
ground truth, the share of true pairs that any rule puts up for comparison.

A true pair that no rule proposes can never be linked, whatever the scoring does;
this recall is the ceiling of the matcher's recall.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mdmhub.engine.blocking import BlockingRule, blocking_keys, candidate_pairs


@dataclass(frozen=True)
class RuleReport:
    rule: str
    candidate_pairs: int
    capped_keys: int
    true_pairs_found: int | None


@dataclass(frozen=True)
class BlockingReport:
    records: int
    rules: list[RuleReport]
    union_pairs: int
    true_pairs: int | None
    true_pairs_found: int | None

    @property
    def recall(self) -> float | None:
        if self.true_pairs is None or self.true_pairs_found is None:
            return None
        return self.true_pairs_found / self.true_pairs if self.true_pairs else 1.0


def _true(
    truth: Sequence[str | None] | None, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> int | None:
    if truth is None:
        return None
    return sum(
        1
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
        if truth[a] is not None and truth[a] == truth[b]
    )


def blocking_report(
    rules: Sequence[BlockingRule],
    features: Sequence[Mapping[str, str]],
    cap: int,
    truth: Sequence[str | None] | None = None,
) -> BlockingReport:
    """`truth[i]` is record i's true entity label (None when unknown)."""
    everything = range(0, len(features))
    reports = []
    for rule in rules:
        pairs = candidate_pairs([blocking_keys([rule], f) for f in features], everything, cap)
        reports.append(
            RuleReport(
                rule.name,
                len(pairs.left),
                len(pairs.capped_keys),
                _true(truth, pairs.left, pairs.right),
            )
        )
    union = candidate_pairs([blocking_keys(rules, f) for f in features], everything, cap)
    true_pairs = None
    if truth is not None:
        sizes = Counter(label for label in truth if label is not None)
        true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    return BlockingReport(
        len(features),
        reports,
        len(union.left),
        true_pairs,
        _true(truth, union.left, union.right),
    )
