"""Reading source records from CSV, JSON Lines or Parquet files for a bulk load.

A file is checked whole before anything is written, so a malformed file is
refused with the line or row at fault and leaves the hub untouched.
"""

import csv
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import orjson
import pyarrow.parquet as pq
from pydantic import TypeAdapter, ValidationError

from mdmhub.domain.interactions import InteractionInput, check_interaction, normalised
from mdmhub.domain.records import LinkInput, RecordInput
from mdmhub.errors import InvalidInputError
from mdmhub.services.training import LabelledPair

ID_COLUMN_GUESSES = ("source_id", "id")
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


T = TypeVar("T")


def _unit(path: Path) -> str:
    return "row" if path.suffix.lower() == ".parquet" else "line"


class FileFormatError(InvalidInputError):
    """Names the line of a text file, or the row of a Parquet file, at fault."""

    def __init__(self, path: Path, row: int, message: str) -> None:
        super().__init__(f"{path.name}, {_unit(path)} {row}: {message}")
        self.row = row


@dataclass(frozen=True)
class ColumnMapping:
    """How a file's columns become record attributes.

    Columns named like a canonical attribute need no mapping; `renames` maps
    the others (`first_name` -> `given_name`); `skipped` columns are not read
    (a label column, a column of secrets); any column left over is kept as an
    extra attribute under its own name.
    """

    id_column: str | None
    renames: Mapping[str, str]
    skipped: frozenset[str] = frozenset()
    links: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Column -> (entity, role): the column holds the source ids (`|`-separated) of records
    this one refers to, in the same source."""


def file_format(path: Path) -> str:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InvalidInputError(
            f"{path.name}: unknown file type; use one of {', '.join(sorted(SUFFIXES))}"
        ) from None


def _decoded_lines(path: Path, handle: BinaryIO) -> Iterator[str]:
    """Lines decoded one at a time, so a byte that is not UTF-8 is named by its own line."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise FileFormatError(path, number, "not UTF-8 text; save it as UTF-8") from None


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        reader = csv.reader(_decoded_lines(path, handle), skipinitialspace=True, strict=True)
        try:
            header = [name.strip() for name in next(reader, [])]
            if not header or len(set(header)) != len(header):
                raise FileFormatError(path, 1, "the header is missing or names a column twice")
            for values in reader:
                if not values:
                    continue
                if len(values) != len(header):
                    raise FileFormatError(
                        path,
                        reader.line_num,
                        f"{len(values)} fields where the header has {len(header)}",
                    )
                yield reader.line_num, dict(zip(header, values, strict=True))
        except csv.Error as error:
            raise FileFormatError(path, reader.line_num, f"not valid CSV ({error})") from None


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise FileFormatError(path, number, f"not valid JSON ({error})") from None
            if not isinstance(row, dict):
                raise FileFormatError(path, number, "each line must be a JSON object")
            yield number, row


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Row group by row group, so a corrupt group is named by its first row."""
    number = 0
    try:
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            for batch in parquet.iter_batches(batch_size=10_000, row_groups=[group]):
                for row in batch.to_pylist():
                    number += 1
                    yield number, row
    except (OSError, ValueError) as error:
        raise FileFormatError(path, number + 1, f"not a readable Parquet file ({error})") from None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


_ESCAPED_NUL = b"\\u0000"


def _has_nul(row: dict[str, Any]) -> bool:
    """orjson writes a NUL as `\\u0000` in C, many times faster than walking the values in
    Python; the walk confirms a hit (a value may hold the six characters `\\u0000`)."""
    try:
        return _ESCAPED_NUL in orjson.dumps(row, default=str) and _holds_nul(row)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return _holds_nul(row)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's rows, in order; a NUL character (which PostgreSQL cannot store) is refused
    with the rest of the file's faults, before anything is written."""
    for number, row in READERS[file_format(path)](path):
        if _has_nul(row):
            raise FileFormatError(path, number, "a value holds a NUL character (U+0000)")
        yield number, row


READERS = {"csv": _csv_rows, "jsonl": _jsonl_rows, "parquet": _parquet_rows}


