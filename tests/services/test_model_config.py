import os
import re
from pathlib import Path

import pytest

from mdmhub.db.session import transaction
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import RecordInput
from mdmhub.engine.comparisons import JaroWinklerBands
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.engine.model_config import extra_attributes
from mdmhub.engine.spec import MatchModel
from mdmhub.errors import InvalidInputError
from mdmhub.services import golden_view, ingest, match_models
from mdmhub.settings import Settings
from tests.factories import person, record

CUSTOMER = EntityType.CUSTOMER

OCCUPATION = """
[customer]
upper = 0.8
lower = 0.3
drop_comparisons = ["gender"]

[[customer.comparisons]]
name = "occupation"
kind = "jaro_winkler"
feature = "extra:occupation"
thresholds = [0.9]
m = [0.7, 0.2, 0.1]
u = [0.05, 0.05, 0.9]
"""


def _settings(tmp_path: Path, text: str, name: str = "model.toml", **base: str) -> Settings:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Settings.model_validate({"model_config_file": path, **base})


def _customer(settings: Settings) -> MatchModel:
    return match_models.configured_model(CUSTOMER, settings)


def _names(model: MatchModel) -> list[str]:
    return [c.name for c in model.comparisons]


def test_without_a_config_file_the_shipped_model_is_in_force() -> None:
    assert _customer(Settings(model_config_file=None)) == DEFAULT_MODELS[CUSTOMER]


def test_a_toml_file_changes_the_thresholds(tmp_path: Path) -> None:
    model = _customer(_settings(tmp_path, "[customer]\nupper = 0.8\nlower = 0.3\n"))

    assert (model.thresholds.upper, model.thresholds.lower) == (0.8, 0.3)


def test_a_toml_file_drops_a_comparison(tmp_path: Path) -> None:
    model = _customer(_settings(tmp_path, '[customer]\ndrop_comparisons = ["gender"]\n'))

    assert _names(model) == [n for n in _names(DEFAULT_MODELS[CUSTOMER]) if n != "gender"]


def test_a_toml_file_adds_a_comparison_on_an_extra_attribute(tmp_path: Path) -> None:
    model = _customer(_settings(tmp_path, OCCUPATION))

    [occupation] = [c for c in model.comparisons if c.name == "occupation"]
    assert isinstance(occupation, JaroWinklerBands)
    assert occupation.feature == "extra:occupation"
    assert [(lv.name, lv.m, lv.u) for lv in occupation.all_levels[1:]] == [
        ("exact", 0.7, 0.05),
        ("jaro_winkler>=0.9", 0.2, 0.05),
        ("else", 0.1, 0.9),
    ]
    assert extra_attributes(model) == ("occupation",)


def test_a_comparison_named_like_a_shipped_one_replaces_it(tmp_path: Path) -> None:
    text = '[[customer.comparisons]]\nname = "email"\nkind = "exact"\nfeature = "email"\n'

    model = _customer(_settings(tmp_path, text))

    assert _names(model).count("email") == 1
    [email] = [c for c in model.comparisons if c.name == "email"]
    assert [(lv.name, lv.m, lv.u) for lv in email.all_levels[1:]] == [
        ("exact", 0.7, 0.05),
        ("else", 0.3, 0.95),
    ]


def test_a_toml_file_adds_a_blocking_rule_on_an_extra_attribute(tmp_path: Path) -> None:
    text = '[customer]\nadd_blocking = [["extra:employer", "family_phonetic"]]\n'

    model = _customer(_settings(tmp_path, text))

    shipped = DEFAULT_MODELS[CUSTOMER].blocking_rules
    assert model.blocking_rules[: len(shipped)] == shipped
    assert model.blocking_rules[-1].features == ("extra:employer", "family_phonetic")
    assert extra_attributes(model) == ("employer",)


def test_a_toml_file_replaces_the_blocking_rules(tmp_path: Path) -> None:
    model = _customer(_settings(tmp_path, '[customer]\nblocking = [["email"], ["phone"]]\n'))

    assert [rule.features for rule in model.blocking_rules] == [("email",), ("phone",)]


