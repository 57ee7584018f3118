import pytest

from mdmhub.engine.default_models import ADDRESS
from mdmhub.engine.model_config import apply_overrides


def comparison_spec(**options: object) -> dict[str, object]:
    return {"name": "unit", "kind": "exact", "feature": "extra:unit", **options}


@pytest.mark.parametrize(("options", "fixed"), [({"fixed_m": True}, True), ({}, False)])
def test_a_configured_comparison_fixes_its_m_only_when_it_says_so(
    options: dict[str, object], fixed: bool
) -> None:
    model = apply_overrides(ADDRESS, {"comparisons": [comparison_spec(**options)]})

    [unit] = [c for c in model.comparisons if c.name == "unit"]
    assert unit.fixed_m is fixed


def test_the_address_model_fixes_the_m_of_its_house_number() -> None:
    [house_number] = [c for c in ADDRESS.comparisons if c.name == "house_number"]

    assert house_number.fixed_m
