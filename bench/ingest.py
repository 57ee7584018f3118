"""Ingest throughput: bulk `mdmhub load`, REST batches and single-record REST, per database.

    python bench/ingest.py [--databases sqlite,postgresql] [--single 2000] [--clients 16]

Loads ../shared/data/splink/historical_figures_with_errors_50k.parquet (50,578
people records) into a fresh database each time, matching included, and prints
records/second. Single-record REST is timed twice on the loaded hub: one client
sending one request after another, then `--clients` clients at once (a source
system's change hooks), whose requests the server writes in shared transactions.
Targets on a 2-core machine: load >= 10,000/s, REST batches >= 3,000/s,
single-record REST >= 300/s.
"""

import argparse
import threading
import time

import httpx
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


def bench_rest(
    url: str, records: list[dict[str, object]], single: int, clients: int
) -> tuple[float, float, float]:
    """Batches of 1,000 for the whole file, then `single` more records one request each
    from one client, then `single` more from `clients` clients at once."""
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
        one_client = _singles(client, records[:single], "callcentre", 1)
        many_clients = _singles(client, records[:single], "shop", clients)
    return batch_rate, one_client, many_clients


def _singles(
    admin: httpx.Client, records: list[dict[str, object]], source: str, clients: int
) -> float:
    """Records/second of one-record requests for `source`, spread over `clients` clients."""
    admin.post("/v1/sources", json={"name": source, "trust": 0.3}).raise_for_status()

    def send(share: list[dict[str, object]]) -> None:
        with httpx.Client(base_url=admin.base_url, headers=admin.headers, timeout=120) as own:
            for record in share:
                own.post(
                    "/v1/customers/records", json={**record, "source": source}
                ).raise_for_status()

    threads = [threading.Thread(target=send, args=(records[k::clients],)) for k in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(records) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--single", type=int, default=2000, help="single-record requests to time")
    parser.add_argument("--clients", type=int, default=16, help="clients sending them at once")
    args = parser.parse_args()
    records = rest_records()
    print(
        f"{'database':<11} {'load rec/s':>11} {'load s':>7} {'REST batch rec/s':>17} "
        f"{'single, 1 client':>17} {f'single, {args.clients} clients':>19}"
    )
    for kind in args.databases.split(","):
        with fresh_database(kind) as url:
            count, seconds = bench_load(url)
        with fresh_database(kind) as url:
            batch_rate, one_client, many_clients = bench_rest(
                url, records, args.single, args.clients
            )
        print(
            f"{kind:<11} {count / seconds:>11,.0f} {seconds:>7.1f} {batch_rate:>17,.0f} "
            f"{one_client:>17,.0f} {many_clients:>19,.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
