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
