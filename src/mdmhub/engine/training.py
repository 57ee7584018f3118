"""Estimating m, u and the prior from the data (EM) or from labelled pairs.

Unsupervised, as Splink does it: u from random pairs (almost all non-matches),
m by expectation-maximisation on blocked pairs, one session per blocking rule.
A rule's own features always agree inside its blocks, so a session leaves the
comparisons on those features alone; each comparison's m is the mean over the
sessions that could estimate it, weighted by the matches each expects among pairs
with values. The prior comes last: the expected number of matches among all
blocked pairs (at most what the sessions expect together), over the number of
possible pairs.

Supervised: m and u are the level frequencies among labelled matches and
non-matches (steward decisions are such labels).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from mdmhub.engine.blocking import (
    BlockingRule,
    CandidatePairs,
    blocking_keys,
    candidate_pairs,
    union_of,
)
from mdmhub.engine.comparisons import SINGLETON, Comparison, Level, RareWordBands, word_table
from mdmhub.engine.em import (
    LevelPatterns,
    expectation_maximisation,
    level_shares,
    match_posteriors,
    match_share,
    patterns_of_samples,
)
from mdmhub.engine.forked import Beside
from mdmhub.engine.scoring import FeatureColumns, feature_columns, score_pairs
from mdmhub.engine.spec import MatchModel, Thresholds

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Features = Mapping[str, str]


@dataclass(frozen=True)
class TrainedParameters:
    """What training learns: per comparison, each level's (name, m, u), and the prior."""

    probability_two_random_records_match: float
    levels: dict[str, list[tuple[str, float, float]]]
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    """Feature -> value -> share of records holding it (only values held more than once)."""
    weights: dict[str, list[float]] = field(default_factory=dict)
    """Comparison -> learned weight per level (after "missing"), from logistic regression."""
    thresholds: tuple[float, float] | None = None
    """Learned (upper, lower) match probabilities, when training chose them."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "levels": {name: [list(level) for level in ls] for name, ls in self.levels.items()},
            "term_frequencies": self.term_frequencies,
            "weights": self.weights,
            "thresholds": list(self.thresholds) if self.thresholds else None,
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
            weights={k: [float(w) for w in ws] for k, ws in data.get("weights", {}).items()},
            thresholds=_pair(data.get("thresholds")),
        )


def _pair(values: Sequence[float] | None) -> tuple[float, float] | None:
    return (float(values[0]), float(values[1])) if values else None


def apply(model: MatchModel, parameters: TrainedParameters) -> MatchModel:
    """The model with trained m, u, prior and term frequencies; untrained parts stay."""
    comparisons = []
    for comparison in model.comparisons:
        learned = parameters.weights.get(comparison.name, [])
        trained = {
            n: (m, u, learned[i] if i < len(learned) else None)
            for i, (n, m, u) in enumerate(parameters.levels.get(comparison.name, []))
        }
        comparisons.append(_with_levels(comparison, trained))
    thresholds = Thresholds(*parameters.thresholds) if parameters.thresholds else model.thresholds
    return replace(
        model,
        comparisons=tuple(comparisons),
        probability_two_random_records_match=parameters.probability_two_random_records_match,
        term_frequencies=parameters.term_frequencies,
        thresholds=thresholds,
    )


def _with_levels(
    comparison: Comparison, trained: Mapping[str, tuple[float, float, float | None]]
) -> Comparison:
    def level(current: Level) -> Level:
        m, u, weight = trained.get(current.name, (current.m, current.u, None))
        return replace(current, m=m, u=u, weight=weight)

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
    observed: Sequence[bool],
) -> TrainedParameters:
    """Only comparisons the data had values for: the others keep their shipped m and u."""
    levels = {
        comparison.name: [
            (level.name, float(m_c[i]), float(u_c[i]))
            for i, level in enumerate(comparison.all_levels)
            if i > 0
        ]
        for comparison, m_c, u_c, seen in zip(model.comparisons, m, u, observed, strict=True)
        if seen
    }
    return TrainedParameters(prior, levels, term_frequencies)


def _observed(levels: IntArray) -> list[bool]:
    """Per comparison, whether any pair had values on both sides."""
    seen: npt.NDArray[np.bool_] = np.asarray((levels > 0).any(axis=0))
    return [bool(value) for value in seen]


def _level_counts(model: MatchModel) -> list[int]:
    return [len(c.all_levels) for c in model.comparisons]


def draw_random_pairs(
    records: int, pairs: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """`pairs` draws of two records (with many records nearly all non-matches), less those
    that drew one record twice."""
    left = rng.integers(0, records, size=pairs)
    right = rng.integers(0, records, size=pairs)
    distinct = left != right
    return left[distinct], right[distinct]


def estimate_u(
    model: MatchModel, columns: FeatureColumns, pairs: tuple[IntArray, IntArray]
) -> tuple[list[FloatArray], list[bool]]:
    """Level shares among random pairs, and which comparisons had values on both sides at
    all."""
    scored = score_pairs(model, columns, *pairs)
    return [
        level_shares(scored.levels[:, c], count) for c, count in enumerate(_level_counts(model))
    ], _observed(scored.levels)


def _base(model: MatchModel, feature: str) -> str:
    return dict(model.derived_features).get(feature, feature)


def _overlaps(model: MatchModel, comparison: Comparison, rule: BlockingRule) -> bool:
    rule_bases = {_base(model, f) for f in rule.features}
    return any(_base(model, f) in rule_bases for f in comparison.features())


def term_frequencies(
    model: MatchModel, features: Sequence[Features]
) -> dict[str, dict[str, float]]:
    """Share of records per value, for the features whose exact agreement is TF-adjusted, and
    share of texts per word, for the comparisons that weigh words by rarity."""
    tables: dict[str, dict[str, float]] = {}
    for comparison in model.comparisons:
        if not comparison.term_frequency:
            continue
        counts = Counter(f[comparison.feature] for f in features if comparison.feature in f)
        total = sum(counts.values())
        if total:
            table = {value: count / total for value, count in counts.items() if count > 1}
            tables[comparison.feature] = {SINGLETON: 1 / total, **table}
    for comparison in model.comparisons:
        if isinstance(comparison, RareWordBands):
            tables[word_table(comparison.feature)] = _word_shares(features, comparison.feature)
    return tables


def _word_shares(features: Sequence[Features], feature: str) -> dict[str, float]:
    """Share of distinct texts holding each word (only words held more than once): labelled
    pairs repeat a record in many pairs, which must not make its words look common."""
    texts = {f[feature] for f in features if f.get(feature)}
    if not texts:
        return {}
    counts = Counter(word for text in texts for word in set(text.split()))
    total = len(texts)
    return {SINGLETON: 1 / total, **{w: c / total for w, c in counts.items() if c > 1}}


FORK_FROM = 2_000
"""Fewer records train in well under a second, and a fork costs more than it saves."""


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
    random_pairs: int = 200_000,
    max_session_pairs: int = 150_000,
    seed: int = 0,
    fork: bool = True,
) -> TrainingReport:
    """EM per blocking rule on at most `max_session_pairs` sampled pairs each: estimates
    settle long before that, and a big block would otherwise dominate the run time.

    With `fork` and at least `FORK_FROM` records, the random pairs are scored in a forked
    process while this one blocks and samples the sessions' pairs, and half of those are
    scored in another (`engine/forked.py`): the 50k's training took 1.42-1.69 s instead of
    1.83-2.37 s, with the same parameters (README, How matching works)."""
    rng = np.random.default_rng(seed)
    # Word shares change which level a pair reaches, so training scores with them too.
    frequencies = term_frequencies(model, features)
    model = replace(model, term_frequencies=frequencies)
    columns = feature_columns(features, model.features())
    records = len(features)
    u_pairs = draw_random_pairs(records, random_pairs, rng)
    fork = fork and records >= FORK_FROM
    with Beside(partial(estimate_u, model, columns, u_pairs), fork=fork) as random_levels:
        sessions, union, samples = _blocked_samples(
            model, features, block_size_cap, max_session_pairs, rng
        )
        *session_patterns, union_patterns = _patterns_of(model, columns, records, samples, fork)
        u, observed = random_levels.result()
    m, session_matches = _em_sessions(model, u, sessions, session_patterns)
    prior = model.probability_two_random_records_match
    if len(union_patterns.levels):
        matches = match_share(union_patterns, m, u) * len(union.left)
        if session_matches:
            # Every match among blocked pairs lies in some rule's blocks, so the union holds
            # no more than the sessions expect together. Scored with every comparison, pairs
            # blocked on most of them (street, number and postcode for an address) all look
            # like matches; each session judges its pairs without its rule's comparisons.
            matches = min(matches, session_matches)
        possible = records * (records - 1) / 2
        prior = float(np.clip(matches / max(possible, 1.0), 1e-9, 0.5))
    parameters = _parameters(model, m, u, prior, frequencies, observed)
    trained = {s.rule.name: len(s.candidates.left) for s in sessions}
    return TrainingReport(parameters, records, len(union.left), trained)


def _blocked_samples(
    model: MatchModel,
    features: Sequence[Features],
    block_size_cap: int,
    max_session_pairs: int,
    rng: np.random.Generator,
) -> tuple[list["_Session"], CandidatePairs, list[tuple[IntArray, IntArray]]]:
    """The sessions (one per blocking rule with pairs enough and a comparison to estimate),
    the union of all rules' pairs, and a sample of each session's pairs then the union's."""
    records = len(features)
    rules = list(dict.fromkeys(model.blocking_rules))  # a rule listed twice trains once
    rule_pairs = [
        candidate_pairs(
            [blocking_keys((rule,), f) for f in features], range(records), block_size_cap
        )
        for rule in rules
    ]
    union = union_of(rule_pairs, records)
    sessions = [
        session
        for session in map(partial(_Session.of, model), rules, rule_pairs)
        if len(session.candidates.left) >= 50 and any(session.estimated)
    ]
    samples = [
        _sample(s.candidates.left, s.candidates.right, max_session_pairs, rng) for s in sessions
    ]
    samples.append(_sample(union.left, union.right, max_session_pairs, rng))
    return sessions, union, samples


