import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.text import normalize_code, normalize_text, to_ascii


class TestNormalizeText:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("  José  María-López ", "jose maria lopez"),
            ("ÑANDÚ", "nandu"),
            ("O'Brien", "obrien"),
            ("O’Brien", "obrien"),
            ("\uff21\uff22\uff23\u3000\uff44\uff45\uff46", "abc def"),  # full-width
            ("Straße", "strasse"),
            ("a\tb\nc", "a b c"),
            ("12.5%", "12 5"),
        ],
    )
    def test_folds_case_accents_and_punctuation(self, raw: str, expected: str) -> None:
        assert normalize_text(raw) == expected

    @pytest.mark.parametrize("raw", [None, "", "   ", "--- ...", "!?¿¡"])
    def test_returns_none_when_nothing_alphanumeric_is_left(self, raw: str | None) -> None:
        assert normalize_text(raw) is None

    def test_combining_accent_equals_precomposed(self) -> None:
        assert normalize_text("Jose\u0301") == normalize_text("Jos\u00e9") == "jose"

    @given(st.text())
    def test_is_idempotent(self, raw: str) -> None:
        once = normalize_text(raw)
        assert normalize_text(once) == once

    @given(st.text())
    def test_output_is_lowercase_ascii_words_single_spaced(self, raw: str) -> None:
        out = normalize_text(raw)
        if out is not None:
            assert out.isascii()
            assert out == out.strip()
            assert "  " not in out
            assert all(word.isalnum() and word == word.lower() for word in out.split(" "))


class TestNormalizeCode:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("12.345.678-K", "12345678K"), ("  ab 12 ", "AB12"), ("Ñ-1", "N1")],
    )
    def test_keeps_uppercase_letters_and_digits(self, raw: str, expected: str) -> None:
        assert normalize_code(raw) == expected

    @pytest.mark.parametrize("raw", [None, "", " - / "])
    def test_returns_none_for_empty_codes(self, raw: str | None) -> None:
        assert normalize_code(raw) is None

    @given(st.text())
    def test_is_idempotent_and_alphanumeric(self, raw: str) -> None:
        out = normalize_code(raw)
        assert normalize_code(out) == out
        if out is not None:
            assert out.isascii() and out.isalnum() and out == out.upper()


def test_to_ascii_leaves_ascii_untouched() -> None:
    assert to_ascii("Plain ASCII, 123!") == "Plain ASCII, 123!"
