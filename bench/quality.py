"""Match quality on the labelled data in ../shared/data, through the hub's own commands.

    python bench/quality.py [--only NAME ...]

Person data sets, each loaded twice into a fresh SQLite database, then `mdmhub export
xref`: pairwise precision, recall and F1 of the golden records against the truth (for
two-file linkage, cross-source pairs only). "Default model": `mdmhub load` of every file
with the shipped model. The trained figures: the same loads, the last with `--train`
(EM on all the records before matching them); seconds and peak memory are those loads'.

Synthetic population (`bench/population.py`, 10,000 customers, seed 42): the files
read360.py loads, through the same commands (`mdmhub sources add`, `mdmhub load` of
addresses, products, then customers with their links), then train and rematch per entity;
customers and addresses are each scored against the generator's `truth.csv` (every source's
records of one real customer or address are one entity).

Product pair sets (Magellan): `mdmhub train --pairs` on train + valid, then
`mdmhub score-pairs` on test; F1 of the "match" decisions.

When Splink is installed (`pip install -e '.[bench]'`), each person data set it has an
example for is also run through Splink in the same run (`splink_peer.py`, its own
process), scored against the same truth, and printed with its seconds and the ratios.
"""

import argparse
import csv
import importlib.util
import io
import json
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from mdmhub.engine.evaluation import PairwiseScores, pairwise_scores
from population import ID_COLUMNS, SOURCES, generate

from _harness import DATA, cli, fresh_database, timed, timed_cli

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
    model_config: Path | None = None
    """A match-model override file (MDMHUB_MODEL_CONFIG_FILE) for this data set."""
    peer: str | None = None
    """Splink's setup for these files (`splink_peer.SETUPS`), if it has one."""


def _historical(name: str, model_config: Path | None = None) -> DataSet:
    return DataSet(
        name,
        {"wiki": DATA / "splink" / "historical_figures_with_errors_50k.parquet"},
        "unique_id",
        SPLINK_MAP,
        _parquet_truth,
        skip=["cluster"],
        model_config=model_config,
        peer="historical_50k",
    )


DATA_SETS = [
    DataSet(
        "febrl3",
        {"febrl": DATA / "febrl" / "dataset3.csv"},
        "rec_id",
        FEBRL_MAP,
        lambda p: _csv_truth(p, "rec_id", lambda r: _febrl_entity(r["rec_id"])),
        peer="febrl3",
    ),
    DataSet(
        "febrl4",
        {"a": DATA / "febrl" / "dataset4a.csv", "b": DATA / "febrl" / "dataset4b.csv"},
        "rec_id",
        FEBRL_MAP,
        lambda p: _csv_truth(p, "rec_id", lambda r: _febrl_entity(r["rec_id"])),
        linkage=True,
        peer="febrl4",
    ),
    DataSet(
        "fake_1000",
        {"fake": DATA / "splink" / "fake_1000.csv"},
        "unique_id",
        SPLINK_MAP,
        lambda p: _csv_truth(p, "unique_id", lambda r: r["cluster"]),
        skip=["cluster"],
        peer="fake_1000",
    ),
    _historical("historical_50k"),
    _historical(
        "historical_50k+occupation",
        Path(__file__).parent / "models" / "historical_figures.toml",
    ),
]


def _columns(path: Path) -> set[str]:
    if path.suffix == ".parquet":
        return set(pq.read_schema(path).names)
    with path.open(newline="") as handle:
        return {name.strip() for name in next(csv.reader(handle))}


@dataclass(frozen=True)
class Clusters:
    """(source, source id) -> cluster, as one run left them, with its seconds and peak MiB."""

    of_record: dict[tuple[str, str], str]
    seconds: float
    peak_mib: int


@dataclass(frozen=True)
class PeerOutcome:
    seconds: float
    peak_mib: int
    scores: PairwiseScores


@dataclass(frozen=True)
class Outcome:
    records: int
    seconds: float
    peak_mib: int
    default_model: PairwiseScores
    trained: PairwiseScores
    peer: PeerOutcome | None = None


SPLINK_INSTALLED = importlib.util.find_spec("splink") is not None


