"""The `mdmhub` command: serve, migrate, register sources and API keys, bulk-load files,
export the crosswalk, deliver webhooks.

Each command is an edge: it opens the transaction (one per chunk for a load),
calls a service and prints the outcome. Whoever runs it holds the database, so it acts
as `SYSTEM` in the audit log.
"""

import csv
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Annotated, TextIO

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from mdmhub import heap, logs
from mdmhub.db.session import transaction, write_transaction
from mdmhub.domain.actors import SYSTEM, Role
from mdmhub.domain.entities import CANONICAL_ATTRIBUTES, EntityType
from mdmhub.domain.records import Outcome, Problem, RecordInput
from mdmhub.errors import MdmError
from mdmhub.services import (
    api_keys,
    blocking_report,
    crosswalk,
    customer_views,
    first_load,
    interactions,
    match_models,
    rematch,
    review_queue,
    source_records,
    sources,
    training,
    webhook_delivery,
)
from mdmhub.services.background import WriteActivity
from mdmhub.services.file_records import (
    ColumnMapping,
    check_file,
    chunked,
    read_interactions,
    read_labelled_pairs,
    read_records,
)
from mdmhub.services.ingest import BatchReport
from mdmhub.services.match_context import Standardised
from mdmhub.settings import Settings, get_settings

app = typer.Typer(help="mdmhub: master data management hub.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
sources_app = typer.Typer(help="Source systems.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
export_app = typer.Typer(help="Exports.", no_args_is_help=True)
interactions_app = typer.Typer(help="Customer interactions.", no_args_is_help=True)
views_app = typer.Typer(help="Customer 360 views kept ready to send.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(keys_app, name="keys")
app.add_typer(export_app, name="export")
app.add_typer(interactions_app, name="interactions")
app.add_typer(views_app, name="views")

console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes [MDMHUB_WORKERS]: one Python process uses about one core.",
        ),
    ] = None,
) -> None:
    """Start the REST API (run `mdmhub db upgrade` first). On a hub without an active admin
    key it creates one and prints it once.

    With several workers, reads spread over the cores; writers in all of them take turns
    through the database's writer lock. Rate limits and the key cache are per worker.
    """
    import uvicorn

    settings = get_settings()
    logs.configure(settings.log_level)
    uvicorn.run(
        "mdmhub.api.app:create_served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_config=None,
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the schema migrations to the database MDMHUB_DATABASE_URL names."""
    from mdmhub.db import migrate  # Alembic takes a third of a second to import: here only

    migrate.upgrade(get_settings().database_url, revision)
    console.print(f"database at revision {revision}")


@sources_app.command("add")
def sources_add(
    name: str,
    trust: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="0..1; survivorship prefers higher.")
    ],
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Register a source system."""
    try:
        with transaction(get_settings().database_url) as session:
            sources.create(session, SYSTEM, name=name, trust=trust, description=description)
    except MdmError as error:
        raise _fail(error.message) from None
    console.print(f"source {name!r} registered with trust {trust}")


@sources_app.command("list")
def sources_list() -> None:
    """List the registered source systems."""
    table = Table("name", "trust", "description")
    with transaction(get_settings().database_url) as session:
        for source in sources.get_all(session):
            table.add_row(source.name, f"{source.trust:g}", source.description)
    Console().print(table)


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="What the key may do.")],
    source: Annotated[
        str | None, typer.Option(help="The source a source key writes for (source keys only).")
    ] = None,
    name: Annotated[str, typer.Option(help="Who or what holds the key.")] = "",
    sees_sensitive: Annotated[
        bool, typer.Option(help="May read sensitive attributes unmasked (agent keys only).")
    ] = False,
) -> None:
    """Create a key and print it on stdout: the only time it is shown."""
    try:
        with transaction(get_settings().database_url) as session:
            issued = api_keys.create(
                session,
                SYSTEM,
                role=role,
                source=source,
                name=name,
                sees_sensitive=sees_sensitive,
            )
    except MdmError as error:
        raise _fail(error.message) from None
    console.print(f"{role} key {issued.key.id} created; it is shown only this once:")
    typer.echo(issued.token)


