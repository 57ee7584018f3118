"""Expectation-maximisation of m and the match share over pairs' comparison levels.

Training (`engine/training.py`) runs one EM session per blocking rule; this module holds
the EM itself, over pairs or over the patterns of levels they reach.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SMOOTHING = 0.5
"""Pseudo-count per level, so a level unseen in a sample keeps a finite weight."""


def level_shares(levels: IntArray, count: int, weights: FloatArray | None = None) -> FloatArray:
    """Smoothed share of each non-missing level (index 0, missing, gets 1: it carries no weight)."""
    totals = np.bincount(levels, weights=weights, minlength=count).astype(np.float64)
    totals[0] = 0.0
    shares: FloatArray = (totals + SMOOTHING) / (totals[1:].sum() + SMOOTHING * (count - 1))
    shares[0] = 1.0
    return shares


@dataclass(frozen=True)
class LevelPatterns:
    """Pairs grouped by the levels they reached, with how many reached each pattern. A pair's
    posterior depends on its levels alone, and blocked pairs repeat a few patterns (150,000
    pairs of the historical figures reach 2,670), so EM iterates over those."""

    levels: IntArray
    counts: FloatArray

    @classmethod
    def of(cls, levels: IntArray) -> "LevelPatterns":
        [patterns] = patterns_of_samples(levels, [np.arange(len(levels))])
        return patterns


def patterns_of_samples(levels: IntArray, samples: Sequence[IntArray]) -> list[LevelPatterns]:
    """The patterns of each sample of the pairs (rows) of `levels`: training draws many
    samples from one scored set of pairs, whose rows are grouped into patterns once; each
    sample then only counts its pairs per pattern."""
    _, first, pattern_of = np.unique(_pattern_codes(levels), return_index=True, return_inverse=True)
    pattern_levels = levels[first]
    grouped = []
    for sample in samples:
        counts = np.bincount(pattern_of.reshape(-1)[sample], minlength=len(first))
        present = np.flatnonzero(counts)
        grouped.append(
            LevelPatterns(
                np.asfortranarray(pattern_levels[present]), counts[present].astype(np.float64)
            )
        )
    return grouped


def _pattern_codes(levels: IntArray) -> IntArray:
    """A number per row, equal for equal rows and ordered as the rows are: each row numbered
    in mixed radix, one digit per comparison; the numbers so far are renumbered densely
    whenever the next digit could overflow them."""
    code = np.zeros(len(levels), dtype=np.int64)
    bound = 1
    for column in levels.T:
        size = int(column.max(initial=0)) + 1
        if bound * size > 2**62:
            _, dense = np.unique(code, return_inverse=True)
            code, bound = dense.reshape(-1), int(dense.max(initial=0)) + 1
        code = code * size + column
        bound *= size
    return code


def expectation_maximisation(
    levels: IntArray,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior: float,
    estimated: Sequence[bool],
    iterations: int = 40,
    tolerance: float = 1e-5,
    informing: Sequence[bool] = (),
    counts: FloatArray | None = None,
) -> tuple[list[FloatArray], float]:
    """EM for m and the in-sample match share, u held fixed. A row of `levels` is a pair,
    or, with `counts`, that many pairs (see `LevelPatterns`).

    Comparisons not `estimated` neither change nor inform the posteriors, except those
    `informing`: their m is known, so they inform without changing.
    """
    m = [np.array(m_c, dtype=np.float64) for m_c in m]
    informs = [e or (c < len(informing) and informing[c]) for c, e in enumerate(estimated)]
    levels = np.asfortranarray(levels)  # each iteration reads whole comparison columns
    pairs = np.ones(len(levels)) if counts is None else counts
    for _ in range(iterations):
        matches = match_posteriors(levels, m, u, prior, informs) * pairs
        updated = [
            level_shares(levels[:, c], len(m_c), matches) if use else m_c
            for c, (m_c, use) in enumerate(zip(m, estimated, strict=True))
        ]
        new_prior = float(np.clip(matches.sum() / pairs.sum(), 1e-6, 1 - 1e-6))
        change = max(float(np.abs(a - b).max()) for a, b in zip(updated, m, strict=True))
        m, prior = updated, new_prior
        if change < tolerance:
            break
    return m, prior


def match_posteriors(
    levels: IntArray,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior: float,
    informs: Sequence[bool],
) -> FloatArray:
    """Each pair's probability of being a match, from the `informs` comparisons only."""
    log_odds = np.full(len(levels), np.log(prior / (1.0 - prior)))
    for c, use in enumerate(informs):
        if use:
            log_odds += (np.log(m[c]) - np.log(u[c]))[levels[:, c]]
    posterior: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -500, 500)))
    return posterior


def match_share(
    patterns: LevelPatterns, m: Sequence[FloatArray], u: Sequence[FloatArray], iterations: int = 40
) -> float:
    """The share of matches among blocked pairs, m and u fixed, every comparison informing."""
    prior = 0.3
    every = [True] * len(m)
    total = patterns.counts.sum()
    for _ in range(iterations):
        posterior = match_posteriors(patterns.levels, m, u, prior, every)
        updated = float((posterior * patterns.counts).sum() / total)
        if abs(updated - prior) < 1e-7:
            break
        prior = max(updated, 1e-9)
    return prior
