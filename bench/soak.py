"""Soak: a bounded mixed load on one server, then a check that nothing was lost.

    python bench/soak.py [--duration 60] [--databases sqlite,postgresql]
                         [--writers 4] [--agents 3] [--stewards 1] [--people 300]

For each database: a fresh, migrated database and `mdmhub serve` on loopback, seeded with
`--people` customers (each sent by two or three sources, some as lookalikes that open
review tasks). Then, for `--duration` seconds, at once:
- writers (one source key each) upsert batches of 1 to 20 records: new people, duplicates
  of known people in their own source's format, unchanged re-sends and changed versions;
  and post interactions of their customers;
- agents read `GET /v1/customers/{id}/360` of known customers and search
  `GET /v1/customers/search` by name, email or phone;
- a steward lists `GET /v1/review-tasks` and decides them
  (`POST /v1/review-tasks/{id}/decision`).

Printed per database: per kind of request its count, throughput, p50 and p99 latency and
errors (5xx, other unexpected statuses, transport errors; the target is zero 5xx); lost
writes (every acknowledged record and interaction looked up in the database at the end);
and the server's resident memory after seeding and at the end (from /proc/<pid>/status).
"""

import argparse
import random
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from mdmhub.db.models import Interaction, SourceRecord
from mdmhub.db.session import dispose, transaction

from _harness import ADMIN_KEY, free_port, fresh_database, serve

SOURCES = {"crm": 0.9, "shop": 0.5, "callcentre": 0.3}
GIVEN = ["José", "María", "Ana", "Luis", "Carmen", "Javier", "Lucía", "Pedro", "Elena", "Pablo"]
GIVEN += ["Marta", "Diego", "Sofía", "Jorge", "Paula", "Raúl", "Laura", "Sergio", "Irene", "Iván"]
NICKNAMES = {"José": "Pepe", "Francisco": "Paco", "Javier": "Javi", "Ignacio": "Nacho"}
FAMILY = ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"]
FAMILY += ["Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno"]
FAMILY += ["Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Gil"]
TOWNS = ["Madrid", "Sevilla", "Bilbao", "Valencia", "Zaragoza", "Málaga", "Murcia", "Oviedo"]
INTERACTION_TYPES = ["purchase", "complaint", "request", "enquiry", "call"]


# ---------------------------------------------------------------- synthetic customers


def person(rng: random.Random, key: int) -> dict[str, str]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    town = rng.randrange(len(TOWNS))
    year, month, day = rng.randint(1940, 2002), rng.randint(1, 12), rng.randint(1, 28)
    return {
        "given_name": given,
        "family_name": family,
        "second_family_name": rng.choice(FAMILY),
        "birth_date": f"{year}-{month:02d}-{day:02d}",
        "email": f"{given[:3].lower()}.{key}@example.com",
        "phone": f"+34 6{rng.randrange(10**8):08d}",
        "address_line1": f"Calle {rng.choice(FAMILY)} {rng.randint(1, 200)}",
        "locality": TOWNS[town],
        "postal_code": f"{28001 + 1000 * town + rng.randrange(40):05d}",
        "country": "ES",
    }


def as_source_writes(rng: random.Random, attributes: dict[str, str]) -> dict[str, str]:
    """The same person as another system holds them: other formats, a nickname or a typo,
    and half the optional fields missing."""
    copy = dict(attributes)
    copy["given_name"] = NICKNAMES.get(copy["given_name"], copy["given_name"]).lower()
    copy["family_name"] = copy["family_name"].upper()
    year, month, day = copy["birth_date"].split("-")
    copy["birth_date"] = f"{day}/{month}/{year}"
    copy["phone"] = copy["phone"].removeprefix("+34 ")
    for optional in ("email", "address_line1", "postal_code", "second_family_name"):
        if rng.random() < 0.5:
            copy.pop(optional, None)
    return copy


