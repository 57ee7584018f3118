"""What matching needs besides the records: the model and the settings it runs with."""

from collections.abc import Mapping
from dataclasses import dataclass

from mdmhub.domain.entities import EntityType
from mdmhub.engine.spec import MatchModel
from mdmhub.engine.standardize.records import standardize


@dataclass(frozen=True)
class MatchContext:
    """What matching needs besides the records: the model and the settings it runs with."""

    model: MatchModel
    phone_region: str
    block_size_cap: int
    extras: tuple[str, ...] = ()
    """Extra attributes the model compares, standardised as `extra:NAME` features."""

    def standardize(self, entity: EntityType, attributes: Mapping[str, str]) -> dict[str, str]:
        return standardize(entity, attributes, self.phone_region, self.extras)