def _minute(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@keys_app.command("list")
def keys_list() -> None:
    """List the keys, revoked ones included; secrets are never stored, so never shown."""
    table = Table()
    # The id is what `keys revoke` takes: it must survive a narrow terminal whole.
    table.add_column("id", no_wrap=True)
    for header in ("role", "source", "name", "sensitive", "created", "last used", "revoked"):
        table.add_column(header)
    with transaction(get_settings().database_url) as session:
        for key in api_keys.get_all(session):
            table.add_row(
                key.id,
                key.role,
                key.source or "",
                key.name,
                "yes" if key.sees_sensitive else "",
                _minute(key.created_at),
                _minute(key.last_used_at),
                _minute(key.revoked_at),
            )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Revoke a key: it stops working at once and stays listed."""
    try:
        with transaction(get_settings().database_url) as session:
            api_keys.revoke(session, SYSTEM, key_id)
    except MdmError as error:
        raise _fail(error.message) from None
    console.print(f"key {key_id} revoked")


def _parse_maps(maps: list[str], entity: EntityType) -> dict[str, str]:
    renames = {}
    for item in maps:
        column, sep, attribute = item.partition("=")
        if not sep or not column or not attribute:
            raise _fail(f"--map takes COLUMN=ATTRIBUTE, not {item!r}")
        if attribute not in CANONICAL_ATTRIBUTES[entity]:
            known = ", ".join(CANONICAL_ATTRIBUTES[entity])
            raise _fail(f"{attribute!r} is not a {entity.value} attribute; use one of: {known}")
        renames[column] = attribute
    return renames


def _parse_links(links: list[str]) -> dict[str, tuple[str, str]]:
    parsed = {}
    for item in links:
        column, sep, target = item.partition("=")
        entity, colon, role = target.partition(":")
        if not sep or not colon or not column or entity not in {e.value for e in EntityType}:
            raise _fail(
                f"--link takes COLUMN=ENTITY:ROLE (entity customer|product|address), not {item!r}"
            )
        parsed[column] = (entity, role)
    return parsed


@contextmanager
def _progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.advance(task, done)


class _Tally:
    """Outcomes and refusals of a chunked load, for its summary."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.refused: list[str] = []

    def add(self, item_id: str, outcome: Outcome | None, problems: Sequence[Problem]) -> None:
        if problems or outcome is None:
            self.refused.extend(f"{item_id}: {p.field} {p.message}" for p in problems)
        else:
            self.outcomes[outcome.value] += 1

    def report(self, total: int, path: Path) -> None:
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items()))
        console.print(f"{total} rows from {path.name}: {summary or 'nothing new'}")
        if self.refused:
            console.print(
                f"[yellow]{len(self.refused)} refused[/yellow], first: {self.refused[:5]}"
            )
            raise typer.Exit(code=1)


def _known_source(source: str) -> None:
    with transaction(get_settings().database_url) as session:
        if source not in {s.name for s in sources.get_all(session)}:
            raise _fail(f"unknown source {source!r}; register it with `mdmhub sources add`")


