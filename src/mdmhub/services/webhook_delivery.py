"""Pushing the change feed to webhook subscribers, one event at a time in id order.

At least once: a subscription's cursor moves only after its subscriber answered
2xx, and each success is committed before the next event is posted, so a crash
repeats at most the event in flight. A failure holds the whole subscription until
its backoff has passed (head-of-line blocking): nothing overtakes the failed
event, so per golden record order holds without tracking it. Events outside a
subscription's filters just move its cursor.

No transaction stays open while a subscriber is being called: on SQLite that would
stop every writer for as long as the subscriber takes to answer.
"""

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import orjson
from sqlalchemy.orm import Session

from mdmhub import __version__
from mdmhub.db.base import utcnow
from mdmhub.db.models import Event, WebhookSubscription
from mdmhub.db.repositories import events as events_repo
from mdmhub.db.repositories import webhooks as webhooks_repo
from mdmhub.db.session import transaction
from mdmhub.services import events
from mdmhub.services.background import BackgroundWorker, poll
from mdmhub.settings import Settings

Clock = Callable[[], datetime]

EVENT_ID_HEADER = "X-Mdmhub-Event-Id"
TIMESTAMP_HEADER = "X-Mdmhub-Timestamp"
SIGNATURE_HEADER = "X-Mdmhub-Signature"

CLAIM_MARGIN = timedelta(seconds=30)
"""A claim outlives the subscriber's timeout by this much, to cover the database writes
around the call; a worker that died holding it delays that subscription this long."""

