import itertools
import pickle
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.blocking import (
    BlockingRule,
    CandidatePairs,
    block_on,
    blocking_keys,
    candidate_pairs,
    union_of,
)


def pairs_of(result: CandidatePairs) -> list[tuple[int, int]]:
    return list(zip(result.left.tolist(), result.right.tolist(), strict=True))


def find_pairs(keys_by_record: list[list[str]], stored: int, cap: int = 100) -> CandidatePairs:
    """Candidate pairs when the first `stored` records are stored and the rest incoming."""
    return candidate_pairs(keys_by_record, range(stored, len(keys_by_record)), cap)


# BlockingRule and blocking_keys


def test_block_on_builds_a_rule_over_the_named_features() -> None:
    assert block_on("family_phonetic", "birth_year") == BlockingRule(
        ("family_phonetic", "birth_year")
    )


def test_a_rule_is_named_after_its_features_joined_by_plus() -> None:
    assert block_on("family_phonetic", "birth_year").name == "family_phonetic+birth_year"


def test_a_key_carries_the_rule_name_and_every_value() -> None:
    rule = block_on("family_phonetic", "birth_year")

    assert rule.key({"family_phonetic": "KRS", "birth_year": "1980"}) == (
        "family_phonetic+birth_year:KRS|1980"
    )


@pytest.mark.parametrize(
    "record",
    [
        {"family_phonetic": "KRS"},
        {"birth_year": "1980"},
        {"family_phonetic": "KRS", "birth_year": ""},
        {"family_phonetic": "", "birth_year": "1980"},
        {},
    ],
)
def test_a_key_needs_every_feature_of_the_rule_present(record: dict[str, str]) -> None:
    assert block_on("family_phonetic", "birth_year").key(record) is None


def test_keys_from_different_rules_with_the_same_value_differ() -> None:
    record = {"email": "x", "phone": "x"}

    assert block_on("email").key(record) != block_on("phone").key(record)


def test_blocking_keys_gives_one_key_per_rule_with_values_in_rule_order() -> None:
    rules = [block_on("email"), block_on("phone"), block_on("family", "birth_year")]
    record = {"email": "ana@example.com", "family": "garcia", "birth_year": "1980"}

    assert blocking_keys(rules, record) == [
        "email:ana@example.com",
        "family+birth_year:garcia|1980",
    ]


def test_blocking_keys_of_a_record_without_values_is_empty() -> None:
    assert blocking_keys([block_on("email"), block_on("phone")], {"email": ""}) == []


def test_blocking_keys_lists_a_rule_given_twice_once() -> None:
    rule = block_on("email")

    assert blocking_keys([rule, rule], {"email": "x"}) == ["email:x"]


def test_a_rule_replaced_with_other_features_keys_with_their_names() -> None:
    rule = replace(block_on("email"), features=("phone",))

    assert rule.key({"phone": "x"}) == "phone:x"
    assert rule == block_on("phone")
    assert hash(rule) == hash(block_on("phone"))


def test_a_rule_survives_pickling_with_the_prefix_of_its_keys() -> None:
    rule = pickle.loads(pickle.dumps(block_on("family", "birth_year")))

    assert rule == block_on("family", "birth_year")
    assert rule.key({"family": "garcia", "birth_year": "1980"}) == "family+birth_year:garcia|1980"


# candidate_pairs


def test_records_sharing_a_key_become_a_pair() -> None:
    result = find_pairs([["k"], ["k"]], stored=1)

    assert pairs_of(result) == [(0, 1)]


def test_records_sharing_no_key_are_not_paired() -> None:
    result = find_pairs([["a"], ["b"], ["c"]], stored=1)

    assert pairs_of(result) == []


def test_pairs_between_two_stored_records_are_left_out() -> None:
    result = find_pairs([["k"], ["k"], ["k"]], stored=2)

    assert pairs_of(result) == [(0, 2), (1, 2)]


def test_pairs_between_two_incoming_records_are_kept() -> None:
    result = find_pairs([["k"], ["k"], ["k"]], stored=1)

    assert pairs_of(result) == [(0, 1), (0, 2), (1, 2)]


def test_with_nothing_incoming_there_are_no_pairs() -> None:
    result = find_pairs([["k"], ["k"]], stored=2)

    assert pairs_of(result) == []


