import contextlib
import itertools
import math
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from mdmhub.db.models import MatchModelVersion
from mdmhub.db.session import transaction, write_transaction
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import LinkInput, RecordInput
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.engine.spec import MatchModel
from mdmhub.errors import InvalidInputError
from mdmhub.services import ingest, match_models, training
from mdmhub.services.training import LabelledPair
from mdmhub.settings import Settings
from tests.factories import duplicate_of, people, person, record
from tests.services.conftest import Upsert

CUSTOMER = EntityType.CUSTOMER


def _load(upsert: Upsert, count: int) -> None:
    """`count` customers, a third of them sent twice (as a second source would)."""
    everyone = people(count - count // 3)
    upsert(
        *(record("crm", f"c{i}", **p) for i, p in enumerate(everyone)),
        *(record("shop", f"s{i}", **duplicate_of(p)) for i, p in enumerate(everyone[: count // 3])),
    )


def _labelled(count: int = 10) -> list[LabelledPair]:
    """`count` true pairs (a customer and their duplicate) and `count` neighbours that differ."""
    crowd = people(count + 1)
    return [
        *(LabelledPair(p, duplicate_of(p), 1) for p in crowd[:count]),
        *(LabelledPair(a, b, 0) for a, b in itertools.pairwise(crowd)),
    ]


def _store(settings: Settings, learned: training.Learned) -> training.TrainingOutcome:
    with transaction(settings.database_url) as session:
        return training.store(session, CUSTOMER, learned)


def _train_em(settings: Settings) -> training.TrainingOutcome:
    with transaction(settings.database_url) as session:
        stored = training.stored_records(session, CUSTOMER)
    return _store(settings, training.learn_em(CUSTOMER, settings, stored))


def _train_pairs(settings: Settings, pairs: list[LabelledPair]) -> training.TrainingOutcome:
    return _store(settings, training.learn_from_pairs(CUSTOMER, settings, pairs))


def _current(settings: Settings) -> MatchModel:
    with transaction(settings.database_url) as session:
        return match_models.current_model(session, CUSTOMER, settings)


def _score(settings: Settings, pairs: list[LabelledPair]) -> list[training.PairScore]:
    with transaction(settings.database_url) as session:
        return training.score_labelled_pairs(session, CUSTOMER, settings, pairs)


def _stored_versions(settings: Settings) -> list[tuple[int, str]]:
    with transaction(settings.database_url) as session:
        rows = session.execute(
            select(MatchModelVersion.version, MatchModelVersion.method).order_by(
                MatchModelVersion.version
            )
        )
        return [(row.version, row.method) for row in rows]


def _stored_parameters(settings: Settings) -> list[dict[str, Any]]:
    with transaction(settings.database_url) as session:
        statement = select(MatchModelVersion.parameters).order_by(MatchModelVersion.version)
        return list(session.scalars(statement))


def _levels(model: MatchModel) -> dict[str, list[tuple[str, float, float]]]:
    return {
        c.name: [(level.name, level.m, level.u) for level in c.all_levels[1:]]
        for c in model.comparisons
    }


UNRELATED = LabelledPair(
    person(),
    {
        "given_name": "Ana",
        "family_name": "Ruiz",
        "birth_date": "1990-05-05",
        "locality": "Sevilla",
        "email": "ana.ruiz@correo.es",
    },
)
OBVIOUS_DUPLICATE = LabelledPair(person(), person(given_name="Pepe", email="", phone="600123456"))


def test_em_training_stores_version_1_then_version_2(upsert: Upsert, hub: Settings) -> None:
    _load(upsert, 30)

    first = _train_em(hub)
    second = _train_em(hub)

    assert (first.version, first.method) == (1, "em")
    assert (second.version, second.method) == (2, "em")
    assert first.summary["records"] == 30
    assert _stored_versions(hub) == [(1, "em"), (2, "em")]


def test_training_from_pairs_after_em_stores_the_next_version(
    upsert: Upsert, hub: Settings
) -> None:
    _load(upsert, 30)
    _train_em(hub)

    outcome = _train_pairs(hub, _labelled())

    assert (outcome.version, outcome.method) == (2, "labelled")
    assert outcome.summary == {"pairs": 20, "matches": 10}


def test_em_training_with_fewer_than_ten_records_is_refused_and_stores_nothing(
    upsert: Upsert, hub: Settings
) -> None:
    _load(upsert, 9)

    with pytest.raises(InvalidInputError, match="at least 10 stored customer records, found 9"):
        _train_em(hub)

    assert _stored_versions(hub) == []


def test_training_reads_and_learns_while_another_writer_holds_the_lock(
    upsert: Upsert, hub: Settings
) -> None:
    """Learning takes seconds to minutes; upserts wait for the writer lock, so only storing
    the version may take it."""
    _load(upsert, 12)

    with write_transaction(hub.database_url):
        with transaction(hub.database_url) as session:
            stored = training.stored_records(session, CUSTOMER)
        learned = training.learn_em(CUSTOMER, hub, stored)

    assert _store(hub, learned).version == 1


def test_em_training_counts_live_records_only(upsert: Upsert, hub: Settings) -> None:
    _load(upsert, 10)
    with transaction(hub.database_url) as session:
        ingest.delete_record(session, CUSTOMER, "crm", "c0")

    with pytest.raises(InvalidInputError, match="found 9"):
        _train_em(hub)


def _train_for_load(settings: Settings, incoming: list[RecordInput]) -> training.TrainingOutcome:
    with transaction(settings.database_url) as session:
        after_load = training.records_after_load(session, CUSTOMER, incoming)
    return _store(settings, training.learn_em(CUSTOMER, settings, after_load))


def test_training_for_a_load_counts_a_replaced_record_once(upsert: Upsert, hub: Settings) -> None:
    _load(upsert, 12)
    changed = people(10)[8:]
    incoming = [
        record("crm", "c0", **changed[0]),
        record("crm", "c1", **changed[1]),
        *(record("callcentre", f"k{i}", **p) for i, p in enumerate(people(8))),
    ]

    outcome = _train_for_load(hub, incoming)

    assert (outcome.version, outcome.method) == (1, "em")
    assert outcome.summary["records"] == 12 + 8


REFUSED = {
    "a blank attribute name": record("crm", "bad", **{" ": "a name that is blank"}),
    "an unknown source": record("erp", "e1"),
    "a link the entity cannot have": replace(
        record("crm", "linked"), links=(LinkInput("address", "owner", "crm", "a1"),)
    ),
}


@pytest.mark.parametrize("refused", REFUSED.values(), ids=REFUSED.keys())
def test_training_for_a_load_leaves_out_records_the_load_will_refuse(
    hub: Settings, refused: RecordInput
) -> None:
    good = [record("crm", f"c{i}", **p) for i, p in enumerate(people(10))]

    outcome = _train_for_load(hub, [*good, refused])

    assert outcome.summary["records"] == 10


def test_a_refused_replacement_leaves_the_stored_record_in_training(
    upsert: Upsert, hub: Settings
) -> None:
    _load(upsert, 12)
    incoming = [
        record("crm", "c0", **{" ": "a name that is blank"}),
        *(record("callcentre", f"k{i}", **p) for i, p in enumerate(people(3))),
    ]

    outcome = _train_for_load(hub, incoming)

    assert outcome.summary["records"] == 12 + 3


def test_training_for_a_load_of_too_few_records_is_refused_and_stores_nothing(
    hub: Settings,
) -> None:
    incoming = [record("crm", f"c{i}", **p) for i, p in enumerate(people(9))]

    with pytest.raises(
        InvalidInputError, match="10 customer records, stored and incoming, found 9"
    ):
        _train_for_load(hub, incoming)

    assert _stored_versions(hub) == []


def test_training_for_a_load_learns_what_training_after_it_learns(
    upsert: Upsert, hub: Settings
) -> None:
    """On a hub that already holds records: the file replaces one, sends a deleted one
    again, brings new ones and one the load refuses."""
    _load(upsert, 30)
    with transaction(hub.database_url) as session:
        ingest.delete_record(session, CUSTOMER, "crm", "c3")
    newcomers = people(30)[20:]
    incoming = [
        record("crm", "c5", **newcomers[0]),
        record("callcentre", "k0", **newcomers[1]),
        record("crm", "c3", **newcomers[2]),
        record("crm", "bad", **{" ": "a name that is blank"}),
        *(record("callcentre", f"k{i}", **p) for i, p in enumerate(newcomers[3:], start=1)),
    ]
    before = _train_for_load(hub, incoming)
    upsert(*incoming)

    after = _train_em(hub)

    first, second = _stored_parameters(hub)
    assert (before.version, after.version) == (1, 2)
    assert before.summary["records"] == after.summary["records"] == 30 + 8
    assert first == second


@pytest.mark.parametrize("label", [2, -1, None, "1", 0.5])
def test_supervised_training_refuses_a_label_other_than_0_or_1(hub: Settings, label: Any) -> None:
    pairs = [*_labelled(3), LabelledPair(person(), person(), label)]

    with pytest.raises(InvalidInputError, match="label of 0 or 1"):
        _train_pairs(hub, pairs)

    assert _stored_versions(hub) == []


@pytest.mark.parametrize("label", [0, 1])
def test_supervised_training_refuses_pairs_of_one_class_only(hub: Settings, label: int) -> None:
    pairs = [LabelledPair(p, duplicate_of(p), label) for p in people(5)]

    with pytest.raises(InvalidInputError, match=r"both matches \(1\) and non-matches \(0\)"):
        _train_pairs(hub, pairs)

    assert _stored_versions(hub) == []


def test_without_training_current_model_is_the_shipped_default(hub: Settings) -> None:
    assert _levels(_current(hub)) == _levels(DEFAULT_MODELS[CUSTOMER])


def test_after_em_training_current_model_has_trained_m_and_u(upsert: Upsert, hub: Settings) -> None:
    _load(upsert, 30)

    _train_em(hub)

    default, trained = _levels(DEFAULT_MODELS[CUSTOMER]), _levels(_current(hub))
    assert trained.keys() == default.keys()
    for filled in ("given_name", "family", "birth_date", "email", "phone", "locality"):
        assert trained[filled] != default[filled], filled


def test_em_training_keeps_the_shipped_u_of_an_attribute_no_record_holds(
    upsert: Upsert, hub: Settings
) -> None:
    _load(upsert, 30)  # nobody has a national id

    _train_em(hub)

    shipped = {n: u for n, _, u in _levels(DEFAULT_MODELS[CUSTOMER])["national_id"]}
    trained = {n: u for n, _, u in _levels(_current(hub))["national_id"]}
    assert trained == shipped


def test_after_supervised_training_current_model_has_trained_m_and_u(hub: Settings) -> None:
    _train_pairs(hub, _labelled())

    default, trained = _levels(DEFAULT_MODELS[CUSTOMER]), _levels(_current(hub))
    assert trained["birth_date"] != default["birth_date"]
    assert trained["email"] != default["email"]


def test_the_latest_training_is_the_model_in_force(hub: Settings) -> None:
    _train_pairs(hub, _labelled(10))
    first = _levels(_current(hub))

    _train_pairs(hub, _labelled(4))

    assert _levels(_current(hub)) != first


def test_training_starts_from_the_configured_model_not_the_previous_training(
    hub: Settings,
) -> None:
    _train_pairs(hub, _labelled(10))
    first = _levels(_current(hub))
    _train_pairs(hub, _labelled(4))

    _train_pairs(hub, _labelled(10))

    assert _levels(_current(hub)) == first


def test_an_obvious_duplicate_scores_higher_than_two_unrelated_people(hub: Settings) -> None:
    duplicate, unrelated = _score(hub, [OBVIOUS_DUPLICATE, UNRELATED])

    assert duplicate.score > unrelated.score
    assert (duplicate.decision, unrelated.decision) == ("match", "no-match")


def test_after_supervised_training_a_duplicate_still_scores_higher_than_strangers(
    hub: Settings,
) -> None:
    _train_pairs(hub, _labelled())

    duplicate, unrelated = _score(hub, [OBVIOUS_DUPLICATE, UNRELATED])

    assert duplicate.score > unrelated.score
    assert duplicate.decision == "match"


def test_after_supervised_training_two_unrelated_people_are_not_linked(hub: Settings) -> None:
    _train_pairs(hub, _labelled())

    [unrelated] = _score(hub, [UNRELATED])

    assert unrelated.decision == "no-match"


def _decision(score: float, model: MatchModel) -> str:
    if score >= model.thresholds.upper:
        return "match"
    return "review" if score >= model.thresholds.lower else "no-match"


NAMESAKE = LabelledPair(person(), {"given_name": "José", "family_name": "García"})


def test_decisions_follow_the_thresholds_of_the_model_in_force(hub: Settings) -> None:
    scores = _score(hub, [OBVIOUS_DUPLICATE, NAMESAKE, UNRELATED])

    model = _current(hub)
    assert [s.decision for s in scores] == [_decision(s.score, model) for s in scores]
    assert [s.decision for s in scores] == ["match", "review", "no-match"]


def test_decisions_follow_the_thresholds_of_a_trained_model(hub: Settings) -> None:
    _train_pairs(hub, _labelled())

    scores = _score(hub, [OBVIOUS_DUPLICATE, NAMESAKE, UNRELATED, *_labelled(4)])

    model = _current(hub)
    assert [s.decision for s in scores] == [_decision(s.score, model) for s in scores]


def test_scores_are_probabilities(hub: Settings) -> None:
    scores = _score(hub, [OBVIOUS_DUPLICATE, NAMESAKE, UNRELATED, *_labelled(3)])

    assert all(0.0 <= s.score <= 1.0 for s in scores)


def test_em_training_on_records_sharing_no_blocking_key_leaves_a_usable_model(
    upsert: Upsert, hub: Settings
) -> None:
    upsert(*(record("crm", f"c{i}", **p) for i, p in enumerate(people(10))))

    with contextlib.suppress(InvalidInputError):  # refusing to train on no evidence is fine
        _train_em(hub)

    prior = _current(hub).probability_two_random_records_match
    assert math.isfinite(prior)
    assert 0.0 < prior < 1.0


def test_em_training_hands_on_the_features_it_learned_from(upsert: Upsert, hub: Settings) -> None:
    _load(upsert, 12)
    with transaction(hub.database_url) as session:
        stored = training.stored_records(session, CUSTOMER)
        context = match_models.context(session, CUSTOMER, hub)

    learned = training.learn_em(CUSTOMER, hub, stored)

    assert learned.standardised is not None
    for row in stored.rows:
        assert learned.standardised.features_of(row) == context.standardize(CUSTOMER, row)
