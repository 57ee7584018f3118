import pickle
from dataclasses import dataclass, field

import pytest

from mdmhub.domain.records import LinkInput, Problem, RecordInput
from mdmhub.engine.clustering import Assignment, Decision, ReviewPair
from mdmhub.pickling import as_constructor_call


def test_a_record_pickles_as_a_call_of_its_class_with_its_fields() -> None:
    record = RecordInput("crm", "42", {"given_name": "José"})

    assert record.__reduce__() == (RecordInput, ("crm", "42", {"given_name": "José"}, ()))


def test_a_record_with_links_comes_back_equal_from_a_pickle() -> None:
    record = RecordInput(
        "crm", "42", {"given_name": "José"}, (LinkInput("address", "billing", "crm", "7"),)
    )

    assert pickle.loads(pickle.dumps(record)) == record


def test_matching_results_come_back_equal_from_a_pickle() -> None:
    results = [Assignment("g-1", Decision.LINKED, 0.97), ReviewPair(3, 8, 0.42)]

    assert pickle.loads(pickle.dumps(results)) == results


def test_a_problem_comes_back_equal_from_a_pickle() -> None:
    problem = Problem("source_id", "is empty")

    assert pickle.loads(pickle.dumps(problem)) == problem


@as_constructor_call
@dataclass(frozen=True, slots=True)
class _OneField:
    value: str


def test_a_dataclass_of_one_field_comes_back_equal_from_a_pickle() -> None:
    assert pickle.loads(pickle.dumps(_OneField("only"))) == _OneField("only")


def test_a_dataclass_with_a_field_its_constructor_does_not_take_is_refused() -> None:
    with pytest.raises(TypeError, match="every field must be a positional argument"):

        @as_constructor_call
        @dataclass(frozen=True)
        class _Computed:
            value: str
            length: int = field(init=False, default=0)
