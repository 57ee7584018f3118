"""Overriding a shipped match model from a config file's table for one entity.

    [customer]
    upper = 0.9                                  # thresholds
    lower = 0.5
    blocking = [["family_phonetic", "birth_year"], ["email"]]   # replaces the rules
    add_blocking = [["extra:occupation", "family_phonetic"]]    # or adds to them
    drop_comparisons = ["gender"]

    [[customer.comparisons]]                     # adds, or replaces by name
    name = "occupation"
    kind = "jaro_winkler"                        # exact, jaro_winkler, token_set, edit_distance
    feature = "extra:occupation"                 # an extra attribute, compared as text
    thresholds = [0.9]
    m = [0.7, 0.2, 0.1]                          # optional, one per level: exact, bands, else
    u = [0.05, 0.05, 0.9]

Reading the file is the caller's job; this module only turns its data into a
model, and says precisely what is wrong when it cannot.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from mdmhub.engine.blocking import BlockingRule, block_on
from mdmhub.engine.comparisons import (
    Comparison,
    EditDistanceBands,
    ExactMatch,
    JaroWinklerBands,
    Level,
    TokenSetBands,
)
from mdmhub.engine.spec import MatchModel, Thresholds

EXTRA_PREFIX = "extra:"
"""A feature named `extra:occupation` is the extra attribute `occupation`, as normalised text."""

KNOWN_KEYS = {
    "upper",
    "lower",
    "blocking",
    "add_blocking",
    "drop_comparisons",
    "comparisons",
}


class ModelConfigError(ValueError):
    pass


def _band_names(kind: str, thresholds: Sequence[float]) -> list[str]:
    prefix = {
        "jaro_winkler": "jaro_winkler>=",
        "token_set": "token_set>=",
        "edit_distance": "damerau_levenshtein<=",
    }.get(kind)
    return [f"{prefix}{t:g}" for t in thresholds] if prefix else []


def _levels(spec: Mapping[str, Any], names: list[str]) -> tuple[tuple[Level, ...], Level]:
    """Levels named `names` (exact first) plus else; m/u from the spec or spread defaults."""
    count = len(names) + 1
    bands = len(names) - 1
    m_else, u_else = (0.1, 0.9) if bands else (0.3, 0.95)
    default_m = [0.7, *([0.2 / max(bands, 1)] * bands), m_else]
    default_u = [0.05, *([0.05 / max(bands, 1)] * bands), u_else]
    m = spec.get("m", default_m)
    u = spec.get("u", default_u)
    if not _numbers(m) or not _numbers(u) or len(m) != count or len(u) != count:
        raise ModelConfigError(
            f"comparison {spec['name']!r}: m and u need {count} values "
            f"({', '.join([*names, 'else'])})"
        )
    levels = [Level(n, m=float(a), u=float(b)) for n, a, b in zip(names, m, u, strict=False)]
    return tuple(levels), Level("else", m=float(m[-1]), u=float(u[-1]))


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int | float) for v in value)


def _names(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelConfigError(f"{key} must be a list of names")
    return value


def _comparison(spec: Any) -> Comparison:
    if not isinstance(spec, Mapping):
        raise ModelConfigError(f"a comparison must be a table, not {spec!r}")
    if not _numbers(spec.get("thresholds", [])):
        raise ModelConfigError(f"comparison {spec.get('name')!r}: thresholds must be numbers")
    for key in ("name", "kind", "feature"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise ModelConfigError(f"a comparison needs a text {key!r}: {dict(spec)}")
    kind = spec["kind"]
    thresholds = tuple(spec.get("thresholds", ()))
    builders: dict[str, Callable[..., Comparison]] = {
        "exact": ExactMatch,
        "jaro_winkler": JaroWinklerBands,
        "token_set": TokenSetBands,
        "edit_distance": EditDistanceBands,
    }
    if kind not in builders:
        raise ModelConfigError(
            f"comparison {spec['name']!r}: kind {kind!r} is not one of {', '.join(builders)}"
        )
    levels, else_level = _levels(spec, ["exact", *_band_names(kind, thresholds)])
    options: dict[str, Any] = {}
    if kind in ("jaro_winkler", "token_set"):
        options["thresholds"] = tuple(float(t) for t in thresholds)
    if kind == "edit_distance":
        options["max_distances"] = tuple(int(t) for t in thresholds)
    return builders[kind](
        name=spec["name"],
        feature=spec["feature"],
        levels=levels,
        else_level=else_level,
        term_frequency=bool(spec.get("term_frequency", False)),
        fixed_m=bool(spec.get("fixed_m", False)),
        **options,
    )


def _rules(value: Any, key: str) -> tuple[BlockingRule, ...]:
    if not isinstance(value, list) or not all(
        isinstance(rule, list) and rule and all(isinstance(f, str) for f in rule) for rule in value
    ):
        raise ModelConfigError(f"{key} must be a list of lists of feature names")
    return tuple(block_on(*rule) for rule in value)


def apply_overrides(model: MatchModel, config: Any) -> MatchModel:
    if not isinstance(config, Mapping):
        raise ModelConfigError(f"[{model.entity.value}] must be a table, not {config!r}")
    unknown = set(config) - KNOWN_KEYS
    if unknown:
        raise ModelConfigError(
            f"unknown keys for {model.entity.value}: {', '.join(sorted(unknown))}"
        )
    dropped = set(_names(config.get("drop_comparisons", []), "drop_comparisons"))
    unknown_drops = dropped - {c.name for c in model.comparisons}
    if unknown_drops:
        raise ModelConfigError(f"drop_comparisons names no comparison: {sorted(unknown_drops)}")
    comparisons = [c for c in model.comparisons if c.name not in dropped]
    specs = config.get("comparisons", [])
    if not isinstance(specs, list):
        raise ModelConfigError("comparisons must be a list of tables")
    for spec in specs:
        added = _comparison(spec)
        comparisons = [c for c in comparisons if c.name != added.name] + [added]
    rules = _rules(config["blocking"], "blocking") if "blocking" in config else model.blocking_rules
    if "add_blocking" in config:
        rules = (*rules, *_rules(config["add_blocking"], "add_blocking"))
    try:
        thresholds = Thresholds(
            upper=float(config.get("upper", model.thresholds.upper)),
            lower=float(config.get("lower", model.thresholds.lower)),
        )
    except ValueError as error:
        raise ModelConfigError(f"{model.entity.value}: {error}") from None
    return replace(
        model, comparisons=tuple(comparisons), blocking_rules=rules, thresholds=thresholds
    )


def extra_attributes(model: MatchModel) -> tuple[str, ...]:
    """The extra attributes a model compares or blocks on (features `extra:NAME`)."""
    features = {*model.features(), *(f for rule in model.blocking_rules for f in rule.features)}
    return tuple(
        sorted(f.removeprefix(EXTRA_PREFIX) for f in features if f.startswith(EXTRA_PREFIX))
    )
