"""Ingest throughput: bulk `mdmhub load`, REST batches and single-record REST, per database.

    python bench/ingest.py [--databases sqlite,postgresql] [--single 2000]

Loads ../shared/data/splink/historical_figures_with_errors_50k.parquet (50,578
people records) into a fresh database each time, matching included, and prints
records/second. Targets on a 2-core machine: load >= 10,000/s, REST batches
>= 3,000/s, single-record REST >= 300/s.
"""

import argparse
import time

import pyarrow.parquet as pq

from _harness import DATA, cli, fresh_database, server

FILE = DATA / "splink" / "historical_figures_with_errors_50k.parquet"
MAPPING = {
    "first_name": "given_name",
    "surname": "family_name",
    "dob": "birth_date",
    "birth_place": "locality",
    "postcode_fake": "postal_code",
}
DROPPED = {"unique_id", "cluster"}
"""The id becomes source_id; the truth label must never reach the matcher."""


def rest_records() -> list[dict[str, object]]:
    rows = pq.read_table(FILE).to_pylist()
    return [
        {
            "source": "wiki",
            "source_id": row["unique_id"],
            "attributes": {
                MAPPING.get(k, k): v for k, v in row.items() if k not in DROPPED and v is not None
            },
        }
        for row in rows
    ]


def bench_load(url: str) -> tuple[int, float]:
    cli(url, "sources", "add", "wiki", "--trust", "0.8")
    maps = [arg for column, attr in MAPPING.items() for arg in ("--map", f"{column}={attr}")]
    started = time.perf_counter()
    cli(
        url,
        "load",
        str(FILE),
        "--source",
        "wiki",
        "--entity",
        "customer",
        "--id-column",
        "unique_id",
        "--skip",
        "cluster",
        *maps,
    )
    seconds = time.perf_counter() - started
    return pq.read_metadata(FILE).num_rows, seconds


def bench_rest(url: str, records: list[dict[str, object]], single: int) -> tuple[float, float]:
    """Batches of 1,000 for the whole file, then `single` more records one request each."""
    with server(url) as client:
        client.post("/v1/sources", json={"name": "wiki", "trust": 0.8}).raise_for_status()
        started = time.perf_counter()
        for start in range(0, len(records), 1000):
            response = client.post(
                "/v1/customers/records", json={"records": records[start : start + 1000]}
            )
            response.raise_for_status()
            assert response.json()["refused"] == 0
        batch_rate = len(records) / (time.perf_counter() - started)
        client.post("/v1/sources", json={"name": "callcentre", "trust": 0.3}).raise_for_status()
        started = time.perf_counter()
        for record in records[:single]:
            response = client.post("/v1/customers/records", json={**record, "source": "callcentre"})
            response.raise_for_status()
        single_rate = single / (time.perf_counter() - started)
    return batch_rate, single_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--single", type=int, default=2000, help="single-record requests to time")
    args = parser.parse_args()
    records = rest_records()
    print(
        f"{'database':<11} {'load rec/s':>11} {'load s':>7} {'REST batch rec/s':>17} "
        f"{'REST single rec/s':>18}"
    )
    for kind in args.databases.split(","):
        with fresh_database(kind) as url:
            count, seconds = bench_load(url)
        with fresh_database(kind) as url:
            batch_rate, single_rate = bench_rest(url, records, args.single)
        print(
            f"{kind:<11} {count / seconds:>11,.0f} {seconds:>7.1f} {batch_rate:>17,.0f} "
            f"{single_rate:>18,.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
