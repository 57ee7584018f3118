"""Survivorship: which member's value each golden attribute takes, and why.

Default rule, per attribute: the most trusted source wins; among equally
trusted sources the most recently updated record; ties broken by source and
id so the result never depends on the order members were read in.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

MOST_TRUSTED_THEN_MOST_RECENT = "most_trusted_then_most_recent"


@dataclass(frozen=True, slots=True)
class Member:
    source: str
    source_id: str
    trust: float
    updated_at: datetime
    attributes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SurvivingValue:
    value: str
    source: str
    source_id: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return {
            "value": self.value,
            "source": self.source,
            "source_id": self.source_id,
            "rule": self.rule,
        }


def survive(members: Iterable[Member]) -> dict[str, SurvivingValue]:
    ranked = sorted(
        members,
        key=lambda m: (m.trust, m.updated_at, m.source, m.source_id),
        reverse=True,
    )
    golden: dict[str, SurvivingValue] = {}
    for member in ranked:
        for attribute, value in member.attributes.items():
            if attribute not in golden and value.strip():
                golden[attribute] = SurvivingValue(
                    value, member.source, member.source_id, MOST_TRUSTED_THEN_MOST_RECENT
                )
    return dict(sorted(golden.items()))
