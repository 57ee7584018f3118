import pytest

from mdmhub.engine.standardize.names import canonical_given_name
from mdmhub.engine.standardize.nicknames_es import GIVEN_NAMES_ES, NICKNAMES_ES, SURNAMES_ES
from mdmhub.engine.standardize.text import normalize_text


@pytest.mark.parametrize("table", [GIVEN_NAMES_ES, SURNAMES_ES, NICKNAMES_ES.keys()])
def test_entries_are_already_normalized(table: frozenset[str]) -> None:
    assert all(normalize_text(name) == name for name in table)


def test_full_names_are_normalized() -> None:
    assert all(normalize_text(name) == name for name in NICKNAMES_ES.values())


def test_no_nickname_is_also_a_listed_given_name() -> None:
    assert not GIVEN_NAMES_ES & NICKNAMES_ES.keys()


@pytest.mark.parametrize(("nickname", "full_name"), sorted(NICKNAMES_ES.items()))
def test_every_spanish_nickname_is_applied(nickname: str, full_name: str) -> None:
    assert canonical_given_name(nickname) == full_name


@pytest.mark.parametrize("name", sorted(GIVEN_NAMES_ES))
def test_spanish_given_names_map_to_themselves(name: str) -> None:
    assert canonical_given_name(name) == name