@dataclass(frozen=True)
class _Session:
    """One blocking rule's EM session over the pairs its blocks make. Its rule's comparisons
    are left out (they always agree inside its blocks) but inform the posteriors; those with
    a fixed m only inform."""

    rule: BlockingRule
    candidates: CandidatePairs
    outside_rule: list[bool]
    estimated: list[bool]

    @classmethod
    def of(cls, model: MatchModel, rule: BlockingRule, candidates: CandidatePairs) -> "_Session":
        outside = [not _overlaps(model, c, rule) for c in model.comparisons]
        estimated = [o and not c.fixed_m for o, c in zip(outside, model.comparisons, strict=True)]
        return cls(rule, candidates, outside, estimated)


def _em_sessions(
    model: MatchModel,
    u: Sequence[FloatArray],
    sessions: Sequence[_Session],
    session_patterns: Sequence[LevelPatterns],
) -> tuple[list[FloatArray], float]:
    """Each comparison's m, averaged over the sessions that estimate it, weighted by the
    matches each expects among its pairs with values; and the matches the sessions expect."""
    m_defaults = [
        np.array([1.0] + [lv.m for lv in c.all_levels[1:]], dtype=np.float64)
        for c in model.comparisons
    ]
    estimates: list[list[tuple[FloatArray, float]]] = [[] for _ in model.comparisons]
    session_matches = 0.0
    for session, patterns in zip(sessions, session_patterns, strict=True):
        levels = patterns.levels
        m, share = expectation_maximisation(
            levels,
            m_defaults,
            u,
            0.3,
            session.estimated,
            informing=session.outside_rule,
            counts=patterns.counts,
        )
        session_matches += share * len(session.candidates.left)
        matches = match_posteriors(levels, m, u, share, session.outside_rule) * patterns.counts
        for c, use in enumerate(session.estimated):
            seen = float(matches[levels[:, c] > 0].sum())
            if use and seen > 0:
                estimates[c].append((m[c], seen))
    m_final = [
        np.average([e for e, _ in found], axis=0, weights=[w for _, w in found])
        if found
        else default
        for found, default in zip(estimates, m_defaults, strict=True)
    ]
    return m_final, session_matches


