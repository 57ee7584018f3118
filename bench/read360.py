"""Read speed: the customer 360 view and customer search under concurrent clients, per database.

    python bench/read360.py [--customers 100000] [--seed 42] [--databases sqlite,postgresql]
                            [--duration 30] [--warmup 5] [--clients 32] [--search-clients 32,1]
                            [--client-processes 2]
                            [--endpoints 360,search[,healthz]] [--http raw|httpx]
                            [--data-dir DIR]

1. Draws a seeded synthetic population (`bench/population.py`: customers held by crm, shop
   and call centre with typos and format differences, their address records, a product
   catalogue, employers and households, ~20 interactions per customer) into files.
2. For each database: loads the files into a fresh hub through the CLI, as an operator would
   (`mdmhub sources add`, `mdmhub load` of addresses, products, then customers with `--link`,
   `mdmhub interactions load`), timing every step; reads the golden ids back with
   `mdmhub export xref`.
3. Runs `mdmhub views refresh`, building every customer's 360 view ahead (a server does it
   in the background; the bench times it on its own), and reads them all once before the
   360 phase, as a server that has been answering for a while has them in memory. Starts
   `mdmhub serve --workers N` (`--workers`, default 2: a process per core; JSON access
   log at the default level, written to a file in the data folder; the per-key rate
   limit raised to 100,000 requests a second: these clients send as fast as the server
   answers, and uvicorn spreads connections unevenly over its workers, so a key alone on
   a worker would pass the default 500 a second), gives every client an
   agent key of its own (`mdmhub keys create --role agent` for the first, the admin REST API
   for the others: rate limits are per key), then drives `GET /v1/customers/{golden_id}/360`
   (all sections, random golden ids) and then `GET /v1/customers/search` (the queries the
   generator wrote: a name with a typo and a town, a nickname and a birth date, a phone or an
   email written another way, a national id) from `--clients` concurrent keep-alive
   connections, closed loop: each client sends its next request when the last one is
   answered. Search runs once per `--search-clients` count: under load, and for one agent
   alone (how long a search takes when the machine is not queueing it). Requests are timed
   one by one; those started in the `--warmup` seconds are not counted, nor those still
   open at the end. `healthz` (not run by default) measures the same loop on
   `GET /healthz`: the ceiling of one server process, whatever the endpoint.

The load generator runs on the same 2-core machine as the server, in `--client-processes`
separate processes (default 2, the clients shared among them), each an asyncio (uvloop) loop
over plain HTTP/1.1 keep-alive connections: `--http raw` costs about 0.1 ms of client CPU a
request, httpx about 1.5 ms (`--http httpx`; measured on /healthz, where httpx clients took
three quarters of a core and capped the rate at a third). Under each phase a CPU line says
how many cores the server, the clients and everything else (PostgreSQL, other jobs) used,
and the server's CPU per request, the figure least disturbed by other work on the machine.
Before each phase the bench waits up to a minute for the machine to be idle, and warns if
it is not.

Targets on a 2-core machine: 360 view p99 <= 25 ms at 32 clients and >= 1,500 reads/s;
search p99 <= 50 ms. Search also reports how often the customer sought is the first hit.
"""

import argparse
import asyncio
import csv
import multiprocessing
import os
import random
import resource
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import numpy as np
import orjson
from sqlalchemy import create_engine, text

from population import ID_COLUMNS, SOURCES, Files, describe, generate

from _harness import ADMIN_KEY, cli, free_port, fresh_database, serve, timed_cli

# --- loading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    rows: int
    seconds: float
    peak_mib: int


def count_rows(path: Path) -> int:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if path.suffix == ".csv" else lines