MAX_EXPONENT = 62
"""Beyond this the cap has long won; it keeps 2**failures a float after days of failures."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of "<timestamp>.<body>": the timestamp is signed too,
    so a subscriber can refuse an old delivery replayed by someone who captured it."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def encode(event: Event) -> bytes:
    """The body: the event exactly as the feed shows it (UTC times end in `Z` in both)."""
    return orjson.dumps(events.document(event), option=orjson.OPT_UTC_Z)


def backoff(failures: int, base: float, cap: float) -> timedelta:
    """How long to wait after `failures` failed attempts in a row: min(base * 2^n, cap)."""
    return timedelta(seconds=min(base * 2.0 ** min(failures, MAX_EXPONENT), cap))


@dataclass(frozen=True)
class Attempt:
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: float


def post(client: httpx.Client, url: str, secret: str, event: Event, now: datetime) -> Attempt:
    """POST one event, signed; any 2xx is a success, anything else (another status, a
    timeout, a refused connection) a failure. The answer's body is never read."""
    body = encode(event)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"mdmhub/{__version__}",
        EVENT_ID_HEADER: str(event.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    started = time.perf_counter()
    try:
        with client.stream("POST", url, content=body, headers=headers) as response:
            status = response.status_code
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        problem = f"{type(error).__name__}: {error}"[:2000]
        return Attempt(False, None, problem, (time.perf_counter() - started) * 1000)
    duration_ms = (time.perf_counter() - started) * 1000
    if 200 <= status < 300:
        return Attempt(True, status, None, duration_ms)
    return Attempt(False, status, f"HTTP {status}", duration_ms)


@dataclass
class PassReport:
    delivered: int = 0
    failed: int = 0
    moved: int = 0
    """Subscriptions whose cursor moved: zero means the pass found nothing to do."""

    def add(self, other: "PassReport") -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.moved += other.moved


@dataclass
class _Batch:
    events: list[Event]
    scanned_to: int
    """The cursor once `events` are delivered: past the non-matching events after them."""


def _claim_length(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.webhook_timeout) + CLAIM_MARGIN


def _next_batch(settings: Settings, subscription: WebhookSubscription, now: datetime) -> _Batch:
    """The subscription's next matching events, claimed for this worker; empty when
    there is nothing to post or another worker got there first."""
    cursor = subscription.cursor
    with transaction(settings.database_url) as session:
        end = events_repo.last_id(session)
        found = list(
            events_repo.page(
                session,
                cursor,
                settings.webhook_batch_size,
                entities=subscription.entities,
                types=subscription.event_types,
                up_to=end,
            )
        )
        if not found:  # only events the filters leave out, if any: pass over them
            moved = end > cursor and webhooks_repo.advance(
                session, subscription.id, cursor, end, None, due_at=now
            )
            return _Batch([], end if moved else cursor)
        if not webhooks_repo.claim(
            session, subscription.id, cursor, now, now + _claim_length(settings)
        ):
            return _Batch([], cursor)
        scanned_to = found[-1].id if len(found) == settings.webhook_batch_size else end
        return _Batch(found, scanned_to)


def _log(
    session: Session,
    subscription_id: str,
    event_id: int,
    number: int,
    attempt: Attempt,
    now: datetime,
) -> None:
    webhooks_repo.add_delivery(
        session,
        {
            "subscription_id": subscription_id,
            "event_id": event_id,
            "attempt": number,
            "succeeded": attempt.succeeded,
            "status_code": attempt.status_code,
            "error": attempt.error,
            "duration_ms": attempt.duration_ms,
            "attempted_at": now,
        },
    )


def _deliver_to(
    settings: Settings,
    client: httpx.Client,
    clock: Clock,
    subscription: WebhookSubscription,
    stop: threading.Event,
) -> PassReport:
    report = PassReport()
    batch = _next_batch(settings, subscription, clock())
    cursor, failures = subscription.cursor, subscription.failures
    report.moved = int(batch.scanned_to != cursor and not batch.events)
    for index, event in enumerate(batch.events):
        if stop.is_set():
            with transaction(settings.database_url) as session:
                webhooks_repo.release(session, subscription.id, cursor)
            break
        now = clock()
        attempt = post(client, subscription.url, subscription.secret, event, now)
        with transaction(settings.database_url) as session:
            _log(session, subscription.id, event.id, failures + 1, attempt, now)
            if not attempt.succeeded:
                failures += 1
                wait = backoff(
                    failures, settings.webhook_backoff_base, settings.webhook_backoff_cap
                )
                webhooks_repo.fail(session, subscription.id, cursor, failures, now + wait)
                report.failed += 1
                break
            last = index == len(batch.events) - 1
            target = batch.scanned_to if last else event.id
            hold = None if last else clock() + _claim_length(settings)
            still_ours = webhooks_repo.advance(session, subscription.id, cursor, target, hold)
        report.delivered += 1
        report.moved = 1
        if not still_ours:  # replayed or deactivated meanwhile: start over from what it says now
            break
        cursor, failures = target, 0
    return report


def deliver_due(
    settings: Settings,
    client: httpx.Client,
    clock: Clock = utcnow,
    stop: threading.Event | None = None,
) -> PassReport:
    """One pass: each due subscription gets up to `webhook_batch_size` events, so one
    with a long backlog does not keep the others waiting."""
    stop = stop or threading.Event()
    with transaction(settings.database_url) as session:
        due = webhooks_repo.due(session, clock())
    report = PassReport()
    for subscription in due:
        if stop.is_set():
            break
        report.add(_deliver_to(settings, client, clock, subscription, stop))
    return report


def _client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=settings.webhook_timeout)


def drain(settings: Settings) -> PassReport:
    """Passes until one moves no cursor: everything deliverable now was delivered, and
    what is left waits on a failing subscriber's backoff."""
    total = PassReport()
    with _client(settings) as client:
        while True:
            report = deliver_due(settings, client)
            total.add(report)
            if not report.moved:
                return total


def run(settings: Settings, stop: threading.Event, poll_interval: float | None = None) -> None:
    """Deliver until `stop` is set, waiting `poll_interval` seconds after an idle pass."""
    interval = poll_interval or settings.webhook_poll_interval
    with _client(settings) as client:
        poll(
            stop,
            interval,
            lambda: deliver_due(settings, client, stop=stop).moved,
            "webhook delivery pass",
        )


def worker(settings: Settings) -> BackgroundWorker:
    """Delivery in a thread of the API process; stopping waits for the delivery in flight,
    at most a subscriber's timeout and a margin."""
    return BackgroundWorker(
        "mdmhub-webhooks",
        lambda stop: run(settings, stop),
        settings.webhook_timeout + CLAIM_MARGIN.total_seconds(),
    )
