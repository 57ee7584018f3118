"""Splink on a quality data set, as its own tutorials set it up, for quality.py's peer columns.

    python bench/splink_peer.py NAME OUT.json

Runs in its own process, so that its seconds count what the hub's `mdmhub load` counts:
starting Python, reading the files, training, predicting and clustering. Writes
{"source\\tsource_id": cluster} to OUT.json. NAME is one of `SETUPS`.

The settings are those of Splink's DuckDB examples for these data sets (blocking rules,
comparisons and training sessions; fake_1000 is its tutorial's data, with the blocking
rules of the tutorial's saved model): the peer as its authors run it. Only the
clustering threshold is ours, chosen with the truth (see `Setup.threshold`), which a hub
in production cannot do: the hub's figures come from the customer model's shipped
thresholds, the same for every data set.
"""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from _harness import DATA

FEBRL = DATA / "febrl"
SPLINK = DATA / "splink"


@dataclass(frozen=True)
class Setup:
    files: dict[str, Path]
    """Source name (as quality.py names it) -> file."""
    id_column: str
    settings: Callable[[], dict[str, Any]]
    deterministic_rules: list[Any]
    recall: float
    u_pairs: float
    em_rules: list[Any]
    em_without_term_frequencies: bool
    threshold: float
    """Match probability at which pairs are clustered: the best F1 of 0.2, 0.5, 0.9, 0.95 and
    0.99 against the truth, so that the peer is measured at its best."""


def _febrl3() -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "blocking_rules_to_generate_predictions": [
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        "comparisons": [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
    }


def _febrl4() -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "blocking_rules_to_generate_predictions": [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ],
        "comparisons": [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
    }


def _fake_1000() -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "blocking_rules_to_generate_predictions": [
            block_on("first_name", "city"),
            block_on("surname"),
            block_on("dob"),
        ],
        "comparisons": [
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.LevenshteinAtThresholds("dob", 1),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
    }


def _historical_50k() -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "blocking_rules_to_generate_predictions": [
            block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode_fake", "first_name"),
            block_on("postcode_fake", "surname"),
            block_on("dob", "birth_place"),
            block_on("substr(postcode_fake,1,3)", "dob"),
            block_on("substr(postcode_fake,1,3)", "first_name"),
            block_on("substr(postcode_fake,1,3)", "surname"),
            block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
        ],
        "comparisons": [
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
    }


SETUPS = {
    "febrl3": Setup(
        {"febrl": FEBRL / "dataset3.csv"},
        "rec_id",
        _febrl3,
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name"
            " and l.date_of_birth = r.date_of_birth",
        ],
        0.9,
        1e6,
        [block_on("date_of_birth"), block_on("postcode")],
        False,
        0.5,
    ),
    "febrl4": Setup(
        {"a": FEBRL / "dataset4a.csv", "b": FEBRL / "dataset4b.csv"},
        "rec_id",
        _febrl4,
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        0.8,
        1e6,
        [block_on("date_of_birth"), block_on("postcode")],
        True,
        0.2,
    ),
    "fake_1000": Setup(
        {"fake": SPLINK / "fake_1000.csv"},
        "unique_id",
        _fake_1000,
        [
            block_on("first_name", "dob"),
            "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
            block_on("email"),
        ],
        0.7,
        2e6,
        [block_on("first_name", "surname"), block_on("dob")],
        False,
        0.5,
    ),
    "historical_50k": Setup(
        {"wiki": SPLINK / "historical_figures_with_errors_50k.parquet"},
        "unique_id",
        _historical_50k,
        [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ],
        0.6,
        1e7,
        [block_on("first_name", "surname"), block_on("dob")],
        True,
        0.95,
    ),
}


def _read(connection: duckdb.DuckDBPyConnection, source: str, path: Path) -> Any:
    """Every column as trimmed text (FEBRL puts a space after each comma), plus the
    source's name and, for Splink's name comparison of the 50k, given and family name
    together."""
    if path.suffix == ".parquet":
        table = connection.read_parquet(str(path))
    else:
        table = connection.read_csv(str(path), all_varchar=True)
    columns = ", ".join(
        f'nullif(trim(cast("{name}" as varchar)), \'\') as "{name.strip()}"'
        for name in table.columns
    )
    extra = ""
    if "first_name" in table.columns and "surname" in table.columns:
        extra = ", trim(first_name) || ' ' || trim(surname) as first_name_surname_concat"
    return table.project(f"{columns}, '{source}' as source_dataset{extra}")


def clusters(name: str) -> dict[str, str]:
    setup = SETUPS[name]
    connection = duckdb.connect()
    database = DuckDBAPI(connection=connection)
    tables = [database.register(_read(connection, s, p)) for s, p in setup.files.items()]
    settings = SettingsCreator(
        unique_id_column_name=setup.id_column,
        source_dataset_column_name="source_dataset",
        **setup.settings(),
    )
    linker = Linker(tables, settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        setup.deterministic_rules, recall=setup.recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=setup.u_pairs, seed=1)
    for rule in setup.em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=setup.em_without_term_frequencies
        )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=setup.threshold
    )
    rows = clustered.as_duckdbpyrelation().select(f"source_dataset, {setup.id_column}, cluster_id")
    return {f"{source}\t{record}": str(cluster) for source, record, cluster in rows.fetchall()}


if __name__ == "__main__":
    name, out = sys.argv[1], Path(sys.argv[2])
    out.write_text(json.dumps(clusters(name)))
