"""`mdmhub load` refuses a malformed file with exit code 2 and a message naming the line (CSV,
JSON Lines) or row (Parquet) at fault, and writes nothing, on SQLite and on PostgreSQL.

tests/cli/test_load_and_export.py covers a CSV row with the wrong number of fields and a
repeated id; these cover JSON Lines, Parquet, and the CSV faults it does not (encoding, an
unterminated quote), plus a NUL character in each format, which PostgreSQL cannot store:
it is refused like any other fault, before the first chunk is written.
"""

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mdmhub.settings import Settings
from tests.cli.conftest import Run
from tests.reliability._hub import stored_records

ROWS = [
    {"source_id": str(i), "given_name": name, "family_name": "Ruiz", "locality": "Sevilla"}
    for i, name in enumerate(["Ana", "Luis", "Marta", "Pedro", "Lucía", "Javier"], start=1)
]
"""Six rows: `mdmhub load` writes chunks of 3 here, so a fault in the fifth row comes after
a chunk that could have been written."""

MANY = [
    {"source_id": str(i), "given_name": f"Nombre{i}", "family_name": "Ruiz"} for i in range(1, 601)
]
ROW_GROUP = 200


def _fifth_row(**values: Any) -> list[dict[str, Any]]:
    """ROWS with the fifth row's `values` replaced."""
    rows = [*ROWS]
    rows[4] = {**rows[4], **values}
    return rows


def _jsonl(rows: list[dict[str, Any]], extra: tuple[int, str] | None = None) -> bytes:
    """One JSON object a line, with the raw line `extra[1]` inserted at index `extra[0]`."""
    lines = [json.dumps(row) for row in rows]
    if extra is not None:
        lines.insert(*extra)
    return "".join(line + "\n" for line in lines).encode()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def _parquet(rows: list[dict[str, Any]], row_group_size: int = ROW_GROUP) -> bytes:
    data = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), data, row_group_size=row_group_size)
    return data.getvalue()


def _truncated(data: bytes) -> bytes:
    """The first half of the file: the footer, with the schema, is gone."""
    return data[: len(data) // 2]


def _second_row_group_corrupt(data: bytes) -> bytes:
    """The data pages of the second row group (rows 201 to 400) overwritten; the footer
    stays readable."""
    column = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(1).column(1)
    start = int(column.data_page_offset) + 8
    size = min(200, int(column.total_compressed_size) - 8)
    return data[:start] + b"\xab" * size + data[start + size :]


LATIN_1_CSV = "source_id,given_name,family_name\n1,Ana,Ruiz\n2,José,García\n3,Iñaki,Ortiz\n"
"""Spanish data saved as Latin-1, as older systems export it: line 3 is the first that is
not UTF-8."""

UNTERMINATED_QUOTE_CSV = 'source_id,given_name,family_name\n1,Ana,"Ruiz\n2,Luis,Sanz\n3,Marta,Gil\n'
"""A lenient reader would take lines 3 and 4 into the family name of line 2 and load one
record where the file means three."""

MALFORMED = [
    pytest.param(
        "people.jsonl",
        _jsonl(ROWS, extra=(4, '{"source_id": "7", "given_name": "Eva", ')),
        re.escape("people.jsonl, line 5: not valid JSON"),
        id="jsonl-line-not-json",
    ),
    pytest.param(
        "people.jsonl",
        _jsonl(ROWS, extra=(5, '["7", "Eva", "Sanz"]')),
        re.escape("people.jsonl, line 6: each line must be a JSON object"),
        id="jsonl-line-not-an-object",
    ),
    pytest.param(
        "people.jsonl",
        _jsonl(_fifth_row(address={"street": "Calle Luna", "number": 3})),
        re.escape("people.jsonl, line 5: column 'address' holds a nested value"),
        id="jsonl-nested-value",
    ),
    pytest.param(
        "people.csv",
        LATIN_1_CSV.encode("latin-1"),
        re.escape("people.csv, line 3: not UTF-8"),
        id="csv-not-utf8",
    ),
    pytest.param(
        "people.csv",
        UNTERMINATED_QUOTE_CSV.encode(),
        r"people\.csv, line \d+: not valid CSV",
        id="csv-unterminated-quote",
    ),
    pytest.param(
        "people.parquet",
        _truncated(_parquet(MANY)),
        r"people\.parquet, row \d+: not a readable Parquet file",
        id="parquet-truncated",
    ),
    pytest.param(
        "people.parquet",
        _second_row_group_corrupt(_parquet(MANY)),
        # The first row of the row group that cannot be read: rows 1 to 200 are sound.
        re.escape("people.parquet, row 201: not a readable Parquet file"),
        id="parquet-corrupt-page",
    ),
    *(
        pytest.param(
            f"people.{suffix}",
            write(_fifth_row(given_name="Lu\u0000cía")),
            re.escape(f"people.{suffix}, {where}: a value holds a NUL character"),
            id=f"{suffix}-nul-character",
        )
        for suffix, write, where in (
            ("jsonl", _jsonl, "line 5"),
            ("csv", _csv, "line 6"),
            ("parquet", _parquet, "row 5"),
        )
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), MALFORMED)
def test_a_malformed_file_is_refused_with_the_fault_named_and_nothing_is_written(
    mdmhub: Run, settings: Settings, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    result = mdmhub("load", str(path), "--source", "crm", "--entity", "customer")

    said = " ".join(result.output.split())  # rich's line wrapping undone
    assert result.exit_code == 2, result.output
    assert re.search(message, said), said
    assert stored_records(settings.database_url) == []
