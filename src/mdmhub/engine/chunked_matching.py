"""Matching a file chunk by chunk against the chunks before it, held in memory.

A first load into a hub that holds no records of an entity has no candidates but the
file's own records: the chunks matched so far are all there are. Kept here, they give each
chunk the candidates the store would give (the records sharing a key, keys held by more
than the block-size cap skipped), so one process can match the whole file while another
writes what it matched, and the clusters are those a load through the store makes.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import count

from mdmhub.engine.blocking import blocking_keys
from mdmhub.engine.clustering import NEW_CLUSTER_PREFIX, Assignment, Clustering
from mdmhub.engine.pipeline import IncomingRecord, StoredCandidate, resolve
from mdmhub.engine.spec import MatchModel


@dataclass(frozen=True)
class MatchedChunk:
    """A chunk's matching, named as a batch matched against the store is: a cluster of an
    earlier chunk by its label, a cluster born in this chunk `new:` and its label."""

    keys: list[list[str]]
    """Each record's blocking keys, to store (oversized ones included, as the store keeps)."""
    clustering: Clustering
    candidates: list[int]
    """Positions, in the order they were matched, of the earlier records the clustering's
    review pairs count first, as a batch's candidates come before its records."""
    capped_keys: dict[str, int]


class ChunkedMatcher:
    """The file's records matched so far, indexed as the store indexes them: their features,
    their clusters' labels and the holders of each blocking key."""

    def __init__(self, model: MatchModel, block_size_cap: int) -> None:
        self._model = model
        self._cap = block_size_cap
        self._features: list[Mapping[str, str]] = []
        self._cluster_of: list[str] = []
        self._members: dict[str, list[int]] = defaultdict(list)
        self._holders: dict[str, list[int]] = defaultdict(list)
        self._labels = count(1)

    def match(self, features: Sequence[Mapping[str, str]]) -> MatchedChunk:
        """Match the next chunk's records, in order, and remember them for the chunks after."""
        keys = [blocking_keys(self._model.blocking_rules, f) for f in features]
        wanted = {key for record_keys in keys for key in record_keys}
        capped = {
            key: len(self._holders[key])
            for key in wanted
            if len(self._holders.get(key, ())) > self._cap
        }
        shared: dict[int, list[str]] = defaultdict(list)
        for key in sorted(wanted - capped.keys()):
            for position in self._holders.get(key, ()):
                shared[position].append(key)
        candidates = sorted(shared)
        resolution = resolve(
            self._model,
            [
                StoredCandidate(self._features[p], self._cluster_of[p], shared[p])
                for p in candidates
            ],
            [
                IncomingRecord(f, None, [k for k in record_keys if k not in capped])
                for f, record_keys in zip(features, keys, strict=True)
            ],
            self._cap,
        )
        clustering = self._labelled(resolution.clustering)
        self._remember(features, keys, clustering)
        return MatchedChunk(keys, clustering, candidates, capped)

    def _labelled(self, clustering: Clustering) -> Clustering:
        """Clusters born in the chunk get a label that stays theirs in the chunks after."""
        born: dict[str, str] = {}
        for assignment in clustering.assignments:
            if assignment.cluster.startswith(NEW_CLUSTER_PREFIX) and assignment.cluster not in born:
                born[assignment.cluster] = f"{NEW_CLUSTER_PREFIX}{next(self._labels)}"
        return Clustering(
            [
                Assignment(born.get(a.cluster, a.cluster), a.decision, a.score)
                for a in clustering.assignments
            ],
            reviews=clustering.reviews,
            merges={  # a merge keeps an earlier cluster's label, but names stay one scheme
                retired: born.get(survivor, survivor)
                for retired, survivor in clustering.merges.items()
                if not retired.startswith(NEW_CLUSTER_PREFIX)
            },
        )

    def _remember(
        self, features: Sequence[Mapping[str, str]], keys: list[list[str]], clustering: Clustering
    ) -> None:
        """As the store would after the chunk's commit: merged clusters' records relinked to
        the survivor, the chunk's records stored with all their keys (oversized ones too)."""
        for retired, survivor in clustering.merges.items():
            moved = self._members.pop(retired, [])
            for position in moved:
                self._cluster_of[position] = survivor.removeprefix(NEW_CLUSTER_PREFIX)
            self._members[survivor.removeprefix(NEW_CLUSTER_PREFIX)].extend(moved)
        for record, record_keys, assignment in zip(
            features, keys, clustering.assignments, strict=True
        ):
            position = len(self._features)
            cluster = assignment.cluster.removeprefix(NEW_CLUSTER_PREFIX)
            self._features.append(record)
            self._cluster_of.append(cluster)
            self._members[cluster].append(position)
            for key in record_keys:
                self._holders[key].append(position)