def test_a_config_for_one_entity_leaves_the_others_alone(tmp_path: Path) -> None:
    settings = _settings(tmp_path, OCCUPATION)

    assert (
        match_models.configured_model(EntityType.PRODUCT, settings)
        == DEFAULT_MODELS[EntityType.PRODUCT]
    )


def test_a_yaml_file_works_too(tmp_path: Path) -> None:
    text = """
customer:
  upper: 0.8
  lower: 0.3
  drop_comparisons: [gender]
  comparisons:
    - name: occupation
      kind: jaro_winkler
      feature: "extra:occupation"
      thresholds: [0.9]
"""

    model = _customer(_settings(tmp_path, text, "model.yaml"))

    assert (model.thresholds.upper, model.thresholds.lower) == (0.8, 0.3)
    assert "gender" not in _names(model)
    assert _names(model)[-1] == "occupation"
    assert extra_attributes(model) == ("occupation",)


def test_an_edited_config_file_is_read_again(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[customer]\nupper = 0.8\n")
    assert _customer(settings).thresholds.upper == 0.8
    path = settings.model_config_file
    assert path is not None

    path.write_text("[customer]\nupper = 0.7\n")
    modified = path.stat().st_mtime + 5
    os.utime(path, (modified, modified))

    assert _customer(settings).thresholds.upper == 0.7


BAD_COMPARISON = '[[customer.comparisons]]\nname = "occupation"\nfeature = "extra:occupation"\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("[customer]\nupper = 0.9\ncolour = 3\n", "unknown keys for customer: colour",
                     id="unknown-key"),
        pytest.param(BAD_COMPARISON + 'kind = "jaro_winkler"\nthresholds = [0.9]\nm = [0.9, 0.1]\n'
                     "u = [0.1, 0.2, 0.7]\n",
                     "comparison 'occupation': m and u need 3 values "
                     "(exact, jaro_winkler>=0.9, else)",
                     id="m-of-wrong-length"),
        pytest.param(BAD_COMPARISON + 'kind = "exact"\nu = [0.1, 0.2, 0.7]\n',
                     "comparison 'occupation': m and u need 2 values (exact, else)",
                     id="u-of-wrong-length"),
        pytest.param(BAD_COMPARISON + 'kind = "soundex"\n',
                     "kind 'soundex' is not one of exact, jaro_winkler, token_set, edit_distance",
                     id="unknown-kind"),
        pytest.param('[[customer.comparisons]]\nname = "occupation"\nkind = "exact"\n',
                     "a comparison needs a text 'feature'", id="no-feature"),
        pytest.param("[customer]\nupper = 0.5\nlower = 0.8\n",
                     "customer: thresholds need 0 < lower <= upper < 1", id="lower-above-upper"),
        pytest.param("[customer]\nupper = 1.0\n",
                     "customer: thresholds need 0 < lower <= upper < 1", id="upper-of-one"),
        pytest.param('[customer]\nupper = "high"\n', "could not convert string to float: 'high'",
                     id="upper-not-a-number"),
        pytest.param('[customer]\nblocking = ["email"]\n',
                     "blocking must be a list of lists of feature names", id="flat-blocking"),
    ],
)  # fmt: skip
def test_a_bad_config_file_is_refused_naming_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    settings = _settings(tmp_path, text)

    with pytest.raises(InvalidInputError) as raised:
        _customer(settings)

    assert problem in raised.value.message
    assert str(settings.model_config_file) in raised.value.message


def test_a_bad_yaml_file_is_refused_naming_the_problem(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "customer:\n  upper: 0.2\n  lower: 0.4\n", "model.yml")

    with pytest.raises(InvalidInputError, match="thresholds need 0 < lower <= upper < 1"):
        _customer(settings)


def test_a_yaml_file_that_is_not_a_table_of_entities_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "- customer\n- product\n", "model.yaml")

    with pytest.raises(InvalidInputError, match="must be a table of entities"):
        _customer(settings)


