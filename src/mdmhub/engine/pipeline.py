"""Resolve a batch of incoming records against the stored candidates they block with.

This is the whole matching step as one pure function: block, score every
candidate pair in bulk, then assign clusters. The service fetches candidates
and writes the outcome; the bulk loader and the REST API both come here.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mdmhub.engine.blocking import blocking_keys, candidate_pairs
from mdmhub.engine.clustering import Clustering, Constraints, assign_clusters
from mdmhub.engine.scoring import feature_columns, score_pairs
from mdmhub.engine.spec import MatchModel


@dataclass(frozen=True, slots=True)
class StoredCandidate:
    features: Mapping[str, str]
    cluster: str
    keys: Sequence[str] | None = None
    """The blocking keys it shares with the batch, when the store already said which."""


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    features: Mapping[str, str]
    previous_cluster: str | None = None
    keys: Sequence[str] | None = None
    """Its blocking keys when the caller already computed them (to store them)."""
    pinned: bool = False
    """A steward placed it: it stays in `previous_cluster`."""


@dataclass
class Resolution:
    clustering: Clustering
    pairs_scored: int
    capped_keys: dict[str, int]


def resolve(
    model: MatchModel,
    stored: Sequence[StoredCandidate],
    incoming: Sequence[IncomingRecord],
    block_size_cap: int,
    apart: Collection[tuple[str, str]] = (),
) -> Resolution:
    """Cluster `incoming` (in the given order) against `stored` and each other.

    `apart` are pairs of stored clusters a steward said are different things.
    """
    features = [c.features for c in stored] + [r.features for r in incoming]
    rules = model.blocking_rules
    keys = [c.keys if c.keys is not None else blocking_keys(rules, c.features) for c in stored] + [
        r.keys if r.keys is not None else blocking_keys(rules, r.features) for r in incoming
    ]
    pairs = candidate_pairs(keys, range(len(stored), len(features)), block_size_cap)
    scored = score_pairs(
        model, feature_columns(features, model.features()), pairs.left, pairs.right
    )
    clustering = assign_clusters(
        [c.cluster for c in stored],
        [r.previous_cluster for r in incoming],
        pairs.left,
        pairs.right,
        np.asarray(scored.probability),
        model.thresholds,
        Constraints(frozenset(k for k, r in enumerate(incoming) if r.pinned), apart),
    )
    return Resolution(clustering, len(pairs.left), pairs.capped_keys)
