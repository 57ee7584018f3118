import pytest

from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import block_on
from mdmhub.engine.clustering import Assignment, Decision
from mdmhub.engine.comparisons import ExactMatch, Level
from mdmhub.engine.default_models import CUSTOMER
from mdmhub.engine.pipeline import IncomingRecord, Resolution, StoredCandidate, resolve
from mdmhub.engine.spec import MatchModel, Thresholds
from mdmhub.engine.standardize.records import standardize_customer
from tests.factories import person

MODEL = MatchModel(
    entity=EntityType.CUSTOMER,
    comparisons=(
        ExactMatch(
            name="email",
            feature="email",
            levels=(Level("exact", m=0.9, u=0.0001),),
            else_level=Level("else", m=0.1, u=0.9999),
        ),
    ),
    blocking_rules=(block_on("email"),),
    thresholds=Thresholds(upper=0.9, lower=0.5),
    probability_two_random_records_match=0.01,
)


def run(stored: list[tuple[str, str]], incoming: list[str], cap: int = 10) -> Resolution:
    """Resolve incoming emails against stored (email, cluster) candidates."""
    return resolve(
        MODEL,
        [StoredCandidate({"email": email}, label) for email, label in stored],
        [IncomingRecord({"email": email}) for email in incoming],
        cap,
    )


def test_an_incoming_record_sharing_a_strong_key_links_to_the_stored_cluster() -> None:
    resolution = run([("ana@x.org", "C1")], ["ana@x.org"])

    [assignment] = resolution.clustering.assignments
    assert (assignment.cluster, assignment.decision) == ("C1", Decision.LINKED)
    assert resolution.pairs_scored == 1


def test_an_incoming_record_blocking_with_nothing_starts_a_new_cluster() -> None:
    resolution = run([("ana@x.org", "C1")], ["bob@x.org"])

    assert resolution.clustering.assignments == [Assignment("new:0", Decision.NEW, 0.0)]
    assert resolution.pairs_scored == 0


def test_two_incoming_duplicates_resolve_into_one_new_cluster() -> None:
    resolution = run([], ["ana@x.org", "ana@x.org"])

    assert [a.cluster for a in resolution.clustering.assignments] == ["new:0", "new:0"]


def test_stored_candidates_are_not_paired_with_each_other() -> None:
    resolution = run([("ana@x.org", "C1"), ("ana@x.org", "C2")], ["bob@x.org"])

    assert resolution.pairs_scored == 0


def test_an_oversized_block_is_reported_and_not_scored() -> None:
    resolution = run([("unknown", "C1"), ("unknown", "C2")], ["unknown"], cap=2)

    assert resolution.capped_keys == {"email:unknown": 3}
    assert resolution.pairs_scored == 0
    assert resolution.clustering.assignments[0].decision is Decision.NEW


# the default customer model, end to end from raw attributes


def customer_resolution(stored: dict[str, str], incoming: dict[str, str]) -> Assignment:
    """Resolve one raw customer record against one stored customer in cluster C1."""
    resolution = resolve(
        CUSTOMER,
        [StoredCandidate(standardize_customer(stored, "ES"), "C1")],
        [IncomingRecord(standardize_customer(incoming, "ES"))],
        block_size_cap=50,
    )
    [assignment] = resolution.clustering.assignments
    return assignment


@pytest.mark.parametrize(
    "variant",
    [
        person(given_name="Pepe", email="", phone=""),
        person(given_name="García", family_name="José", email="", phone=""),
        person(family_name="Garcai", email="", phone=""),
        person(birth_date="1980-01-02", email="", phone=""),
        {"full_name": "José García López", "birth_date": "01/02/1980", "postal_code": "28013"},
    ],
    ids=[
        "nickname",
        "given and family swapped",
        "family typo",
        "day and month swapped",
        "full name",
    ],
)
def test_the_default_customer_model_links_a_variant_of_the_same_person(
    variant: dict[str, str],
) -> None:
    assert customer_resolution(person(), variant).cluster == "C1"


def test_the_default_customer_model_keeps_a_namesake_elsewhere_apart() -> None:
    namesake = person(
        birth_date="1955-11-30",
        email="",
        phone="",
        address_line1="Calle Sol 3",
        postal_code="08001",
        locality="Barcelona",
    )

    assert customer_resolution(person(), namesake).decision is Decision.NEW


def test_the_default_customer_model_keeps_a_sibling_at_the_same_address_apart() -> None:
    sibling = person(
        given_name="Juan",
        birth_date="1983-06-10",
        email="juan.garcia@example.com",
        phone="+34 611 222 333",
    )

    assert customer_resolution(person(), sibling).decision is Decision.NEW