def run(data: DataSet, peer_runs: dict[str, Clusters]) -> Outcome:
    """`peer_runs` keeps Splink's run per setup: two data sets of the same files run it once."""
    if data.model_config is not None:
        os.environ["MDMHUB_MODEL_CONFIG_FILE"] = str(data.model_config)
    else:
        os.environ.pop("MDMHUB_MODEL_CONFIG_FILE", None)
    truth: dict[tuple[str, str], str] = {}
    for source, path in data.files.items():
        truth.update(((source, k), v) for k, v in data.truth(path).items())
    source_of = {key: key[0] for key in truth} if data.linkage else None
    default_model = _load_all(data, train=False)
    trained = _load_all(data, train=True)
    peer = None
    if data.peer is not None and SPLINK_INSTALLED:
        if data.peer not in peer_runs:
            peer_runs[data.peer] = _splink(data.peer)
        done = peer_runs[data.peer]
        peer = PeerOutcome(
            done.seconds, done.peak_mib, pairwise_scores(truth, done.of_record, source_of)
        )
    return Outcome(
        len(truth),
        trained.seconds,
        trained.peak_mib,
        pairwise_scores(truth, default_model.of_record, source_of),
        pairwise_scores(truth, trained.of_record, source_of),
        peer,
    )


def _splink(setup: str) -> Clusters:
    """Splink's run of `setup` (`splink_peer.py`) in a process of its own, as a load is."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "clusters.json"
        seconds, peak = timed(
            [sys.executable, str(Path(__file__).parent / "splink_peer.py"), setup, str(out)]
        )
        keyed: dict[str, str] = json.loads(out.read_text())
    clusters = {}
    for key, cluster in keyed.items():
        source, _, record = key.partition("\t")
        clusters[(source, record)] = cluster
    return Clusters(clusters, seconds, peak)


def _load_all(data: DataSet, train: bool) -> Clusters:
    """Golden ids after loading every file into a fresh database, seconds and peak MiB; with
    `train`, the last file's load first trains the model on all the records (`--train`)."""
    with fresh_database("sqlite") as url:
        seconds = 0.0
        peak = 0
        last = list(data.files)[-1]
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
            training = ["--train"] if train and source == last else []
            took, memory = timed_cli(
                url, "load", str(path), "--source", source, "--entity", "customer",
                "--id-column", data.id_column, *maps, *skips, *training,
            )  # fmt: skip
            seconds += took
            peak = max(peak, memory)
        return Clusters(_xref(url, "customer"), seconds, peak)


def _train_and_rematch(url: str, entity: str) -> tuple[float, int]:
    """Seconds and peak MiB of `mdmhub train` (EM) then `mdmhub rematch` for `entity`."""
    seconds, peak = 0.0, 0
    for step in ("train", "rematch"):
        took, memory = timed_cli(url, step, "--entity", entity)
        seconds += took
        peak = max(peak, memory)
    return seconds, peak


def _xref(url: str, entity: str) -> dict[tuple[str, str], str]:
    rows = csv.DictReader(io.StringIO(cli(url, "export", "xref", "--entity", entity)))
    return {(row["source"], row["source_id"]): row["golden_id"] for row in rows}


POPULATION_CUSTOMERS = 10_000
POPULATION_SEED = 42
POPULATION_SETS = {"population-customers": "customer", "population-addresses": "address"}
"""Data set name -> the entity of the synthetic population it scores."""


def _population_truth(path: Path) -> dict[str, dict[tuple[str, str], str]]:
    """Entity -> (source, source id) -> the real thing the record describes."""
    truth: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            truth[row["entity"]][(row["source"], row["source_id"])] = row["key"]
    return truth


def run_population(entities: Sequence[str]) -> dict[str, Outcome]:
    """Generate the population, load it as read360.py does (interactions aside: they do not
    take part in matching), then per entity score, train, rematch and score again."""
    os.environ.pop("MDMHUB_MODEL_CONFIG_FILE", None)
    with tempfile.TemporaryDirectory() as folder, fresh_database("sqlite") as url:
        files = generate(Path(folder), POPULATION_CUSTOMERS, POPULATION_SEED, lambda _: None)
        for source, trust in SOURCES.items():
            cli(url, "sources", "add", source, "--trust", str(trust))
        seconds: dict[str, float] = defaultdict(float)
        peak: dict[str, int] = defaultdict(int)
        for source, entity, path, links in files.loads:
            column = ID_COLUMNS.get((source, entity))
            options = ["--id-column", column] if column else []
            took, memory = timed_cli(
                url, "load", str(path), "--source", source, "--entity", entity, *options, *links
            )
            seconds[entity] += took
            peak[entity] = max(peak[entity], memory)
        truth = _population_truth(files.truth)
        outcomes = {}
        for entity in entities:
            before = _xref(url, entity)
            took, memory = _train_and_rematch(url, entity)
            outcomes[entity] = Outcome(
                len(truth[entity]),
                seconds[entity] + took,
                max(peak[entity], memory),
                pairwise_scores(truth[entity], before),
                pairwise_scores(truth[entity], _xref(url, entity)),
            )
    return outcomes


