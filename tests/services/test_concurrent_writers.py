"""Writers in different processes (two server workers, a load beside the server) share
no in-process lock: the database's writer lock alone must keep them from matching the
same new people at once. Threads with connections of their own stand in for them."""

import threading

from sqlalchemy import func, select

from mdmhub.db.models import GoldenRecord
from mdmhub.db.session import transaction, write_transaction
from mdmhub.domain.entities import EntityType
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.services import ingest
from mdmhub.services.match_context import MatchContext
from mdmhub.settings import Settings
from tests.factories import people, record


def test_two_writers_sending_the_same_new_people_at_once_make_one_golden_record_each(
    hub: Settings,
) -> None:
    population = people(40)
    context = MatchContext(DEFAULT_MODELS[EntityType.CUSTOMER], "ES", hub.block_size_cap)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def send(source: str) -> None:
        records = [record(source, f"{source}-{i}", **p) for i, p in enumerate(population)]
        start.wait()
        try:
            with write_transaction(hub.database_url) as session:
                ingest.upsert_records(session, EntityType.CUSTOMER, records, context)
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    writers = [threading.Thread(target=send, args=(source,)) for source in ("crm", "shop")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    assert failures == []
    with transaction(hub.database_url) as session:
        assert session.scalar(select(func.count()).select_from(GoldenRecord)) == len(population)
