import pytest
from hypothesis import given
from hypothesis import strategies as st
from nicknames import NickNamer

from mdmhub.engine.standardize.names import (
    PersonName,
    canonical_given_name,
    given_name_aliases,
    normalize_given_name,
    normalize_name,
    split_full_name,
)
from mdmhub.engine.standardize.nicknames_es import NICKNAMES_ES


class TestNormalizeName:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("  Dr. JOHN  smith Jr. ", "john smith"),
            ("Mrs. Jane Doe", "jane doe"),
            ("Sra. Doña María López", "maria lopez"),
            ("Sr. Don José García", "jose garcia"),
            ("Henry Ford III", "henry ford"),
            ("John Smith Sr.", "john smith"),
            ("José-María", "jose maria"),
        ],
    )
    def test_drops_titles_and_suffixes(self, raw: str, expected: str) -> None:
        assert normalize_name(raw) == expected

    def test_keeps_don_when_it_is_the_given_name(self) -> None:
        assert normalize_name("Don Johnson") == "don johnson"

    @pytest.mark.parametrize(("raw", "expected"), [("Dr.", "dr"), ("Sr", "sr"), ("Jr", "jr")])
    def test_never_empties_a_name_made_only_of_a_title(self, raw: str, expected: str) -> None:
        assert normalize_name(raw) == expected

    @pytest.mark.parametrize("raw", [None, "", "  ", "..."])
    def test_returns_none_for_empty_input(self, raw: str | None) -> None:
        assert normalize_name(raw) is None

    @given(st.text())
    def test_never_raises_and_is_idempotent(self, raw: str) -> None:
        once = normalize_name(raw)
        assert normalize_name(once) == once


class TestSplitFullName:
    @pytest.mark.parametrize(
        ("raw", "given_name", "family", "second"),
        [
            ("Dr. John A. Smith Jr.", "john a", "smith", None),
            ("Smith, John", "john", "smith", None),
            ("John Smith, Jr.", "john", "smith", None),
            ("José María García de la Fuente", "jose maria", "garcia", "de la fuente"),
            ("García López, Juan", "juan", "garcia", "lopez"),
            ("De la Fuente García, José María", "jose maria", "de la fuente", "garcia"),
            ("Juan Pérez García", "juan", "perez", "garcia"),
            ("Juan Carlos Pérez", "juan carlos", "perez", None),
            ("María del Carmen López", "maria del carmen", "lopez", None),
            ("María del Carmen López García", "maria del carmen", "lopez", "garcia"),
            ("Xiomara Yuliet Pérez García", "xiomara yuliet", "perez", "garcia"),
            ("Jennifer Gómez Ruiz", "jennifer", "gomez", "ruiz"),
            ("John Fitzgerald Kennedy", "john fitzgerald", "kennedy", None),
            ("Juan Martín Pérez", "juan", "martin", "perez"),
            ("Ludwig van Beethoven", "ludwig", "van beethoven", None),
            ("Mary Smith-Jones", "mary", "smith jones", None),
            ("Sr. Don José Ortega y Gasset", "jose", "ortega", "y gasset"),
            ("Thomas Clifford, 1st Baron Clifford", "thomas", "clifford", None),
        ],
    )
    def test_splits_english_and_spanish_names(
        self, raw: str, given_name: str, family: str | None, second: str | None
    ) -> None:
        assert split_full_name(raw) == PersonName(given_name, family, second)

    def test_single_word_is_a_given_name(self) -> None:
        assert split_full_name("Madonna") == PersonName("madonna", None, None)

    @pytest.mark.parametrize("raw", [None, "", "   ", " , ", "123"])
    def test_returns_empty_name_for_unusable_input(self, raw: str | None) -> None:
        assert split_full_name(raw) == PersonName(None, None, None)

    @given(st.text())
    def test_never_raises_and_parts_are_normalized(self, raw: str) -> None:
        name = split_full_name(raw)
        for part in (name.given, name.family, name.second_family):
            assert part is None or (part and part == part.strip() and part.isascii())

    @given(
        st.lists(st.sampled_from(["ana", "juan", "perez", "de", "la", "smith", "j"]), max_size=6)
    )
    def test_keeps_every_name_word(self, words: list[str]) -> None:
        name = split_full_name(" ".join(words))
        parts = [p for p in (name.given, name.family, name.second_family) if p]
        assert " ".join(parts).split() == words


class TestCanonicalGivenName:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("Bill", "william"),
            ("will", "william"),
            ("William", "william"),
            ("Bob", "robert"),
            ("Jack", "john"),
            ("Liz", "elizabeth"),
            ("Peggy", "margaret"),
            ("Pepe", "jose"),
            ("Paco", "francisco"),
            ("Pancho", "francisco"),
            ("Curro", "francisco"),
            ("Lola", "dolores"),
            ("Conchita", "concepcion"),
            ("Nacho", "ignacio"),
            ("Chema", "jose maria"),
            ("Manolo", "manuel"),
            ("Toño", "antonio"),
            ("Juanjo", "juan jose"),
            ("Maite", "maria teresa"),
            ("Alex", "alejandro"),
            ("Alexander", "alejandro"),
        ],
    )
    def test_maps_nicknames_to_one_full_name(self, raw: str, expected: str) -> None:
        assert canonical_given_name(raw) == expected

    @pytest.mark.parametrize("raw", ["María", "José", "Dolores", "Zebulon Xyz"])
    def test_keeps_names_that_are_not_nicknames(self, raw: str) -> None:
        assert canonical_given_name(raw) == normalize_name(raw)

    def test_maps_a_compound_given_name_word_by_word(self) -> None:
        assert canonical_given_name("Pepe Luis") == "jose luis"

    def test_drops_titles_first(self) -> None:
        assert canonical_given_name("Sr. Paco") == "francisco"

    @pytest.mark.parametrize("raw", [None, "", " "])
    def test_returns_none_for_empty_input(self, raw: str | None) -> None:
        assert canonical_given_name(raw) is None

    @given(st.text())
    def test_is_idempotent(self, raw: str) -> None:
        once = canonical_given_name(raw)
        assert canonical_given_name(once) == once

    def test_is_idempotent_on_every_known_name(self) -> None:
        namer = NickNamer()
        names = namer.canonical_lookup.keys() | namer.nickname_lookup.keys() | NICKNAMES_ES.keys()
        for name in names:
            once = canonical_given_name(name)
            assert canonical_given_name(once) == once, name


