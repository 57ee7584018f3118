import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mdmhub.db.session import transaction
from mdmhub.domain.entities import EntityType
from mdmhub.services.golden_view import get_source_record
from mdmhub.settings import Settings, get_settings
from tests.cli.conftest import Run

PEOPLE = [
    {
        "cid": "1",
        "first_name": "José",
        "surname": "García",
        "birth_date": "1980-02-01",
        "city": "Madrid",
        "tier": "gold",
    },
    {
        "cid": "2",
        "first_name": "Pepe",
        "surname": "Garcia",
        "birth_date": "01/02/1980",
        "city": "Madrid",
        "tier": "",
    },
    {
        "cid": "3",
        "first_name": "Ana",
        "surname": "Ruiz",
        "birth_date": "1990-05-05",
        "city": "Sevilla",
        "tier": "silver",
    },
    {
        "cid": "4",
        "first_name": "Luis",
        "surname": "Martín",
        "birth_date": "1971-12-24",
        "city": "Bilbao",
        "tier": "",
    },
]
MAPS = ["--map", "first_name=given_name", "--map", "surname=family_name", "--map", "city=locality"]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _load(mdmhub: Run, path: Path, *extra: str) -> str:
    result = mdmhub(
        "load",
        str(path),
        "--source",
        "crm",
        "--entity",
        "customer",
        "--id-column",
        "cid",
        *MAPS,
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.output


def _xref(mdmhub: Run) -> list[dict[str, str]]:
    result = mdmhub("export", "xref", "--entity", "customer")
    assert result.exit_code == 0
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_csv_load_maps_columns_and_matches_duplicates(mdmhub: Run, tmp_path: Path) -> None:
    _load(mdmhub, _write_csv(tmp_path / "people.csv", PEOPLE))

    rows = _xref(mdmhub)
    golden = {row["source_id"]: row["golden_id"] for row in rows}
    assert list(rows[0]) == ["entity", "source", "source_id", "golden_id"]
    assert golden["1"] == golden["2"]
    assert len({golden["1"], golden["3"], golden["4"]}) == 3


def test_columns_that_are_not_attributes_are_kept_as_extras(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    _load(mdmhub, _write_csv(tmp_path / "people.csv", PEOPLE))

    with transaction(settings.database_url) as session:
        record = get_source_record(session, EntityType.CUSTOMER, "crm", "1")
        assert record.attributes["tier"] == "gold"
        assert record.attributes["given_name"] == "José"


def test_jsonl_and_parquet_load_like_csv(mdmhub: Run, tmp_path: Path) -> None:
    jsonl = tmp_path / "people.jsonl"
    jsonl.write_text("\n".join(json.dumps(row) for row in PEOPLE[:2]) + "\n")
    parquet = tmp_path / "people.parquet"
    pq.write_table(pa.Table.from_pylist(PEOPLE[2:]), parquet)

    _load(mdmhub, jsonl)
    _load(mdmhub, parquet)

    assert sorted(row["source_id"] for row in _xref(mdmhub)) == ["1", "2", "3", "4"]


def test_loading_the_same_file_again_changes_nothing(mdmhub: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", PEOPLE)
    _load(mdmhub, path)
    before = _xref(mdmhub)

    output = _load(mdmhub, path)

    assert "4 unchanged" in output
    assert _xref(mdmhub) == before


def test_rerunning_an_interrupted_load_finishes_it_without_duplicates(
    mdmhub: Run, tmp_path: Path
) -> None:
    _load(mdmhub, _write_csv(tmp_path / "first-chunk.csv", PEOPLE[:3]))

    output = _load(mdmhub, _write_csv(tmp_path / "people.csv", PEOPLE))

    assert "3 unchanged" in output
    assert sorted(row["source_id"] for row in _xref(mdmhub)) == ["1", "2", "3", "4"]


def test_a_first_load_past_its_worker_s_share_links_the_records_after_it_to_those_before(
    mdmhub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MDMHUB_FIRST_LOAD_RECORDS", "3")
    get_settings.cache_clear()
    duplicate_last = [PEOPLE[0], PEOPLE[2], PEOPLE[3], PEOPLE[1]]

    _load(mdmhub, _write_csv(tmp_path / "people.csv", duplicate_last))

    golden = {row["source_id"]: row["golden_id"] for row in _xref(mdmhub)}
    assert golden["2"] == golden["1"]
    assert len(set(golden.values())) == 3


def test_a_malformed_csv_names_the_row_and_writes_nothing(mdmhub: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", PEOPLE)
    path.write_text(path.read_text() + "5,Eva,Sanz,1999-01-01,Toledo,gold,EXTRA\n")

    result = mdmhub(
        "load", str(path), "--source", "crm", "--entity", "customer", "--id-column", "cid"
    )

    assert result.exit_code == 2
    assert "line 6: 7 fields where the header has 6" in result.output
    assert _xref(mdmhub) == []


def test_a_repeated_id_in_a_file_names_both_rows(mdmhub: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", [*PEOPLE, PEOPLE[0]])

    result = mdmhub(
        "load", str(path), "--source", "crm", "--entity", "customer", "--id-column", "cid"
    )

    assert result.exit_code == 2
    assert "line 6: id '1' is already at line 2" in result.output


def test_a_load_from_an_unknown_source_is_refused(mdmhub: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", PEOPLE)

    result = mdmhub("load", str(path), "--source", "erp", "--entity", "customer")

    assert result.exit_code == 2
    assert "unknown source 'erp'" in result.output


def test_a_map_to_an_unknown_attribute_is_refused(mdmhub: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", PEOPLE)

    result = mdmhub(
        "load", str(path), "--source", "crm", "--entity", "customer", "--map", "city=town"
    )

    assert result.exit_code == 2
    assert "'town' is not a customer attribute" in result.output


def test_export_xref_writes_a_file(mdmhub: Run, tmp_path: Path) -> None:
    _load(mdmhub, _write_csv(tmp_path / "people.csv", PEOPLE))
    output = tmp_path / "xref.csv"

    assert mdmhub("export", "xref", "--output", str(output)).exit_code == 0

    assert output.read_text().splitlines()[0] == "entity,source,source_id,golden_id"
    assert len(output.read_text().splitlines()) == 5


def test_the_blocking_report_gives_recall_against_a_label_column(
    mdmhub: Run, tmp_path: Path
) -> None:
    rows = [{**row, "person": "p1" if row["cid"] in ("1", "2") else row["cid"]} for row in PEOPLE]
    _load(mdmhub, _write_csv(tmp_path / "people.csv", rows))

    result = mdmhub("blocking-report", "--entity", "customer", "--truth-attribute", "person")

    assert result.exit_code == 0
    assert "blocking recall: 1.0000 of 1 true pairs (4 records)" in result.stdout
