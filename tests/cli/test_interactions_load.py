"""`mdmhub interactions load`: interactions from CSV or JSON Lines, checked before anything is
written, idempotent on a re-run."""

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.errors import NotFoundError
from mdmhub.services import interactions
from mdmhub.settings import Settings
from tests.cli.conftest import Run
from tests.factories import person

ROWS = [
    {"interaction_id": "o-1", "customer_source_id": "1", "type": "purchase",
     "occurred_at": "2025-03-01T10:00:00", "channel": "web", "amount": "19.99",
     "currency": "EUR", "status": "", "resolved_at": ""},
    {"interaction_id": "c-1", "customer_source_id": "1", "type": "complaint",
     "occurred_at": "2025-03-02T10:00:00Z", "channel": "phone", "amount": "",
     "currency": "", "status": "resolved", "resolved_at": "2025-03-02T16:00:00Z"},
    {"interaction_id": "e-1", "customer_source_id": "2", "type": "enquiry",
     "occurred_at": "2025-03-03T10:00:00+01:00", "channel": "chat", "amount": "",
     "currency": "", "status": "open", "resolved_at": ""},
]  # fmt: skip
"""Three interactions, two customers; with the fixture's chunks of 3, a fourth row starts a
second chunk."""


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def load(mdmhub: Run, path: Path, source: str = "crm") -> Any:
    return mdmhub("interactions", "load", str(path), "--source", source)


def stored(settings: Settings, interaction_id: str) -> dict[str, Any] | None:
    """The stored interaction crm:`interaction_id` and its golden customer, or None."""
    with transaction(settings.database_url) as session:
        try:
            found, golden_id = interactions.get(session, SYSTEM, "crm", interaction_id)
        except NotFoundError:
            return None
        return {
            "customer": (found.customer_source, found.customer_source_id),
            "type": found.type,
            "occurred_at": found.occurred_at,
            "channel": found.channel,
            "amount": found.amount,
            "currency": found.currency,
            "status": found.status,
            "resolved_at": found.resolved_at,
            "attributes": found.attributes,
            "updated_at": found.updated_at,
            "golden_id": golden_id,
        }


def test_csv_rows_load(mdmhub: Run, tmp_path: Path, settings: Settings) -> None:
    result = load(mdmhub, write_csv(tmp_path / "interactions.csv", ROWS))

    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    purchase, complaint = stored(settings, "o-1"), stored(settings, "c-1")
    assert purchase is not None
    assert complaint is not None
    assert purchase["customer"] == ("crm", "1")
    assert (purchase["type"], purchase["channel"]) == ("purchase", "web")
    assert (purchase["amount"], purchase["currency"]) == (Decimal("19.99"), "EUR")
    assert complaint["status"] == "resolved"
    assert complaint["resolved_at"] == datetime(2025, 3, 2, 16, tzinfo=UTC)