class TestNormalizeGivenName:
    @pytest.mark.parametrize("raw", ["Sir", "LADY", "Reverend", "1st", "Sir 2nd"])
    def test_a_field_holding_only_a_title_or_an_ordinal_holds_no_given_name(self, raw: str) -> None:
        assert normalize_given_name(raw) is None

    @pytest.mark.parametrize(("raw", "expected"), [("Sir George", "george"), ("Don", "don")])
    def test_a_name_is_read_as_normalize_name_reads_it(self, raw: str, expected: str) -> None:
        assert normalize_given_name(raw) == expected

    @given(st.text())
    def test_never_raises_and_is_none_or_what_normalize_name_gives(self, raw: str) -> None:
        found = normalize_given_name(raw)
        assert found is None or found == normalize_name(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lady Jane Grey", "jane grey"),
        ("Reverend John Smith", "john smith"),
        ("Lord Byron", "byron"),
    ],
)
def test_peerage_and_clergy_titles_are_dropped(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def aliases(name: str) -> frozenset[str]:
    found = given_name_aliases(name)
    assert found is not None, name
    return found


class TestGivenNameAliases:
    @pytest.mark.parametrize(
        ("nickname", "full_name"),
        [
            ("Tom", "Thomas"),
            ("Kate", "Catherine"),
            ("Pepe", "José"),
            ("Bill", "William"),
            ("Paco", "Francisco"),
            ("Liz", "Elizabeth"),
            ("Bob", "Robert"),
        ],
    )
    def test_a_nickname_and_its_full_name_share_an_alias(
        self, nickname: str, full_name: str
    ) -> None:
        assert aliases(nickname) & aliases(full_name)

    def test_two_nicknames_of_one_spanish_name_share_an_alias(self) -> None:
        assert aliases("Pancho") & aliases("Curro")

    @pytest.mark.parametrize(
        ("left", "right"),
        [("José", "Juan"), ("María", "Marta"), ("Pepe", "Paco"), ("John", "James"), ("Tom", "Tim")],
    )
    def test_different_names_share_no_alias(self, left: str, right: str) -> None:
        assert aliases(left).isdisjoint(aliases(right))

    def test_includes_the_nicknames_of_a_full_name(self) -> None:
        assert {"thomas", "tom", "tommy"} <= aliases("Thomas")

    def test_includes_the_spanish_full_name_of_a_nickname(self) -> None:
        assert aliases("Pepe") == {"pepe", "jose"}

    def test_a_name_no_table_knows_is_its_own_only_alias(self) -> None:
        assert aliases("Xiomara") == {"xiomara"}

    @pytest.mark.parametrize(
        ("left", "right"),
        [("María Dolores", "María Carmen"), ("José Luis", "José Antonio"), ("Juan Carlos", "Juan")],
    )
    def test_compound_names_sharing_only_their_first_word_share_no_alias(
        self, left: str, right: str
    ) -> None:
        assert aliases(left).isdisjoint(aliases(right))

    def test_a_compound_name_does_not_meet_a_nickname_of_its_first_word(self) -> None:
        assert aliases("José María").isdisjoint(aliases("Pepe"))

    def test_a_compound_name_meets_itself_written_with_a_nickname(self) -> None:
        assert aliases("Pepe Luis") & aliases("José Luis")

    def test_drops_titles_before_taking_the_first_name(self) -> None:
        assert aliases("Dr. Tom") == aliases("tom")

    @pytest.mark.parametrize("raw", [None, "", "  ", "..."])
    def test_returns_none_for_empty_input(self, raw: str | None) -> None:
        assert given_name_aliases(raw) is None

    @given(st.text())
    def test_never_raises_and_contains_the_normalised_name(self, raw: str) -> None:
        found = given_name_aliases(raw)
        normalized = normalize_name(raw)
        if normalized is None:
            assert found is None
        else:
            assert found is not None
            assert normalized in found

    @given(st.text())
    def test_aliases_are_non_empty_and_free_of_the_bar_that_joins_them(self, raw: str) -> None:
        for alias in given_name_aliases(raw) or ():
            assert alias
            assert "|" not in alias

    @pytest.mark.parametrize(
        ("nickname", "full_name"),
        [("Chema", "José María"), ("Juanjo", "Juan José"), ("Maite", "María Teresa")],
    )
    def test_a_compound_nickname_shares_an_alias_with_its_compound_name(
        self, nickname: str, full_name: str
    ) -> None:
        assert canonical_given_name(nickname) == canonical_given_name(full_name)
        assert aliases(nickname) & aliases(full_name)