def load(url: str, files: Files) -> list[Step]:
    """Every file into the hub through the CLI, timed step by step (printed as it goes)."""
    for source, trust in SOURCES.items():
        cli(url, "sources", "add", source, "--trust", str(trust))
    steps = []
    commands: list[tuple[str, list[str], Path]] = []
    for source, entity, path, links in files.loads:
        column = ID_COLUMNS.get((source, entity))
        options = ["--id-column", column] if column else []
        commands.append(
            (
                f"load {entity} {source}",
                ["load", str(path), "--source", source, "--entity", entity, *options, *links],
                path,
            )
        )
    for source, path in files.interactions:
        commands.append(
            (
                f"interactions {source}",
                ["interactions", "load", str(path), "--source", source],
                path,
            )
        )
    for name, args, path in commands:
        rows = count_rows(path)
        print(f"  {f'{name} ({path.name})':<55} {rows:>10,} rows", end="", flush=True)
        seconds, peak = timed_cli(url, *args)
        print(f" {seconds:>8.1f} s {rows / seconds:>9,.0f} rows/s {peak:>6} MiB", flush=True)
        steps.append(Step(f"{name} ({path.name})", rows, seconds, peak))

    return steps


def crosswalk(url: str, folder: Path) -> dict[tuple[str, str, str], str]:
    """(entity, source, source id) -> golden id of every live record."""
    path = folder / "xref.csv"
    cli(url, "export", "xref", "--output", str(path))
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            (row["entity"], row["source"], row["source_id"]): row["golden_id"]
            for row in csv.DictReader(handle)
        }


