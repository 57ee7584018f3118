"""Customer 360 views kept ready: built ahead from what the store marked stale, so an
agent's default read is a single lookup while the customer is on the line.

Building runs outside the writers' transactions: a view is read in one read-only
transaction and stored in a short one, and only if nothing it shows changed in between
(the generation read first is still current, see `CustomerView`).
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.repositories import customer_views as views_repo
from mdmhub.db.session import lookup, transaction, write_transaction
from mdmhub.domain.golden import GoldenStatus
from mdmhub.errors import NotFoundError
from mdmhub.services import customer_360
from mdmhub.services.background import BackgroundWorker, WriteActivity, poll
from mdmhub.services.customer_360 import ALL_SECTIONS, TimelineQuery
from mdmhub.settings import Settings

ACTIVE = GoldenStatus.ACTIVE

STOP_WAIT = 30.0
"""Seconds a stopping server waits for the pass in flight (a batch takes about a second)."""
SERVER_SHARE = 0.2
"""The share of its time a server's refresher may work: after a bulk write thousands of
views go stale at once, and rebuilding them must not take the process from the writers
and readers (reads of a stale view are answered live meanwhile)."""
WRITING_SHARE = 0.05
"""The share while the process is writing (records, or a steward's change): a view built
in the middle of a load is often stale again a batch later, and the time goes to the
writers instead. A steady stream of single writes still has its views rebuilt (about 15
a second)."""
REFRESH_THREADS = 4
BATCH = 200
"""Views built per pass: a short store transaction, and little work lost to a conflict."""


def read(connection: Connection, golden_id: str, hide_sensitive: bool) -> bytes | None:
    """The ready answer to a default 360 read, or None when it must be built live."""
    stored = views_repo.get(connection, golden_id, masked=hide_sensitive)
    if stored is None or (stored.valid_until is not None and stored.valid_until <= utcnow()):
        return None
    return stored.body


def read_ready(database_url: str, golden_id: str, hide_sensitive: bool) -> bytes | None:
    """`read` as one autocommitted statement: no transaction to open or close around it."""
    return lookup(database_url, lambda connection: read(connection, golden_id, hide_sensitive))


def stale_count(session: Session) -> int:
    return views_repo.count_stale(session, utcnow())


@dataclass(frozen=True)
class Pass:
    stale: int
    """Views found waiting."""
    stored: int
    """Of those, how many were built and stored (the others changed meanwhile, or left)."""
    dropped: int = 0
    """Of those, how many belonged to customers no longer active, and were removed."""


def refresh(database_url: str, batch: int = BATCH) -> Pass:
    """Build and store up to `batch` stale views."""
    with transaction(database_url) as session:
        stale = views_repo.stale(session, utcnow(), batch)
    return _build(database_url, stale)


def _build(database_url: str, stale: Sequence[tuple[str, int]]) -> Pass:
    """Build these (golden id, generation) views in a read-only transaction, then store
    them in a short one."""
    if not stale:
        return Pass(0, 0)
    built, gone = [], []
    with transaction(database_url) as session:
        for golden_id, generation in stale:
            try:
                view = customer_360.view(session, golden_id, ALL_SECTIONS, TimelineQuery())
            except NotFoundError:
                view = None
            if (
                view is None
                or view.golden_id != golden_id
                or view.golden.status != GoldenStatus.ACTIVE
            ):
                gone.append((golden_id, generation))
                continue
            body = customer_360.render(customer_360.document(view))
            built.append(
                {
                    "view_id": golden_id,
                    "read_generation": generation,
                    "body": body,
                    "masked_body": customer_360.render_masked(body),
                    "built_at": utcnow(),
                    "valid_until": view.indicators_change_at,
                }
            )
    # Stored under the writer lock: writers mark views in the same transactions that change
    # records, and two transactions locking the same view rows in different orders could
    # deadlock, costing a writer its request.
    with write_transaction(database_url) as session:
        stored = views_repo.store(session, built)
        for golden_id, generation in gone:
            views_repo.drop(session, golden_id, generation)
    return Pass(len(stale), stored, len(gone))


def refresh_all(
    database_url: str,
    progress: Callable[[int], None] | None = None,
    threads: int = REFRESH_THREADS,
) -> int:
    """Build every stale view (after a bulk load, say); returns how many were stored.

    Batches are built on several threads: building mostly waits for the database, which
    runs beside Python. Views that writers marked stale again meanwhile are picked up by
    the next round; rounds stop when one makes no progress."""
    stored = 0
    while True:
        with transaction(database_url) as session:
            stale = views_repo.stale(session, utcnow(), None)
        batches = [stale[start : start + BATCH] for start in range(0, len(stale), BATCH)]
        progressed = 0
        with ThreadPoolExecutor(threads, thread_name_prefix="mdmhub-views") as pool:
            for done in pool.map(lambda batch: _build(database_url, batch), batches):
                stored += done.stored
                progressed += done.stored + done.dropped
                if progress is not None:
                    progress(done.stale)
        if not progressed:
            return stored


def run(
    database_url: str, stop: threading.Event, poll_interval: float, writes: WriteActivity
) -> None:
    """Keep views fresh until `stop` is set; while a view is stale, reads build it live."""
    poll(
        stop,
        poll_interval,
        lambda: refresh(database_url).stale,
        "customer view refresh",
        share=lambda: WRITING_SHARE if writes.busy() else SERVER_SHARE,
    )


def worker(settings: Settings, writes: WriteActivity) -> BackgroundWorker:
    """`writes` is when the process last wrote: the refresher yields to writers."""
    return BackgroundWorker(
        "mdmhub-customer-views",
        lambda stop: run(settings.database_url, stop, settings.customer_view_poll_interval, writes),
        STOP_WAIT,
    )