@app.command()
def load(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, JSONL or Parquet.")
    ],
    source: Annotated[str, typer.Option(help="The registered source the records come from.")],
    entity: Annotated[EntityType, typer.Option(help="What the records describe.")],
    id_column: Annotated[str | None, typer.Option(help="The column with the source's id.")] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="COLUMN=ATTRIBUTE, repeatable.")
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="A column not to read, repeatable.")
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option(
            "--link",
            help="COLUMN=ENTITY:ROLE: the column holds ids (|-separated) of records of the same"
            " source this one refers to, e.g. billing_address=address:billing. Repeatable.",
        ),
    ] = None,
    train: Annotated[
        bool,
        typer.Option(
            help="First train the model (EM, as `mdmhub train` does) on the hub's records as"
            " they will be once the file is in, then match with it: a first big load is"
            " matched once instead of loaded, trained and re-matched. Holds the file in memory."
        ),
    ] = False,
) -> None:
    """Load and match a file. Chunks commit as they go; re-running finishes an interrupted load."""
    heap.collect_less_often()
    settings = get_settings()
    mapping = ColumnMapping(
        id_column,
        _parse_maps(map_ or [], entity),
        frozenset(skip or []),
        _parse_links(link or []),
    )
    _known_source(source)
    try:
        held: list[RecordInput] | None = None
        standardised = None
        if train:
            held = list(read_records(path, source, mapping))
            standardised = _train_for_load(entity, settings, held)
        with transaction(settings.database_url) as session:
            context = match_models.context(session, entity, settings)
            first = first_load.applies(session, entity)
    except MdmError as error:
        raise _fail(error.message) from None

    def records() -> Iterator[RecordInput]:
        return iter(held) if held is not None else read_records(path, source, mapping)

    tally = _Tally()
    capped: Counter[str] = Counter()
    worker = None
    if first and settings.first_load_records:
        matched_apart = islice(records(), settings.first_load_records)
        worker = first_load.FirstLoad(
            entity, matched_apart, context, {source}, settings.load_chunk_size, standardised
        )
    # The worker starts matching while this process checks the whole file.
    with worker or nullcontext():
        try:
            total = len(held) if held is not None else check_file(path, mapping)
        except MdmError as error:
            raise _fail(error.message) from None
        with _progress(f"loading {path.name}", total) as advance:

            def count(report: BatchReport, size: int) -> None:
                for result in report.results:
                    tally.add(result.source_id, result.outcome, result.problems)
                capped.update(report.capped_keys)
                advance(size)

            done = _load_first(settings, entity, worker, count) if worker else 0
            # Skipping what the worker stored reads it again: not when it stored it all.
            rest = islice(records(), done, None) if done < total else iter(())
            for chunk in chunked(rest, settings.load_chunk_size):
                with write_transaction(settings.database_url, bulk=True) as session:
                    report = source_records.upsert(session, SYSTEM, entity, chunk, context)
                count(report, len(chunk))
    if capped:
        console.print(
            f"{len(capped)} blocking keys skipped as oversized (cap {settings.block_size_cap})"
        )
    tally.report(total, path)


def _load_first(
    settings: Settings,
    entity: EntityType,
    worker: first_load.FirstLoad,
    count: Callable[[BatchReport, int], None],
) -> int:
    """Store the chunks the worker matched (`services/first_load.py`) until they are all in,
    another writer changed the hub, or the worker died; returns how many records were
    stored, so that the rest of the file goes through the database."""
    done = 0
    try:
        for chunk in worker.chunks():
            with write_transaction(settings.database_url, bulk=True) as session:
                if not worker.unchanged(session):
                    break
                report = source_records.store_first_load_chunk(
                    session, SYSTEM, entity, worker, chunk
                )
            count(report, len(chunk.records))
            done += len(chunk.records)
    except first_load.MatchingWorkerError as error:
        console.print(f"[yellow]{error.message}[/yellow]: the rest is matched against the hub")
    return done


def _train_for_load(
    entity: EntityType, settings: Settings, records: list[RecordInput]
) -> Standardised | None:
    """Trains and stores the model; returns the records it learned from, standardised."""
    # A line, not a spinner: training forks (`engine/forked.py`), and a spinner is a thread.
    console.print(f"training the {entity.value} model on the hub's records and the file's")
    with transaction(settings.database_url) as session:
        training_set = training.records_after_load(session, entity, records)
    learned = training.learn_em(entity, settings, training_set)
    _store(entity, settings, learned)
    return learned.standardised