def pairs(groups: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def match_quality(truth: Path, golden_of: dict[tuple[str, str, str], str]) -> str:
    """Pairwise precision, recall and F1 of the golden records against the generator's truth,
    per entity: how realistic the golden records the reads serve are."""
    found: dict[str, Counter[Any]] = defaultdict(Counter)
    true: dict[str, Counter[Any]] = defaultdict(Counter)
    both: dict[str, Counter[Any]] = defaultdict(Counter)
    with truth.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entity = row["entity"]
            golden = golden_of.get((entity, row["source"], row["source_id"]))
            if golden is None:
                continue
            found[entity][golden] += 1
            true[entity][row["key"]] += 1
            both[entity][(golden, row["key"])] += 1
    parts = []
    for entity in sorted(true):
        hits, predicted, wanted = pairs(both[entity]), pairs(found[entity]), pairs(true[entity])
        precision = hits / predicted if predicted else 1.0
        recall = hits / wanted if wanted else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        parts.append(
            f"{entity} {len(found[entity]):,} golden for {len(true[entity]):,} real, "
            f"precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}"
        )
    return "; ".join(parts)


# --- the load generator -----------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One client process's share of a phase."""

    base: str
    tokens: list[str]
    """One agent key per connection: each client is an agent of its own."""
    paths: list[str]
    expected: list[tuple[str, frozenset[str]]] | None
    """Per path (search only): the kind of query, and the golden ids a right first hit has."""
    start: float
    warm_end: float
    end: float
    seed: int
    http: str


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    first_hit_right: dict[str, int] = field(default_factory=dict)
    judged: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0


class RawConnection:
    """A minimal HTTP/1.1 keep-alive GET client: the cheapest way to keep 32 requests in
    flight from the same 2-core machine without the client becoming the bottleneck."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.headers = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Accept: application/json\r\n\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def fetch(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        try:
            self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.headers)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, chunked, close = 0, False, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            body = await (self._chunks() if chunked else self.reader.readexactly(length))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise
        if close:
            await self.close()
        return status, body

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(p[:-2] for p in parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _drive(task: Task) -> Outcome:
    outcome = Outcome()
    rng = random.Random(task.seed)
    split = urlsplit(task.base)
    host, port = split.hostname or "127.0.0.1", split.port or 80

    async def client(token: str) -> None:
        if task.http == "httpx":
            session = httpx.AsyncClient(
                base_url=task.base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )

            async def fetch(path: str) -> tuple[int, bytes]:
                response = await session.get(path)
                return response.status_code, response.content

            close = session.aclose
        else:
            connection = RawConnection(host, port, token)
            fetch, close = connection.fetch, connection.close
        await asyncio.sleep(max(0.0, task.start - time.time()))
        while (now := time.time()) < task.end:
            index = rng.randrange(len(task.paths))
            began = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, body = await fetch(task.paths[index])
                problem = None if status == 200 else f"HTTP {status}: {body[:200]!r}"
            except (OSError, TimeoutError, asyncio.IncompleteReadError, httpx.HTTPError) as error:
                status, body, problem = 0, b"", f"{type(error).__name__}: {error}"
                if task.http == "raw":
                    await close()  # a timed-out exchange leaves the connection unusable
            elapsed = time.perf_counter() - began
            if now < task.warm_end or time.time() > task.end:
                continue
            outcome.latencies_ms.append(elapsed * 1000)
            if problem is not None:
                outcome.errors += 1
                if len(outcome.error_samples) < 3:
                    outcome.error_samples.append(problem)
            elif task.expected is not None:
                kind, right = task.expected[index]
                hits = orjson.loads(body)["hits"]
                outcome.judged[kind] = outcome.judged.get(kind, 0) + 1
                found = bool(hits) and hits[0]["golden_id"] in right
                outcome.first_hit_right[kind] = outcome.first_hit_right.get(kind, 0) + found
        await close()

    async def cpu_at(moment: float) -> float:
        await asyncio.sleep(max(0.0, moment - time.time()))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    clients = [asyncio.create_task(client(token)) for token in task.tokens]
    cpu = await asyncio.gather(cpu_at(task.warm_end), cpu_at(task.end))
    outcome.cpu_seconds = cpu[1] - cpu[0]
    await asyncio.gather(*clients)
    return outcome


def client_process(task: Task) -> Outcome:
    try:
        import uvloop

        return uvloop.run(_drive(task))
    except ImportError:
        return asyncio.run(_drive(task))


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU so far of a process, its threads and its child processes that are
    still running (the server's workers) (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(child) for child in children.read_text().split()] if children.exists() else []
    return own + sum(process_cpu_seconds(kid) for kid in kids)


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle so far (Linux /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class PhaseResult:
    database: str
    endpoint: str
    clients: int
    requests: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    error_samples: list[str]
    first_hit: dict[str, tuple[int, int]]
    """Search: per kind of query, (first hit right, judged)."""
    cpu: dict[str, float]


def run_phase(
    database: str,
    endpoint: str,
    base: str,
    tokens: list[str],
    server_pid: int,
    paths: list[str],
    expected: list[tuple[str, frozenset[str]]] | None,
    args: argparse.Namespace,
) -> PhaseResult:
    processes = max(1, min(args.client_processes, len(tokens)))
    start = time.time() + 1.0 + 0.2 * processes
    warm_end, end = start + args.warmup, start + args.warmup + args.duration
    tasks = [
        Task(
            base,
            tokens[i::processes],
            paths,
            expected,
            start,
            warm_end,
            end,
            args.seed * 1000 + i,
            args.http,
        )
        for i in range(processes)
    ]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        pending = pool.map_async(client_process, tasks)
        time.sleep(max(0.0, warm_end - time.time()))
        server_cpu, busy = process_cpu_seconds(server_pid), machine_busy_seconds()
        time.sleep(max(0.0, end - time.time()))
        server_cpu = process_cpu_seconds(server_pid) - server_cpu
        busy = machine_busy_seconds() - busy
        outcomes = pending.get(timeout=args.warmup + args.duration + 120)
    latencies = np.array([ms for o in outcomes for ms in o.latencies_ms])
    count = int(latencies.size)
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99]) if count else [float("nan")] * 3
    clients_cpu = sum(o.cpu_seconds for o in outcomes)
    kinds = sorted({kind for o in outcomes for kind in o.judged})
    first_hit = {
        kind: (
            sum(o.first_hit_right.get(kind, 0) for o in outcomes),
            sum(o.judged.get(kind, 0) for o in outcomes),
        )
        for kind in kinds
    }
    return PhaseResult(
        database,
        endpoint,
        len(tokens),
        count,
        count / args.duration,
        float(p50),
        float(p95),
        float(p99),
        sum(o.errors for o in outcomes),
        [sample for o in outcomes for sample in o.error_samples][:3],
        first_hit,
        {
            "server": server_cpu / args.duration,
            "clients": clients_cpu / args.duration,
            "other": max(0.0, busy - server_cpu - clients_cpu) / args.duration,
            "machine": busy / args.duration,
        },
    )


def report_phase(result: PhaseResult) -> None:
    cpu = result.cpu
    print(
        f"  {result.endpoint:<7} {result.rate:>8,.0f} req/s  p50 {result.p50:6.1f} ms  "
        f"p95 {result.p95:6.1f} ms  p99 {result.p99:6.1f} ms  errors {result.errors}",
        flush=True,
    )
    if result.first_hit:
        right = sum(r for r, _ in result.first_hit.values())
        judged = sum(n for _, n in result.first_hit.values())
        shares = ", ".join(f"{k} {r / n:.0%}" for k, (r, n) in result.first_hit.items())
        print(f"          first hit is the customer sought: {right / judged:.1%} ({shares})")
    per_request = cpu["server"] / result.rate * 1000 if result.rate else float("nan")
    print(
        f"          CPU (cores of {os.cpu_count()}): server {cpu['server']:.2f} "
        f"({per_request:.2f} ms a request), clients {cpu['clients']:.2f}, "
        f"other (database, system, other jobs) {cpu['other']:.2f}, machine {cpu['machine']:.2f}",
        flush=True,
    )

    for sample in result.error_samples:
        print(f"          error: {sample}", flush=True)


# --- the benchmark ----------------------------------------------------------------------


def search_paths(
    files: Files, golden_of: dict[tuple[str, str], str]
) -> tuple[list[str], list[tuple[str, frozenset[str]]]]:
    paths, expected = [], []
    for line in files.queries.read_bytes().splitlines():
        query = orjson.loads(line)
        paths.append(f"/v1/customers/search?{urlencode(query['params'])}")
        right = frozenset(g for s, i in query["truth"] if (g := golden_of.get((s, i))) is not None)
        expected.append((query["kind"], right))
    return paths, expected


def agent_keys(base: str, count: int) -> list[str]:
    """`count` agent keys, made through the admin REST API (rate limits are per key)."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as admin:
        return [
            admin.post("/v1/keys", json={"role": "agent", "name": f"read360 agent {n}"})
            .raise_for_status()
            .json()["key"]
            for n in range(count)
        ]


WHOLE_BODIES = {
    "sqlite": "SELECT count(*), sum(length(CAST(body AS TEXT)) + length(CAST(masked_body AS TEXT)))"
    " FROM customer_views",
    "postgresql": "SELECT count(*), sum(length(md5(body)) + length(md5(masked_body)))"
    " FROM customer_views",
}
"""A query that reads every byte of every view (the length of a blob alone is read from its
header on both databases)."""


def warm_views(url: str) -> None:
    """Read every stored view once, as a server that has been answering for a while has
    them in memory: the bench reads customers at random, and its first seconds on a cold
    cache measured the disk (about 600 reads/s with the machine a third idle)."""
    started = time.perf_counter()
    engine = create_engine(url)
    with engine.connect() as connection:
        views, _ = connection.execute(text(WHOLE_BODIES[engine.dialect.name])).one()
    engine.dispose()
    seconds = time.perf_counter() - started
    print(f"  every view read once into the cache: {views:,} in {seconds:.1f} s", flush=True)


def wait_until_idle(limit: float = 0.15, patience: float = 60) -> None:
    """Wait (up to `patience` s) until the machine is idle, or say it is not: another job
    on a 2-core machine halves what the server can do."""
    deadline = time.time() + patience
    while True:
        before = machine_busy_seconds()
        time.sleep(1)
        busy = machine_busy_seconds() - before
        if busy <= limit or time.time() > deadline:
            break
    if busy > limit:
        print(f"  warning: the machine is busy ({busy:.2f} cores) before the run", flush=True)


def bench_database(
    kind: str, files: Files, args: argparse.Namespace
) -> tuple[list[Step], list[PhaseResult]]:
    print(f"\n## {kind}", flush=True)
    results = []
    with fresh_database(kind, "mdmhub_read360") as url:
        started = time.perf_counter()
        steps = load(url, files)
        print(f"  all loads: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        crosswalked = crosswalk(url, files.folder)
        print(f"  mdmhub export xref: {time.perf_counter() - started:.1f} s", flush=True)
        print(f"  matching against the truth: {match_quality(files.truth, crosswalked)}")
        golden_of = {(s, i): g for (e, s, i), g in crosswalked.items() if e == "customer"}
        golden_ids = sorted(set(golden_of.values()))
        name = "views refresh (a 360 view per golden customer)"
        print(f"  {name:<55} {len(golden_ids):>10,} rows", end="", flush=True)
        seconds, peak = timed_cli(url, "views", "refresh")
        rate = len(golden_ids) / seconds
        print(f" {seconds:>8.1f} s {rate:>9,.0f} rows/s {peak:>6} MiB", flush=True)
        steps.append(Step(name, len(golden_ids), seconds, peak))
        token = cli(url, "keys", "create", "--role", "agent", "--name", "read360").strip()
        log = files.folder / f"server-{kind}.log"
        settings = {"MDMHUB_WORKERS": str(args.workers), "MDMHUB_RATE_LIMIT_PER_SECOND": "100000"}
        with serve(url, args.port or free_port(), log, settings) as (process, base):
            tokens = [token, *agent_keys(base, max(args.clients, *args.search_clients) - 1)]
            check = httpx.get(
                f"{base}/v1/customers/{golden_ids[0]}/360",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if check.status_code != 200:
                raise RuntimeError(f"360 answered {check.status_code}: {check.text[:500]}")
            endpoints = args.endpoints.split(",")
            if "360" in endpoints:
                paths = [f"/v1/customers/{golden_id}/360" for golden_id in golden_ids]
                warm_views(url)
                wait_until_idle()
                results.append(run_phase(kind, "360", base, tokens, process.pid, paths, None, args))
                report_phase(results[-1])
            if "search" in endpoints:
                paths, expected = search_paths(files, golden_of)
                for clients in args.search_clients:
                    wait_until_idle()
                    some = tokens[:clients]
                    results.append(
                        run_phase(kind, "search", base, some, process.pid, paths, expected, args)
                    )
                    report_phase(results[-1])
            if "healthz" in endpoints:
                wait_until_idle()
                results.append(
                    run_phase(kind, "healthz", base, tokens, process.pid, ["/healthz"], None, args)
                )
                report_phase(results[-1])
    return steps, results


def load_table(steps: dict[str, list[Step]]) -> str:
    lines = [
        "| database | step | rows | seconds | rows/s | peak MiB |",
        "|---|---|---|---|---|---|",
    ]
    for database, done in steps.items():
        lines += [
            f"| {database} | {s.name} | {s.rows:,} | {s.seconds:.1f} | "
            f"{s.rows / s.seconds:,.0f} | {s.peak_mib} |"
            for s in done
        ]
        total = sum(s.seconds for s in done)
        lines.append(
            f"| {database} | all loads | {sum(s.rows for s in done):,} | {total:.1f} | | |"
        )
    return "\n".join(lines)


def table(results: list[PhaseResult]) -> str:
    lines = [
        "| database | endpoint | clients | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.database} | {r.endpoint} | {r.clients} | {r.rate:,.0f} | {r.p50:.1f} | "
        f"{r.p95:.1f} | {r.p99:.1f} | {r.errors} |"
        for r in results
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=30, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument(
        "--search-clients",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[32, 1],
        help="search phases, one per client count: loaded, and one agent alone",
    )
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--endpoints", default="360,search")
    parser.add_argument("--http", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--port", type=int, default=0, help="the server's; default: a free one")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument(
        "--data-dir", type=Path, help="write (and keep) the population here; default: a temp dir"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.data_dir or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"# population: {args.customers:,} customers, seed {args.seed}, in {folder}")
        started = time.perf_counter()
        files = generate(folder, args.customers, args.seed, lambda m: print(m, flush=True))
        print(f"  generated in {time.perf_counter() - started:.1f} s:")
        print("\n".join(describe(files)), flush=True)
        results = []
        steps = {}
        for kind in args.databases.split(","):
            steps[kind], measured = bench_database(kind, files, args)
            results += measured
    print()
    print(load_table(steps))
    print()
    print(table(results))


if __name__ == "__main__":
    main()
