"""Small builders for test data: a test says only what matters to it."""

from itertools import count
from typing import Any

from mdmhub.domain.records import RecordInput

_ids = count(1)


def person(**overrides: str) -> dict[str, str]:
    """A Spanish customer with every contact field; override what the test is about."""
    attributes = {
        "given_name": "José",
        "family_name": "García",
        "second_family_name": "López",
        "birth_date": "1980-02-01",
        "email": "jose.garcia@example.com",
        "phone": "+34 600 123 456",
        "address_line1": "Calle Mayor 5",
        "locality": "Madrid",
        "postal_code": "28013",
        "country": "ES",
    }
    attributes.update(overrides)
    return {k: v for k, v in attributes.items() if v}


def record(source: str = "crm", source_id: str | None = None, **attributes: Any) -> RecordInput:
    return RecordInput(
        source=source,
        source_id=source_id or f"r{next(_ids)}",
        attributes=attributes or person(),
    )


def payload(source: str = "crm", source_id: str | None = None, **attributes: Any) -> dict[str, Any]:
    """The REST body for one record."""
    built = record(source, source_id, **attributes)
    return {"source": built.source, "source_id": built.source_id, "attributes": built.attributes}


_GIVEN = ["Ana", "Luis", "Marta", "Pedro", "Lucía", "Javier", "Carmen", "Diego", "Elena", "Pablo"]
_FAMILY = ["Ruiz", "Martín", "Sanz", "Gómez", "Díaz", "Moreno", "Álvarez", "Romero", "Navarro"]
_TOWNS = ["Sevilla", "Bilbao", "Valencia", "Zaragoza", "Málaga", "Murcia", "Oviedo", "León"]


def people(count: int) -> list[dict[str, str]]:
    """`count` different customers: no two share a name pair, birth date, email or phone."""
    found = []
    for i in range(count):
        given, family = _GIVEN[i % len(_GIVEN)], _FAMILY[i % len(_FAMILY)]
        second = _FAMILY[(i // len(_FAMILY) + i + 4) % len(_FAMILY)]
        found.append(
            {
                "given_name": given,
                "family_name": family,
                "second_family_name": second,
                "birth_date": f"{1940 + i}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "email": f"customer{i}@example.com",
                "phone": f"+34 6{i + 10:02d} {i + 100:03d} {i + 200:03d}",
                "address_line1": f"Calle {second} {i + 1}",
                "locality": _TOWNS[i % len(_TOWNS)],
                "country": "ES",
            }
        )
    return found


def duplicate_of(attributes: dict[str, str]) -> dict[str, str]:
    """The same customer as another system writes them: no email, other formats, lower case."""
    year, month, day = attributes["birth_date"].split("-")
    copy = {k: v for k, v in attributes.items() if k != "email"}
    copy["given_name"] = attributes["given_name"].lower()
    copy["family_name"] = attributes["family_name"].upper()
    copy["birth_date"] = f"{day}/{month}/{year}"
    copy["phone"] = attributes["phone"].removeprefix("+34 ").replace(" ", "")
    return copy


LOOKALIKE = person(
    birth_date="",
    address_line1="Calle Luna 3",
    postal_code="41001",
    locality="Sevilla",
    email="",
    phone="",
)
"""Same name as `person()`, another town and no contact data: the review band."""
TOLEDO_NAMESAKE = person(
    second_family_name="",
    birth_date="",
    address_line1="",
    postal_code="",
    locality="Toledo",
    email="",
    phone="",
)


def interaction(
    customer_source_id: str = "1", source: str = "crm", **fields: Any
) -> dict[str, Any]:
    """The REST body for one interaction: a phone call of record `customer_source_id`;
    override or add what the test is about (`None` drops a field)."""
    body: dict[str, Any] = {
        "source": source,
        "interaction_id": f"i{next(_ids)}",
        "customer_source_id": customer_source_id,
        "type": "call",
        "channel": "phone",
        "occurred_at": "2025-03-01T10:00:00Z",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def link(entity: str, role: str, source_id: str, source: str | None = None) -> dict[str, str]:
    """One entry of a record's `links`: a reference to another record by its source id."""
    built = {"entity": entity, "role": role, "source_id": source_id}
    return {**built, "source": source} if source else built


def organisation(**overrides: str) -> dict[str, str]:
    """A company customer: an employer."""
    attributes = {
        "organization_name": "Construcciones Ebro SL",
        "email": "info@ebro.example.com",
        "phone": "+34 976 111 222",
        "address_line1": "Paseo Independencia 10",
        "locality": "Zaragoza",
        "postal_code": "50004",
        "country": "ES",
    }
    attributes.update(overrides)
    return {k: v for k, v in attributes.items() if v}


def address(**overrides: str) -> dict[str, str]:
    """An address record (entity `address`)."""
    attributes = {
        "address_line1": "Calle Mayor",
        "house_number": "5",
        "postal_code": "28013",
        "locality": "Madrid",
        "country": "ES",
    }
    attributes.update(overrides)
    return {k: v for k, v in attributes.items() if v}


def product(**overrides: str) -> dict[str, str]:
    """A product record (entity `product`)."""
    attributes = {
        "name": "Cafetera Express 2000",
        "brand": "Cafex",
        "gtin": "8412345678905",
        "price": "89.90",
        "currency": "EUR",
    }
    attributes.update(overrides)
    return {k: v for k, v in attributes.items() if v}