@interactions_app.command("load")
def interactions_load(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, JSONL or Parquet.")
    ],
    source: Annotated[str, typer.Option(help="The registered source they come from.")],
) -> None:
    """Load interactions, columns named like the REST fields (`interaction_id`,
    `customer_source_id`, `type`, `occurred_at` …). Idempotent: re-running changes nothing."""
    heap.collect_less_often()
    settings = get_settings()
    _known_source(source)
    customer_sources: set[str] = set()
    total = 0
    try:
        for item in read_interactions(path, source):
            total += 1
            customer_sources.add(item.customer_source or source)
    except MdmError as error:
        raise _fail(error.message) from None
    for name in sorted(customer_sources):
        _known_source(name)
    tally = _Tally()
    with _progress(f"loading {path.name}", total) as advance:
        for chunk in chunked(read_interactions(path, source), settings.load_chunk_size):
            with write_transaction(settings.database_url) as session:
                results = interactions.upsert(session, chunk, SYSTEM)
            for result in results:
                tally.add(result.interaction_id, result.outcome, result.problems)
            advance(len(chunk))
    tally.report(total, path)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """The file to write an export to, or stdout."""
    if path is None:
        yield sys.stdout
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        yield handle


OutputOption = Annotated[Path | None, typer.Option(help="Write here instead of stdout.")]


@export_app.command("xref")
def export_xref(
    entity: Annotated[EntityType | None, typer.Option(help="Only this entity.")] = None,
    output: OutputOption = None,
) -> None:
    """The crosswalk as CSV: entity,source,source_id,golden_id for every live source record."""
    with _output(output) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["entity", "source", "source_id", "golden_id"])
        with transaction(get_settings().database_url) as session:
            writer.writerows(crosswalk.rows(session, entity))


@export_app.command("pairs")
def export_pairs(
    entity: Annotated[EntityType, typer.Option(help="Whose review decisions.")],
    output: OutputOption = None,
) -> None:
    """Steward decisions as labelled pairs (JSON Lines), ready for `mdmhub train --pairs`."""
    with _output(output) as handle, transaction(get_settings().database_url) as session:
        for pair in review_queue.labelled_pairs(session, entity):
            handle.write(orjson.dumps(pair).decode() + "\n")


@app.command()
def train(
    entity: Annotated[EntityType, typer.Option(help="Which entity's model to train.")],
    pairs: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Labelled pairs (JSON Lines); else EM."),
    ] = None,
) -> None:
    """Train the match model: EM on the stored records, or from labelled pairs; stores a version."""
    heap.collect_less_often()
    settings = get_settings()
    try:
        if pairs:
            learned = training.learn_from_pairs(entity, settings, read_labelled_pairs(pairs))
        else:
            with transaction(settings.database_url) as session:
                stored = training.stored_records(session, entity)
            learned = training.learn_em(entity, settings, stored)
    except MdmError as error:
        raise _fail(error.message) from None
    _store(entity, settings, learned)


def _store(entity: EntityType, settings: Settings, learned: training.Learned) -> None:
    """Learning read the records in a transaction of its own: only storing the version
    takes the writer lock, which upserts wait for."""
    with write_transaction(settings.database_url) as session:
        outcome = training.store(session, entity, learned)
    console.print(
        f"{entity.value} model version {outcome.version} trained ({outcome.method}): "
        + ", ".join(f"{k} {v}" for k, v in outcome.summary.items() if not isinstance(v, dict))
    )


@app.command("score-pairs")
def score_pairs_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines pairs.")],
    entity: Annotated[EntityType, typer.Option(help="Which entity's model scores them.")],
) -> None:
    """Print {"score", "decision"} per input pair, one JSON line each, with the model in force."""
    settings = get_settings()
    try:
        labelled = read_labelled_pairs(file)
        with transaction(settings.database_url) as session:
            scores = training.score_labelled_pairs(session, entity, settings, labelled)
    except MdmError as error:
        raise _fail(error.message) from None
    out = sys.stdout.buffer
    for score in scores:
        out.write(orjson.dumps({"score": score.score, "decision": score.decision}) + b"\n")


