"""The entity types the hub masters and their canonical attributes (the contract of DESIGN.md)."""

from enum import StrEnum


class EntityType(StrEnum):
    CUSTOMER = "customer"
    PRODUCT = "product"
    ADDRESS = "address"

    @property
    def plural(self) -> str:
        """The URL segment: REST paths name collections (`/v1/customers/...`)."""
        return f"{self.value}es" if self is EntityType.ADDRESS else f"{self.value}s"

    @property
    def id_prefix(self) -> str:
        """Golden ids carry their entity so a stray id is recognisable at a glance."""
        return {"customer": "cus", "product": "prd", "address": "adr"}[self.value]

    @classmethod
    def from_plural(cls, plural: str) -> "EntityType":
        for entity in cls:
            if entity.plural == plural:
                return entity
        raise ValueError(plural)


ADDRESS_ATTRIBUTES: tuple[str, ...] = (
    "address_line1",
    "address_line2",
    "house_number",
    "locality",
    "region",
    "postal_code",
    "country",
)

CANONICAL_ATTRIBUTES: dict[EntityType, tuple[str, ...]] = {
    EntityType.CUSTOMER: (
        "given_name",
        "family_name",
        "second_family_name",
        "full_name",
        "organization_name",
        "birth_date",
        "gender",
        "email",
        "phone",
        "national_id",
        *ADDRESS_ATTRIBUTES,
    ),
    EntityType.PRODUCT: (
        "name",
        "brand",
        "manufacturer",
        "model_number",
        "gtin",
        "sku",
        "category",
        "description",
        "price",
        "currency",
    ),
    EntityType.ADDRESS: ADDRESS_ATTRIBUTES,
}
