import json
from pathlib import Path

from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.domain.review import ReviewDecision, ReviewStatus
from mdmhub.services import review_queue
from mdmhub.settings import Settings
from tests.cli.conftest import Run
from tests.factories import LOOKALIKE, person


def test_export_pairs_writes_steward_decisions_as_training_pairs(
    mdmhub: Run, settings: Settings, tmp_path: Path
) -> None:
    records = tmp_path / "people.jsonl"
    records.write_text(
        "\n".join(json.dumps({"id": i, **p}) for i, p in enumerate([person(), LOOKALIKE]))
    )
    assert mdmhub("load", str(records), "--source", "crm", "--entity", "customer").exit_code == 0
    with transaction(settings.database_url) as session:
        _, [task] = review_queue.list_tasks(
            session, EntityType.CUSTOMER, ReviewStatus.OPEN, None, False, 0, 10
        )
        review_queue.decide(session, task.task.id, ReviewDecision.NO_MATCH, None, SYSTEM)
    output = tmp_path / "pairs.jsonl"

    result = mdmhub("export", "pairs", "--entity", "customer", "--output", str(output))

    assert result.exit_code == 0
    [pair] = [json.loads(line) for line in output.read_text().splitlines()]
    assert pair["label"] == 0
    assert {pair["left"]["locality"], pair["right"]["locality"]} == {"Madrid", "Sevilla"}
