"""Reading files for a bulk load: the NUL check, which PostgreSQL's text columns need."""

import tempfile
from collections.abc import Mapping
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.services.file_records import ColumnMapping, FileFormatError, read_records

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


def _read(row: Mapping[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.jsonl"
        path.write_bytes(orjson.dumps({"id": "1", **row}) + b"\n")
        list(read_records(path, "crm", ColumnMapping(None, {})))


@given(st.dictionaries(TEXT.map(lambda name: f"c_{name}"), TEXT, max_size=6))
def test_a_row_is_refused_exactly_when_one_of_its_values_holds_a_nul(row: dict[str, str]) -> None:
    if any("\x00" in value for value in row.values()):
        with pytest.raises(FileFormatError, match="NUL character"):
            _read(row)
    else:
        _read(row)


def test_a_value_holding_the_escaped_text_of_a_nul_is_read() -> None:
    _read({"note": "\\u0000 is how JSON writes it"})
