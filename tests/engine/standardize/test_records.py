from collections.abc import Callable, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.domain.entities import EntityType
from mdmhub.engine.standardize.records import (
    Features,
    standardize,
    standardize_address,
    standardize_customer,
    standardize_product,
)
from tests.factories import person


def customer(region: str = "ES", **attributes: str) -> Features:
    return standardize_customer(attributes, region)


def product(**attributes: str) -> Features:
    return standardize_product(attributes, "ES")


def address(**attributes: str) -> Features:
    return standardize_address(attributes, "ES")


def includes(features: Features, expected: dict[str, str]) -> bool:
    return features.items() >= expected.items()


# customers


def test_a_typical_spanish_customer_gets_every_feature_normalised() -> None:
    features = standardize_customer(person(), "ES")

    assert features == {
        "given": "jose",
        "given_aliases": "jose",
        "given_phonetic": "JS",
        "family": "garcia",
        "family_phonetic": "KRX",
        "second_family": "lopez",
        "birth_date": "1980-02-01",
        "birth_year": "1980",
        "email": "jose.garcia@example.com",
        "email_user": "jose.garcia",
        "phone": "+34600123456",
        "street": "calle mayor",
        "house_number": "5",
        "postal_code": "28013",
        "locality": "madrid",
        "country": "ES",
    }


def test_a_typical_english_customer_gets_every_feature_normalised() -> None:
    features = customer(
        "US",
        given_name="Mr. Thomas",
        family_name="Smith Jr.",
        birth_date="03/15/1975",
        gender="Male",
        email="Tom.Smith@Example.COM",
        phone="(415) 555-2671",
        address_line1="12 Main St.",
        postal_code="sw1a 1aa",
        locality="St. Albans",
        organization_name="Acme Inc.",
        national_id="ab-123 456",
    )

    assert features == {
        "given": "thomas",
        "given_aliases": "thom|thomas|tom|tommy",
        "given_phonetic": "0MS",
        "family": "smith",
        "family_phonetic": "SM0",
        "organization": "acme",
        "birth_date": "1975-03-15",
        "birth_year": "1975",
        "gender": "m",
        "email": "tom.smith@example.com",
        "email_user": "tom.smith",
        "phone": "+14155552671",
        "national_id": "AB123456",
        "street": "main street",
        "house_number": "12",
        "postal_code": "SW1A1AA",
        "locality": "saint albans",
    }


