import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.emails import normalize_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  John.Doe@Example.COM ", "john.doe@example.com"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
        ("MAILTO:Ana@Empresa.es", "ana@empresa.es"),
        ("josé@correo.es", "josé@correo.es"),
        ("a@xn--bcher-kva.de", "a@bücher.de"),
    ],
)
def test_lowercases_valid_addresses(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "john",
        "john@",
        "@example.com",
        "a..b@example.com",
        ".a@example.com",
        "a@example",
        "a@-example.com",
        "a@example.123",
        "a@host.test",
        "a@host.local",
        "a b@example.com",
        "a@@example.com",
    ],
)
def test_returns_none_for_invalid_addresses(raw: str | None) -> None:
    assert normalize_email(raw) is None


def test_does_not_look_up_dns() -> None:
    assert normalize_email("someone@no-such-domain-mdmhub-test.com") is not None


@given(st.text())
def test_never_raises_and_is_idempotent(raw: str) -> None:
    out = normalize_email(raw)
    assert normalize_email(out) == out


@given(st.emails())
def test_accepts_generated_addresses_idempotently(raw: str) -> None:
    out = normalize_email(raw)
    if out is not None:
        assert out == out.lower()
        assert normalize_email(out) == out


_ATOM = st.text(alphabet="abcz019_+%-.", min_size=1, max_size=12)
_LABEL = st.text(alphabet="abz09-", min_size=1, max_size=10)


@given(
    _ATOM, st.lists(_LABEL, min_size=1, max_size=3), st.sampled_from(["com", "es", "test", "c1"])
)
def test_fast_path_agrees_with_email_validator(local: str, labels: list[str], tld: str) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    assert normalize_email(address) == expected
