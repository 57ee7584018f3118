"""Records by key prefix (`records.keys_under_prefix`): the range of the key index a name
search widens to, on both databases."""

from mdmhub.db.repositories import records as records_repo
from mdmhub.db.session import transaction
from mdmhub.settings import Settings
from tests.factories import record
from tests.services.conftest import Upsert

JESSICA_S = "given_phonetic+family_phonetic:JSK|S"
"""Jessicas whose family name's phonetic code starts with S."""


def _family_names(hub: Settings, prefix: str, cap: int = 10) -> list[str] | None:
    with transaction(hub.database_url) as session:
        found = records_repo.keys_under_prefix(session, "customer", prefix, cap)
        if found is None:
            return None
        records = records_repo.candidates_among(session, found, set())
    return sorted(record.features["family"] for record in records)


def _people(upsert: Upsert, *names: tuple[str, str]) -> None:
    upsert(
        *(
            record("crm", f"p{number}", given_name=given, family_name=family)
            for number, (given, family) in enumerate(names)
        )
    )


def test_the_records_whose_keys_start_with_the_prefix_are_found(
    hub: Settings, upsert: Upsert
) -> None:
    _people(
        upsert,
        ("Jessica", "Scott"),
        ("Jessica", "Smith"),
        ("Jessica", "Jones"),
        ("Jesus", "Sanz"),
        ("Jessika", "Sutton"),
    )

    assert _family_names(hub, JESSICA_S) == ["scott", "smith", "sutton"]


def test_a_range_holding_more_records_than_the_cap_is_not_read(
    hub: Settings, upsert: Upsert
) -> None:
    _people(upsert, ("Jessica", "Scott"), ("Jessica", "Smith"), ("Jessica", "Sutton"))

    assert _family_names(hub, JESSICA_S, cap=2) is None
    assert _family_names(hub, JESSICA_S, cap=3) == ["scott", "smith", "sutton"]
