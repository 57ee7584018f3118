"""From raw source attributes to the features the match model compares.

Features are plain strings, absent when unknown, so they serialise to the
store as-is and compare with C++ string scorers. Each entity has one function;
`standardize` picks it.
"""

from collections.abc import Callable, Mapping, Sequence

import jellyfish

from mdmhub.domain.entities import EntityType
from mdmhub.engine.model_config import EXTRA_PREFIX
from mdmhub.engine.standardize.addresses import (
    normalize_locality,
    normalize_postcode,
    normalize_street,
    split_house_number,
)
from mdmhub.engine.standardize.countries import normalize_country
from mdmhub.engine.standardize.dates import parse_date
from mdmhub.engine.standardize.emails import normalize_email
from mdmhub.engine.standardize.names import (
    given_name_aliases,
    normalize_given_name,
    normalize_name,
    split_full_name,
)
from mdmhub.engine.standardize.organizations import normalize_org_name
from mdmhub.engine.standardize.phones import normalize_phone
from mdmhub.engine.standardize.products import (
    editions,
    normalize_gtin,
    normalize_model_number,
    normalize_title,
    parse_price,
    platforms,
    version_or_code,
)
from mdmhub.engine.standardize.text import normalize_code, normalize_text

Attributes = Mapping[str, str]
Features = dict[str, str]

_GENDERS = {
    "m": "m", "male": "m", "man": "m", "hombre": "m", "masculino": "m", "h": "m", "v": "m",
    "f": "f", "female": "f", "woman": "f", "mujer": "f", "femenino": "f",
}  # fmt: skip


def _phonetic(value: str | None) -> str | None:
    return jellyfish.metaphone(value) or None if value else None


def _clean(features: dict[str, str | None]) -> Features:
    return {name: value for name, value in features.items() if value}


def _address_features(attributes: Attributes) -> dict[str, str | None]:
    street, number = split_house_number(attributes.get("address_line1"))
    house_number = normalize_code(attributes.get("house_number")) or (
        normalize_code(number) if number else None
    )
    return {
        "street": street if street else normalize_street(attributes.get("address_line1")),
        "house_number": house_number,
        "postal_code": normalize_postcode(attributes.get("postal_code")),
        "locality": normalize_locality(attributes.get("locality")),
        "region": normalize_text(attributes.get("region")),
        "country": normalize_country(attributes.get("country")),
    }


def standardize_customer(attributes: Attributes, phone_region: str) -> Features:
    given = normalize_given_name(attributes.get("given_name"))
    family = normalize_name(attributes.get("family_name"))
    second_family = normalize_name(attributes.get("second_family_name"))
    if not (given and family) and attributes.get("full_name"):
        # A source with one name field, or a record missing one part: the full name fills gaps.
        parsed = split_full_name(attributes.get("full_name"))
        if parsed.given != family:
            # A lone word left of "Sir Chalmers" is the surname already known, not a given name.
            given = given or parsed.given
        if not family:
            family, second_family = parsed.family, second_family or parsed.second_family
    birth_date = parse_date(attributes.get("birth_date"))
    email = normalize_email(attributes.get("email"))
    gender = normalize_text(attributes.get("gender"))
    return _clean(
        {
            "given": given,
            "given_aliases": "|".join(sorted(given_name_aliases(given) or ())),
            "given_phonetic": _phonetic(given.split()[0] if given else None),
            "family": family,
            "family_phonetic": _phonetic(family),
            "second_family": second_family,
            "organization": normalize_org_name(attributes.get("organization_name")),
            "birth_date": birth_date.isoformat() if birth_date else None,
            "birth_year": f"{birth_date.year:04d}" if birth_date else None,
            "gender": _GENDERS.get(gender, gender) if gender else None,
            "email": email,
            "email_user": email.split("@", 1)[0] if email else None,
            "phone": normalize_phone(attributes.get("phone"), phone_region),
            "national_id": normalize_code(attributes.get("national_id")),
            **_address_features(attributes),
        }
    )


def _product_codes(title: str | None, model_number: str | None) -> str | None:
    """Title tokens holding a digit (versions, sizes, model numbers) plus the model number."""
    codes = {
        normalize_model_number(version_or_code(t))
        for t in (title or "").split()
        if any(c.isdigit() for c in t)
    }
    if model_number:
        codes.add(model_number)
    return "|".join(sorted(c for c in codes if c)) or None


def standardize_product(attributes: Attributes, phone_region: str) -> Features:
    title = normalize_title(attributes.get("name"))
    price = parse_price(attributes.get("price"))
    model_number = normalize_model_number(attributes.get("model_number"))
    return _clean(
        {
            "title": title,
            "codes": _product_codes(title, model_number),
            "editions": editions(title),
            "platforms": platforms(title),
            "title_prefix": " ".join(title.split()[:2]) if title else None,
            "brand": normalize_text(attributes.get("brand"))
            or normalize_text(attributes.get("manufacturer")),
            "model_number": model_number,
            "gtin": normalize_gtin(attributes.get("gtin")),
            "sku": normalize_code(attributes.get("sku")),
            "category": normalize_text(attributes.get("category")),
            "price": f"{price:.2f}" if price is not None else None,
            "currency": normalize_code(attributes.get("currency")),
        }
    )


def standardize_address(attributes: Attributes, phone_region: str) -> Features:
    features = _address_features(attributes)
    features["street_phonetic"] = _phonetic(features["street"])
    return _clean(features)


STANDARDIZERS: dict[EntityType, Callable[[Attributes, str], Features]] = {
    EntityType.CUSTOMER: standardize_customer,
    EntityType.PRODUCT: standardize_product,
    EntityType.ADDRESS: standardize_address,
}


def standardize(
    entity: EntityType,
    attributes: Attributes,
    phone_region: str,
    extras: Sequence[str] = (),
) -> Features:
    """The entity's features, plus `extra:NAME` text features for the extras a model names."""
    features = STANDARDIZERS[entity](attributes, phone_region)
    for name in extras:
        value = normalize_text(attributes.get(name))
        if value:
            features[f"{EXTRA_PREFIX}{name}"] = value
    return features