@pytest.mark.parametrize(
    ("phone", "region", "expected"),
    [
        ("600 123 456", "ES", "+34600123456"),
        ("+34 600-12-34-56", "US", "+34600123456"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+44 20 7946 0958", "ES", "+442079460958"),
    ],
)
def test_a_phone_becomes_e164_read_in_the_given_region(
    phone: str, region: str, expected: str
) -> None:
    assert customer(region, phone=phone)["phone"] == expected


@pytest.mark.parametrize(
    ("birth_date", "iso", "year"),
    [
        ("1980-02-01", "1980-02-01", "1980"),
        ("1 de febrero de 1980", "1980-02-01", "1980"),
        ("03/15/1975", "1975-03-15", "1975"),
    ],
)
def test_a_birth_date_becomes_iso_with_its_year_alongside(
    birth_date: str, iso: str, year: str
) -> None:
    features = customer(birth_date=birth_date)

    assert (features["birth_date"], features["birth_year"]) == (iso, year)


@pytest.mark.parametrize(
    ("gender", "expected"),
    [
        ("Male", "m"),
        ("M", "m"),
        ("hombre", "m"),
        ("Masculino", "m"),
        ("H", "m"),
        ("V", "m"),
        ("Female", "f"),
        ("F", "f"),
        ("mujer", "f"),
        ("Femenino", "f"),
        ("woman", "f"),
    ],
)
def test_english_and_spanish_genders_map_to_m_or_f(gender: str, expected: str) -> None:
    assert customer(gender=gender)["gender"] == expected


def test_an_unknown_gender_is_kept_normalised() -> None:
    assert customer(gender="Otro")["gender"] == "otro"


def test_the_email_user_is_the_part_before_the_at_sign() -> None:
    assert customer(email="Ana.Lopez@Gmail.com")["email_user"] == "ana.lopez"


@pytest.mark.parametrize(
    ("line", "street", "number"),
    [
        ("Calle Mayor 5, 2º B", "calle mayor", "5"),
        ("12 Main St.", "main street", "12"),
        ("Cl. 12 No. 34-56", "calle 12", "3456"),
    ],
)
def test_the_address_line_is_split_into_street_and_house_number(
    line: str, street: str, number: str
) -> None:
    features = customer(address_line1=line)

    assert (features["street"], features["house_number"]) == (street, number)


def test_a_street_named_by_a_number_has_no_house_number() -> None:
    features = customer(address_line1="Calle 12")

    assert features["street"] == "calle 12"
    assert "house_number" not in features


def test_an_explicit_house_number_wins_over_the_one_in_the_address_line() -> None:
    assert customer(address_line1="Calle Mayor 5", house_number="7")["house_number"] == "7"


def test_given_aliases_are_the_sorted_alias_set_joined_by_a_bar() -> None:
    assert customer(given_name="Pepe")["given_aliases"] == "jose|pepe"


def test_the_given_phonetic_code_is_of_the_first_given_name_only() -> None:
    compound = customer(given_name="José María")

    assert compound["given_phonetic"] == customer(given_name="José")["given_phonetic"] == "JS"


def test_the_given_phonetic_code_is_of_the_name_as_written_not_its_full_form() -> None:
    assert customer(given_name="Pepe")["given_phonetic"] == "PP"


@pytest.mark.parametrize(
    ("attributes", "absent"),
    [
        ({}, "every feature"),
        ({"given_name": "", "family_name": "  "}, "blank names"),
        ({"email": "not an email"}, "an invalid email"),
        ({"phone": "12"}, "an impossible phone"),
        ({"birth_date": "nope"}, "an unreadable date"),
    ],
)
def test_missing_or_unusable_values_produce_no_feature(
    attributes: dict[str, str], absent: str
) -> None:
    assert customer(**attributes) == {}, absent


def test_derived_features_are_absent_with_the_value_they_derive_from() -> None:
    features = customer(family_name="García")

    for name in ("given", "given_aliases", "given_phonetic", "birth_year", "email_user"):
        assert name not in features


CUSTOMER_ATTRIBUTES = [
    "given_name",
    "family_name",
    "second_family_name",
    "full_name",
    "birth_date",
    "email",
    "gender",
    "phone",
    "national_id",
    "organization_name",
    "address_line1",
    "house_number",
    "postal_code",
    "locality",
    "region",
    "country",
]


@given(st.dictionaries(st.sampled_from(CUSTOMER_ATTRIBUTES), st.text(max_size=30)))
def test_a_customer_never_raises_and_never_holds_an_empty_feature(
    attributes: dict[str, str],
) -> None:
    features = standardize_customer(attributes, "ES")

    assert all(isinstance(value, str) and value for value in features.values())


# full name fill-in


def names(features: Features) -> tuple[str | None, str | None, str | None]:
    return features.get("given"), features.get("family"), features.get("second_family")


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"full_name": "Juan Pérez García"}, ("juan", "perez", "garcia")),
        ({"full_name": "García López, Juan"}, ("juan", "garcia", "lopez")),
        ({"given_name": "Ana", "full_name": "Juan Pérez García"}, ("ana", "perez", "garcia")),
        ({"family_name": "Ruiz", "full_name": "Juan Pérez García"}, ("juan", "ruiz", None)),
        (
            {"given_name": "Ana", "second_family_name": "Soto", "full_name": "Juan Pérez García"},
            ("ana", "perez", "soto"),
        ),
        (
            {"given_name": "Ana", "family_name": "Ruiz", "full_name": "Juan Pérez García"},
            ("ana", "ruiz", None),
        ),
    ],
    ids=[
        "only a full name",
        "family comma given",
        "given kept, family and second filled",
        "family kept, given filled",
        "second family kept, family filled",
        "both parts given: full name ignored",
    ],
)
def test_a_full_name_fills_a_missing_given_or_family_name(
    attributes: dict[str, str], expected: tuple[str | None, str | None, str | None]
) -> None:
    assert names(customer(**attributes)) == expected


def test_a_title_in_the_given_name_field_is_replaced_by_the_name_in_the_full_name() -> None:
    features = customer(given_name="Sir", family_name="Chalmers", full_name="Sir George Chalmers")

    assert (features["given"], features["family"]) == ("george", "chalmers")


def test_a_full_name_of_a_title_and_the_known_surname_gives_no_given_name() -> None:
    features = customer(given_name="Sir", family_name="Chalmers", full_name="Sir Chalmers")

    assert "given" not in features
    assert features["family"] == "chalmers"


