"""The search probe: what the agent typed becomes canonical attributes, then a scored record."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.blocking import block_on
from mdmhub.engine.default_models import CUSTOMER
from mdmhub.engine.explanation import explain, explanation_of
from mdmhub.engine.search import (
    close_in_spelling,
    probe_attributes,
    score_against,
    widened_prefix,
)
from mdmhub.engine.standardize.records import standardize_customer

SEARCH_FIELDS = ("full_name", "email", "phone", "national_id", "birth_date", "locality")
"""The explicit fields the search endpoint passes (name -> full_name, city -> locality)."""


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("jose.garcia@example.com", {"email": "jose.garcia@example.com"}),
        ("  Jose.Garcia@Example.com ", {"email": "Jose.Garcia@Example.com"}),
        ("not quite@an email", {"email": "not quite@an email"}),
        ("600123456", {"phone": "600123456"}),
        ("+34 600 123 456", {"phone": "+34 600 123 456"}),
        ("(91) 555-12-34", {"phone": "(91) 555-12-34"}),
        ("12345678Z", {"national_id": "12345678Z"}),
        ("12.345.678-z", {"national_id": "12345678z"}),
        ("X1234567L", {"national_id": "X1234567L"}),
        ("B12345678", {"national_id": "B12345678"}),
        ("José García", {"full_name": "José García"}),
        ("  Jose Garsia  ", {"full_name": "Jose Garsia"}),
        ("28013", {"full_name": "28013"}),
        ("García 600", {"full_name": "García 600"}),
    ],
)
def test_the_search_box_becomes_the_attribute_its_shape_says(
    q: str, expected: dict[str, str]
) -> None:
    assert probe_attributes(q, {}) == expected


@pytest.mark.parametrize("q", [None, "", "   ", "\t\n"])
def test_an_empty_search_box_and_no_fields_is_an_empty_probe(q: str | None) -> None:
    assert probe_attributes(q, {"email": None, "phone": "  "}) == {}


def test_fields_are_added_to_the_search_box() -> None:
    probe = probe_attributes("José García", {"locality": "Toledo", "birth_date": "1980-02-01"})

    assert probe == {"full_name": "José García", "locality": "Toledo", "birth_date": "1980-02-01"}


def test_an_explicit_field_wins_over_the_search_box() -> None:
    assert probe_attributes("a@example.com", {"email": "b@example.com"}) == {
        "email": "b@example.com"
    }


def test_field_values_are_stripped_and_blank_ones_ignored() -> None:
    assert probe_attributes(None, {"phone": " 600123456 ", "email": " ", "national_id": None}) == {
        "phone": "600123456"
    }


def test_a_given_or_family_name_replaces_a_full_name_from_the_search_box() -> None:
    assert probe_attributes("José García", {"family_name": "García"}) == {"family_name": "García"}


def features(**attributes: str) -> dict[str, str]:
    return dict(standardize_customer(attributes, "ES"))


def test_a_probe_scores_its_own_person_above_a_stranger() -> None:
    probe = features(**probe_attributes("600123456", {"full_name": "Jose Garsia"}))
    jose = features(given_name="José", family_name="García", phone="+34 600 123 456")
    stranger = features(given_name="Ana", family_name="Ruiz", phone="+34 611 222 333")

    scores = score_against(CUSTOMER, probe, [jose, stranger]).probability.tolist()

    assert len(scores) == 2
    assert scores[0] > scores[1]
    assert all(0.0 <= score <= 1.0 for score in scores)


def test_a_hits_explanation_from_the_search_scores_is_the_pairs_own() -> None:
    probe = features(**probe_attributes("Jose Garsia", {"locality": "Madrid"}))
    jose = features(given_name="José", family_name="García", locality="Madrid")
    stranger = features(given_name="Ana", family_name="Ruiz", locality="Sevilla")

    scored = score_against(CUSTOMER, probe, [stranger, jose])

    assert explanation_of(CUSTOMER, scored, 1, probe, jose) == explain(CUSTOMER, probe, jose)


optional_text = st.none() | st.text(max_size=40)
search_fields = st.fixed_dictionaries(dict.fromkeys(SEARCH_FIELDS, optional_text))


@given(q=optional_text, fields=search_fields)
def test_any_text_makes_a_probe_without_raising(
    q: str | None, fields: dict[str, str | None]
) -> None:
    probe_attributes(q, fields)


@given(before=st.text(max_size=30), after=st.text(max_size=30))
def test_a_search_box_holding_an_at_sign_is_an_email(before: str, after: str) -> None:
    q = f"{before}@{after}"

    assert probe_attributes(q, {}) == {"email": q.strip()}


@given(q=optional_text, fields=search_fields)
def test_explicit_fields_always_win(q: str | None, fields: dict[str, str | None]) -> None:
    probe = probe_attributes(q, fields)

    for name, value in fields.items():
        if value and value.strip():
            assert probe[name] == value.strip()


@given(q=optional_text, fields=search_fields)
def test_probe_values_are_stripped_and_never_empty(
    q: str | None, fields: dict[str, str | None]
) -> None:
    for value in probe_attributes(q, fields).values():
        assert value
        assert value == value.strip()


@given(q=optional_text, fields=search_fields)
def test_the_search_box_adds_at_most_one_attribute(
    q: str | None, fields: dict[str, str | None]
) -> None:
    explicit = {name for name, value in fields.items() if value and value.strip()}

    assert len(probe_attributes(q, fields).keys() - explicit) <= 1


@given(q=optional_text, fields=search_fields)
def test_a_probe_is_empty_only_when_nothing_was_typed(
    q: str | None, fields: dict[str, str | None]
) -> None:
    typed = any(value and value.strip() for value in [q, *fields.values()])

    assert bool(probe_attributes(q, fields)) == typed


def test_a_phone_with_its_country_code_in_brackets_is_searched_as_a_phone() -> None:
    assert probe_attributes("(+34) 612 34 56 78", {}) == {"phone": "(+34) 612 34 56 78"}


def test_a_family_name_no_candidate_bears_widens_to_its_codes_first_letter() -> None:
    probe = features(given_name="Jessica", family_name="Sott")
    others = [features(given_name="Jessica", family_name="Jones")]

    assert widened_prefix(CUSTOMER, probe, others) == "given_phonetic+family_phonetic:JSK|S"


def test_a_family_name_a_candidate_bears_does_not_widen() -> None:
    probe = features(given_name="Jessica", family_name="Scott")
    others = [features(given_name="Jessie", family_name="Scott")]

    assert widened_prefix(CUSTOMER, probe, others) is None


def test_a_search_without_a_given_or_family_name_does_not_widen() -> None:
    assert widened_prefix(CUSTOMER, features(family_name="Sott"), []) is None
    assert widened_prefix(CUSTOMER, features(email="jessica@example.com"), []) is None


def test_a_model_without_the_widened_rule_does_not_widen() -> None:
    model = replace(CUSTOMER, blocking_rules=(block_on("email"),))

    assert widened_prefix(model, features(given_name="Jessica", family_name="Sott"), []) is None


def test_a_widened_range_keeps_the_records_one_typo_from_the_family_code() -> None:
    probe = features(given_name="Jessica", family_name="Sott")
    keys_by_record = {
        1: ["given_phonetic+family_phonetic:JSK|SKT"],
        2: ["given_phonetic+family_phonetic:JSK|ST"],
        3: ["given_phonetic+family_phonetic:JSK|SMT"],
        4: ["given_phonetic+family_phonetic:JSK|SLFRT"],
    }

    assert sorted(close_in_spelling(probe, keys_by_record)) == [1, 2, 3]
