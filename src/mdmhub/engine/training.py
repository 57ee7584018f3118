"""Estimating m, u and the prior from the data (EM) or from labelled pairs.

Unsupervised, as Splink does it: u from random pairs (almost all non-matches),
m by expectation-maximisation on blocked pairs, one session per blocking rule.
A rule's own features always agree inside its blocks, so a session leaves the
comparisons on those features alone; each comparison's m is the mean over the
sessions that could estimate it. The prior comes last: the expected number of
matches among all blocked pairs, over the number of possible pairs.

Supervised: m and u are the level frequencies among labelled matches and
non-matches (steward decisions are such labels).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from mdmhub.engine.blocking import BlockingRule, blocking_keys, candidate_pairs
from mdmhub.engine.comparisons import Comparison, Level
from mdmhub.engine.scoring import SINGLETON, feature_columns, score_pairs
from mdmhub.engine.spec import MatchModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Features = Mapping[str, str]

SMOOTHING = 0.5
"""Pseudo-count per level, so a level unseen in a sample keeps a finite weight."""


@dataclass(frozen=True)
class TrainedParameters:
    """What training learns: per comparison, each level's (name, m, u), and the prior."""

    probability_two_random_records_match: float
    levels: dict[str, list[tuple[str, float, float]]]
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    """Feature -> value -> share of records holding it (only values held more than once)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "levels": {name: [list(level) for level in ls] for name, ls in self.levels.items()},
            "term_frequencies": self.term_frequencies,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TrainedParameters":
        return cls(
            probability_two_random_records_match=float(
                data["probability_two_random_records_match"]
            ),
            levels={
                name: [(str(n), float(m), float(u)) for n, m, u in ls]
                for name, ls in data["levels"].items()
            },
            term_frequencies=dict(data.get("term_frequencies", {})),
        )


def apply(model: MatchModel, parameters: TrainedParameters) -> MatchModel:
    """The model with trained m, u, prior and term frequencies; untrained parts stay."""
    comparisons = []
    for comparison in model.comparisons:
        trained = {n: (m, u) for n, m, u in parameters.levels.get(comparison.name, [])}
        comparisons.append(_with_levels(comparison, trained))
    return replace(
        model,
        comparisons=tuple(comparisons),
        probability_two_random_records_match=parameters.probability_two_random_records_match,
        term_frequencies=parameters.term_frequencies,
    )


def _with_levels(comparison: Comparison, trained: Mapping[str, tuple[float, float]]) -> Comparison:
    def level(current: Level) -> Level:
        m, u = trained.get(current.name, (current.m, current.u))
        return replace(current, m=m, u=u)

    return replace(
        comparison,
        levels=tuple(level(lv) for lv in comparison.levels),
        else_level=level(comparison.else_level),
    )


def _parameters(
    model: MatchModel,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior: float,
    term_frequencies: dict[str, dict[str, float]],
) -> TrainedParameters:
    levels = {
        comparison.name: [
            (level.name, float(m_c[i]), float(u_c[i]))
            for i, level in enumerate(comparison.all_levels)
            if i > 0
        ]
        for comparison, m_c, u_c in zip(model.comparisons, m, u, strict=True)
    }
    return TrainedParameters(prior, levels, term_frequencies)


def _distribution(levels: IntArray, count: int, weights: FloatArray | None = None) -> FloatArray:
    """Smoothed share of each non-missing level (index 0, missing, gets 1: it carries no weight)."""
    observed = levels > 0
    totals = np.bincount(
        levels[observed],
        weights=None if weights is None else weights[observed],
        minlength=count,
    ).astype(np.float64)
    totals[0] = 0.0
    shares: FloatArray = (totals + SMOOTHING) / (totals[1:].sum() + SMOOTHING * (count - 1))
    shares[0] = 1.0
    return shares


def _level_counts(model: MatchModel) -> list[int]:
    return [len(c.all_levels) for c in model.comparisons]


def estimate_u(
    model: MatchModel,
    columns: Mapping[str, npt.NDArray[np.object_]],
    records: int,
    pairs: int,
    rng: np.random.Generator,
) -> list[FloatArray]:
    """Level shares among random pairs: with many records, nearly all are non-matches."""
    left = rng.integers(0, records, size=pairs)
    right = rng.integers(0, records, size=pairs)
    distinct = left != right
    scored = score_pairs(model, columns, left[distinct], right[distinct])
    return [
        _distribution(scored.levels[:, c], count) for c, count in enumerate(_level_counts(model))
    ]


def expectation_maximisation(
    levels: IntArray,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior: float,
    estimated: Sequence[bool],
    iterations: int = 40,
    tolerance: float = 1e-5,
) -> tuple[list[FloatArray], float]:
    """EM for m and the in-sample match share, u held fixed.

    Comparisons not `estimated` neither change nor inform the posteriors.
    """
    m = [np.array(m_c, dtype=np.float64) for m_c in m]
    for _ in range(iterations):
        log_odds = np.full(len(levels), np.log(prior / (1.0 - prior)))
        for c, use in enumerate(estimated):
            if use:
                log_odds += np.log(m[c][levels[:, c]]) - np.log(u[c][levels[:, c]])
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -500, 500)))
        updated = [
            _distribution(levels[:, c], len(m_c), posterior) if use else m_c
            for c, (m_c, use) in enumerate(zip(m, estimated, strict=True))
        ]
        new_prior = float(np.clip(posterior.mean(), 1e-6, 1 - 1e-6))
        change = max(float(np.abs(a - b).max()) for a, b in zip(updated, m, strict=True))
        m, prior = updated, new_prior
        if change < tolerance:
            break
    return m, prior


def _base(model: MatchModel, feature: str) -> str:
    return dict(model.derived_features).get(feature, feature)


def _overlaps(model: MatchModel, comparison: Comparison, rule: BlockingRule) -> bool:
    rule_bases = {_base(model, f) for f in rule.features}
    return any(_base(model, f) in rule_bases for f in comparison.features())


def term_frequencies(
    model: MatchModel, features: Sequence[Features]
) -> dict[str, dict[str, float]]:
    """Share of records per value, for the features whose exact agreement is TF-adjusted."""
    tables: dict[str, dict[str, float]] = {}
    for comparison in model.comparisons:
        if not comparison.term_frequency:
            continue
        counts = Counter(f[comparison.feature] for f in features if comparison.feature in f)
        total = sum(counts.values())
        if total:
            table = {value: count / total for value, count in counts.items() if count > 1}
            tables[comparison.feature] = {SINGLETON: 1 / total, **table}
    return tables


@dataclass(frozen=True)
class TrainingReport:
    parameters: TrainedParameters
    records: int
    blocked_pairs: int
    sessions: dict[str, int]
    """Blocking rule -> pairs its EM session trained on."""


def train_unsupervised(
    model: MatchModel,
    features: Sequence[Features],
    *,
    block_size_cap: int = 200,
    random_pairs: int = 300_000,
    seed: int = 0,
) -> TrainingReport:
    rng = np.random.default_rng(seed)
    columns = feature_columns(features, model.features())
    u = estimate_u(model, columns, len(features), random_pairs, rng)
    m_defaults = [
        np.array([1.0] + [lv.m for lv in c.all_levels[1:]], dtype=np.float64)
        for c in model.comparisons
    ]
    estimates: list[list[FloatArray]] = [[] for _ in model.comparisons]
    sessions: dict[str, int] = {}
    everything = range(0, len(features))
    for rule in model.blocking_rules:
        keys = [blocking_keys([rule], f) for f in features]
        pairs = candidate_pairs(keys, everything, block_size_cap)
        estimated = [not _overlaps(model, c, rule) for c in model.comparisons]
        if len(pairs.left) < 50 or not any(estimated):
            continue
        levels = score_pairs(model, columns, pairs.left, pairs.right).levels
        m, _ = expectation_maximisation(levels, m_defaults, u, 0.3, estimated)
        sessions[rule.name] = len(pairs.left)
        for c, use in enumerate(estimated):
            if use:
                estimates[c].append(m[c])
    m_final = [
        np.mean(found, axis=0) if found else default
        for found, default in zip(estimates, m_defaults, strict=True)
    ]
    all_keys = [blocking_keys(model.blocking_rules, f) for f in features]
    union = candidate_pairs(all_keys, everything, block_size_cap)
    levels = score_pairs(model, columns, union.left, union.right).levels
    share = _match_share(levels, m_final, u)
    possible = len(features) * (len(features) - 1) / 2
    prior = float(np.clip(share * len(union.left) / max(possible, 1.0), 1e-9, 0.5))
    parameters = _parameters(model, m_final, u, prior, term_frequencies(model, features))
    return TrainingReport(parameters, len(features), len(union.left), sessions)


def _match_share(
    levels: IntArray, m: Sequence[FloatArray], u: Sequence[FloatArray], iterations: int = 40
) -> float:
    """The share of matches among blocked pairs, m and u fixed."""
    prior = 0.3
    evidence = np.zeros(len(levels))
    for c in range(levels.shape[1]):
        evidence += np.log(m[c][levels[:, c]]) - np.log(u[c][levels[:, c]])
    for _ in range(iterations):
        log_odds = np.log(prior / (1.0 - prior)) + evidence
        updated = float(np.mean(1.0 / (1.0 + np.exp(-np.clip(log_odds, -500, 500)))))
        if abs(updated - prior) < 1e-7:
            break
        prior = max(updated, 1e-9)
    return prior


def train_supervised(
    model: MatchModel,
    left: Sequence[Features],
    right: Sequence[Features],
    labels: Sequence[int],
) -> TrainedParameters:
    """m and u from labelled pairs; the prior is the share of matches among them."""
    features = [*left, *right]
    columns = feature_columns(features, model.features())
    count = len(left)
    scored = score_pairs(model, columns, np.arange(count), np.arange(count, 2 * count))
    is_match = np.asarray(labels, dtype=bool)
    m = [_distribution(scored.levels[is_match, c], n) for c, n in enumerate(_level_counts(model))]
    u = [_distribution(scored.levels[~is_match, c], n) for c, n in enumerate(_level_counts(model))]
    prior = float(np.clip(is_match.mean(), 1e-6, 1 - 1e-6))
    return _parameters(model, m, u, prior, term_frequencies(model, features))