@app.command("rematch")
def rematch_command(
    entity: Annotated[EntityType, typer.Option(help="Which entity to re-cluster.")],
) -> None:
    """Re-cluster every record with the model in force; golden ids stay where they can."""
    heap.collect_less_often()
    settings = get_settings()
    try:
        with write_transaction(settings.database_url) as session:
            context = match_models.context(session, entity, settings)
            report = rematch.rematch(session, entity, context)
    except MdmError as error:
        raise _fail(error.message) from None
    console.print(
        f"{report.records} {entity.value} records re-clustered: {report.moved} moved, "
        f"{report.created} golden records created, {report.retired} retired, {report.split} split"
    )


@app.command("blocking-report")
def blocking_report_command(
    entity: Annotated[EntityType, typer.Option(help="Which entity's records to block.")],
    truth_attribute: Annotated[
        str | None,
        typer.Option(help="An extra attribute holding known entity labels, for recall."),
    ] = None,
) -> None:
    """Candidate pairs per blocking rule, capped blocks, and recall against labels if given."""
    settings = get_settings()
    try:
        with transaction(settings.database_url) as session:
            report = blocking_report.report(session, entity, settings, truth_attribute)
    except MdmError as error:
        raise _fail(error.message) from None
    table = Table("rule", "candidate pairs", "capped keys", "true pairs found")
    for rule in report.rules:
        found = "" if rule.true_pairs_found is None else f"{rule.true_pairs_found:,}"
        table.add_row(rule.rule, f"{rule.candidate_pairs:,}", str(rule.capped_keys), found)
    found = "" if report.true_pairs_found is None else f"{report.true_pairs_found:,}"
    table.add_row("all rules", f"{report.union_pairs:,}", "", found)
    Console().print(table)
    if report.recall is not None:
        Console().print(
            f"blocking recall: {report.recall:.4f} of {report.true_pairs:,} true pairs "
            f"({report.records:,} records)"
        )


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option(help="Deliver what is due now, then exit (for cron or a one-off).")
    ] = False,
    poll_interval: Annotated[
        float | None,
        typer.Option(
            min=0.01, help="Seconds to wait when nothing is due [MDMHUB_WEBHOOK_POLL_INTERVAL]."
        ),
    ] = None,
) -> None:
    """Deliver webhooks. Runs until Ctrl-C or SIGTERM, which let the delivery in flight end.

    Set MDMHUB_RUN_WEBHOOK_WORKER=false on the service when this runs beside it: both
    would work, taking turns per subscription, but one is enough.
    """
    settings = get_settings()
    if once:
        report = webhook_delivery.drain(settings)
        console.print(f"{report.delivered} events delivered, {report.failed} failed attempts")
        return
    console.print("delivering webhooks; Ctrl-C stops")
    webhook_delivery.run(settings, _stop_on_signal(), poll_interval)
    console.print("stopped")


def _stop_on_signal() -> threading.Event:
    """Set by Ctrl-C or SIGTERM, so a long-running loop ends its pass in flight first."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


@views_app.command("refresh")
def views_refresh(
    follow: Annotated[
        bool,
        typer.Option(
            help="Then keep them fresh until Ctrl-C (for servers run with "
            "MDMHUB_REFRESH_CUSTOMER_VIEWS=false)."
        ),
    ] = False,
) -> None:
    """Build every stale customer 360 view now, with a progress bar.

    After a bulk load the server would build them in the background, answering reads live
    meanwhile; this does it at once, and can run while the server serves.
    """
    settings = get_settings()
    with transaction(settings.database_url) as session:
        total = customer_views.stale_count(session)
    with _progress("building customer views", total) as advance:
        stored = customer_views.refresh_all(settings.database_url, advance)
    console.print(f"{stored:,} customer views built")
    if follow:
        console.print("keeping customer views fresh; Ctrl-C stops")
        customer_views.run(
            settings.database_url,
            _stop_on_signal(),
            settings.customer_view_poll_interval,
            WriteActivity(),  # this process writes no records
        )
        console.print("stopped")
