"""Training match models from the stored records (EM) or from labelled pairs, and scoring pairs.

Training always starts from the configured model (shipped default plus config file),
not from the previous training, so a run never compounds an earlier run's errors.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import RecordInput
from mdmhub.engine.scoring import feature_columns, score_pairs
from mdmhub.engine.spec import MatchModel
from mdmhub.engine.training import TrainedParameters, train_supervised, train_unsupervised
from mdmhub.errors import InvalidInputError
from mdmhub.services import ingest, match_models
from mdmhub.services.match_context import Standardised
from mdmhub.settings import Settings

Attributes = Mapping[str, str]

MIN_RECORDS = 10


@dataclass(frozen=True)
class LabelledPair:
    left: Attributes
    right: Attributes
    label: int | None = None


@dataclass(frozen=True)
class TrainingOutcome:
    version: int
    method: str
    summary: dict[str, Any]


def _features(
    entity: EntityType, model: MatchModel, settings: Settings, rows: Sequence[Attributes]
) -> list[dict[str, str]]:
    context = match_models.context_for(model, settings)
    return [context.standardize(entity, row) for row in rows]


@dataclass(frozen=True)
class TrainingSet:
    """The records EM learns from, as attributes, and what they are (for the error when
    there are too few)."""

    rows: Sequence[Attributes]
    described: str


def stored_records(session: Session, entity: EntityType) -> TrainingSet:
    """The live records in id order, read as `records_after_load` reads them (training
    needs their attributes only, not the features `live_records` decodes)."""
    rows = [r.attributes for r in records_repo.contents(session, entity.value) if not r.deleted]
    return TrainingSet(rows, f"stored {entity.value} records")


def records_after_load(
    session: Session, entity: EntityType, incoming: Sequence[RecordInput]
) -> TrainingSet:
    """The records the hub will hold once `incoming` is loaded, in the order
    `stored_records` would read them then (so both learn the same model): the stored
    records, each as the load will leave it, then the new ones in the order they come.
    A first big load is then matched once, with trained weights, instead of loaded,
    trained and re-matched. `incoming` holds each record once, as a loaded file does."""
    known_sources = sources_repo.trust_by_name(session, {r.source for r in incoming})
    accepted = {
        (r.source, r.source_id): r.attributes
        for r in incoming
        if not ingest.refusals(entity, r, known_sources)
    }
    rows: list[Attributes] = []
    for stored in records_repo.contents(session, entity.value):
        arriving = accepted.pop((stored.source, stored.source_id), None)
        if arriving is not None:
            rows.append(arriving)
        elif not stored.deleted:
            rows.append(stored.attributes)
    rows.extend(accepted.values())
    return TrainingSet(rows, f"{entity.value} records, stored and incoming")


@dataclass(frozen=True)
class Learned:
    """A model learned and not yet stored: learning reads and computes for seconds to
    minutes, which must not hold the writer lock that upserts wait for."""

    method: str
    parameters: TrainedParameters
    summary: dict[str, Any]
    standardised: Standardised | None = None
    """The records EM learned from, standardised: a load matching them next reuses them."""


def learn_em(
    entity: EntityType, settings: Settings, records: TrainingSet, seed: int = 0
) -> Learned:
    if len(records.rows) < MIN_RECORDS:
        raise InvalidInputError(
            f"EM training needs at least {MIN_RECORDS} {records.described}, "
            f"found {len(records.rows)}; load data first or train from labelled pairs"
        )
    model = match_models.configured_model(entity, settings)
    features = _features(entity, model, settings, records.rows)
    report = train_unsupervised(model, features, block_size_cap=settings.block_size_cap, seed=seed)
    summary = {
        "records": report.records,
        "blocked_pairs": report.blocked_pairs,
        "sessions": report.sessions,
        "probability_two_random_records_match": (
            report.parameters.probability_two_random_records_match
        ),
    }
    return Learned("em", report.parameters, summary, Standardised(records.rows, features))


def learn_from_pairs(
    entity: EntityType, settings: Settings, pairs: Sequence[LabelledPair]
) -> Learned:
    labels = [p.label for p in pairs]
    if any(label not in (0, 1) for label in labels):
        raise InvalidInputError("every labelled pair needs a label of 0 or 1")
    if not (0 in labels and 1 in labels):
        raise InvalidInputError("labelled pairs need both matches (1) and non-matches (0)")
    model = match_models.configured_model(entity, settings)
    parameters = train_supervised(
        model,
        _features(entity, model, settings, [p.left for p in pairs]),
        _features(entity, model, settings, [p.right for p in pairs]),
        [int(label) for label in labels if label is not None],
    )
    summary = {"pairs": len(pairs), "matches": sum(1 for label in labels if label == 1)}
    return Learned("labelled", parameters, summary)


def store(session: Session, entity: EntityType, learned: Learned) -> TrainingOutcome:
    """Store the learned model as the entity's next version: the one in force from now."""
    version = match_models.save(
        session, entity, learned.parameters, learned.method, learned.summary
    )
    return TrainingOutcome(version, learned.method, learned.summary)


@dataclass(frozen=True)
class PairScore:
    score: float
    decision: str


def score_labelled_pairs(
    session: Session, entity: EntityType, settings: Settings, pairs: Sequence[LabelledPair]
) -> list[PairScore]:
    """Match probability and decision per pair, with the model in force."""
    model = match_models.current_model(session, entity, settings)
    features = [
        *_features(entity, model, settings, [p.left for p in pairs]),
        *_features(entity, model, settings, [p.right for p in pairs]),
    ]
    count = len(pairs)
    scored = score_pairs(
        model,
        feature_columns(features, model.features()),
        np.arange(count),
        np.arange(count, 2 * count),
    )
    return [PairScore(p, model.thresholds.decision(p)) for p in scored.probability.tolist()]