def lookalike(rng: random.Random, attributes: dict[str, str]) -> dict[str, str]:
    """Same name, another town, no contact data: the review band."""
    others = [t for t in TOWNS if t != attributes["locality"]]
    return {
        "given_name": attributes["given_name"],
        "family_name": attributes["family_name"],
        "second_family_name": attributes.get("second_family_name", ""),
        "locality": rng.choice(others),
    }


# ---------------------------------------------------------------- the shared state


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int | str, expected: set[int]) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if isinstance(status, str):
                self.errors[kind]["transport"] += 1
            elif status >= 500:
                self.errors[kind]["5xx"] += 1
            elif status not in expected:
                self.errors[kind][str(status)] += 1


@dataclass
class Hub:
    """What the workers know: acknowledged writes, and ids to read."""

    people: list[dict[str, str]] = field(default_factory=list)
    records: dict[tuple[str, str], int] = field(default_factory=dict)
    """(source, source_id) -> highest acknowledged version."""
    contents: dict[str, dict[str, dict[str, str]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """source -> source_id -> the attributes last acknowledged."""
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    interactions: set[tuple[str, str]] = field(default_factory=set)
    golden_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, batch: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
        with self.lock:
            for record, result in zip(batch, results, strict=True):
                if result["status"] != "accepted":
                    continue
                source, source_id = result["source"], result["source_id"]
                self.records[(source, source_id)] = max(
                    self.records.get((source, source_id), 0), result["version"]
                )
                if source_id not in self.contents[source]:
                    self.ids[source].append(source_id)
                self.contents[source][source_id] = record["attributes"]
                if result["golden_id"]:
                    self.golden_ids.append(result["golden_id"])


def timed(
    stats: Stats,
    kind: str,
    client: httpx.Client,
    method: str,
    url: str,
    expected: set[int],
    **options: Any,
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = client.request(method, url, **options)
    except httpx.TransportError as error:
        stats.record(kind, time.perf_counter() - started, type(error).__name__, expected)
        return None
    stats.record(kind, time.perf_counter() - started, response.status_code, expected)
    return response


# ---------------------------------------------------------------- the workers


def writer(
    base: str, key: str, source: str, hub: Hub, stats: Stats, stop: threading.Event, seed: int
) -> None:
    rng = random.Random(seed)
    serial = 0
    with httpx.Client(base_url=base, headers=_bearer(key), timeout=60) as client:
        while not stop.is_set():
            if rng.random() < 0.25:
                _post_interactions(client, source, hub, stats, rng)
                continue
            batch: list[dict[str, Any]] = []
            seen: set[str] = set()
            for _ in range(rng.randint(1, 20)):
                roll = rng.random()
                with hub.lock:
                    known = hub.ids[source]
                    source_id = rng.choice(known) if known and roll < 0.35 else ""
                    attributes = hub.contents[source].get(source_id, {})
                    if roll < 0.2 and source_id:  # the same content again: unchanged
                        pass
                    elif roll < 0.35 and source_id:  # a new version: another phone
                        attributes = {**attributes, "phone": f"6{rng.randrange(10**8):08d}"}
                    else:
                        serial += 1
                        source_id = f"{source}-w{seed}-{serial}"
                        if rng.random() < 0.6 and hub.people:  # a known person, our format
                            attributes = as_source_writes(rng, rng.choice(hub.people))
                        else:
                            attributes = person(rng, 100_000 * seed + serial)
                            hub.people.append(attributes)
                if source_id in seen:
                    continue
                seen.add(source_id)
                batch.append({"source": source, "source_id": source_id, "attributes": attributes})
            response = timed(
                stats,
                "upsert",
                client,
                "POST",
                "/v1/customers/records",
                {200},
                json={"records": batch},
            )
            if response is not None and response.status_code == 200:
                hub.acknowledge(batch, response.json()["results"])


def _post_interactions(
    client: httpx.Client, source: str, hub: Hub, stats: Stats, rng: random.Random
) -> None:
    with hub.lock:
        customers = hub.ids[source][:]
    if not customers:
        return
    items = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(INTERACTION_TYPES)
        item: dict[str, Any] = {
            "source": source,
            "interaction_id": f"{source}-i{rng.getrandbits(48):x}",
            "customer_source_id": rng.choice(customers),
            "type": kind,
            "channel": rng.choice(["web", "phone", "store"]),
            "occurred_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        }
        if kind == "purchase":
            item |= {"amount": f"{rng.randint(5, 500)}.99", "currency": "EUR"}
        items.append(item)
    response = timed(
        stats,
        "interaction",
        client,
        "POST",
        "/v1/interactions",
        {200},
        json={"interactions": items},
    )
    if response is not None and response.status_code == 200:
        with hub.lock:
            hub.interactions.update(
                (r["source"], r["interaction_id"])
                for r in response.json()["results"]
                if r["status"] == "accepted"
            )


def agent(base: str, key: str, hub: Hub, stats: Stats, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=_bearer(key), timeout=60) as client:
        while not stop.is_set():
            with hub.lock:
                golden_id = rng.choice(hub.golden_ids) if hub.golden_ids else None
                someone = rng.choice(hub.people) if hub.people else None
            if golden_id is None or someone is None:
                time.sleep(0.05)
                continue
            if rng.random() < 0.6:
                # A merged-away id answers with its survivor: 200 either way.
                timed(stats, "360", client, "GET", f"/v1/customers/{golden_id}/360", {200})
            else:
                field_ = rng.choice(["given_name", "email", "phone"])
                query = (
                    f"{someone['given_name']} {someone['family_name']}"
                    if field_ == "given_name"
                    else someone.get(field_, someone["family_name"])
                )
                timed(
                    stats,
                    "search",
                    client,
                    "GET",
                    "/v1/customers/search",
                    {200},
                    params={"q": query},
                )


def steward(base: str, key: str, stats: Stats, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=_bearer(key), timeout=60) as client:
        while not stop.is_set():
            response = timed(
                stats, "review list", client, "GET", "/v1/review-tasks", {200}, params={"limit": 20}
            )
            tasks = response.json()["tasks"] if response is not None and response.is_success else []
            if not tasks:
                time.sleep(0.2)
                continue
            for task in tasks[:5]:
                if stop.is_set():
                    return
                decision = "match" if rng.random() < 0.5 else "no-match"
                # 409: another decision or a re-match settled it meanwhile; not an error.
                timed(
                    stats,
                    "decision",
                    client,
                    "POST",
                    f"/v1/review-tasks/{task['id']}/decision",
                    {200, 409},
                    json={"decision": decision, "comment": "soak"},
                )


# ---------------------------------------------------------------- the server


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def rss_kib(pid: int) -> dict[str, int]:
    """Resident (VmRSS) and peak resident (VmHWM) memory, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


# ---------------------------------------------------------------- one soak


def seed_hub(client: httpx.Client, hub: Hub, people: int, rng: random.Random) -> None:
    for name, trust in SOURCES.items():
        client.post("/v1/sources", json={"name": name, "trust": trust}).raise_for_status()
    records = []
    for key in range(people):
        attributes = person(rng, key)
        hub.people.append(attributes)
        records.append({"source": "crm", "source_id": f"seed-{key}", "attributes": attributes})
        copy = as_source_writes(rng, attributes)
        records.append({"source": "shop", "source_id": f"seed-{key}", "attributes": copy})
        if rng.random() < 0.3:
            other = lookalike(rng, attributes)
            records.append(
                {"source": "callcentre", "source_id": f"seed-{key}", "attributes": other}
            )
    for start in range(0, len(records), 500):
        batch = records[start : start + 500]
        response = client.post("/v1/customers/records", json={"records": batch})
        response.raise_for_status()
        hub.acknowledge(batch, response.json()["results"])


def lost_writes(url: str, hub: Hub) -> tuple[int, int]:
    """Acknowledged records missing (or older than acknowledged) and acknowledged interactions
    missing, looked up in the database."""
    with transaction(url) as session:
        stored = {
            (row.source, row.source_id): row.version
            for row in session.execute(
                select(SourceRecord.source, SourceRecord.source_id, SourceRecord.version).where(
                    SourceRecord.entity == "customer"
                )
            )
        }
        interactions = {
            (row.source, row.interaction_id)
            for row in session.execute(select(Interaction.source, Interaction.interaction_id))
        }
    dispose(url)
    records = sum(1 for key, version in hub.records.items() if stored.get(key, 0) < version)
    return records, len(hub.interactions - interactions)


def soak(kind: str, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    hub, stats = Hub(), Stats()
    with (
        fresh_database(kind, "mdmhub_soak") as url,
        tempfile.TemporaryDirectory() as folder,
        serve(url, free_port(), Path(folder) / "server.log", {"MDMHUB_LOG_LEVEL": "WARNING"}) as (
            process,
            base,
        ),
    ):
        with httpx.Client(base_url=base, headers=_bearer(ADMIN_KEY), timeout=300) as admin:
            seed_hub(admin, hub, args.people, rng)

            def new_key(role: str, source: str | None = None) -> str:
                body = {"role": role, "source": source, "name": f"soak {role}"}
                response = admin.post("/v1/keys", json=body)
                response.raise_for_status()
                token: str = response.json()["key"]
                return token

            stop = threading.Event()
            sources = list(SOURCES)
            workers = [
                threading.Thread(
                    target=writer,
                    args=(base, new_key("source", sources[i % 3]), sources[i % 3], hub, stats),
                    kwargs={"stop": stop, "seed": i + 1},
                )
                for i in range(args.writers)
            ]
            workers += [
                threading.Thread(
                    target=agent,
                    args=(base, new_key("agent"), hub, stats),
                    kwargs={"stop": stop, "seed": 100 + i},
                )
                for i in range(args.agents)
            ]
            workers += [
                threading.Thread(
                    target=steward,
                    args=(base, new_key("steward"), stats),
                    kwargs={"stop": stop, "seed": 200 + i},
                )
                for i in range(args.stewards)
            ]
        before = rss_kib(process.pid)
        started = time.perf_counter()
        for thread in workers:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in workers:
            thread.join()
        elapsed = time.perf_counter() - started
        after = rss_kib(process.pid)
        lost_records, lost_interactions = lost_writes(url, hub)
    report(kind, args, stats, elapsed, before, after, hub, lost_records, lost_interactions)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(
    kind: str,
    args: argparse.Namespace,
    stats: Stats,
    elapsed: float,
    before: dict[str, int],
    after: dict[str, int],
    hub: Hub,
    lost_records: int,
    lost_interactions: int,
) -> None:
    print(
        f"\n{kind}: {elapsed:.0f} s, {args.writers} writers, {args.agents} agents, "
        f"{args.stewards} steward(s), seeded with {args.people} people"
    )
    print(f"{'kind':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  errors")
    for name in ("upsert", "interaction", "360", "search", "review list", "decision"):
        latencies = stats.latencies.get(name, [])
        errors = stats.errors.get(name, Counter())
        shown = ", ".join(f"{n} {k}" for k, n in sorted(errors.items())) or "0"
        p50, p99 = (1000 * _percentile(latencies, share) for share in (0.5, 0.99))
        rate = len(latencies) / elapsed
        print(f"{name:<12} {len(latencies):>9,} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f}  {shown}")
    server_errors = sum(c["5xx"] for c in stats.errors.values())
    print(f"5xx answers: {server_errors} (target 0)")
    print(
        f"acknowledged: {len(hub.records):,} records, {len(hub.interactions):,} interactions; "
        f"lost: {lost_records} records, {lost_interactions} interactions"
    )
    growth = after["VmRSS"] - before["VmRSS"]
    print(
        f"server RSS: {before['VmRSS'] / 1024:.0f} MiB after seeding, "
        f"{after['VmRSS'] / 1024:.0f} MiB at the end ({growth / 1024:+.0f} MiB), "
        f"peak {after['VmHWM'] / 1024:.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of mixed load")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--stewards", type=int, default=1)
    parser.add_argument("--people", type=int, default=300, help="customers seeded first")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for kind in args.databases.split(","):
        soak(kind, args)


if __name__ == "__main__":
    main()