def test_a_naive_timestamp_in_a_file_is_taken_as_utc(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    load(mdmhub, write_csv(tmp_path / "interactions.csv", ROWS))

    purchase, enquiry = stored(settings, "o-1"), stored(settings, "e-1")

    assert purchase is not None
    assert enquiry is not None
    assert purchase["occurred_at"] == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert enquiry["occurred_at"] == datetime(2025, 3, 3, 9, tzinfo=UTC)


def test_jsonl_rows_load_with_their_extra_attributes(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    rows: list[dict[str, Any]] = [
        {"interaction_id": "call-1", "customer_source_id": "1", "type": "call",
         "occurred_at": "2025-03-01T10:00:00Z", "attributes": {"agent": "Eva", "minutes": 7}},
        {"interaction_id": "o-9", "customer_source_id": "1", "type": "purchase",
         "occurred_at": "2025-03-01T11:00:00Z", "amount": 5, "currency": "USD"},
    ]  # fmt: skip

    result = load(mdmhub, write_jsonl(tmp_path / "interactions.jsonl", rows))

    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    call, purchase = stored(settings, "call-1"), stored(settings, "o-9")
    assert call is not None
    assert purchase is not None
    assert call["attributes"] == {"agent": "Eva", "minutes": "7"}
    assert (purchase["amount"], purchase["currency"]) == (Decimal(5), "USD")


def test_loaded_interactions_belong_to_the_customers_golden_record(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    customers = write_csv(tmp_path / "customers.csv", [{"id": "1", **person()}])
    assert mdmhub("load", str(customers), "--source", "crm", "--entity", "customer").exit_code == 0

    load(mdmhub, write_csv(tmp_path / "interactions.csv", ROWS))

    purchase, enquiry = stored(settings, "o-1"), stored(settings, "e-1")
    assert purchase is not None
    assert enquiry is not None
    assert purchase["golden_id"] is not None
    assert enquiry["golden_id"] is None


def test_loading_the_same_file_again_changes_nothing(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    path = write_csv(tmp_path / "interactions.csv", [*ROWS, {**ROWS[0], "interaction_id": "o-2"}])
    load(mdmhub, path)
    before = stored(settings, "o-1")

    result = load(mdmhub, path)

    assert result.exit_code == 0, result.output
    assert "4 unchanged" in result.output
    assert "created" not in result.output
    assert stored(settings, "o-1") == before


def test_a_changed_row_is_updated_when_the_file_is_loaded_again(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    load(mdmhub, write_csv(tmp_path / "interactions.csv", ROWS))
    changed = [ROWS[0], {**ROWS[1], "status": "reopened", "resolved_at": ""}, ROWS[2]]

    result = load(mdmhub, write_csv(tmp_path / "interactions.csv", changed))

    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    assert "2 unchanged" in result.output
    complaint = stored(settings, "c-1")
    assert complaint is not None
    assert (complaint["status"], complaint["resolved_at"]) == ("reopened", None)


BAD_ROWS = {
    "unknown type": ({**ROWS[0], "interaction_id": "o-2", "type": "gossip"}, "line 5: type"),
    "no customer": ({**ROWS[2], "interaction_id": "e-2", "customer_source_id": ""},
                    "line 5: customer_source_id"),
    "resolved before it occurred": (
        {**ROWS[1], "interaction_id": "c-2", "resolved_at": "2025-03-01T00:00:00Z"},
        "line 5: resolved_at",
    ),
    "currency not an ISO code": ({**ROWS[0], "interaction_id": "o-2", "currency": "eur"},
                                 "line 5: currency"),
    "over-long id": ({**ROWS[0], "interaction_id": "x" * 201}, "line 5: interaction_id"),
}  # fmt: skip


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_row_breaking_a_rule_is_refused_naming_its_line_and_nothing_is_written(
    mdmhub: Run, tmp_path: Path, settings: Settings, bad: dict[str, str], message: str
) -> None:
    result = load(mdmhub, write_csv(tmp_path / "interactions.csv", [*ROWS, bad]))

    assert result.exit_code == 2
    assert f"interactions.csv, {message}" in result.output
    assert [stored(settings, i) for i in ("o-1", "c-1", "e-1")] == [None, None, None]


def test_a_bad_jsonl_timestamp_is_refused_naming_its_line_and_nothing_is_written(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    rows = [{**ROWS[0], "amount": "1"}, {**ROWS[1], "occurred_at": "yesterday"}]

    result = load(mdmhub, write_jsonl(tmp_path / "interactions.jsonl", rows))

    assert result.exit_code == 2
    assert "interactions.jsonl, line 2: occurred_at" in result.output
    assert stored(settings, "o-1") is None


def test_a_load_from_an_unknown_source_is_refused(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    result = load(mdmhub, write_csv(tmp_path / "interactions.csv", ROWS), source="erp")

    assert result.exit_code == 2
    assert "unknown source 'erp'" in result.output
    assert stored(settings, "o-1") is None


def test_a_repeated_interaction_id_in_a_file_names_both_lines(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    repeat = {**ROWS[0], "amount": "99.00"}

    result = load(mdmhub, write_csv(tmp_path / "interactions.csv", [*ROWS, repeat]))

    assert result.exit_code == 2
    assert "line 5" in result.output
    assert "line 2" in result.output
    assert stored(settings, "o-1") is None


def test_a_files_channel_is_stored_in_lower_case_as_over_rest(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    load(mdmhub, write_csv(tmp_path / "interactions.csv", [{**ROWS[0], "channel": "Web"}]))

    purchase = stored(settings, "o-1")

    assert purchase is not None
    assert purchase["channel"] == "web"


def test_a_csv_attributes_column_is_refused_naming_its_line(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    rows = [{**row, "attributes": "vip"} for row in ROWS]

    result = load(mdmhub, write_csv(tmp_path / "interactions.csv", rows))

    assert result.exit_code == 2
    assert "line 2: attributes" in result.output
