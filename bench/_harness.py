"""Shared pieces of the benchmarks: fresh databases, the CLI, a server on loopback."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
MDMHUB = str(Path(sys.executable).with_name("mdmhub"))
ADMIN_KEY = f"mdm_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"


@contextmanager
def fresh_database(kind: str, name: str = "mdmhub_bench") -> Iterator[str]:
    """An empty, migrated database: a temporary SQLite file or a new PostgreSQL database
    `name` (dropped first: give each bench its own, so one never drops another's)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            cli(url, "db", "upgrade")
            yield url
        return
    base = make_url(postgres_base_url())
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        _drop(connection, name)
        connection.execute(f"CREATE DATABASE {name}")
    url = base.set(database=name).render_as_string(hide_password=False)
    cli(url, "db", "upgrade")
    yield url


def _drop(connection: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    """FORCE ends the bench's own sessions, but not an autovacuum worker, which only a
    superuser may end: one busy with the last run's tables fails the drop until it is done."""
    for attempt in range(60):
        try:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 59:
                raise
            time.sleep(0.5)


def postgres_base_url() -> str:
    url = os.environ.get("MDMHUB_TEST_POSTGRES_URL")
    if url:
        return url
    script = ROOT / "scripts" / "start-postgres.sh"
    return subprocess.run([str(script)], check=True, capture_output=True, text=True).stdout.strip()


def cli(url: str, *args: str) -> str:
    result = subprocess.run(
        [MDMHUB, *args],
        env={**os.environ, "MDMHUB_DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mdmhub {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run `command` and return its wall seconds and peak memory in MiB."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "seconds = time.perf_counter() - started\n"
        "if done.returncode: sys.exit(done.stderr)\n"
        "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *command],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}")
    seconds, peak_kib = result.stdout.split()
    return float(seconds), int(peak_kib) // 1024


def timed_cli(url: str, *args: str) -> tuple[float, int]:
    """Run `mdmhub ARGS` and return its wall seconds and peak memory in MiB."""
    return timed([MDMHUB, *args], {"MDMHUB_DATABASE_URL": url})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(
    url: str, port: int = 8765, log: Path | None = None, settings: Mapping[str, str] = {}
) -> Iterator[tuple["subprocess.Popen[bytes]", str]]:
    """`mdmhub serve` on loopback until the block ends: the process and its base URL, once
    it answers /readyz. The server registers `ADMIN_KEY` as its bootstrap admin key; its
    log lines go to `log` when given (else to this process's stderr)."""
    with log.open("ab") if log else contextlib.nullcontext() as log_file:
        process = subprocess.Popen(
            [MDMHUB, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={
                **os.environ,
                "MDMHUB_DATABASE_URL": url,
                "MDMHUB_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
                **settings,
            },
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not become ready")
        yield process, base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def server(url: str, port: int = 8765) -> Iterator[httpx.Client]:
    """`mdmhub serve` on loopback until the block ends, and an admin client of it."""
    with serve(url, port) as (_, base):
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            yield client
