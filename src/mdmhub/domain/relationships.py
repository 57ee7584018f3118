"""References between source records: a customer's addresses, products, employer, household.

A reference names the other record by its source ids, so it may arrive before
the record it points to; it resolves to a golden record only when read, and so
follows every merge and split.

Between customers, `employer` points from a person to the organisation they work
for, and `household` to another member of the same household.
"""

from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import MAX_SOURCE_ID_LENGTH, LinkInput, Problem

ROLES: dict[tuple[EntityType, EntityType], frozenset[str]] = {
    (EntityType.CUSTOMER, EntityType.ADDRESS): frozenset({"billing", "shipping", "home", "work"}),
    (EntityType.CUSTOMER, EntityType.PRODUCT): frozenset({"holds", "bought"}),
    (EntityType.CUSTOMER, EntityType.CUSTOMER): frozenset({"employer", "household"}),
}
MAX_LINKS = 100
ENTITIES = frozenset(e.value for e in EntityType)


def check_links(entity: EntityType, links: tuple[LinkInput, ...]) -> list[Problem]:
    problems: list[Problem] = []
    if len(links) > MAX_LINKS:
        problems.append(Problem("links", f"at most {MAX_LINKS} links per record"))
    for index, link in enumerate(links):
        roles = ROLES.get((entity, EntityType(link.entity))) if link.entity in ENTITIES else None
        if roles is None:
            problems.append(
                Problem(f"links.{index}.entity", f"a {entity} cannot refer to a {link.entity!r}")
            )
        elif link.role not in roles:
            problems.append(
                Problem(
                    f"links.{index}.role",
                    f"a {entity} refers to a {link.entity} as one of {', '.join(sorted(roles))}",
                )
            )
        if not link.source_id.strip() or len(link.source_id) > MAX_SOURCE_ID_LENGTH:
            problems.append(
                Problem(f"links.{index}.source_id", f"needs 1 to {MAX_SOURCE_ID_LENGTH} characters")
            )
    return problems
