import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.organizations import normalize_org_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Incorporated", "acme"),
        ("Distribuidora López S.A.S.", "distribuidora lopez"),
        ("Distribuidora Lopez SAS", "distribuidora lopez"),
        ("Banco Santander, S. A.", "banco santander"),
        ("Empresa S.A. de C.V.", "empresa"),
        ("Grupo Bimbo, S.A.B. de C.V.", "grupo bimbo"),
        ("Construcciones Pérez S.L.", "construcciones perez"),
        ("Comercial Andina Ltda.", "comercial andina"),
        ("Foo Holdings Co., Ltd.", "foo holdings"),
        ("Widgets LLC", "widgets"),
        ("Tesco PLC", "tesco"),
        ("Siemens AG", "siemens"),
        ("Bosch GmbH", "bosch"),
        ("Philips N.V.", "philips"),
        ("Ferrari S.p.A.", "ferrari"),
        ("Pérez y Cía. S.A.", "perez"),
        ("The Coca-Cola Company", "coca cola"),
        ("A.B.C. Distribuidores Ltda", "abc distribuidores"),
    ],
)
def test_drops_legal_forms(raw: str, expected: str) -> None:
    assert normalize_org_name(raw) == expected


def test_and_and_ampersand_agree() -> None:
    assert normalize_org_name("Procter & Gamble") == normalize_org_name("Procter and Gamble")


def test_leading_co_is_part_of_the_name() -> None:
    assert normalize_org_name("Co-op Bank") == "co op bank"


@pytest.mark.parametrize(("raw", "expected"), [("S.A.", "sa"), ("Ltd.", "ltd"), ("And", "and")])
def test_keeps_a_name_that_would_become_empty(raw: str, expected: str) -> None:
    assert normalize_org_name(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "&"])
def test_returns_none_for_empty_input(raw: str | None) -> None:
    assert normalize_org_name(raw) is None


@given(st.text())
def test_never_raises_and_is_idempotent(raw: str) -> None:
    once = normalize_org_name(raw)
    assert normalize_org_name(once) == once
