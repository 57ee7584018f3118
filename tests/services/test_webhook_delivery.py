import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mdmhub.db.models import Event, WebhookDelivery, WebhookSubscription
from mdmhub.db.repositories import webhooks as webhooks_repo
from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.domain.events import EventType
from mdmhub.services import webhook_delivery, webhooks
from mdmhub.settings import Settings
from tests.factories import people, person, record
from tests.receiver import Receiver
from tests.services.conftest import Upsert

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    """The worker's clock, stepped by the test: backoff is read from values, never waited."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _subscribe(settings: Settings, url: str, **options: Any) -> webhooks.NewSubscription:
    with transaction(settings.database_url) as session:
        return webhooks.create(session, SYSTEM, url=url, **options)


def _deliver(settings: Settings, clock: Clock) -> webhook_delivery.PassReport:
    with httpx.Client(timeout=settings.webhook_timeout) as client:
        return webhook_delivery.deliver_due(settings, client, clock)


def _subscription(settings: Settings, subscription_id: str) -> WebhookSubscription:
    with transaction(settings.database_url) as session:
        return webhooks.get(session, subscription_id)


def _log(settings: Settings, subscription_id: str) -> list[tuple[int, int, bool, int | None]]:
    """(event id, attempt, succeeded, status code) per attempt, oldest first."""
    with transaction(settings.database_url) as session:
        rows = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.id)
        )
        return [(d.event_id, d.attempt, d.succeeded, d.status_code) for d in rows]


def _errors(settings: Settings, subscription_id: str) -> list[str | None]:
    with transaction(settings.database_url) as session:
        return [d.error for d in webhooks.deliveries(session, subscription_id, 100)]


def _event_ids(settings: Settings) -> list[int]:
    with transaction(settings.database_url) as session:
        return list(session.scalars(select(Event.id).order_by(Event.id)))


def _three_customers(upsert: Upsert, settings: Settings) -> list[int]:
    """Three new customers; returns the ids of their `golden.created` events."""
    before = set(_event_ids(settings))
    upsert(*(record("crm", f"c{i}", **p) for i, p in enumerate(people(3))))
    return [i for i in _event_ids(settings) if i not in before]


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def test_a_delivery_carries_the_event_id_the_timestamp_and_a_signature_that_verifies(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    upsert(record("crm", "1"))

    _deliver(hub, clock)

    [request] = receiver.requests
    assert request.headers["x-mdmhub-event-id"] == str(request.event["id"])
    assert request.headers["x-mdmhub-timestamp"] == str(int(T0.timestamp()))
    assert request.signature_verifies(new.secret)
    assert not request.signature_verifies("another secret")


def test_the_signature_covers_the_timestamp(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    upsert(record("crm", "1"))
    _deliver(hub, clock)
    [request] = receiver.requests

    request.headers["x-mdmhub-timestamp"] = str(int(T0.timestamp()) + 1)

    assert not request.signature_verifies(new.secret)


def test_events_arrive_one_at_a_time_in_id_order(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    _subscribe(hub, receiver.url)
    _three_customers(upsert, hub)
    upsert(record("crm", "c0", **person(email="new@example.com")))

    report = _deliver(hub, clock)

    assert [e["id"] for e in receiver.accepted] == _event_ids(hub)
    assert [e["type"] for e in receiver.accepted] == ["golden.created"] * 3 + ["golden.updated"]
    assert report.delivered == 4


def test_a_successful_delivery_moves_the_cursor_to_the_last_event(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    _three_customers(upsert, hub)

    _deliver(hub, clock)

    subscription = _subscription(hub, new.subscription.id)
    assert (subscription.cursor, subscription.failures) == (_event_ids(hub)[-1], 0)
    assert subscription.next_attempt_at is None


def test_every_attempt_is_logged(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    _three_customers(upsert, hub)

    _deliver(hub, clock)

    assert _log(hub, new.subscription.id) == [(i, 1, True, 200) for i in _event_ids(hub)]


def test_a_subscriber_that_fails_then_recovers_loses_nothing_and_sees_no_reordering(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    first, second, third = _three_customers(upsert, hub)
    receiver.answer([500, 503])

    for _ in range(3):
        _deliver(hub, clock)
        clock.now += timedelta(hours=1)

    assert [r.event["id"] for r in receiver.requests] == [first, first, first, second, third]
    assert [e["id"] for e in receiver.accepted] == [first, second, third]
    assert _log(hub, new.subscription.id) == [
        (first, 1, False, 500),
        (first, 2, False, 503),
        (first, 3, True, 200),
        (second, 1, True, 200),
        (third, 1, True, 200),
    ]


def test_a_failure_holds_the_subscription_for_base_times_two_to_the_failures(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    settings = hub.model_copy(update={"webhook_backoff_base": 1.0, "webhook_backoff_cap": 300.0})
    new = _subscribe(settings, receiver.url)
    upsert(record("crm", "1"))
    receiver.answer([500, 500])

    _deliver(settings, clock)
    after_one = _subscription(settings, new.subscription.id)
    clock.now = T0 + timedelta(seconds=2)
    _deliver(settings, clock)
    after_two = _subscription(settings, new.subscription.id)

    assert (after_one.failures, after_one.next_attempt_at) == (1, T0 + timedelta(seconds=2))
    assert (after_two.failures, after_two.next_attempt_at) == (2, T0 + timedelta(seconds=6))


def test_no_attempt_is_made_before_the_backoff_has_passed(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    settings = hub.model_copy(update={"webhook_backoff_base": 1.0})
    _subscribe(settings, receiver.url)
    upsert(record("crm", "1"))
    receiver.answer([500])
    _deliver(settings, clock)

    clock.now = T0 + timedelta(seconds=1.999)
    report = _deliver(settings, clock)

    assert (len(receiver.requests), report.delivered, report.failed) == (1, 0, 0)


@pytest.mark.parametrize(
    ("failures", "seconds"), [(1, 2), (2, 4), (8, 256), (9, 300), (100_000, 300)]
)
def test_the_backoff_doubles_per_failure_up_to_the_cap(failures: int, seconds: int) -> None:
    assert webhook_delivery.backoff(failures, 1.0, 300.0) == timedelta(seconds=seconds)


def test_a_failing_subscriber_does_not_hold_up_another(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    with Receiver() as healthy:
        _subscribe(hub, receiver.url)
        _subscribe(hub, healthy.url)
        _three_customers(upsert, hub)
        receiver.answer([500])

        _deliver(hub, clock)

        assert [e["id"] for e in healthy.accepted] == _event_ids(hub)
        assert receiver.accepted == []


def test_a_subscriber_that_does_not_answer_in_time_is_a_failed_attempt(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    settings = hub.model_copy(update={"webhook_timeout": 0.2})
    new = _subscribe(settings, receiver.url)
    upsert(record("crm", "1"))
    receiver.hang = True

    report = _deliver(settings, clock)

    assert report.failed == 1
    assert _subscription(settings, new.subscription.id).failures == 1
    [error] = _errors(settings, new.subscription.id)
    assert error is not None and error.startswith("ReadTimeout")


def test_a_refused_connection_is_a_failed_attempt(
    upsert: Upsert, hub: Settings, clock: Clock
) -> None:
    new = _subscribe(hub, _closed_port_url())
    upsert(record("crm", "1"))

    _deliver(hub, clock)

    assert _log(hub, new.subscription.id) == [(_event_ids(hub)[0], 1, False, None)]
    [error] = _errors(hub, new.subscription.id)
    assert error is not None and error.startswith("ConnectError")


def test_events_of_other_types_only_move_the_cursor(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url, event_types=[EventType.MERGED])
    _three_customers(upsert, hub)

    report = _deliver(hub, clock)

    assert receiver.requests == []
    assert _subscription(hub, new.subscription.id).cursor == _event_ids(hub)[-1]
    assert report.moved == 1


def test_only_the_entities_subscribed_to_are_delivered(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url, entities=[EntityType.PRODUCT])
    upsert(record("crm", "p1", name="Lavadora X200", brand="Acme"), entity=EntityType.PRODUCT)
    _three_customers(upsert, hub)

    _deliver(hub, clock)

    assert [e["entity"] for e in receiver.accepted] == ["product"]
    assert _subscription(hub, new.subscription.id).cursor == _event_ids(hub)[-1]


def test_a_deactivated_subscription_gets_nothing(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    with transaction(hub.database_url) as session:
        webhooks.deactivate(session, SYSTEM, new.subscription.id)
    _three_customers(upsert, hub)

    _deliver(hub, clock)

    assert receiver.requests == []


def test_a_replay_delivers_the_events_after_its_cursor_again(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    first, second, third = _three_customers(upsert, hub)
    _deliver(hub, clock)

    with transaction(hub.database_url) as session:
        webhooks.replay(session, SYSTEM, new.subscription.id, first)
    _deliver(hub, clock)

    assert [e["id"] for e in receiver.accepted] == [first, second, third, second, third]


def test_a_replay_during_a_delivery_wins_over_the_worker(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    first, second, third = _three_customers(upsert, hub)
    new = _subscribe(hub, receiver.url, from_cursor=first)

    def replay_from_the_start() -> None:
        receiver.during_request = None
        with transaction(hub.database_url) as session:
            webhooks.replay(session, SYSTEM, new.subscription.id, 0)

    receiver.during_request = replay_from_the_start
    _deliver(hub, clock)
    cursor_after_replay = _subscription(hub, new.subscription.id).cursor
    _deliver(hub, clock)

    assert cursor_after_replay == 0
    assert [e["id"] for e in receiver.accepted] == [second, first, second, third]


def test_a_worker_told_to_stop_mid_batch_gives_its_claim_back(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    first, _, _ = _three_customers(upsert, hub)
    stop = threading.Event()
    receiver.during_request = stop.set

    with httpx.Client() as client:
        webhook_delivery.deliver_due(hub, client, clock, stop)

    subscription = _subscription(hub, new.subscription.id)
    assert (len(receiver.requests), subscription.cursor) == (1, first)
    assert subscription.next_attempt_at is None


def test_a_subscription_claimed_by_another_worker_is_left_alone(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    _three_customers(upsert, hub)
    with transaction(hub.database_url) as session:
        assert webhooks_repo.claim(session, new.subscription.id, 0, T0, T0 + timedelta(minutes=1))

    _deliver(hub, clock)

    assert receiver.requests == []


def test_a_claim_left_by_a_worker_that_died_expires(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    new = _subscribe(hub, receiver.url)
    _three_customers(upsert, hub)
    with transaction(hub.database_url) as session:
        webhooks_repo.claim(session, new.subscription.id, 0, T0, T0 + timedelta(minutes=1))

    clock.now = T0 + timedelta(minutes=1)
    _deliver(hub, clock)

    assert [e["id"] for e in receiver.accepted] == _event_ids(hub)


def test_a_subscription_is_claimed_by_one_worker_at_a_time(
    upsert: Upsert, hub: Settings, receiver: Receiver
) -> None:
    new = _subscribe(hub, receiver.url)
    until = T0 + timedelta(minutes=1)

    with transaction(hub.database_url) as session:
        first = webhooks_repo.claim(session, new.subscription.id, 0, T0, until)
    with transaction(hub.database_url) as session:
        second = webhooks_repo.claim(session, new.subscription.id, 0, T0, until)

    assert (first, second) == (True, False)


def test_a_pass_sends_a_subscription_one_batch_and_the_next_pass_the_rest(
    upsert: Upsert, hub: Settings, receiver: Receiver, clock: Clock
) -> None:
    settings = hub.model_copy(update={"webhook_batch_size": 2})
    _subscribe(settings, receiver.url)
    _three_customers(upsert, hub)

    first_pass = _deliver(settings, clock)
    second_pass = _deliver(settings, clock)

    assert (first_pass.delivered, second_pass.delivered) == (2, 1)
    assert [e["id"] for e in receiver.accepted] == _event_ids(settings)


def test_drain_delivers_the_whole_backlog_in_order(
    upsert: Upsert, hub: Settings, receiver: Receiver
) -> None:
    settings = hub.model_copy(update={"webhook_batch_size": 2})
    _subscribe(settings, receiver.url)
    upsert(*(record("crm", f"c{i}", **p) for i, p in enumerate(people(7))))

    report = webhook_delivery.drain(settings)

    assert report.delivered == 7
    assert [e["id"] for e in receiver.accepted] == _event_ids(settings)