def test_a_bad_section_for_another_entity_does_not_block_this_one(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[product]\ncolour = 3\n")

    assert _customer(settings) == DEFAULT_MODELS[CUSTOMER]
    with pytest.raises(InvalidInputError, match="unknown keys for product: colour"):
        match_models.configured_model(EntityType.PRODUCT, settings)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("model.toml", "[customer\nupper = 0.9\n", id="toml-syntax"),
        pytest.param("model.yaml", "customer: [0.9\n", id="yaml-syntax"),
        pytest.param("model.toml", "customer = 3\n", id="entity-not-a-table"),
        pytest.param("model.toml", "[[customer]]\nupper = 0.9\n", id="entity-a-list-of-tables"),
        pytest.param("model.toml", BAD_COMPARISON + 'kind = "exact"\nm = 0.5\n',
                     id="m-not-a-list"),
        pytest.param("model.toml", '[customer]\ncomparisons = ["email"]\n',
                     id="comparison-not-a-table"),
        pytest.param("model.toml", BAD_COMPARISON + 'kind = "jaro_winkler"\nthresholds = "0.9"\n',
                     id="thresholds-not-a-list"),
    ],
)  # fmt: skip
def test_a_config_value_of_the_wrong_shape_is_refused_as_invalid_input(
    tmp_path: Path, name: str, text: str
) -> None:
    settings = _settings(tmp_path, text, name)

    with pytest.raises(InvalidInputError, match=re.escape(str(settings.model_config_file))):
        _customer(settings)


def test_drop_comparisons_given_as_text_never_drops_another_comparison(tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[customer]\ndrop_comparisons = "second_family"\n')

    try:
        model = _customer(settings)
    except InvalidInputError:
        return  # refusing a text where a list belongs is fine
    assert "family" in _names(model)


def test_a_missing_config_file_is_refused_as_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"missing\.toml"):
        _customer(Settings(model_config_file=tmp_path / "missing.toml"))


def _ingest(settings: Settings, *records: RecordInput) -> None:
    with transaction(settings.database_url) as session:
        context = match_models.context(session, CUSTOMER, settings)
        ingest.upsert_records(session, CUSTOMER, list(records), context)


def _features(settings: Settings, source_id: str) -> dict[str, str]:
    with transaction(settings.database_url) as session:
        return golden_view.get_source_record(session, CUSTOMER, "crm", source_id).features


def test_an_extra_attribute_named_by_the_config_becomes_a_feature_on_ingest(
    hub: Settings, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, OCCUPATION, database_url=hub.database_url)

    _ingest(settings, record("crm", "1", **person(occupation="  Enfermera  Pediátrica ")))

    assert _features(settings, "1")["extra:occupation"] == "enfermera pediatrica"


def test_an_extra_attribute_the_config_does_not_name_is_no_feature(
    hub: Settings, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, OCCUPATION, database_url=hub.database_url)

    _ingest(settings, record("crm", "1", **person(occupation="Enfermera", tier="gold")))

    features = _features(settings, "1")
    assert "extra:tier" not in features
    assert not any(name.startswith("extra:") and name != "extra:occupation" for name in features)


def test_an_extra_attribute_named_only_by_a_blocking_rule_becomes_a_feature(
    hub: Settings, tmp_path: Path
) -> None:
    text = '[customer]\nadd_blocking = [["extra:employer", "family_phonetic"]]\n'
    settings = _settings(tmp_path, text, database_url=hub.database_url)

    _ingest(settings, record("crm", "1", **person(employer="ACME S.L.")))

    assert _features(settings, "1")["extra:employer"] == "acme s l"


def test_a_blank_extra_attribute_is_no_feature(hub: Settings, tmp_path: Path) -> None:
    settings = _settings(tmp_path, OCCUPATION, database_url=hub.database_url)

    _ingest(settings, record("crm", "1", **{**person(), "occupation": " -- "}))

    assert "extra:occupation" not in _features(settings, "1")
