"""SIGKILL in the middle of a write: what was acknowledged or committed survives whole, and
doing the job again finishes it without a duplicate.

(a) `mdmhub load` killed after its first chunks committed, then run again.
(b) `mdmhub serve` killed while a client is writing, then started again on the same
    database: every acknowledged record is there once, and replaying the change feed from
    0 rebuilds exactly the golden records the API serves.

Event ids are not required to be consecutive: on PostgreSQL they come from a sequence,
and a sequence value taken by a transaction that the kill rolled back is never handed
out again, so the feed may skip numbers. Completeness is checked by the rebuild instead.
"""

import csv
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from mdmhub.db.session import dispose, transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.golden import GoldenStatus
from mdmhub.services import sources
from tests.reliability._hub import (
    MDMHUB,
    Server,
    active_golden_attributes,
    customers,
    golden_statuses,
    hub_env,
    rebuild_from_feed,
    record_count,
    register_sources,
    stored_records,
)

LOAD_PEOPLE = 700
"""About 2,100 records in the file: chunks of 100 commit every fraction of a second."""
CHUNK = 100
KILL_AFTER_CHUNKS = 3

SERVER_PEOPLE = 500
"""About 1,500 records, sent in batches of 10; the server dies after about 400 were
acknowledged."""
SERVER_BATCH = 10
KILL_AFTER_ACKS = 400


def _write_file(path: Path, records: list[dict[str, Any]]) -> None:
    columns = sorted({name for r in records for name in r["attributes"]})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["source_id", *columns], restval="")
        writer.writeheader()
        for record in records:
            writer.writerow({"source_id": record["source_id"], **record["attributes"]})


def _load(database_url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [MDMHUB, "load", str(path), "--source", "crm", "--entity", "customer"],
        env=hub_env(database_url, MDMHUB_LOAD_CHUNK_SIZE=str(CHUNK)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _assert_consistent(database_url: str) -> list[tuple[str, str, str]]:
    """Every stored record once, each linked to a golden record that exists and is active."""
    rows = stored_records(database_url)
    keys = [(source, source_id) for source, source_id, _ in rows]
    assert len(keys) == len(set(keys))
    status = golden_statuses(database_url)
    orphans = [row for row in rows if status.get(row[2]) != GoldenStatus.ACTIVE]
    assert orphans == []
    return rows


def test_a_load_killed_half_way_finishes_on_the_second_run(
    database_url: str, tmp_path: Path
) -> None:
    with transaction(database_url) as session:
        sources.create(session, SYSTEM, name="crm", trust=0.9)
    records = customers(LOAD_PEOPLE, seed=11).records  # ids are unique across sources
    path = tmp_path / "people.csv"
    _write_file(path, records)

    first = _load(database_url, path)
    deadline = time.monotonic() + 120
    while record_count(database_url) < KILL_AFTER_CHUNKS * CHUNK:
        assert first.poll() is None, "the load ended before it could be killed"
        assert time.monotonic() < deadline, "the load made no progress"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    dispose(database_url)

    committed = len(_assert_consistent(database_url))
    assert KILL_AFTER_CHUNKS * CHUNK <= committed < len(records)
    assert committed % CHUNK == 0, "a chunk is one transaction: all of it or none"

    second = _load(database_url, path)
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0, output
    assert f"{committed} unchanged" in " ".join(output.split())

    rows = _assert_consistent(database_url)
    assert sorted(source_id for _, source_id, _ in rows) == sorted(r["source_id"] for r in records)


def test_a_server_killed_mid_load_keeps_every_acknowledged_record_and_a_complete_feed(
    database_url: str, tmp_path: Path
) -> None:
    people = customers(SERVER_PEOPLE, seed=12)
    batches = [
        people.records[i : i + SERVER_BATCH] for i in range(0, len(people.records), SERVER_BATCH)
    ]
    acknowledged: set[tuple[str, str]] = set()
    transport_errors: list[str] = []
    failures: list[str] = []
    log = tmp_path / "server.log"

    server = Server(database_url, log)
    with server.client() as admin:
        register_sources(admin)

    def write() -> None:
        with server.client() as client:
            for batch in batches:
                try:
                    response = client.post("/v1/customers/records", json={"records": batch})
                except httpx.TransportError as error:
                    transport_errors.append(repr(error))
                    return
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text[:300]}")
                    continue
                acknowledged.update(
                    (r["source"], r["source_id"])
                    for r in response.json()["results"]
                    if r["status"] == "accepted"
                )

    writer = threading.Thread(target=write)
    writer.start()
    deadline = time.monotonic() + 120
    while len(acknowledged) < KILL_AFTER_ACKS:
        assert writer.is_alive(), "the writer finished before the server could be killed"
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.005)
    server.kill()
    writer.join(timeout=60)
    assert failures == []
    assert transport_errors, "the writer should have lost its server mid-load"
    dispose(database_url)

    restarted = Server(database_url, log)
    try:
        rows = _assert_consistent(database_url)
        stored = {(source, source_id) for source, source_id, _ in rows}
        assert acknowledged <= stored
        assert len(stored) < len(people.records)
        with restarted.client() as client:
            assert rebuild_from_feed(client) == active_golden_attributes(database_url)

            # Sending everything again finishes the job: the stored records are unchanged.
            for batch in batches:
                response = client.post("/v1/customers/records", json={"records": batch})
                assert response.status_code == 200, response.text
                assert response.json()["refused"] == 0
            rows = _assert_consistent(database_url)
            assert {(s, i) for s, i, _ in rows} == set(people.person)
            assert rebuild_from_feed(client) == active_golden_attributes(database_url)
    finally:
        restarted.stop()
