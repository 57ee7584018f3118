"""Which match model is in force: the shipped default, the config file's overrides,
then the latest trained parameters stored in the database."""

import tomllib
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import MatchModelVersion
from mdmhub.db.repositories import match_models as models_repo
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.engine.model_config import ModelConfigError, apply_overrides, extra_attributes
from mdmhub.engine.spec import MatchModel
from mdmhub.engine.training import TrainedParameters, apply
from mdmhub.errors import InvalidInputError
from mdmhub.services import audit
from mdmhub.services.match_context import MatchContext
from mdmhub.settings import Settings


@lru_cache(maxsize=8)
def _config(path: Path | None, modified: float) -> Mapping[str, Any]:
    """The parsed config file; `modified` (its mtime) makes an edited file be read again."""
    if path is None:
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise InvalidInputError(f"model config {path} cannot be read: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInputError(f"model config {path}: must be a table of entities")
    unknown = set(data) - {e.value for e in EntityType}
    if unknown:
        raise InvalidInputError(
            f"model config {path}: unknown entities {sorted(unknown)}; "
            f"use {', '.join(e.value for e in EntityType)}"
        )
    return data


def configured_model(entity: EntityType, settings: Settings) -> MatchModel:
    """The shipped model with the config file's overrides for this entity."""
    path = settings.model_config_file
    if path is not None and not path.is_file():
        raise InvalidInputError(f"model config file {path} does not exist")
    return _configured(entity, path, path.stat().st_mtime if path else 0.0)


@lru_cache(maxsize=32)
def _configured(entity: EntityType, path: Path | None, modified: float) -> MatchModel:
    try:
        return apply_overrides(
            DEFAULT_MODELS[entity], _config(path, modified).get(entity.value, {})
        )
    except ModelConfigError as error:
        raise InvalidInputError(f"model config {path}: {error}") from None


_TRAINED: dict[tuple[MatchModel, str, int, datetime], MatchModel] = {}
"""(configured model, database, version id, trained at) -> the trained model: rebuilding
it from its JSON (term-frequency tables included) took milliseconds on every request."""


def current_model(session: Session, entity: EntityType, settings: Settings) -> MatchModel:
    model = configured_model(entity, settings)
    stamp = models_repo.latest_stamp(session, entity.value)
    if stamp is None:
        return model
    key = (model, settings.database_url, *stamp)
    if key not in _TRAINED:
        stored = models_repo.get(session, stamp[0])
        if len(_TRAINED) >= 16:
            _TRAINED.clear()
        _TRAINED[key] = apply(model, TrainedParameters.from_dict(stored.parameters))
    return _TRAINED[key]


def context(session: Session, entity: EntityType, settings: Settings) -> MatchContext:
    """The model in force, with the settings matching runs with."""
    return context_for(current_model(session, entity, settings), settings)


def context_for(model: MatchModel, settings: Settings) -> MatchContext:
    return MatchContext(
        model=model,
        phone_region=settings.default_phone_region,
        block_size_cap=settings.block_size_cap,
        extras=extra_attributes(model),
    )


def save(
    session: Session,
    entity: EntityType,
    parameters: TrainedParameters,
    method: str,
    summary: Mapping[str, Any],
) -> int:
    """Store trained parameters as the entity's next version; returns that version."""
    version = models_repo.latest_version(session, entity.value) + 1
    models_repo.add(
        session,
        MatchModelVersion(
            entity=entity.value,
            version=version,
            method=method,
            parameters=parameters.as_dict(),
            summary=dict(summary),
            trained_at=utcnow(),
        ),
    )
    audit.record(
        session,
        SYSTEM,
        "model.train",
        entity=entity.value,
        target=f"version {version}",
        detail={"method": method, **summary},
    )
    return version
