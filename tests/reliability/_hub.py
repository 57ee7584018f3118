"""What the reliability tests share: a real `mdmhub serve` process on loopback, synthetic
customer records with a known truth, and direct reads of what the database holds."""

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from mdmhub.db.models import GoldenRecord, SourceRecord
from mdmhub.db.session import get_engine, transaction
from mdmhub.domain.golden import GoldenStatus
from tests.api.conftest import ADMIN_KEY, bearer
from tests.api.test_feed_rebuild import _apply as apply_event
from tests.populations import clean_person, noisy_copy

MDMHUB = str(Path(sys.executable).with_name("mdmhub"))
SOURCES = {"crm": 0.9, "shop": 0.5, "erp": 0.7}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def hub_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an `mdmhub` process on this database: no webhook worker, quiet logs."""
    return {
        **os.environ,
        "MDMHUB_DATABASE_URL": database_url,
        "MDMHUB_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "MDMHUB_RUN_WEBHOOK_WORKER": "false",
        "MDMHUB_LOG_LEVEL": "WARNING",
        **extra,
    }


class Server:
    """`mdmhub serve` in a process of its own, as production runs it."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log_path = log
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [MDMHUB, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=hub_env(database_url),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mdmhub serve exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("mdmhub serve did not become ready")

    def client(self, timeout: float = 120.0) -> httpx.Client:
        """An admin client; the caller closes it."""
        return httpx.Client(base_url=self.base_url, headers=bearer(ADMIN_KEY), timeout=timeout)

    def log_text(self) -> str:
        return self._log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback, no flush; what was committed is all there is."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._log.close()


@contextmanager
def serving(database_url: str, log: Path) -> Iterator[Server]:
    server = Server(database_url, log)
    try:
        yield server
    finally:
        server.stop()


def register_sources(client: httpx.Client) -> None:
    for name, trust in SOURCES.items():
        response = client.post("/v1/sources", json={"name": name, "trust": trust})
        assert response.status_code in (201, 409), response.text


@dataclass(frozen=True)
class Customers:
    """REST record bodies, each with the real person it describes."""

    records: list[dict[str, Any]]
    person: dict[tuple[str, str], int]


def customers(people: int, seed: int) -> Customers:
    """`people` Spanish customers, each sent 2 to 4 times by different sources: the first copy
    clean, the others with typos, nicknames and missing fields (tests/populations.py)."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    person: dict[tuple[str, str], int] = {}
    counters = dict.fromkeys(SOURCES, 0)
    for key in range(people):
        clean = clean_person(rng, key)
        for copy in range(1 + rng.randint(1, 3)):
            source = list(SOURCES)[copy % len(SOURCES)]
            counters[source] += 1
            source_id = f"{source[0]}{counters[source]}"
            attributes = clean if copy == 0 else noisy_copy(rng, clean)
            records.append({"source": source, "source_id": source_id, "attributes": attributes})
            person[(source, source_id)] = key
    return Customers(records, person)


def stored_records(database_url: str, entity: str = "customer") -> list[tuple[str, str, str]]:
    """(source, source_id, golden_id) of every live record, one row per stored record."""
    with transaction(database_url) as session:
        rows = session.execute(
            select(SourceRecord.source, SourceRecord.source_id, SourceRecord.golden_id).where(
                SourceRecord.entity == entity, SourceRecord.deleted.is_(False)
            )
        ).all()
    return [(r.source, r.source_id, r.golden_id) for r in rows]


def record_count(database_url: str) -> int:
    with get_engine(database_url).connect() as connection:
        count: int = connection.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
        return count


def golden_statuses(database_url: str) -> dict[str, str]:
    with transaction(database_url) as session:
        rows = session.execute(select(GoldenRecord.id, GoldenRecord.status)).all()
    return {r.id: r.status for r in rows}


def rebuild_from_feed(client: httpx.Client) -> dict[str, dict[str, str]]:
    """What a subscriber that knows only `GET /v1/events` holds after reading it from 0
    (the rules of tests/api/test_feed_rebuild.py)."""
    copy: dict[str, dict[str, str]] = {}
    cursor = 0
    while True:
        response = client.get("/v1/events", params={"after": cursor, "limit": 1000})
        response.raise_for_status()
        page = response.json()
        if not page["events"]:
            return copy
        for event in page["events"]:
            # Increasing, not consecutive: a PostgreSQL sequence skips the ids of rolled-back
            # transactions.
            assert event["id"] > cursor, (event["id"], cursor)
            cursor = event["id"]
            apply_event(copy, event)
        assert page["next_cursor"] == cursor


def active_golden_attributes(database_url: str, entity: str = "customer") -> dict[str, Any]:
    """The active golden records as stored (what `GET .../golden/{id}` serves an admin):
    golden id -> attribute name -> value."""
    with transaction(database_url) as session:
        rows = session.execute(
            select(GoldenRecord.id, GoldenRecord.attributes).where(
                GoldenRecord.entity == entity, GoldenRecord.status == GoldenStatus.ACTIVE
            )
        ).all()
    return {r.id: {name: v["value"] for name, v in r.attributes.items()} for r in rows}