def test_features_of_a_filled_in_given_name_derive_from_it() -> None:
    features = customer(family_name="Ruiz", full_name="Pepe Ruiz")

    assert includes(
        features, {"given": "pepe", "given_aliases": "jose|pepe", "given_phonetic": "PP"}
    )


def test_features_of_a_filled_in_family_name_derive_from_it() -> None:
    features = customer(given_name="Juan", full_name="Juan Pérez")

    assert includes(features, {"family": "perez", "family_phonetic": "PRS"})


# products


def test_a_typical_product_gets_its_identifiers_title_prefix_and_price_normalised() -> None:
    features = product(
        name="Samsung Galaxy S21 128 GB",
        price="1.299,99 €",
        manufacturer="Samsung",
        model_number="SM-G991B",
        gtin="4006381333931",
        sku="ab-1",
        category="Phones",
        currency="eur",
    )

    assert includes(
        features,
        {
            "title": "samsung galaxy s21 128gb",
            "title_prefix": "samsung galaxy",
            "brand": "samsung",
            "model_number": "SMG991B",
            "gtin": "04006381333931",
            "sku": "AB1",
            "category": "phones",
            "price": "1299.99",
            "currency": "EUR",
        },
    )


def test_a_title_version_written_with_v_or_a_zero_minor_gives_the_same_code() -> None:
    assert product(name="German v2.0")["codes"] == product(name="German 2")["codes"] == "2"


@pytest.mark.parametrize(
    ("price", "expected"),
    [("1.299,99 €", "1299.99"), ("$1,299.99", "1299.99"), ("45", "45.00"), ("USD 0.5", "0.50")],
)
def test_a_price_is_written_with_two_decimals_whatever_its_convention(
    price: str, expected: str
) -> None:
    assert product(price=price)["price"] == expected


@pytest.mark.parametrize(
    ("name", "prefix"), [("Tele", "tele"), ("Brand NEW Apple iPhone 13", "apple iphone")]
)
def test_the_title_prefix_is_the_first_two_words_of_the_normalised_title(
    name: str, prefix: str
) -> None:
    assert product(name=name)["title_prefix"] == prefix


def test_the_brand_falls_back_to_the_manufacturer() -> None:
    assert product(manufacturer="Sony")["brand"] == "sony"


def test_the_brand_wins_over_the_manufacturer() -> None:
    assert product(brand="Sony Corp", manufacturer="Sony")["brand"] == "sony corp"


@pytest.mark.parametrize(
    "attributes",
    [{}, {"price": "gratis"}, {"gtin": "4006381333932"}, {"name": "  "}],
    ids=["nothing", "unreadable price", "bad gtin check digit", "blank title"],
)
def test_missing_or_unusable_product_values_produce_no_feature(
    attributes: dict[str, str],
) -> None:
    assert product(**attributes) == {}


# addresses


def test_a_typical_address_gets_street_number_postcode_locality_and_phonetic_street() -> None:
    features = address(
        address_line1="Calle Mayor 5, 2º B",
        postal_code="28013",
        locality="Madrid",
        region="Comunidad de Madrid",
        country="es",
    )

    assert features == {
        "street": "calle mayor",
        "street_phonetic": "KL MYR",
        "house_number": "5",
        "postal_code": "28013",
        "locality": "madrid",
        "region": "comunidad de madrid",
        "country": "ES",
    }


@pytest.mark.parametrize("written", ["ES", "España", "Spain"])
def test_an_address_country_becomes_its_iso_code_however_it_was_written(written: str) -> None:
    assert address(country=written)["country"] == "ES"


def test_an_address_without_a_street_has_no_phonetic_street() -> None:
    assert address(locality="Madrid") == {"locality": "madrid"}


# dispatch


@pytest.mark.parametrize(
    ("entity", "function"),
    [
        (EntityType.CUSTOMER, standardize_customer),
        (EntityType.PRODUCT, standardize_product),
        (EntityType.ADDRESS, standardize_address),
    ],
)
def test_standardize_dispatches_on_the_entity_type(
    entity: EntityType, function: Callable[[Mapping[str, str], str], Features]
) -> None:
    attributes = {"name": "Tele 4K", "family_name": "García", "locality": "Madrid"}

    assert standardize(entity, attributes, "ES") == function(attributes, "ES")
