import csv
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import Result

from mdmhub.db.models import MatchModelVersion
from mdmhub.db.session import transaction
from mdmhub.settings import Settings, get_settings
from tests.cli.conftest import Run
from tests.factories import duplicate_of, people, person

UNRELATED = {"given_name": "Ana", "family_name": "Ruiz", "birth_date": "1990-05-05"}
DUPLICATE = person(given_name="Pepe", email="", phone="600123456")


def _customers(path: Path) -> Path:
    """30 customers: 20 people, 10 of them twice."""
    everyone = people(20)
    rows = [
        *({"id": f"c{i}", **p} for i, p in enumerate(everyone)),
        *({"id": f"d{i}", **duplicate_of(p)} for i, p in enumerate(everyone[:10])),
    ]
    return _write(path, rows)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _load(mdmhub: Run, tmp_path: Path) -> None:
    path = _customers(tmp_path / "customers.csv")
    result = mdmhub(
        "load", str(path), "--source", "crm", "--entity", "customer", "--id-column", "id"
    )
    assert result.exit_code == 0, result.output


def _pairs(path: Path, *rows: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _labelled(path: Path) -> Path:
    everyone = people(11)
    return _pairs(
        path,
        *({"left": p, "right": duplicate_of(p), "label": 1} for p in everyone[:10]),
        *({"left": a, "right": b, "label": 0} for a, b in itertools.pairwise(everyone)),
    )


def _said(result: Result) -> str:
    """What the command printed, with rich's line wrapping undone."""
    return " ".join(result.output.split())


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_train_after_a_load_prints_the_version(mdmhub: Run, tmp_path: Path) -> None:
    _load(mdmhub, tmp_path)

    first = mdmhub("train", "--entity", "customer")
    second = mdmhub("train", "--entity", "customer")

    assert first.exit_code == 0, first.output
    assert "customer model version 1 trained (em)" in _said(first)
    assert "records 30" in _said(first)
    assert second.exit_code == 0
    assert "customer model version 2 trained (em)" in _said(second)


def test_train_without_enough_records_exits_2_and_says_why(mdmhub: Run) -> None:
    result = mdmhub("train", "--entity", "customer")

    assert result.exit_code == 2
    assert "at least 10 stored customer records, found 0" in _said(result)


def _load_training(mdmhub: Run, path: Path) -> Result:
    return mdmhub(
        "load", str(path), "--source", "crm", "--entity", "customer", "--id-column", "id",
        "--train",
    )  # fmt: skip


def _golden_ids(mdmhub: Run) -> dict[str, str]:
    result = mdmhub("export", "xref", "--entity", "customer")
    return {
        row["source_id"]: row["golden_id"] for row in csv.DictReader(io.StringIO(result.stdout))
    }


def test_a_training_load_trains_on_the_file_then_loads_it(mdmhub: Run, tmp_path: Path) -> None:
    result = _load_training(mdmhub, _customers(tmp_path / "customers.csv"))

    assert result.exit_code == 0, result.output
    assert "customer model version 1 trained (em)" in _said(result)
    assert "records 30" in _said(result)
    assert "30 rows from customers.csv: 30 created" in _said(result)
    golden = _golden_ids(mdmhub)
    assert all(golden[f"c{i}"] == golden[f"d{i}"] for i in range(10))


def test_a_training_load_run_again_trains_on_each_record_once_and_changes_nothing(
    mdmhub: Run, tmp_path: Path
) -> None:
    path = _customers(tmp_path / "customers.csv")
    _load_training(mdmhub, path)
    before = _golden_ids(mdmhub)

    again = _load_training(mdmhub, path)

    assert "customer model version 2 trained (em): records 30" in _said(again)
    assert "30 unchanged" in _said(again)
    assert _golden_ids(mdmhub) == before


def test_a_training_load_of_too_few_records_exits_2_and_writes_nothing(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    path = _write(tmp_path / "few.csv", [{"id": f"c{i}", **p} for i, p in enumerate(people(9))])

    result = _load_training(mdmhub, path)

    assert result.exit_code == 2
    assert "at least 10 customer records, stored and incoming, found 9" in _said(result)
    assert _golden_ids(mdmhub) == {}
    assert _model_versions(settings) == 0


def test_a_training_load_of_a_malformed_file_names_the_line_and_trains_nothing(
    mdmhub: Run, tmp_path: Path, settings: Settings
) -> None:
    path = _customers(tmp_path / "customers.csv")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("x1,too,few\n")

    result = _load_training(mdmhub, path)

    assert result.exit_code == 2
    assert "customers.csv, line 32: 3 fields where the header has" in _said(result)
    assert _golden_ids(mdmhub) == {}
    assert _model_versions(settings) == 0


def _model_versions(settings: Settings) -> int:
    with transaction(settings.database_url) as session:
        return session.scalar(select(func.count()).select_from(MatchModelVersion)) or 0


def test_train_from_labelled_pairs_prints_the_version(mdmhub: Run, tmp_path: Path) -> None:
    pairs = _labelled(tmp_path / "pairs.jsonl")

    result = mdmhub("train", "--entity", "customer", "--pairs", str(pairs))

    assert result.exit_code == 0, result.output
    assert "customer model version 1 trained (labelled): pairs 20, matches 10" in _said(result)


@pytest.mark.parametrize("label", [2, None, "yes"])
def test_train_from_pairs_with_a_label_other_than_0_or_1_exits_2(
    mdmhub: Run, tmp_path: Path, label: Any
) -> None:
    path = _labelled(tmp_path / "pairs.jsonl")
    with path.open("a") as handle:
        handle.write(json.dumps({"left": person(), "right": person(), "label": label}) + "\n")

    result = mdmhub("train", "--entity", "customer", "--pairs", str(path))

    assert result.exit_code == 2
    assert "label of 0 or 1" in _said(result)


def test_train_from_pairs_of_one_class_exits_2(mdmhub: Run, tmp_path: Path) -> None:
    path = _pairs(tmp_path / "pairs.jsonl", {"left": person(), "right": DUPLICATE, "label": 1})

    result = mdmhub("train", "--entity", "customer", "--pairs", str(path))

    assert result.exit_code == 2
    assert "both matches (1) and non-matches (0)" in _said(result)


def test_train_from_a_missing_pairs_file_is_a_usage_error(mdmhub: Run, tmp_path: Path) -> None:
    result = mdmhub("train", "--entity", "customer", "--pairs", str(tmp_path / "nope.jsonl"))

    assert result.exit_code == 2
    assert "Invalid value for '--pairs'" in result.output


def test_score_pairs_prints_one_json_line_per_pair(mdmhub: Run, tmp_path: Path) -> None:
    path = _pairs(
        tmp_path / "pairs.jsonl",
        {"left": person(), "right": DUPLICATE, "label": 1},
        {"left": person(), "right": {"given_name": "José", "family_name": "García"}},
        {"left": person(), "right": UNRELATED, "label": 0},
    )

    result = mdmhub("score-pairs", "--entity", "customer", str(path))

    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert len(lines) == 3
    for line in lines:
        assert set(line) == {"score", "decision"}
        assert isinstance(line["score"], float)
        assert 0.0 <= line["score"] <= 1.0
        assert line["decision"] in {"match", "review", "no-match"}
    assert [line["decision"] for line in lines] == ["match", "review", "no-match"]
    assert lines[0]["score"] > lines[1]["score"] > lines[2]["score"]


def test_score_pairs_skips_blank_lines(mdmhub: Run, tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        json.dumps({"left": person(), "right": DUPLICATE})
        + "\n\n   \n"
        + json.dumps({"left": person(), "right": UNRELATED})
        + "\n"
    )

    result = mdmhub("score-pairs", "--entity", "customer", str(path))

    assert result.exit_code == 0, result.output
    assert [line["decision"] for line in _lines(result.stdout)] == ["match", "no-match"]


def test_score_pairs_uses_the_trained_model(mdmhub: Run, tmp_path: Path) -> None:
    path = _pairs(tmp_path / "pairs.jsonl", {"left": person(), "right": UNRELATED})
    before = _lines(mdmhub("score-pairs", "--entity", "customer", str(path)).stdout)
    _load(mdmhub, tmp_path)
    assert mdmhub("train", "--entity", "customer").exit_code == 0

    after = _lines(mdmhub("score-pairs", "--entity", "customer", str(path)).stdout)

    assert after[0]["score"] != before[0]["score"]


MALFORMED = {
    "not-json": "{left: 1",
    "no-right": json.dumps({"left": person()}),
    "a-list": json.dumps([person(), person()]),
    "left-not-an-object": json.dumps({"left": "José García", "right": person()}),
}


@pytest.mark.parametrize("command", ["train", "score-pairs"])
@pytest.mark.parametrize("line", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_pairs_line_exits_2_and_names_the_line(
    mdmhub: Run, tmp_path: Path, command: str, line: str
) -> None:
    path = _labelled(tmp_path / "pairs.jsonl")
    text = path.read_text().splitlines()
    text.insert(2, line)
    path.write_text("\n".join(text) + "\n")

    if command == "train":
        result = mdmhub("train", "--entity", "customer", "--pairs", str(path))
    else:
        result = mdmhub("score-pairs", "--entity", "customer", str(path))

    assert result.exit_code == 2
    assert "pairs.jsonl, line 3" in _said(result)
    assert result.stdout == ""


def test_a_malformed_pairs_file_stores_no_model(mdmhub: Run, tmp_path: Path) -> None:
    path = _labelled(tmp_path / "pairs.jsonl")
    path.write_text(path.read_text() + "not json\n")
    assert mdmhub("train", "--entity", "customer", "--pairs", str(path)).exit_code == 2

    result = mdmhub("train", "--entity", "customer", "--pairs", str(_labelled(tmp_path / "ok")))

    assert "customer model version 1 trained" in _said(result)


def test_rematch_prints_a_summary(mdmhub: Run, tmp_path: Path) -> None:
    _load(mdmhub, tmp_path)

    result = mdmhub("rematch", "--entity", "customer")

    assert result.exit_code == 0, result.output
    assert (
        "30 customer records re-clustered: 0 moved, 0 golden records created, 0 retired, 0 split"
        in _said(result)
    )


def test_rematch_after_a_model_change_reports_what_moved(
    mdmhub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(mdmhub, tmp_path)
    config = tmp_path / "model.toml"
    config.write_text('[customer]\nupper = 0.999999\nlower = 0.99\nblocking = [["email"]]\n')
    monkeypatch.setenv("MDMHUB_MODEL_CONFIG_FILE", str(config))
    get_settings.cache_clear()

    result = mdmhub("rematch", "--entity", "customer")

    assert result.exit_code == 0, result.output
    assert (
        "30 customer records re-clustered: 10 moved, 10 golden records created, 0 retired, 10 split"
        in _said(result)
    )


def _bad_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "model.toml"
    config.write_text("[customer]\nupper = 0.5\nlower = 0.8\n")
    monkeypatch.setenv("MDMHUB_MODEL_CONFIG_FILE", str(config))
    get_settings.cache_clear()


def test_train_with_a_bad_model_config_exits_2_naming_the_problem(
    mdmhub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bad_config(tmp_path, monkeypatch)

    result = mdmhub("train", "--entity", "customer", "--pairs", str(_labelled(tmp_path / "p")))

    assert result.exit_code == 2
    assert "thresholds need 0 < lower <= upper < 1" in _said(result)


@pytest.mark.parametrize("command", ["score-pairs", "rematch"])
def test_a_command_with_a_bad_model_config_exits_2_naming_the_problem(
    mdmhub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    pairs = _labelled(tmp_path / "pairs.jsonl")
    _bad_config(tmp_path, monkeypatch)

    if command == "rematch":
        result = mdmhub("rematch", "--entity", "customer")
    else:
        result = mdmhub("score-pairs", "--entity", "customer", str(pairs))

    assert result.exit_code == 2
    assert "thresholds need 0 < lower <= upper < 1" in _said(result)