def _text(path: Path, row: int, column: str, value: Any) -> str | None:
    if type(value) is str:
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dict | list):
        raise FileFormatError(
            path, row, f"column {column!r} holds a nested value; give plain values"
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _resolve_id_column(path: Path, columns: Mapping[str, Any], mapping: ColumnMapping) -> str:
    if mapping.id_column is not None:
        if mapping.id_column not in columns:
            raise FileFormatError(path, 1, f"no id column {mapping.id_column!r}")
        return mapping.id_column
    for guess in ID_COLUMN_GUESSES:
        if guess in columns:
            return guess
    raise FileFormatError(path, 1, "no id column: name one with --id-column")


def read_records(path: Path, source: str, mapping: ColumnMapping) -> Iterator[RecordInput]:
    """Records in file order; raises FileFormatError at the first bad row."""
    id_column: str | None = None
    first_row_of: dict[str, int] = {}
    for number, row in _rows(path):
        id_column = id_column or _resolve_id_column(path, row, mapping)
        source_id = _text(path, number, id_column, row.get(id_column))
        if not source_id:
            raise FileFormatError(path, number, f"empty id in column {id_column!r}")
        if source_id in first_row_of:
            raise FileFormatError(
                path,
                number,
                f"id {source_id!r} is already at {_unit(path)} {first_row_of[source_id]}",
            )
        first_row_of[source_id] = number
        attributes = {}
        links: list[LinkInput] = []
        for column, value in row.items():
            if column in mapping.skipped or column == id_column:
                continue
            text = _text(path, number, column, value)
            if text is None or not text.strip():
                continue
            if column in mapping.links:
                entity, role = mapping.links[column]
                links.extend(
                    LinkInput(entity, role, source, target.strip())
                    for target in text.split("|")
                    if target.strip()
                )
            else:
                attributes[mapping.renames.get(column, column)] = text
        yield RecordInput(source, source_id, attributes, tuple(links))


def read_labelled_pairs(path: Path) -> list[LabelledPair]:
    """JSON Lines of {"left": {...}, "right": {...}, "label": 0|1}; the label may be absent."""
    pairs = []
    for number, row in _jsonl_rows(path):
        left, right = row.get("left"), row.get("right")
        if not isinstance(left, dict) or not isinstance(right, dict):
            raise FileFormatError(path, number, "need an object with left and right objects")
        pairs.append(
            LabelledPair(
                {k: str(v) for k, v in left.items() if v is not None},
                {k: str(v) for k, v in right.items() if v is not None},
                row.get("label"),
            )
        )
    return pairs


def chunked(items: Iterator[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_file(path: Path, mapping: ColumnMapping) -> int:
    """Read the whole file once; returns its record count or raises FileFormatError."""
    return sum(1 for _ in read_records(path, "", mapping))


_INTERACTION = TypeAdapter(InteractionInput)


def read_interactions(path: Path, source: str) -> Iterator[InteractionInput]:
    """Interactions in file order, one per row, columns named like the REST fields (`source`
    is the one given), held to the same rules as over REST; raises FileFormatError at the
    first row that breaks one, so a whole-file check can run before anything is written."""
    first_row_of: dict[str, int] = {}
    for number, row in _rows(path):
        values = {k: v for k, v in row.items() if v is not None and v != ""}
        extra = values.get("attributes") or {}
        if not isinstance(extra, dict):
            raise FileFormatError(
                path, number, "attributes must be an object (a JSON Lines or Parquet column)"
            )
        values["source"] = source
        values["attributes"] = {k: str(v) for k, v in extra.items() if v is not None}
        try:
            item = normalised(_INTERACTION.validate_python(values))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            raise FileFormatError(path, number, f"{where}: {problem['msg']}") from None
        for broken in check_interaction(item):
            raise FileFormatError(path, number, f"{broken.field} {broken.message}")
        if item.interaction_id in first_row_of:
            raise FileFormatError(
                path,
                number,
                f"interaction {item.interaction_id!r} is already at "
                f"{_unit(path)} {first_row_of[item.interaction_id]}",
            )
        first_row_of[item.interaction_id] = number
        yield item
