"""Graded comparisons, Splink-style: each attribute is compared at ordered levels.

A comparison turns whole columns of pairs into level indexes at once (rapidfuzz's
C++ `cpdist`, numpy masks), because a bulk load scores hundreds of thousands of
pairs and a Python loop per pair would dominate its time. Level 0 is always
"missing on either side" and carries no weight; the last level is "else".
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from mdmhub.engine.standardize.names import canonical_given_name

ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

NULL_LEVEL = "missing"
ELSE_LEVEL = "else"

SINGLETON = ""
"""Key of a frequency table holding the share of a value seen only once."""

Frequencies = Mapping[str, Mapping[str, float]]
"""Table name -> value -> share of records holding it, as training learns them."""


@dataclass(frozen=True, slots=True)
class Level:
    """One outcome of a comparison with its default m and u probabilities.

    m = P(level | same entity), u = P(level | different entities); the match
    weight log2(m/u) is what the level adds to a pair's score.
    """

    name: str
    m: float
    u: float
    weight: float | None = None
    """A learned match weight (logistic regression on labelled pairs) used instead of log2(m/u)."""


@dataclass(frozen=True, slots=True)
class PairColumns:
    """The values of one feature for the left and right side of every pair."""

    left: ObjectArray
    right: ObjectArray

    @property
    def missing(self) -> BoolArray:
        return np.asarray((self.left == "") | (self.right == ""), dtype=np.bool_)

    @property
    def equal(self) -> BoolArray:
        return np.asarray(self.left == self.right, dtype=np.bool_)


PARALLEL_FROM_PAIRS = 20_000
"""Below this, starting rapidfuzz's worker threads costs more than it saves (~0.5 ms a call)."""


def _similarity(scorer: Callable[..., float], pairs: PairColumns) -> npt.NDArray[np.float64]:
    workers = -1 if len(pairs.left) >= PARALLEL_FROM_PAIRS else 1
    result = process.cpdist(pairs.left, pairs.right, scorer=scorer, workers=workers)
    return np.asarray(result, dtype=np.float64)


@dataclass(frozen=True)
class Comparison:
    """An ordered list of levels for one attribute; subclasses say how pairs fall into them.

    `levels` lists the levels between "missing" and "else", best first; `assign`
    returns, per pair, the index into `all_levels`.
    """

    name: str
    feature: str
    levels: tuple[Level, ...]
    else_level: Level = field(default=Level(ELSE_LEVEL, m=0.05, u=0.95))
    term_frequency: bool = False
    """Adjust the exact level by how common the value is (a common surname counts less)."""
    fixed_m: bool = False
    """m is part of what the entity is, which records cannot teach: a house number that
    differs is another address, yet EM on pairs blocked by street finds "same street" as
    its match class. Unsupervised training then estimates u only, and the comparison
    still weighs in EM's posteriors (Splink's fix_m_probability)."""

    @cached_property
    def all_levels(self) -> tuple[Level, ...]:
        return (Level(NULL_LEVEL, m=1.0, u=1.0), *self.levels, self.else_level)

    def features(self) -> tuple[str, ...]:
        return (self.feature,)

    def assign(
        self, columns: dict[str, PairColumns], frequencies: Frequencies | None = None
    ) -> IntArray:
        """Level indexes; `frequencies` serves comparisons that weigh values by rarity."""
        pairs = columns[self.feature]
        missing = pairs.missing
        if missing.all():
            # Nothing to compare (a search by phone has no name): every pair is "missing".
            return np.zeros(len(missing), dtype=np.int64)
        conditions = self.learned_conditions(pairs, columns, frequencies or {})
        else_index = len(self.levels) + 1
        chosen = np.select(conditions, np.arange(1, else_index), default=else_index)
        return np.where(missing, 0, chosen).astype(np.int64)

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        """One mask per level in `levels`; the first true mask wins."""
        raise NotImplementedError

    def learned_conditions(
        self, pairs: PairColumns, columns: dict[str, PairColumns], frequencies: Frequencies
    ) -> list[BoolArray]:
        """`conditions`, for the comparisons that also read what training learned."""
        return self.conditions(pairs, columns)


