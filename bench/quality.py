"""Match quality on the labelled data in ../shared/data, through the hub's own path.

    python bench/quality.py [--only NAME ...]

For each person data set: a fresh SQLite database, `mdmhub load` of every
file (timed, with peak memory), `mdmhub export xref`, then pairwise precision,
recall and F1 of the golden records against the truth (for two-file linkage,
cross-source pairs only).
"""

import argparse
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from mdmhub.engine.evaluation import pairwise_scores

from _harness import DATA, cli, fresh_database, timed_cli

FEBRL_MAP = {
    "surname": "family_name",
    "street_number": "house_number",
    "address_1": "address_line1",
    "address_2": "address_line2",
    "suburb": "locality",
    "postcode": "postal_code",
    "state": "region",
    "date_of_birth": "birth_date",
    "soc_sec_id": "national_id",
}
SPLINK_MAP = {
    "first_name": "given_name",
    "surname": "family_name",
    "dob": "birth_date",
    "city": "locality",
    "birth_place": "locality",
    "postcode_fake": "postal_code",
}


def _febrl_entity(rec_id: str) -> str:
    match = re.match(r"rec-(\d+)-", rec_id)
    assert match, rec_id
    return match.group(1)


def _csv_truth(
    path: Path, id_column: str, truth: Callable[[dict[str, str]], str]
) -> dict[str, str]:
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, skipinitialspace=True)
        return {row[id_column].strip(): truth(row) for row in rows}


def _parquet_truth(path: Path) -> dict[str, str]:
    table = pq.read_table(path, columns=["unique_id", "cluster"])
    return dict(zip(table["unique_id"].to_pylist(), table["cluster"].to_pylist(), strict=True))


@dataclass
class DataSet:
    name: str
    files: dict[str, Path]
    """Source name -> file."""
    id_column: str
    mapping: dict[str, str]
    truth: Callable[[Path], dict[str, str]]
    skip: list[str] = field(default_factory=list)
    linkage: bool = False


DATA_SETS = [
    DataSet(
        "febrl3",
        {"febrl": DATA / "febrl" / "dataset3.csv"},
        "rec_id",
        FEBRL_MAP,
        lambda p: _csv_truth(p, "rec_id", lambda r: _febrl_entity(r["rec_id"])),
    ),
    DataSet(
        "febrl4",
        {"a": DATA / "febrl" / "dataset4a.csv", "b": DATA / "febrl" / "dataset4b.csv"},
        "rec_id",
        FEBRL_MAP,
        lambda p: _csv_truth(p, "rec_id", lambda r: _febrl_entity(r["rec_id"])),
        linkage=True,
    ),
    DataSet(
        "fake_1000",
        {"fake": DATA / "splink" / "fake_1000.csv"},
        "unique_id",
        SPLINK_MAP,
        lambda p: _csv_truth(p, "unique_id", lambda r: r["cluster"]),
        skip=["cluster"],
    ),
    DataSet(
        "historical_50k",
        {"wiki": DATA / "splink" / "historical_figures_with_errors_50k.parquet"},
        "unique_id",
        SPLINK_MAP,
        _parquet_truth,
        skip=["cluster"],
    ),
]


def _columns(path: Path) -> set[str]:
    if path.suffix == ".parquet":
        return set(pq.read_schema(path).names)
    with path.open(newline="") as handle:
        return {name.strip() for name in next(csv.reader(handle))}


def run(data: DataSet) -> tuple[int, float, int, float, float, float]:
    with fresh_database("sqlite") as url:
        seconds = 0.0
        peak = 0
        truth: dict[tuple[str, str], str] = {}
        for source, path in data.files.items():
            cli(url, "sources", "add", source, "--trust", "0.5")
            present = _columns(path)
            maps = [
                arg
                for column, attribute in data.mapping.items()
                if column in present
                for arg in ("--map", f"{column}={attribute}")
            ]
            skips = [arg for column in data.skip for arg in ("--skip", column)]
            took, memory = timed_cli(
                url, "load", str(path), "--source", source, "--entity", "customer",
                "--id-column", data.id_column, *maps, *skips,
            )  # fmt: skip
            seconds += took
            peak = max(peak, memory)
            truth.update(((source, k), v) for k, v in data.truth(path).items())
        xref = csv.DictReader(io.StringIO(cli(url, "export", "xref", "--entity", "customer")))
        predicted = {(row["source"], row["source_id"]): row["golden_id"] for row in xref}
    scores = pairwise_scores(
        truth, predicted, {key: key[0] for key in truth} if data.linkage else None
    )
    return len(truth), seconds, peak, scores.precision, scores.recall, scores.f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="data set names to run")
    args = parser.parse_args()
    print(f"{'data':<16} {'records':>8} {'seconds':>8} {'peak MiB':>9} "
          f"{'precision':>9} {'recall':>7} {'F1':>6}")  # fmt: skip
    for data in DATA_SETS:
        if args.only and data.name not in args.only:
            continue
        records, seconds, peak, precision, recall, f1 = run(data)
        print(f"{data.name:<16} {records:>8,} {seconds:>8.1f} {peak:>9,} "
              f"{precision:>9.4f} {recall:>7.4f} {f1:>6.4f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