def test_with_nothing_stored_every_incoming_pair_sharing_a_key_is_kept() -> None:
    result = find_pairs([["a"], ["a", "b"], ["b"]], stored=0)

    assert pairs_of(result) == [(0, 1), (1, 2)]


def test_a_pair_sharing_several_keys_appears_once() -> None:
    result = find_pairs([["email:x", "phone:1", "id:9"], ["email:x", "phone:1", "id:9"]], stored=1)

    assert pairs_of(result) == [(0, 1)]


def test_pairs_always_have_the_smaller_index_on_the_left() -> None:
    keys = [["a"], ["b"], ["c"], ["c", "a"], ["b", "a"]]

    result = find_pairs(keys, stored=3)

    assert all(left < right for left, right in pairs_of(result))
    assert sorted(pairs_of(result)) == [(0, 3), (0, 4), (1, 4), (2, 3), (3, 4)]


def test_pair_indexes_are_int64_arrays() -> None:
    result = find_pairs([["k"], ["k"]], stored=1)

    assert result.left.dtype == np.int64
    assert result.right.dtype == np.int64


def test_no_pairs_at_all_gives_empty_int64_arrays() -> None:
    result = find_pairs([[], ["a"]], stored=1)

    assert result.left.dtype == np.int64
    assert (len(result.left), len(result.right)) == (0, 0)
    assert result.capped_keys == {}


def test_a_block_bigger_than_the_cap_is_skipped_and_reported_with_its_size() -> None:
    result = find_pairs([["unknown"]] * 4, stored=2, cap=3)

    assert pairs_of(result) == []
    assert result.capped_keys == {"unknown": 4}


def test_a_block_exactly_at_the_cap_is_kept() -> None:
    result = find_pairs([["k"]] * 3, stored=2, cap=3)

    assert pairs_of(result) == [(0, 2), (1, 2)]
    assert result.capped_keys == {}


def test_records_in_a_capped_block_still_pair_through_another_key() -> None:
    keys = [["birth_date:1900-01-01", "email:x"]] + [["birth_date:1900-01-01"]] * 3
    keys.append(["birth_date:1900-01-01", "email:x"])

    result = find_pairs(keys, stored=4, cap=3)

    assert pairs_of(result) == [(0, 4)]
    assert result.capped_keys == {"birth_date:1900-01-01": 5}


def test_every_capped_block_is_reported() -> None:
    keys = [["a", "b"]] * 3 + [["a", "b", "c"]]

    result = find_pairs(keys, stored=3, cap=2)

    assert result.capped_keys == {"a": 4, "b": 4}
    assert pairs_of(result) == []


@given(
    keys=st.lists(st.lists(st.sampled_from("abcdefg"), max_size=3, unique=True), max_size=30),
    stored=st.integers(0, 30),
    cap=st.integers(2, 8),
)
def test_pairs_are_those_sharing_an_uncapped_key_with_an_incoming_side(
    keys: list[list[str]], stored: int, cap: int
) -> None:
    stored = min(stored, len(keys))
    members = {key: [i for i, own in enumerate(keys) if key in own] for key in "abcdefg"}
    kept = {key: records for key, records in members.items() if len(records) <= cap}
    expected = sorted(
        {
            (i, j)
            for records in kept.values()
            for i, j in itertools.combinations(records, 2)
            if j >= stored
        }
    )

    result = find_pairs(keys, stored, cap)

    assert pairs_of(result) == expected
    assert result.capped_keys == {
        key: len(records) for key, records in members.items() if len(records) > cap
    }


@given(
    rules=st.lists(
        st.lists(st.sampled_from([None, "a", "b", "c", "d"]), min_size=12, max_size=12),
        max_size=4,
    ),
    cap=st.integers(2, 6),
)
def test_the_union_of_each_rules_pairs_is_the_pairs_of_all_their_keys(
    rules: list[list[str | None]], cap: int
) -> None:
    """Rule r's key of record i is `rules[r][i]` (None: no key), named apart per rule."""
    records = range(12)
    keyed = [[f"{r}:{key}" if key else None for key in keys] for r, keys in enumerate(rules)]
    per_rule = [candidate_pairs([[k] if k else [] for k in keys], records, cap) for keys in keyed]
    every_key = [[key for keys in keyed if (key := keys[i])] for i in records]

    union = union_of(per_rule, len(records))

    all_at_once = candidate_pairs(every_key, records, cap)
    assert union.left.tolist() == all_at_once.left.tolist()
    assert union.right.tolist() == all_at_once.right.tolist()
