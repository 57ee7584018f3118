import numpy as np
import pytest

from mdmhub.domain.entities import EntityType
from mdmhub.engine.comparisons import PairColumns
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.engine.spec import MatchModel, Thresholds

MODELS = list(DEFAULT_MODELS.values())


def model_id(model: MatchModel) -> str:
    return model.entity.value


# Thresholds


@pytest.mark.parametrize(("upper", "lower"), [(0.95, 0.5), (0.5, 0.5), (0.999, 0.001)])
def test_thresholds_accept_0_below_lower_at_or_below_upper_below_1(
    upper: float, lower: float
) -> None:
    assert Thresholds(upper=upper, lower=lower) == Thresholds(upper, lower)


def test_thresholds_reject_lower_above_upper() -> None:
    with pytest.raises(ValueError, match="lower <= upper"):
        Thresholds(upper=0.5, lower=0.9)


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        (0.9, 0.0),
        (0.9, -0.1),
        (1.0, 0.5),
        (1.5, 0.5),
        (0.0, 0.0),
        (float("nan"), 0.5),
        (0.9, float("nan")),
    ],
)
def test_thresholds_reject_values_outside_the_open_unit_interval(
    upper: float, lower: float
) -> None:
    with pytest.raises(ValueError, match="0 < lower <= upper < 1"):
        Thresholds(upper=upper, lower=lower)


# default models


def test_every_entity_type_has_a_default_model_for_itself() -> None:
    assert set(DEFAULT_MODELS) == set(EntityType)
    assert all(model.entity is entity for entity, model in DEFAULT_MODELS.items())


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_starts_a_pair_below_even_odds(model: MatchModel) -> None:
    assert model.prior_weight < 0


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_has_at_least_one_blocking_rule(model: MatchModel) -> None:
    assert len(model.blocking_rules) >= 1


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_has_probabilities_strictly_between_0_and_1(model: MatchModel) -> None:
    levels = [level for c in model.comparisons for level in (*c.levels, c.else_level)]

    assert all(0 < level.m <= 1 and 0 < level.u <= 1 for level in levels)


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_rewards_exact_agreement_and_penalises_disagreement(
    model: MatchModel,
) -> None:
    for comparison in model.comparisons:
        exact, other = comparison.levels[0], comparison.else_level
        assert exact.m > exact.u, comparison.name
        assert other.m < other.u, comparison.name


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_names_its_comparisons_uniquely(model: MatchModel) -> None:
    names = [c.name for c in model.comparisons]

    assert len(names) == len(set(names))


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_every_default_comparison_has_one_condition_per_declared_level(model: MatchModel) -> None:
    """Each comparison assigns without error and can reach its exact and else levels."""
    left = np.array(["1980-05-17", "1980-05-17"], dtype=object)
    right = np.array(["1980-05-17", "zzzz"], dtype=object)
    columns = {name: PairColumns(left, right) for name in model.features()}

    for comparison in model.comparisons:
        indexes = comparison.assign(columns)
        assert indexes.tolist() == [1, len(comparison.all_levels) - 1], comparison.name
