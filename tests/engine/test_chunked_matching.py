from mdmhub.engine.chunked_matching import ChunkedMatcher
from mdmhub.engine.clustering import NEW_CLUSTER_PREFIX, Decision
from mdmhub.engine.default_models import CUSTOMER
from mdmhub.engine.standardize.records import standardize_customer
from tests.factories import people, person

CAP = 50


def _features(**overrides: str) -> dict[str, str]:
    return standardize_customer(person(**overrides), "ES")


def test_a_record_of_a_later_chunk_joins_its_match_of_an_earlier_chunk_by_label() -> None:
    matcher = ChunkedMatcher(CUSTOMER, CAP)
    [born] = matcher.match([_features()]).clustering.assignments

    [joined] = matcher.match([_features(email="")]).clustering.assignments

    assert born.cluster.startswith(NEW_CLUSTER_PREFIX)
    assert joined.decision is Decision.LINKED
    assert joined.cluster == born.cluster.removeprefix(NEW_CLUSTER_PREFIX)


def test_a_chunk_s_candidates_are_the_earlier_records_sharing_a_key_by_file_position() -> None:
    matcher = ChunkedMatcher(CUSTOMER, CAP)
    matcher.match([_features(given_name="Zoe", family_name="Quintana", email="")])
    matcher.match([standardize_customer(p, "ES") for p in people(3)])

    matched = matcher.match([_features(given_name="Zoe", family_name="Quintana", email="")])

    assert matched.candidates == [0]
    assert matched.clustering.assignments[0].cluster == "1"


def test_a_key_held_by_more_earlier_records_than_the_cap_is_skipped_and_counted() -> None:
    matcher = ChunkedMatcher(CUSTOMER, 2)
    born_1980 = [standardize_customer({**p, "birth_date": "1980-05-17"}, "ES") for p in people(3)]
    matcher.match(born_1980)

    matched = matcher.match([_features(birth_date="1980-05-17")])

    assert matched.capped_keys == {"birth_date:1980-05-17": 3}
    assert "birth_date:1980-05-17" in matched.keys[0]


def test_after_a_merge_the_retired_cluster_s_records_are_named_by_the_survivor() -> None:
    matcher = ChunkedMatcher(CUSTOMER, CAP)
    someone = people(1)[0]
    name = {"given_name": someone["given_name"], "family_name": someone["family_name"]}
    halves = matcher.match(
        [
            standardize_customer({**name, "email": someone["email"]}, "ES"),
            standardize_customer({**name, "phone": someone["phone"]}, "ES"),
        ]
    )
    whole = matcher.match([standardize_customer(someone, "ES")])
    [(retired, survivor)] = whole.clustering.merges.items()

    [again] = matcher.match([standardize_customer(someone, "ES")]).clustering.assignments

    assert len({a.cluster for a in halves.clustering.assignments}) == 2
    assert again.cluster == survivor != retired
