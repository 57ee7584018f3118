from mdmhub.engine.blocking import block_on
from mdmhub.engine.blocking_report import blocking_report

RECORDS = [
    {"family": "garcia", "birth_year": "1980"},
    {"family": "garcia", "birth_year": "1980"},
    {"family": "garcia", "birth_year": "1981"},
    {"family": "ruiz", "birth_year": "1980"},
]


def test_each_rule_reports_its_candidate_pairs() -> None:
    report = blocking_report([block_on("family"), block_on("birth_year")], RECORDS, cap=10)

    assert [(r.rule, r.candidate_pairs) for r in report.rules] == [
        ("family", 3),
        ("birth_year", 3),
    ]
    assert report.union_pairs == 5


def test_recall_is_the_share_of_true_pairs_some_rule_proposes() -> None:
    truth = ["a", "a", "a", "b"]

    report = blocking_report([block_on("family", "birth_year")], RECORDS, cap=10, truth=truth)

    assert (report.true_pairs, report.true_pairs_found) == (3, 1)
    assert report.recall == 1 / 3


def test_blocks_over_the_cap_are_counted_not_paired() -> None:
    report = blocking_report([block_on("family")], RECORDS, cap=2)

    assert (report.rules[0].candidate_pairs, report.rules[0].capped_keys) == (0, 1)


def test_without_truth_there_is_no_recall() -> None:
    assert blocking_report([block_on("family")], RECORDS, cap=10).recall is None
