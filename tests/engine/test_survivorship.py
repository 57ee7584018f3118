from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.survivorship import (
    MOST_TRUSTED_THEN_MOST_RECENT,
    Member,
    SurvivingValue,
    survive,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def member(
    source: str = "crm",
    source_id: str = "1",
    trust: float = 0.5,
    days: int = 0,
    **attributes: str,
) -> Member:
    """A member updated `days` after T0."""
    return Member(source, source_id, trust, T0 + timedelta(days=days), attributes)


def values(members: list[Member]) -> dict[str, str]:
    return {name: surviving.value for name, surviving in survive(members).items()}


def test_the_most_trusted_source_wins_even_when_older() -> None:
    members = [
        member("web", trust=0.3, days=10, email="new@x.org"),
        member("erp", trust=0.9, days=0, email="old@x.org"),
    ]

    assert values(members) == {"email": "old@x.org"}


def test_among_equally_trusted_sources_the_most_recent_update_wins() -> None:
    members = [
        member("crm", trust=0.5, days=1, email="older@x.org"),
        member("web", trust=0.5, days=2, email="newer@x.org"),
    ]

    assert values(members) == {"email": "newer@x.org"}


@pytest.mark.parametrize("blank", ["", " ", "\t", "  \n "])
def test_a_blank_value_never_survives(blank: str) -> None:
    members = [
        member("erp", trust=0.9, email=blank),
        member("web", trust=0.1, email="ana@x.org"),
    ]

    assert values(members) == {"email": "ana@x.org"}


def test_an_attribute_blank_in_every_member_is_left_out() -> None:
    members = [member("erp", email="", phone="+34600000000"), member("web", email=" ")]

    assert values(members) == {"phone": "+34600000000"}


def test_each_attribute_survives_from_its_own_best_member() -> None:
    members = [
        member("erp", trust=0.9, email="erp@x.org"),
        member("web", trust=0.1, email="web@x.org", phone="+34600000000"),
    ]

    assert values(members) == {"email": "erp@x.org", "phone": "+34600000000"}


def test_a_surviving_value_records_its_source_source_id_and_rule() -> None:
    members = [
        member("erp", "E-7", trust=0.9, email="erp@x.org"),
        member("web", "W-3", trust=0.1, email="web@x.org", phone="+34600000000"),
    ]

    golden = survive(members)

    assert golden == {
        "email": SurvivingValue("erp@x.org", "erp", "E-7", MOST_TRUSTED_THEN_MOST_RECENT),
        "phone": SurvivingValue("+34600000000", "web", "W-3", MOST_TRUSTED_THEN_MOST_RECENT),
    }


def test_a_surviving_value_keeps_the_value_as_given() -> None:
    assert values([member(name=" Ana ")]) == {"name": " Ana "}


def test_a_surviving_value_serialises_its_lineage() -> None:
    surviving = SurvivingValue("ana@x.org", "erp", "E-7", MOST_TRUSTED_THEN_MOST_RECENT)

    assert surviving.as_dict() == {
        "value": "ana@x.org",
        "source": "erp",
        "source_id": "E-7",
        "rule": "most_trusted_then_most_recent",
    }


def test_attributes_come_back_sorted_by_name() -> None:
    golden = survive([member(phone="1", email="a@x.org", name="Ana")])

    assert list(golden) == ["email", "name", "phone"]


def test_no_members_give_an_empty_golden_record() -> None:
    assert survive([]) == {}


def test_survive_accepts_any_iterable_of_members() -> None:
    members = (m for m in [member("erp", trust=0.9, email="a@x.org"), member("web", email="b")])

    assert survive(members)["email"].value == "a@x.org"


def test_a_full_tie_on_trust_and_recency_is_broken_the_same_way_in_any_order() -> None:
    a = member("crm", "1", email="crm@x.org")
    b = member("web", "1", email="web@x.org")

    assert survive([a, b]) == survive([b, a])


members_strategy = st.lists(
    st.builds(
        member,
        source=st.sampled_from(["crm", "erp", "web"]),
        source_id=st.sampled_from(["1", "2", "3"]),
        trust=st.sampled_from([0.1, 0.5, 0.9]),
        days=st.integers(min_value=0, max_value=3),
        email=st.sampled_from(["", " ", "a@x.org", "b@x.org"]),
        phone=st.sampled_from(["", "+34600000000", "+34611111111"]),
    ),
    max_size=8,
    unique_by=lambda m: (m.source, m.source_id),
)


@given(st.data(), members_strategy)
def test_the_golden_record_does_not_depend_on_member_order(
    data: st.DataObject, members: list[Member]
) -> None:
    shuffled = data.draw(st.permutations(members))

    assert survive(shuffled) == survive(members)


@given(members_strategy)
def test_every_surviving_value_is_a_non_blank_value_of_the_member_it_names(
    members: list[Member],
) -> None:
    by_id = {(m.source, m.source_id): m for m in members}

    for name, surviving in survive(members).items():
        origin = by_id[(surviving.source, surviving.source_id)]
        assert origin.attributes[name] == surviving.value
        assert surviving.value.strip()
