import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.addresses import (
    normalize_locality,
    normalize_postcode,
    normalize_street,
    split_house_number,
)


class TestNormalizeStreet:
    @pytest.mark.parametrize(
        "raw", ["Calle 12 # 34-56", "Cl. 12 No. 34-56", "CALLE 12 N° 34 - 56", "cll 12 nº 34-56"]
    )
    def test_colombian_spellings_agree(self, raw: str) -> None:
        assert normalize_street(raw) == "calle 12 34 56"

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("C/ Mayor 5", "calle mayor 5"),
            ("Cra. 7 # 45-10", "carrera 7 45 10"),
            ("Kr 7 45 10", "carrera 7 45 10"),
            ("Av. Libertador 1234", "avenida libertador 1234"),
            ("Avda. de la Constitución nº 5", "avenida de la constitucion 5"),
            ("Dg 40 # 10-20", "diagonal 40 10 20"),
            ("Tv. 5", "transversal 5"),
            ("Pº de Gracia 1", "paseo de gracia 1"),
            ("Pl. Mayor 3", "plaza mayor 3"),
            ("Ctra. de Valencia km 3", "carretera de valencia km 3"),
            ("Ak 68 # 20-30", "avenida carrera 68 20 30"),
            ("12 Main St.", "12 main street"),
            ("1 Abbey Rd", "1 abbey road"),
            ("Fifth Ave", "fifth avenue"),
            ("Sunset Blvd", "sunset boulevard"),
            ("Baker Pl", "baker place"),
            ("Mulholland Dr", "mulholland drive"),
            ("Penny Ln", "penny lane"),
            ("Calle Mayor s/n", "calle mayor"),
        ],
    )
    def test_maps_street_types_to_one_spelling(self, raw: str, expected: str) -> None:
        assert normalize_street(raw) == expected

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("CL MAYOR", "C/ Mayor"),
            ("PS DE GRACIA", "Pº de Gracia"),
            ("CM REAL", "Cno. Real"),
            ("RD SANT ANTONI", "Rda. Sant Antoni"),
            ("Trv. del Sol", "Travesía del Sol"),
            ("High Gdns", "High Gardens"),
            ("Oak Cl", "Oak Close"),
            ("Mill Rd", "Mill Road"),
        ],
    )
    def test_cadastre_codes_and_postal_abbreviations_agree_with_the_full_type(
        self, left: str, right: str
    ) -> None:
        assert normalize_street(left) == normalize_street(right)

    def test_leading_st_is_saint(self) -> None:
        assert normalize_street("12 St Mary Rd") == "12 st mary road"

    def test_po_box_is_not_a_paseo(self) -> None:
        assert normalize_street("PO Box 123") == "po box 123"

    def test_no_without_a_number_is_kept(self) -> None:
        assert normalize_street("Calle No Name") == "calle no name"

    @pytest.mark.parametrize("raw", [None, "", "  ", "#", "s/n"])
    def test_returns_none_for_empty_lines(self, raw: str | None) -> None:
        assert normalize_street(raw) is None

    @given(st.text())
    def test_never_raises_and_is_idempotent(self, raw: str) -> None:
        once = normalize_street(raw)
        assert normalize_street(once) == once


class TestSplitHouseNumber:
    @pytest.mark.parametrize(
        ("raw", "street", "number"),
        [
            ("12 Main St.", "main street", "12"),
            ("221B Baker Street", "baker street", "221b"),
            ("12-14 High St, Springfield", "high street", "12-14"),
            ("Calle Mayor 5, 2º B", "calle mayor", "5"),
            ("Calle Mayor, 5, 2º B", "calle mayor", "5"),
            ("Calle Mayor nº 5", "calle mayor", "5"),
            ("Calle 12 # 34-56", "calle 12", "34-56"),
            ("Cl. 12 No. 34-56", "calle 12", "34-56"),
            ("Calle 5 de Mayo 10", "calle 5 de mayo", "10"),
            ("12", None, "12"),
        ],
    )
    def test_separates_street_and_number(self, raw: str, street: str | None, number: str) -> None:
        assert split_house_number(raw) == (street, number)

    @pytest.mark.parametrize(
        ("raw", "street"),
        [
            ("Calle 12", "calle 12"),
            ("Avenida 5 de Mayo", "avenida 5 de mayo"),
            ("Calle Mayor s/n", "calle mayor"),
            ("Fifth Avenue", "fifth avenue"),
        ],
    )
    def test_leaves_number_empty_when_there_is_none(self, raw: str, street: str) -> None:
        assert split_house_number(raw) == (street, None)

    @pytest.mark.parametrize("raw", [None, "", "  ", ",,"])
    def test_returns_nothing_for_empty_lines(self, raw: str | None) -> None:
        assert split_house_number(raw) == (None, None)

    @given(st.text())
    def test_never_raises(self, raw: str) -> None:
        _, number = split_house_number(raw)
        assert number is None or number[0].isdigit()


class TestNormalizePostcode:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("sw1a 1aa", "SW1A1AA"), ("08001", "08001"), ("8001.0", "8001"), (" 28 001 ", "28001")],
    )
    def test_keeps_uppercase_alphanumerics(self, raw: str, expected: str) -> None:
        assert normalize_postcode(raw) == expected

    @pytest.mark.parametrize("raw", [None, "", " - "])
    def test_returns_none_for_empty_postcodes(self, raw: str | None) -> None:
        assert normalize_postcode(raw) is None

    @given(st.text())
    def test_is_idempotent(self, raw: str) -> None:
        once = normalize_postcode(raw)
        assert normalize_postcode(once) == once


class TestNormalizeLocality:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("Sta. Cruz de Tenerife", "santa cruz de tenerife"),
            ("St. Louis", "saint louis"),
            ("Ft. Worth", "fort worth"),
            ("La Coruña", "la coruna"),
            ("San Sebastián", "san sebastian"),
        ],
    )
    def test_normalizes_and_keeps_prefixes(self, raw: str, expected: str) -> None:
        assert normalize_locality(raw) == expected

    @pytest.mark.parametrize("raw", [None, "", "  "])
    def test_returns_none_for_empty_input(self, raw: str | None) -> None:
        assert normalize_locality(raw) is None

    @given(st.text())
    def test_is_idempotent(self, raw: str) -> None:
        once = normalize_locality(raw)
        assert normalize_locality(once) == once