@dataclass(frozen=True)
class ExactMatch(Comparison):
    """For identifiers whose near misses mean nothing (an email, a GTIN)."""

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        return [pairs.equal]


@dataclass(frozen=True)
class JaroWinklerBands(Comparison):
    """Exact, then Jaro-Winkler similarity at descending thresholds (one per extra level).

    With a `phonetic_feature`, a "sounds the same" level follows the first band:
    Smyth and Smith, Thomson and Thompson.
    """

    thresholds: tuple[float, ...] = ()
    phonetic_feature: str = ""
    swap_feature: str = ""
    """With a feature (the given name), a "swapped" level follows exact: both names crossed
    over (Florence Brown and Brown Florence), which the given name's own comparison sees
    too; without it the family name of a swapped record counted as a disagreement."""

    def features(self) -> tuple[str, ...]:
        return (self.feature, *(f for f in (self.phonetic_feature, self.swap_feature) if f))

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        similarity = _similarity(JaroWinkler.normalized_similarity, pairs)
        bands = [similarity >= t for t in self.thresholds]
        if self.phonetic_feature:
            phonetic = columns[self.phonetic_feature]
            bands.insert(1, phonetic.equal & ~phonetic.missing)
        if self.swap_feature:
            close = self.thresholds[0] if self.thresholds else 1.0
            bands.insert(0, _crossed(pairs, columns[self.swap_feature], close))
        return [pairs.equal, *bands]


def _crossed(pairs: PairColumns, other: PairColumns, close: float) -> BoolArray:
    """Each side's value at least `close` (Jaro-Winkler) to the other side's `other` value."""
    crossed = np.ones(len(pairs.left), dtype=np.bool_)
    for across in (PairColumns(pairs.left, other.right), PairColumns(pairs.right, other.left)):
        similarity = _similarity(JaroWinkler.normalized_similarity, across)
        crossed &= ~across.missing & (similarity >= close)
    return crossed


@dataclass(frozen=True)
class NameBands(Comparison):
    """A given name: exact, nicknames of each other (Pepe = José, Bill = William), swapped
    with the family name, an initial of the other, then Jaro-Winkler bands.

    `aliases_feature` holds each record's alias set joined by "|"; `swap_feature` is
    the family name, for records whose given and family names were entered the other
    way round (or a lone surname typed into the given-name field). A swapped name is
    forgiven a typo (at least the first Jaro-Winkler threshold), as the name in its
    own field is. An initial ("J." for John) is a weaker agreement than the name.
    """

    aliases_feature: str = ""
    swap_feature: str = ""
    thresholds: tuple[float, ...] = ()

    def features(self) -> tuple[str, ...]:
        return (self.feature, self.aliases_feature, self.swap_feature)

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        similarity = _similarity(JaroWinkler.normalized_similarity, pairs)
        aliases = columns[self.aliases_feature]
        swap = columns[self.swap_feature]
        equal = pairs.equal
        return [
            equal,
            _nicknames(pairs, aliases, ~equal & ~pairs.missing),
            self._swapped(pairs, swap),
            _initial_of_the_other(pairs),
            *(similarity >= t for t in self.thresholds),
        ]

    def _swapped(self, pairs: PairColumns, swap: PairColumns) -> BoolArray:
        """A given name equal to the other's family name. Close to it (a typo) counts when
        its own record has no family name, as a lone surname has, or when both names cross
        over (Logan Ferguson and Feeruson Logn); María and Marín of two complete names
        crossing one way are two names that look alike, not a swap."""
        close = self.thresholds[0] if self.thresholds else 1.0
        crosses = []
        for across, own_family in (
            (PairColumns(pairs.left, swap.right), swap.left),
            (PairColumns(pairs.right, swap.left), swap.right),
        ):
            near = ~across.missing & (
                _similarity(JaroWinkler.normalized_similarity, across) >= close
            )
            crosses.append((~across.missing & across.equal, near, near & (own_family == "")))
        (equal_l, near_l, lone_l), (equal_r, near_r, lone_r) = crosses
        return np.asarray(equal_l | equal_r | lone_l | lone_r | (near_l & near_r), dtype=np.bool_)


