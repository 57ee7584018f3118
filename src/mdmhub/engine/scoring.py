"""Fellegi–Sunter scoring: a pair's match weight is the prior plus each level's log2(m/u)."""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from mdmhub.engine.comparisons import SINGLETON, Level, PairColumns
from mdmhub.engine.spec import MatchModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_ABS_WEIGHT = 20.0
"""Clamp per level so one extreme m/u estimate cannot decide a pair alone."""


@lru_cache(maxsize=64)
def level_weights(model: MatchModel) -> tuple[FloatArray, ...]:
    """Per comparison, the weight of each level (missing scores 0); cached per model."""
    weights = []
    for comparison in model.comparisons:
        levels = comparison.all_levels
        row = np.array(
            [0.0]
            + [
                _clamped_weight(level.m, level.u) if level.weight is None else level.weight
                for level in levels[1:]
            ]
        )
        row.flags.writeable = False
        weights.append(row)
    return tuple(weights)


def _clamped_weight(m: float, u: float) -> float:
    """log2(m/u) within ±MAX_ABS_WEIGHT; a level never seen among matches (m = 0) or
    non-matches (u = 0), as a trained estimate can be, clamps instead of failing."""
    if m <= 0.0 or u <= 0.0:
        return 0.0 if m == u else math.copysign(MAX_ABS_WEIGHT, m - u)
    return max(-MAX_ABS_WEIGHT, min(MAX_ABS_WEIGHT, math.log2(m / u)))


EXACT_LEVEL = 1
"""Every comparison's first level after "missing" is exact agreement."""


def term_frequency_weight(
    exact: Level, frequencies: Mapping[str, float], values: Sequence[str]
) -> FloatArray:
    """The exact level's weight for each agreed value: log2(m / tf(value)).

    The level's own weight, log2(m / u), uses the average chance u that two
    records agree; a rare shared value is stronger evidence than a common one.
    A value missing from the table was held by one record in training: the
    rarest share. A learned weight is shifted by log2(u / tf) the same way.
    """
    rarest = frequencies.get(SINGLETON, min(frequencies.values()))
    distinct, positions = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    per_value = np.fromiter((frequencies.get(v, rarest) for v in distinct), np.float64)
    shares = per_value[positions.reshape(-1)] if len(values) else np.empty(0)
    base = exact.weight if exact.weight is not None else np.log2(exact.m / exact.u)
    return np.clip(base + np.log2(exact.u / shares), -MAX_ABS_WEIGHT, MAX_ABS_WEIGHT)


def probability(match_weight: FloatArray | float) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp2(-np.asarray(match_weight, dtype=np.float64))))


class FeatureColumns(Mapping[str, npt.NDArray[np.object_]]):
    """Column arrays over all records, "" for missing, so pairs are gathered by fancy
    indexing; each column's values are numbered once (see `_distinct_pairs`) however
    many comparisons read it and however often the columns are scored (training scores
    the same records' columns eight times)."""

    def __init__(self, columns: dict[str, npt.NDArray[np.object_]]) -> None:
        self._columns = columns
        self._codes: dict[str, tuple[IntArray, int]] = {}
        self._empty: dict[str, bool] = {}

    def __getitem__(self, name: str) -> npt.NDArray[np.object_]:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def codes(self, name: str) -> tuple[IntArray, int]:
        """The feature's values numbered in order of first appearance, and how many
        distinct values there are."""
        found = self._codes.get(name)
        if found is None:
            column = self._columns[name]
            numbers: dict[object, int] = {}
            values = np.fromiter(
                (numbers.setdefault(v, len(numbers)) for v in column), np.int64, len(column)
            )
            found = self._codes[name] = (values, len(numbers))
        return found

    def holds_none(self, name: str) -> bool:
        """No record has a value for the feature (people without an email): every pair is
        "missing" on it."""
        empty = self._empty.get(name)
        if empty is None:
            empty = self._empty[name] = not self._columns[name].any()
        return empty


def feature_columns(features: Sequence[Mapping[str, str]], names: Sequence[str]) -> FeatureColumns:
    columns = {}
    for name in names:
        column = np.empty(len(features), dtype=object)
        column[:] = [record.get(name, "") for record in features]
        columns[name] = column
    return FeatureColumns(columns)


@dataclass(frozen=True)
class ScoredPairs:
    levels: IntArray
    """(pairs, comparisons): the level index each pair reached in each comparison."""
    weights: FloatArray
    """(pairs, comparisons): the match weight each of those levels adds."""
    match_weight: FloatArray
    probability: FloatArray


def score_pairs(
    model: MatchModel, columns: FeatureColumns, left: IntArray, right: IntArray
) -> ScoredPairs:
    count = len(left)
    # Filled a comparison (a column) at a time: in column order those writes are contiguous,
    # ten times faster than across rows.
    levels = np.zeros((count, len(model.comparisons)), dtype=np.int64, order="F")
    weights = np.zeros((count, len(model.comparisons)), dtype=np.float64, order="F")
    if count:
        for index, (comparison, table) in enumerate(
            zip(model.comparisons, level_weights(model), strict=True)
        ):
            if columns.holds_none(comparison.feature):
                continue  # level 0, "missing", which weighs nothing: as the arrays start
            names = comparison.features()
            distinct = _distinct_pairs(columns, names, left, right)
            pair_columns = {
                name: PairColumns(columns[name][distinct.left], columns[name][distinct.right])
                for name in names
            }
            distinct_levels = comparison.assign(pair_columns, model.term_frequencies)
            distinct_weights = table[distinct_levels]
            frequencies = model.term_frequencies.get(comparison.feature)
            if comparison.term_frequency and frequencies:
                exact = distinct_levels == EXACT_LEVEL
                values = pair_columns[comparison.feature].left[exact]
                distinct_weights[exact] = term_frequency_weight(
                    comparison.levels[0], frequencies, values
                )
            levels[:, index] = distinct_levels[distinct.back]
            weights[:, index] = distinct_weights[distinct.back]
    weights = np.ascontiguousarray(weights)  # a pair's weights summed in the same order
    match_weight = model.prior_weight + weights.sum(axis=1)
    return ScoredPairs(levels, weights, match_weight, probability(match_weight))


SCORED_AS_THEY_ARE = 256
"""Up to this many pairs, a comparison scores every pair (see `_distinct_pairs`)."""


@dataclass(frozen=True, slots=True)
class _DistinctPairs:
    left: IntArray
    right: IntArray
    """The records of one pair for each distinct pair of values."""
    back: IntArray
    """For every pair, the index of its distinct pair."""


def _distinct_pairs(
    columns: FeatureColumns, names: Sequence[str], left: IntArray, right: IntArray
) -> _DistinctPairs:
    """The pairs that differ in the values a comparison reads.

    A level depends on those values only, and blocked pairs repeat them a lot: a chunk of
    a bulk load compares 6-22% distinct values per comparison, so each comparison's
    string scorers run on those alone and their levels are spread back to every pair.
    A few pairs (one record's upsert) are scored as they are: finding their repeats cost
    more than scoring them.
    """
    if len(left) <= SCORED_AS_THEY_ARE:
        return _DistinctPairs(left, right, np.arange(len(left)))
    codes = [columns.codes(name) for name in names]
    record, size = codes[0]
    for values, count in codes[1:]:
        _, compact = np.unique(record * count + values, return_inverse=True)
        record, size = compact.reshape(-1), int(compact.max(initial=-1)) + 1
    _, first, back = np.unique(
        record[left] * size + record[right], return_index=True, return_inverse=True
    )
    return _DistinctPairs(left[first], right[first], back.reshape(-1))
