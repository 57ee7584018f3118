"""Why two records score what they score: each comparison's level and weight.

The explanation is the score itself, taken apart: the prior weight plus every
comparison's weight is the match weight, and 1 / (1 + 2^-weight) the probability.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from mdmhub.engine.scoring import ScoredPairs, feature_columns, score_pairs
from mdmhub.engine.spec import MatchModel


@dataclass(frozen=True)
class ComparisonOutcome:
    name: str
    level: str
    weight: float
    left: str | None
    right: str | None


@dataclass(frozen=True)
class Explanation:
    prior_weight: float
    comparisons: list[ComparisonOutcome]
    match_weight: float
    probability: float
    decision: str


def explain(model: MatchModel, left: Mapping[str, str], right: Mapping[str, str]) -> Explanation:
    one = np.array([0])
    scored = score_pairs(model, feature_columns([left, right], model.features()), one, one + 1)
    return explanation_of(model, scored, 0, left, right)


def explanation_of(
    model: MatchModel,
    scored: ScoredPairs,
    pair: int,
    left: Mapping[str, str],
    right: Mapping[str, str],
) -> Explanation:
    """The explanation of one pair of a batch already scored (a search explains its best
    hits from the scores it ranked them by, without scoring them again)."""
    outcomes = [
        ComparisonOutcome(
            name=comparison.name,
            level=comparison.all_levels[int(scored.levels[pair, index])].name,
            weight=float(scored.weights[pair, index]),
            left=left.get(comparison.feature),
            right=right.get(comparison.feature),
        )
        for index, comparison in enumerate(model.comparisons)
    ]
    probability = float(scored.probability[pair])
    return Explanation(
        prior_weight=model.prior_weight,
        comparisons=outcomes,
        match_weight=float(scored.match_weight[pair]),
        probability=probability,
        decision=model.thresholds.decision(probability),
    )
