"""A match model: what to compare, how to block, where the thresholds are.

The spec is declarative and kept apart from the scoring that runs it, so a
config file or a training run can replace parts of it without touching code.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import BlockingRule
from mdmhub.engine.comparisons import Comparison


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: from `upper` a pair links, from `lower` a review opens, else apart."""

    upper: float
    lower: float

    def __post_init__(self) -> None:
        if not 0.0 < self.lower <= self.upper < 1.0:
            raise ValueError("thresholds need 0 < lower <= upper < 1")

    def decision(self, probability: float) -> str:
        if probability >= self.upper:
            return "match"
        return "review" if probability >= self.lower else "no-match"


@dataclass(frozen=True)
class MatchModel:
    entity: EntityType
    comparisons: tuple[Comparison, ...]
    blocking_rules: tuple[BlockingRule, ...]
    thresholds: Thresholds
    probability_two_random_records_match: float
    derived_features: tuple[tuple[str, str], ...] = ()
    """(derived, base) feature names, e.g. ("family_phonetic", "family"): training must know
    that a rule blocking on a phonetic code says something about the name it came from."""
    term_frequencies: Mapping[str, Mapping[str, float]] = field(
        default_factory=dict, hash=False, compare=False
    )
    """Feature -> value -> share of records: exact agreement on a rare value counts more."""

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds: the score of a pair before any evidence."""
        p = self.probability_two_random_records_match
        return math.log2(p / (1.0 - p))

    def features(self) -> tuple[str, ...]:
        names = {f for comparison in self.comparisons for f in comparison.features()}
        return tuple(sorted(names))