def _lengths(values: ObjectArray) -> IntArray:
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def _initial_of_the_other(pairs: PairColumns) -> BoolArray:
    """One side a single letter that starts the other side's name. Lengths first: few pairs
    hold an initial, and only theirs are read letter by letter."""
    left_len, right_len = _lengths(pairs.left), _lengths(pairs.right)
    one_initial = ((left_len == 1) & (right_len > 1)) | ((right_len == 1) & (left_len > 1))
    rows = np.flatnonzero(one_initial)
    initial = np.zeros(len(left_len), dtype=np.bool_)
    initial[rows] = [
        left[0] == right[0] for left, right in zip(pairs.left[rows], pairs.right[rows], strict=True)
    ]
    return initial


def _nicknames(pairs: PairColumns, aliases: PairColumns, wanted: BoolArray) -> BoolArray:
    """Given names that are nicknames of each other, for the `wanted` pairs only (the others
    are decided by an earlier level): one name is among the other's aliases (Tom and
    Thomas, Pepe and José), or both have one canonical form in the curated tables (Pancho
    and Curro: Francisco). Names that merely share an alias are not: the nicknames package
    gives one nickname to several names (Jamie to Benjamin and James, Bill to William and
    Robert), and two such names are two people far more often than one.

    Each distinct alias set is split once, as names repeat a lot."""
    parsed: dict[str, frozenset[str]] = {}

    def alias_set(joined: str) -> frozenset[str]:
        found = parsed.get(joined)
        if found is None:
            found = parsed[joined] = frozenset(joined.split("|"))
        return found

    def related(left: str, right: str, left_aliases: str, right_aliases: str) -> bool:
        return (
            left in alias_set(right_aliases)
            or right in alias_set(left_aliases)
            or canonical_given_name(left) == canonical_given_name(right)
        )

    nicknames = np.zeros(len(pairs.left), dtype=np.bool_)
    rows = np.flatnonzero(wanted)
    nicknames[rows] = np.fromiter(
        map(
            related,
            pairs.left[rows],
            pairs.right[rows],
            aliases.left[rows],
            aliases.right[rows],
        ),
        dtype=np.bool_,
        count=len(rows),
    )
    return nicknames


@dataclass(frozen=True)
class EditDistanceBands(Comparison):
    """Exact, then Damerau-Levenshtein distance at most each bound: typos in codes and numbers."""

    max_distances: tuple[int, ...] = ()

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        distance = _similarity(DamerauLevenshtein.distance, pairs)
        return [pairs.equal, *(distance <= d for d in self.max_distances)]


@dataclass(frozen=True)
class TokenSetBands(Comparison):
    """Exact, then token-set ratio (0-100) thresholds: word order and extra words forgiven."""

    thresholds: tuple[float, ...] = ()

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        similarity = _similarity(token_set_ratio, pairs)
        return [pairs.equal, *(similarity >= t for t in self.thresholds)]


@dataclass(frozen=True)
class SetOverlapBands(Comparison):
    """Sets of tokens joined by "|" (a product's codes: model numbers, versions, sizes):
    the same set, then Jaccard overlap at each threshold, then any shared token.

    Codes decide product matches that titles blur: "cs3" against "cs4", "16gb" against
    "32gb" in otherwise identical titles.
    """

    thresholds: tuple[float, ...] = ()

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        overlap = np.fromiter(
            (_jaccard(a, b) for a, b in zip(pairs.left, pairs.right, strict=True)),
            dtype=np.float64,
            count=len(pairs.left),
        )
        return [pairs.equal, *(overlap >= t for t in self.thresholds), overlap > 0]