MAGELLAN_COLUMNS = {
    "title": "name",
    "manufacturer": "manufacturer",
    "brand": "brand",
    "modelno": "model_number",
    "category": "category",
    "price": "price",
}


def _magellan_record(serialised: str) -> dict[str, str]:
    """`COL title VAL ... COL price VAL ...` as product attributes."""
    record = {}
    for part in serialised.split("COL ")[1:]:
        column, _, value = part.partition(" VAL ")
        if value.strip():
            record[MAGELLAN_COLUMNS[column.strip()]] = value.strip()
    return record


def _magellan_pairs(paths: list[Path], target: Path) -> list[int]:
    labels = []
    with target.open("wb") as out:
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                left, right, label = line.split("\t")
                labels.append(int(label))
                row = {
                    "left": _magellan_record(left),
                    "right": _magellan_record(right),
                    "label": int(label),
                }
                out.write(json.dumps(row).encode() + b"\n")
    return labels


def run_products(name: str) -> tuple[int, float, PairwiseScores]:
    folder = DATA / "magellan" / name
    with fresh_database("sqlite") as url, tempfile.TemporaryDirectory() as work:
        train_file, test_file = Path(work) / "train.jsonl", Path(work) / "test.jsonl"
        _magellan_pairs([folder / "train.txt", folder / "valid.txt"], train_file)
        labels = _magellan_pairs([folder / "test.txt"], test_file)
        seconds, _ = timed_cli(url, "train", "--entity", "product", "--pairs", str(train_file))
        lines = cli(url, "score-pairs", "--entity", "product", str(test_file)).splitlines()
    decisions = [json.loads(line)["decision"] == "match" for line in lines]
    correct = sum(1 for d, y in zip(decisions, labels, strict=True) if d and y)
    scores = PairwiseScores(
        true_pairs=sum(labels), predicted_pairs=sum(decisions), correct_pairs=correct
    )
    return len(labels), seconds, scores


def _print_outcome(name: str, outcome: Outcome) -> None:
    scores, peer = outcome.trained, outcome.peer
    versus = ""
    if peer is not None:
        versus = (
            f" {peer.scores.f1:>9.4f} {peer.seconds:>9.1f} {peer.peak_mib:>8,}"
            f" {scores.f1 / peer.scores.f1:>8.3f} {outcome.seconds / peer.seconds:>6.2f}"
        )
    print(f"{name:<26} {outcome.records:>8,} {outcome.seconds:>8.1f} "
          f"{outcome.peak_mib:>9,} {outcome.default_model.f1:>10.4f} "
          f"{scores.precision:>9.4f} {scores.recall:>7.4f} {scores.f1:>6.4f}{versus}",
          flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="data set names to run")
    args = parser.parse_args()
    peer_columns = (f" {'Splink F1':>9} {'Splink s':>9} {'Splink MiB':>8} {'F1 ratio':>8}"
                    f" {'time ratio':>6}") if SPLINK_INSTALLED else ""  # fmt: skip
    print(f"{'data':<26} {'records':>8} {'seconds':>8} {'peak MiB':>9} {'F1 default':>10} "
          f"{'precision':>9} {'recall':>7} {'F1':>6}{peer_columns}")  # fmt: skip
    peer_runs: dict[str, Clusters] = {}
    for data in DATA_SETS:
        if args.only and data.name not in args.only:
            continue
        _print_outcome(data.name, run(data, peer_runs))
    wanted = {n: e for n, e in POPULATION_SETS.items() if not args.only or n in args.only}
    if wanted:
        outcomes = run_population(list(wanted.values()))
        for name, entity in wanted.items():
            _print_outcome(name, outcomes[entity])
    for name in ("Amazon-Google", "Walmart-Amazon"):
        if args.only and name not in args.only:
            continue
        pairs, seconds, scores = run_products(name)
        print(f"{name + ' test':<26} {pairs:>8,} {seconds:>8.1f} {'':>9} {'':>10} "
              f"{scores.precision:>9.4f} {scores.recall:>7.4f} {scores.f1:>6.4f}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