def _patterns_of(
    model: MatchModel,
    columns: FeatureColumns,
    records: int,
    samples: Sequence[tuple[IntArray, IntArray]],
    fork: bool,
) -> list[LevelPatterns]:
    """Each sample's level patterns, every distinct pair scored once: the sessions' samples
    overlap (a true match shares most keys), and a pair's levels depend on the pair alone,
    so half the pairs can be scored in a forked process (`fork`)."""
    pairs = np.concatenate([left * records + right for left, right in samples])
    distinct, back = np.unique(pairs, return_inverse=True)
    first, second = np.array_split(distinct, 2)
    with Beside(partial(_levels_of, model, columns, records, second), fork=fork) as beside:
        halves = [_levels_of(model, columns, records, first), beside.result()]
    levels = np.concatenate(halves).astype(np.int64)
    ends = np.cumsum([len(left) for left, _ in samples])
    return patterns_of_samples(levels, np.split(back.reshape(-1), ends[:-1]))


def _levels_of(
    model: MatchModel, columns: FeatureColumns, records: int, codes: IntArray
) -> npt.NDArray[np.unsignedinteger[Any]]:
    """The levels of the pairs coded `left * records + right`, in the smallest type that
    holds them (a byte: a comparison has a handful of levels), as a forked process sends
    them back through a pipe."""
    levels = score_pairs(model, columns, codes // records, codes % records).levels
    return levels.astype(np.min_scalar_type(int(levels.max(initial=0))))


def _sample(
    left: IntArray, right: IntArray, limit: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    if len(left) <= limit:
        return left, right
    chosen = np.sort(rng.choice(len(left), size=limit, replace=False))
    return left[chosen], right[chosen]


def train_supervised(
    model: MatchModel,
    left: Sequence[Features],
    right: Sequence[Features],
    labels: Sequence[int],
    l2: float = 1.0,
) -> TrainedParameters:
    """From labelled pairs: m and u as level shares among matches and non-matches, plus
    level weights fitted by logistic regression, and the threshold with the best F1.

    The regression learns what naive Fellegi–Sunter cannot: evidence that overlaps
    (a title and the codes inside it) is not counted twice. Its weights replace
    log2(m/u) level by level, so scores stay sums of per-attribute weights and every
    explanation still adds up.
    """
    features = [*left, *right]
    frequencies = term_frequencies(model, features)
    model = replace(model, term_frequencies=frequencies)
    columns = feature_columns(features, model.features())
    count = len(left)
    scored = score_pairs(model, columns, np.arange(count), np.arange(count, 2 * count))
    is_match = np.asarray(labels, dtype=bool)
    level_counts = _level_counts(model)
    m = [level_shares(scored.levels[is_match, c], n) for c, n in enumerate(level_counts)]
    u = [level_shares(scored.levels[~is_match, c], n) for c, n in enumerate(level_counts)]
    design = _one_hot(scored.levels, level_counts)
    coefficients = _logistic_regression(design, is_match.astype(np.float64), l2)
    intercept, slopes = coefficients[0], coefficients[1:] / np.log(2.0)
    weights: dict[str, list[float]] = {}
    offset = 0
    for comparison, n in zip(model.comparisons, level_counts, strict=True):
        weights[comparison.name] = slopes[offset : offset + n - 1].tolist()
        offset += n - 1
    probability = 1.0 / (1.0 + np.exp(-(design @ coefficients)))
    prior = float(1.0 / (1.0 + np.exp(-intercept)))
    upper = _best_f1_threshold(probability, is_match)
    observed = _observed(scored.levels)
    return TrainedParameters(
        prior,
        _parameters(model, m, u, prior, {}, observed).levels,
        frequencies,
        {name: w for (name, w), seen in zip(weights.items(), observed, strict=True) if seen},
        (upper, max(upper / 2, 0.01)),
    )


def _one_hot(levels: IntArray, level_counts: Sequence[int]) -> FloatArray:
    """An intercept column, then one column per non-missing level of each comparison."""
    blocks = [np.ones((len(levels), 1))]
    for c, n in enumerate(level_counts):
        block = np.zeros((len(levels), n - 1))
        present = levels[:, c] > 0
        block[np.flatnonzero(present), levels[present, c] - 1] = 1.0
        blocks.append(block)
    return np.hstack(blocks)


def _logistic_regression(
    design: FloatArray, target: FloatArray, l2: float, iterations: int = 50
) -> FloatArray:
    """Newton's method with an L2 penalty (not on the intercept)."""
    weights = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -500, 500)))
        gradient = design.T @ (p - target) + penalty * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return weights


def _best_f1_threshold(probability: FloatArray, is_match: npt.NDArray[np.bool_]) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.linspace(0.05, 0.95, 91):
        predicted = probability >= threshold
        correct = float((predicted & is_match).sum())
        f1 = 2 * correct / max(float(predicted.sum() + is_match.sum()), 1.0)
        if f1 >= best_f1:  # ties go to the higher threshold: the stricter choice
            best, best_f1 = float(threshold), f1
    return best