def _jaccard(left: str, right: str) -> float:
    if not left or not right:
        return 0.0
    a, b = set(left.split("|")), set(right.split("|"))
    return len(a & b) / len(a | b)


NO_WORDS = "-"
"""A variant feature's value for a title that names none (not missing: it is evidence)."""


@dataclass(frozen=True)
class VariantBands(Comparison):
    """Sets of variant words joined by "|" (a title's editions or platforms, "-" for none):
    the same words, neither naming any, one side's words all among the other's, else
    words that conflict ("deluxe" against "standard", "mac" against "win").

    Titles of two editions of one product differ by a word that token similarity all
    but ignores; a source that leaves the edition out is far more common than one that
    names another.
    """

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        parsed: dict[str, frozenset[str]] = {}

        def words(joined: str) -> frozenset[str]:
            found = parsed.get(joined)
            if found is None:
                found = parsed[joined] = frozenset(joined.split("|")) - {NO_WORDS}
            return found

        same, neither, within = (np.zeros(len(pairs.left), dtype=np.bool_) for _ in range(3))
        for i, (a, b) in enumerate(zip(pairs.left, pairs.right, strict=True)):
            left, right = words(a), words(b)
            same[i] = bool(left) and left == right
            neither[i] = not left and not right
            within[i] = left <= right or right <= left
        return [same, neither, within]


@dataclass(frozen=True)
class BrandInTitle(Comparison):
    """A title paired with its record's brand: the same brand, one side's brand named in the
    other side's title, neither record with a brand, else.

    Marketplaces often leave the manufacturer field empty and write it into the title
    instead ("encore software 13781 westward"), so the brand comparison alone is missing
    for most of their pairs.
    """

    brand_feature: str = ""

    def features(self) -> tuple[str, ...]:
        return (self.feature, self.brand_feature)

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        brands = columns[self.brand_feature]
        count = len(pairs.left)
        named = np.zeros(count, dtype=np.bool_)
        for i, (title_l, title_r, brand_l, brand_r) in enumerate(
            zip(pairs.left, pairs.right, brands.left, brands.right, strict=True)
        ):
            named[i] = _named_in(brand_l, title_r) or _named_in(brand_r, title_l)
        same = brands.equal & ~brands.missing
        neither = (brands.left == "") & (brands.right == "")
        return [np.asarray(same, dtype=np.bool_), named, np.asarray(neither, dtype=np.bool_)]


def _named_in(brand: str, title: str) -> bool:
    """The brand's first word is a word of the title: "encore" of "encore software"."""
    return bool(brand) and brand.split(maxsplit=1)[0] in title.split()


def word_table(feature: str) -> str:
    """The name under which training keeps a feature's word shares (apart from its values')."""
    return f"{feature} words"


@dataclass(frozen=True)
class RareWordBands(Comparison):
    """Texts compared word by word, each word weighted by its rarity, log(1 / share of
    training texts holding it): "spanish" against "italian" outweighs a shared "software".

    Without trained word shares (before training) every word weighs 1.
    """

    def learned_conditions(
        self, pairs: PairColumns, columns: dict[str, PairColumns], frequencies: Frequencies
    ) -> list[BoolArray]:
        weights = _WordWeights(frequencies.get(word_table(self.feature), {}))
        measure = np.fromiter(
            (
                self.measure(weights(a), weights(b))
                for a, b in zip(pairs.left, pairs.right, strict=True)
            ),
            dtype=np.float64,
            count=len(pairs.left),
        )
        return [pairs.equal, *self.bands(measure)]

    def measure(self, left: Mapping[str, float], right: Mapping[str, float]) -> float:
        """The pair's figure from each side's word weights."""
        raise NotImplementedError

    def bands(self, measure: npt.NDArray[np.float64]) -> list[BoolArray]:
        """One mask per level after exact."""
        raise NotImplementedError


