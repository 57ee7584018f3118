import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.comparisons import NO_WORDS
from mdmhub.engine.standardize.products import (
    editions,
    normalize_gtin,
    normalize_model_number,
    normalize_title,
    parse_price,
    platforms,
    version_or_code,
)


def _with_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


class TestNormalizeGtin:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("4006381333931", "04006381333931"),
            ("400-638-133-393-1", "04006381333931"),
            ("96385074", "00000096385074"),
            ("036000291452", "00036000291452"),
            ("00012345600012", "00012345600012"),
            ("8412345678905.0", "08412345678905"),
        ],
    )
    def test_pads_valid_gtins_to_14_digits(self, raw: str, expected: str) -> None:
        assert normalize_gtin(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            None,
            "",
            "4006381333932",
            "123",
            "0000000000000",
            "abc",
            "4006381333931x",
            "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
        ],
    )
    def test_rejects_invalid_gtins(self, raw: str | None) -> None:
        assert normalize_gtin(raw) is None

    @given(st.sampled_from([7, 11, 12, 13]), st.data())
    def test_accepts_any_valid_check_digit_and_its_own_output(
        self, length: int, data: st.DataObject
    ) -> None:
        body = data.draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
        gtin = _with_check_digit(body)
        out = normalize_gtin(gtin)
        if gtin.strip("0"):
            assert out == gtin.zfill(14)
            assert normalize_gtin(out) == out

    @given(st.text())
    def test_never_raises(self, raw: str) -> None:
        out = normalize_gtin(raw)
        assert out is None or (len(out) == 14 and out.isdigit())


@pytest.mark.parametrize(("raw", "expected"), [("WD-40 /B", "WD40B"), ("sf16n4/tqp", "SF16N4TQP")])
def test_model_numbers_keep_uppercase_alphanumerics(raw: str, expected: str) -> None:
    assert normalize_model_number(raw) == expected


def test_model_number_is_none_when_empty() -> None:
    assert normalize_model_number(" / ") is None


class TestNormalizeTitle:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("Sony 16 GB Class 4 SD Card", "sony 16gb class 4 sd card"),
            ("Seagate 1.5 TB USB 2.0", "seagate 1.5tb usb 2.0"),
            ("Disco 1,5 TB", "disco 1.5tb"),
            ("Battery 1,000 mAh", "battery 1000mah"),
            ("Samsung 55 inch TV", "samsung 55in tv"),
            ("Brand NEW Nikon D3100 (New)", "nikon d3100"),
            ("Cámara nueva 12 MP", "camara 12mp"),
            ("end. of sentence.", "end of sentence"),
        ],
    )
    def test_normalizes_titles(self, raw: str, expected: str) -> None:
        assert normalize_title(raw) == expected

    def test_keeps_a_title_made_only_of_filler(self) -> None:
        assert normalize_title("NEW!") == "new"

    @pytest.mark.parametrize("raw", [None, "", "  ", "!!"])
    def test_returns_none_for_empty_titles(self, raw: str | None) -> None:
        assert normalize_title(raw) is None

    @given(st.text())
    def test_never_raises_and_is_idempotent(self, raw: str) -> None:
        once = normalize_title(raw)
        assert normalize_title(once) == once


class TestParsePrice:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("$1,299.99", 1299.99),
            ("1.299,99 €", 1299.99),
            ("1 299,99", 1299.99),
            ("1'299.00 CHF", 1299.0),
            ("12", 12.0),
            ("USD 45.00", 45.0),
            ("€12", 12.0),
            ("1,5", 1.5),
            ("1.299", 1299.0),
            ("0.500", 0.5),
            ("1.000.000", 1_000_000.0),
            ("1,000,000.50", 1_000_000.5),
            ("45.", 45.0),
            ("-5 EUR", -5.0),
        ],
    )
    def test_reads_prices(self, raw: str, expected: float) -> None:
        assert parse_price(raw) == pytest.approx(expected)

    @pytest.mark.parametrize(
        "raw", [None, "", "abc", "12 x 3", "1,2,3", "1.299.99", "nan", "inf", "1e5", "--"]
    )
    def test_returns_none_when_not_one_number(self, raw: str | None) -> None:
        assert parse_price(raw) is None

    @given(st.text())
    def test_never_raises(self, raw: str) -> None:
        out = parse_price(raw)
        assert out is None or out == out  # never NaN

    @given(st.decimals(min_value=0, max_value=10**9, places=2))
    def test_round_trips_plain_decimals(self, value: object) -> None:
        assert parse_price(f"{value}") == pytest.approx(float(str(value)))


@pytest.mark.parametrize(
    ("token", "expected"),
    [("v2", "2"), ("2.0", "2"), ("v4.00", "4"), ("2", "2"), ("2.5", "2.5"), ("x200", "x200")],
)
def test_a_version_is_its_number_without_v_or_a_zero_minor_version(
    token: str, expected: str
) -> None:
    assert version_or_code(token) == expected


@given(st.text(alphabet="v0123456789.x", max_size=8))
def test_a_version_or_code_is_idempotent(token: str) -> None:
    once = version_or_code(token)
    assert version_or_code(once) == once


class TestEditions:
    def test_names_each_edition_once_under_one_spelling(self) -> None:
        assert editions("photo explosion dlx 3.0 deluxe upg") == "deluxe|upgrade"

    def test_marks_a_title_without_an_edition_rather_than_leaving_it_missing(self) -> None:
        assert editions("westward") == NO_WORDS

    def test_is_missing_without_a_title(self) -> None:
        assert editions(None) is None

    @given(st.text())
    def test_never_raises_and_names_only_known_words(self, raw: str) -> None:
        title = normalize_title(raw)
        found = editions(title)
        assert (found is None) == (title is None)
        assert found is None or found == NO_WORDS or all(w.isalpha() for w in found.split("|"))


class TestPlatforms:
    def test_reads_operating_systems_under_one_name(self) -> None:
        assert platforms("adobe cs3 macosx and windows") == "mac|win"

    def test_marks_a_title_without_a_platform(self) -> None:
        assert platforms("adobe cs3") == NO_WORDS