class _WordWeights:
    """Each distinct text's words with their weights, computed once: titles repeat a lot."""

    def __init__(self, shares: Mapping[str, float]) -> None:
        self._shares = shares
        self._rarest = shares.get(SINGLETON, min(shares.values())) if shares else 1.0
        self._cache: dict[str, dict[str, float]] = {}

    def __call__(self, text: str) -> dict[str, float]:
        found = self._cache.get(text)
        if found is None:
            found = self._cache[text] = {word: self._weight(word) for word in set(text.split())}
        return found

    def _weight(self, word: str) -> float:
        if not self._shares:
            return 1.0
        return -math.log(self._shares.get(word, self._rarest))


@dataclass(frozen=True)
class RareWordCosine(RareWordBands):
    """Exact, then the cosine of the two texts' rarity-weighted word vectors at each threshold."""

    thresholds: tuple[float, ...] = ()

    def measure(self, left: Mapping[str, float], right: Mapping[str, float]) -> float:
        shared = sum(weight * weight for word, weight in left.items() if word in right)
        norms = math.sqrt(sum(w * w for w in left.values()) * sum(w * w for w in right.values()))
        return shared / norms if norms else 0.0

    def bands(self, measure: npt.NDArray[np.float64]) -> list[BoolArray]:
        return [measure >= t for t in self.thresholds]


@dataclass(frozen=True)
class UnsharedRareWords(RareWordBands):
    """Exact, then the weight of the words one side has and the other lacks, taken on the side
    with less of it, at most each bound.

    One title is often the other plus a seller's words (a catalogue number, "software for
    windows"): the side with less unshared weight says whether one contains the other or
    each names something the other does not ("west region" and "east region").
    """

    bounds: tuple[float, ...] = ()

    def measure(self, left: Mapping[str, float], right: Mapping[str, float]) -> float:
        only_left = sum(weight for word, weight in left.items() if word not in right)
        only_right = sum(weight for word, weight in right.items() if word not in left)
        return min(only_left, only_right)

    def bands(self, measure: npt.NDArray[np.float64]) -> list[BoolArray]:
        return [measure <= bound for bound in self.bounds]


@dataclass(frozen=True)
class DateBands(Comparison):
    """ISO dates: exact, one typo or day/month swapped, same year, else.

    Dates typed by hand go wrong by one digit or by writing the day first;
    both deserve more credit than an unrelated date.
    """

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        distance = _similarity(DamerauLevenshtein.distance, pairs)
        left, right = _iso_date_characters(pairs.left), _iso_date_characters(pairs.right)
        same_year = (left[:, :4] == right[:, :4]).all(axis=1)
        swapped = (
            same_year
            & (left[:, 5:7] == right[:, 8:10]).all(axis=1)
            & (left[:, 8:10] == right[:, 5:7]).all(axis=1)
            & (left[:, 9] != "")
            & (right[:, 9] != "")
        )
        return [pairs.equal, (distance <= 1) | swapped, same_year]


def _iso_date_characters(values: ObjectArray) -> npt.NDArray[np.str_]:
    """YYYY-MM-DD strings as a (n, 10) character matrix, so parts compare in bulk."""
    return np.asarray(values, dtype="U10").view("U1").reshape(len(values), 10)


@dataclass(frozen=True)
class RelativeDifferenceBands(Comparison):
    """Numbers (prices): equal, then within each relative tolerance."""

    tolerances: tuple[float, ...] = ()

    def conditions(self, pairs: PairColumns, columns: dict[str, PairColumns]) -> list[BoolArray]:
        left = np.array([_as_float(v) for v in pairs.left], dtype=np.float64)
        right = np.array([_as_float(v) for v in pairs.right], dtype=np.float64)
        scale = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1e-9)
        with np.errstate(invalid="ignore"):
            difference = np.abs(left - right) / scale
        return [pairs.equal, *(difference <= t for t in self.tolerances)]


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
