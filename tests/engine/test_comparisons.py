import numpy as np
import pytest

from mdmhub.engine.comparisons import (
    ELSE_LEVEL,
    NULL_LEVEL,
    SINGLETON,
    BrandInTitle,
    Comparison,
    DateBands,
    EditDistanceBands,
    ExactMatch,
    Frequencies,
    JaroWinklerBands,
    Level,
    NameBands,
    ObjectArray,
    PairColumns,
    RareWordCosine,
    RelativeDifferenceBands,
    TokenSetBands,
    UnsharedRareWords,
    VariantBands,
    word_table,
)
from mdmhub.engine.standardize.records import standardize_customer


def column(*values: str) -> ObjectArray:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def pair_columns(*pairs: tuple[str, str]) -> PairColumns:
    return PairColumns(column(*(a for a, _ in pairs)), column(*(b for _, b in pairs)))


def levels(*names: str) -> tuple[Level, ...]:
    return tuple(Level(name, m=0.5, u=0.1) for name in names)


def level_names(
    comparison: Comparison,
    *pairs: tuple[str, str],
    **other_features: tuple[tuple[str, str], ...],
) -> list[str]:
    """The level each pair falls into, by name.

    `other_features` feeds the comparison's extra columns by feature name (a NameBands'
    aliases and family name, a JaroWinklerBands' phonetic code); unnamed ones are blank.
    """
    columns = {comparison.feature: pair_columns(*pairs)}
    for feature in comparison.features()[1:]:
        columns[feature] = pair_columns(*other_features.get(feature, [("", "")] * len(pairs)))
    indexes = comparison.assign(columns)
    return [comparison.all_levels[i].name for i in indexes.tolist()]


def level_of(comparison: Comparison, left: str, right: str) -> str:
    [name] = level_names(comparison, (left, right))
    return name


EXACT = ExactMatch(name="email", feature="email", levels=levels("exact"))
JARO_WINKLER = JaroWinklerBands(
    name="family",
    feature="family",
    thresholds=(0.92, 0.8),
    levels=levels("exact", "jw>=0.92", "jw>=0.80"),
)
PHONETIC = JaroWinklerBands(
    name="family",
    feature="family",
    phonetic_feature="family_phonetic",
    thresholds=(0.92, 0.8),
    levels=levels("exact", "jw>=0.92", "phonetic", "jw>=0.80"),
)
FAMILY_WITH_SWAP = JaroWinklerBands(
    name="family",
    feature="family",
    swap_feature="given",
    thresholds=(0.92, 0.8),
    levels=levels("exact", "swapped", "jw>=0.92", "jw>=0.80"),
)
NAME = NameBands(
    name="given",
    feature="given",
    aliases_feature="given_aliases",
    swap_feature="family",
    thresholds=(0.92, 0.8),
    levels=levels("exact", "nickname", "swapped", "initial", "jw>=0.92", "jw>=0.80"),
)
EDIT_DISTANCE = EditDistanceBands(
    name="national_id",
    feature="national_id",
    max_distances=(1, 2),
    levels=levels("exact", "dl<=1", "dl<=2"),
)
TOKEN_SET = TokenSetBands(
    name="street",
    feature="street",
    thresholds=(90.0, 75.0),
    levels=levels("exact", "token_set>=90", "token_set>=75"),
)
DATE = DateBands(
    name="birth_date",
    feature="birth_date",
    levels=levels("exact", "typo_or_swap", "same_year"),
)
RELATIVE = RelativeDifferenceBands(
    name="price",
    feature="price",
    tolerances=(0.05, 0.2),
    levels=levels("exact", "within_5%", "within_20%"),
)
ALL_COMPARISONS = [EXACT, JARO_WINKLER, PHONETIC, NAME, EDIT_DISTANCE, TOKEN_SET, DATE, RELATIVE]
SAMPLE_VALUE = {
    "email": "ana@example.com",
    "family": "garcia",
    "given": "jose",
    "national_id": "AB1234",
    "street": "calle 10 23",
    "birth_date": "1980-05-17",
    "price": "100",
}


@pytest.mark.parametrize("comparison", ALL_COMPARISONS, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_a_value_missing_on_either_side_is_level_zero_missing(
    comparison: Comparison, side: str
) -> None:
    value = SAMPLE_VALUE[comparison.feature]
    left = "" if side in ("left", "both") else value
    right = "" if side in ("right", "both") else value

    columns = {feature: pair_columns((value, value)) for feature in comparison.features()}
    columns[comparison.feature] = pair_columns((left, right))

    indexes = comparison.assign(columns)

    assert indexes.tolist() == [0]
    assert comparison.all_levels[0].name == NULL_LEVEL


@pytest.mark.parametrize("comparison", ALL_COMPARISONS, ids=lambda c: type(c).__name__)
def test_all_levels_are_missing_then_the_declared_levels_then_else(
    comparison: Comparison,
) -> None:
    names = [level.name for level in comparison.all_levels]

    assert names == [NULL_LEVEL, *(level.name for level in comparison.levels), ELSE_LEVEL]


@pytest.mark.parametrize("comparison", ALL_COMPARISONS, ids=lambda c: type(c).__name__)
def test_identical_values_are_the_exact_level(comparison: Comparison) -> None:
    value = SAMPLE_VALUE[comparison.feature]

    assert level_of(comparison, value, value) == "exact"


def test_the_missing_level_carries_no_evidence() -> None:
    missing = EXACT.all_levels[0]

    assert (missing.m, missing.u) == (1.0, 1.0)


def test_a_whole_column_of_pairs_is_assigned_at_once() -> None:
    names = level_names(
        JARO_WINKLER,
        ("garcia", "garcia"),
        ("martinez", "martines"),
        ("", "lopez"),
        ("dwayne", "duane"),
        ("garcia", "garzon"),
    )

    assert names == ["exact", "jw>=0.92", NULL_LEVEL, "jw>=0.80", ELSE_LEVEL]


def test_assign_returns_int64_level_indexes() -> None:
    indexes = EXACT.assign({"email": pair_columns(("a@x.org", "a@x.org"), ("a@x.org", ""))})

    assert indexes.dtype == np.int64


# ExactMatch


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ana@example.com", "ana@example.com", "exact"),
        ("ana@example.com", "ana@example.org", ELSE_LEVEL),
        ("ana@example.com", "ANA@example.com", ELSE_LEVEL),
    ],
)
def test_exact_match_has_only_exact_and_else(left: str, right: str, expected: str) -> None:
    assert level_of(EXACT, left, right) == expected


# JaroWinklerBands


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("martinez", "martines", "jw>=0.92"),  # 0.95
        ("gonzalez", "gonzales", "jw>=0.92"),  # 0.95
        ("dwayne", "duane", "jw>=0.80"),  # 0.84
        ("perez", "pereira", "jw>=0.80"),  # 0.87
        ("garcia", "garzon", ELSE_LEVEL),  # 0.67
        ("smith", "jones", ELSE_LEVEL),  # 0.0
    ],
)
def test_jaro_winkler_bands_grade_by_similarity(left: str, right: str, expected: str) -> None:
    assert level_of(JARO_WINKLER, left, right) == expected


def test_jaro_winkler_band_catches_a_one_letter_typo() -> None:
    assert level_of(JARO_WINKLER, "rodriguez", "rodrigues") == "jw>=0.92"


def test_jaro_winkler_band_catches_two_swapped_letters() -> None:
    assert level_of(JARO_WINKLER, "martha", "marhta") == "jw>=0.92"


# JaroWinklerBands with a phonetic feature


def phonetic_level(left: str, right: str, codes: tuple[str, str]) -> str:
    [name] = level_names(PHONETIC, (left, right), family_phonetic=(codes,))
    return name


@pytest.mark.parametrize(
    ("left", "right", "codes"),
    [
        ("smith", "smyth", ("SM0", "SM0")),  # jw 0.89
        ("cathy", "kathy", ("K0", "K0")),  # jw 0.87: above the 0.80 band, still phonetic
        ("catherine", "kathryn", ("K0RN", "K0RN")),  # jw 0.76: below every band
        ("leigh", "lee", ("L", "L")),  # jw 0.69
    ],
)
def test_names_that_sound_the_same_get_the_phonetic_level(
    left: str, right: str, codes: tuple[str, str]
) -> None:
    assert phonetic_level(left, right, codes) == "phonetic"


def test_the_phonetic_level_follows_the_first_jaro_winkler_band() -> None:
    assert [level.name for level in PHONETIC.levels] == [
        "exact",
        "jw>=0.92",
        "phonetic",
        "jw>=0.80",
    ]
    assert phonetic_level("martinez", "martines", ("MRTNS", "MRTNS")) == "jw>=0.92"


def test_exact_agreement_beats_the_phonetic_level() -> None:
    assert phonetic_level("smith", "smith", ("SM0", "SM0")) == "exact"


@pytest.mark.parametrize(
    ("left", "right", "codes", "expected"),
    [
        ("cathy", "kathy", ("K0", "KT"), "jw>=0.80"),
        ("smith", "smyth", ("SM0", "SMT"), "jw>=0.80"),
        ("leigh", "lee", ("L", "LI"), ELSE_LEVEL),
        ("cathy", "kathy", ("", ""), "jw>=0.80"),  # blank codes are equal but say nothing
        ("leigh", "lee", ("L", ""), ELSE_LEVEL),
    ],
)
def test_different_or_missing_phonetic_codes_fall_through_to_the_jaro_winkler_bands(
    left: str, right: str, codes: tuple[str, str], expected: str
) -> None:
    assert phonetic_level(left, right, codes) == expected


def test_a_missing_name_is_missing_even_when_the_phonetic_codes_agree() -> None:
    assert phonetic_level("", "smith", ("SM0", "SM0")) == NULL_LEVEL


# NameBands


def name_level(
    given: tuple[str, str],
    aliases: tuple[str, str] = ("", ""),
    family: tuple[str, str] = ("", ""),
) -> str:
    """The level of one pair of given names, with their alias sets and family names."""
    [name] = level_names(NAME, given, given_aliases=(aliases,), family=(family,))
    return name


@pytest.mark.parametrize(
    ("given", "aliases"),
    [
        (("pepe", "jose"), ("jose|pepe", "jose")),
        (("tom", "thomas"), ("thom|thomas|tom", "thomas|tom")),
        (("thomas", "tom"), ("thomas", "thom|thomas|tom")),
    ],
)
def test_name_bands_give_the_nickname_level_when_one_name_is_among_the_others_aliases(
    given: tuple[str, str], aliases: tuple[str, str]
) -> None:
    assert name_level(given, aliases) == "nickname"


def test_name_bands_give_the_nickname_level_to_two_nicknames_of_one_curated_name() -> None:
    assert name_level(("pancho", "curro"), ("francisco|pancho", "curro|francisco")) == "nickname"


@pytest.mark.parametrize(
    "aliases",
    [
        ("", ""),
        ("kate|kay", ""),
        ("", "carol"),
        ("kate|kay", "carol|kay"),
        ("caro|kate", "carol"),  # whole names, not substrings
    ],
)
def test_name_bands_give_no_nickname_credit_unless_the_aliases_relate_the_names(
    aliases: tuple[str, str],
) -> None:
    assert name_level(("kate", "carol"), aliases) == ELSE_LEVEL


def test_name_bands_give_no_nickname_credit_to_names_that_only_share_a_nickname() -> None:
    """The nicknames package gives Jamie to Benjamin and to James."""
    level = name_level(("benjamin", "james"), ("ben|benjamin|jamie", "james|jamie|jim"))

    assert level == ELSE_LEVEL


def given_name_level(left: str, right: str) -> str:
    """The given-name level of two customers known only by these given names."""
    one, other = (standardize_customer({"given_name": name}, "ES") for name in (left, right))
    return name_level(
        (one["given"], other["given"]), (one["given_aliases"], other["given_aliases"])
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Bill", "William"),
        ("Tom", "Thomas"),
        ("Jim", "James"),
        ("Pepe", "José"),
        ("Pancho", "Curro"),
        ("Chema", "José María"),
        ("Kate", "Catherine"),
        ("Cathy", "Katherine"),
        ("Kitty", "Kathryn"),
    ],
)
def test_standardised_nicknames_get_the_nickname_level(left: str, right: str) -> None:
    assert given_name_level(left, right) == "nickname"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("William", "Robert"),
        ("Michael", "Michelle"),
        ("Joseph", "Joshua"),
        ("Paul", "Mary"),
        ("Benjamin", "James"),
    ],
)
def test_distinct_common_given_names_that_share_a_nickname_are_not_nicknames(
    left: str, right: str
) -> None:
    assert given_name_level(left, right) != "nickname"


def test_name_bands_prefer_exact_over_nickname() -> None:
    assert name_level(("jose", "jose"), ("jose", "jose")) == "exact"


def test_name_bands_are_missing_when_the_name_is_missing_even_if_aliases_meet() -> None:
    assert name_level(("", "jose"), ("jose", "jose")) == NULL_LEVEL


def test_name_bands_judge_each_pair_of_a_column_by_its_own_aliases() -> None:
    names = level_names(
        NAME,
        ("tom", "thomas"),
        ("kate", "carol"),
        ("bill", "william"),
        given_aliases=(
            ("thomas|tom", "thomas"),
            ("kate", "carol"),
            ("bill|william", "william"),
        ),
    )

    assert names == ["nickname", ELSE_LEVEL, "nickname"]


@pytest.mark.parametrize(
    ("given", "family"),
    [
        (("garcia", "jose"), ("jose", "garcia")),  # both records swapped the two names
        (("garcia", "jose"), ("", "garcia")),  # a lone surname typed into the given name
        (("jose", "garcia"), ("garcia", "")),  # the same, on the right
        (("jose", "garcia"), ("garcia", "lopez")),  # right given name is left family name
    ],
)
def test_name_bands_give_the_swapped_level_when_a_given_name_is_the_other_family_name(
    given: tuple[str, str], family: tuple[str, str]
) -> None:
    assert name_level(given, family=family) == "swapped"


@pytest.mark.parametrize(
    ("given", "family"),
    [
        (("garcia", "jose"), ("garcia", "jose")),  # own family names do not count
        (("garcia", "jose"), ("lopez", "perez")),
        (("garcia", "jose"), ("", "")),
        (("garcia", "jose"), ("", "jose")),  # a record's own given and family name agreeing
    ],
)
def test_name_bands_give_no_swapped_credit_without_a_cross_match_on_the_family_name(
    given: tuple[str, str], family: tuple[str, str]
) -> None:
    assert name_level(given, family=family) == ELSE_LEVEL


@pytest.mark.parametrize(
    ("given", "family"),
    [
        (("dowsoh", "john"), ("", "dowson")),  # a lone surname with a typo
        (("mancherjee", "bhownagri"), ("bhownagree", "")),
    ],
)
def test_name_bands_forgive_a_swapped_name_a_typo(
    given: tuple[str, str], family: tuple[str, str]
) -> None:
    assert name_level(given, family=family) == "swapped"


@pytest.mark.parametrize("given", [("w", "william"), ("seymour", "s")])
def test_name_bands_give_the_initial_level_to_an_initial_that_starts_the_other_name(
    given: tuple[str, str],
) -> None:
    assert name_level(given) == "initial"


@pytest.mark.parametrize("given", [("w", "george"), ("w", "v")])
def test_name_bands_give_no_initial_credit_to_another_letter_or_two_initials(
    given: tuple[str, str],
) -> None:
    assert name_level(given) == ELSE_LEVEL


@pytest.mark.parametrize(
    ("given", "family"),
    [
        (("maria", "maria carmen"), ("marin", "marin")),  # complete names crossing one way
        (("ellie", "elelie"), ("ellis", "ellis")),
    ],
)
def test_name_bands_give_no_swapped_credit_to_a_near_cross_between_complete_names(
    given: tuple[str, str], family: tuple[str, str]
) -> None:
    assert name_level(given, family=family) != "swapped"


def test_name_bands_forgive_typos_in_names_crossed_both_ways() -> None:
    assert name_level(("ferguson", "logn"), family=("logan", "feeruson")) == "swapped"


def test_name_bands_prefer_nickname_over_swapped() -> None:
    level = name_level(("pepe", "jose"), aliases=("jose|pepe", "jose"), family=("", "pepe"))

    assert level == "nickname"


def test_name_bands_prefer_swapped_over_a_jaro_winkler_band() -> None:
    # garcia/garcio would be jw>=0.92 (0.93), but garcio's record has garcia as family name
    assert name_level(("garcia", "garcio"), family=("lopez", "garcia")) == "swapped"


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ana", "anna", "jw>=0.92"),  # 0.93
        ("jon", "jonathan", "jw>=0.80"),  # 0.85
        ("marta", "mario", "jw>=0.80"),  # 0.81
        ("pedro", "pablo", ELSE_LEVEL),  # 0.60
    ],
)
def test_name_bands_fall_back_to_jaro_winkler_bands(left: str, right: str, expected: str) -> None:
    assert name_level((left, right), aliases=(left, right)) == expected


# features and options


@pytest.mark.parametrize(
    ("comparison", "expected"),
    [
        (EXACT, ("email",)),
        (JARO_WINKLER, ("family",)),
        (PHONETIC, ("family", "family_phonetic")),
        (NAME, ("given", "given_aliases", "family")),
        (EDIT_DISTANCE, ("national_id",)),
        (TOKEN_SET, ("street",)),
        (DATE, ("birth_date",)),
        (RELATIVE, ("price",)),
    ],
    ids=lambda c: c.name if isinstance(c, Comparison) else None,
)
def test_a_comparison_lists_every_feature_it_reads_its_own_first(
    comparison: Comparison, expected: tuple[str, ...]
) -> None:
    assert comparison.features() == expected


@pytest.mark.parametrize("comparison", ALL_COMPARISONS, ids=lambda c: type(c).__name__)
def test_a_comparison_is_not_term_frequency_adjusted_unless_asked(comparison: Comparison) -> None:
    assert comparison.term_frequency is False


# EditDistanceBands


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("AB1234", "AB1235", "dl<=1"),  # one substitution
        ("AB1234", "AB1243", "dl<=1"),  # one transposition
        ("AB1234", "AB12345", "dl<=1"),  # one insertion
        ("AB1234", "AB123", "dl<=1"),  # one deletion
        ("AB1234", "AB1255", "dl<=2"),
        ("AB1234", "BA1243", "dl<=2"),  # two transpositions
        ("AB1234", "AB1999", ELSE_LEVEL),  # distance 3
        ("AB1234", "XY9876", ELSE_LEVEL),
    ],
)
def test_edit_distance_bands_grade_by_damerau_levenshtein_distance(
    left: str, right: str, expected: str
) -> None:
    assert level_of(EDIT_DISTANCE, left, right) == expected


# TokenSetBands


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("calle 10 23", "23 calle 10", "token_set>=90"),  # word order forgiven
        ("calle 10 23 bogota", "calle 10 23", "token_set>=90"),  # extra word forgiven
        ("carrera 7 45", "carrera 7 46", "token_set>=90"),  # 91.7
        ("calle 10 sur", "calle 10 norte", "token_set>=75"),  # 80
        ("av siempre viva", "avenida siempreviva", "token_set>=75"),  # 82.4
        ("calle 10 23", "avenida boyaca", ELSE_LEVEL),
    ],
)
def test_token_set_bands_grade_by_token_set_ratio(left: str, right: str, expected: str) -> None:
    assert level_of(TOKEN_SET, left, right) == expected


# DateBands


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("1980-05-17", "1980-05-17", "exact"),
        ("1980-05-17", "1980-05-18", "typo_or_swap"),  # one digit of the day
        ("1980-05-17", "1980-08-17", "typo_or_swap"),  # one digit of the month
        ("1980-05-17", "1981-05-17", "typo_or_swap"),  # one digit of the year
        ("1980-05-17", "1980-05-71", "typo_or_swap"),  # two digits transposed
        ("1980-05-07", "1980-07-05", "typo_or_swap"),  # day and month swapped
        ("1980-03-12", "1980-12-03", "typo_or_swap"),
        ("1980-05-17", "1980-11-30", "same_year"),
        ("1980-05-17", "1980-05-29", "same_year"),  # two digits of the day
        ("1980-05-17", "1975-05-17", ELSE_LEVEL),
        ("1980-05-07", "1979-07-05", ELSE_LEVEL),  # a swap needs the same year
    ],
)
def test_date_bands_grade_hand_typed_date_mistakes(left: str, right: str, expected: str) -> None:
    assert level_of(DATE, left, right) == expected


def test_date_bands_catch_a_day_month_swap_that_is_two_edits_apart() -> None:
    names = level_names(DATE, ("1980-05-07", "1980-07-05"), ("1980-05-07", "1980-07-06"))

    assert names == ["typo_or_swap", "same_year"]


# RelativeDifferenceBands


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("100", "100", "exact"),
        ("100", "104", "within_5%"),
        ("100", "105", "within_5%"),  # 5/105: relative to the larger value
        ("105", "100", "within_5%"),
        ("100", "110", "within_20%"),
        ("100", "120", "within_20%"),  # 20/120
        ("100", "130", ELSE_LEVEL),  # 30/130
        ("100", "50", ELSE_LEVEL),
        ("100", "not a price", ELSE_LEVEL),
        ("n/a", "n/b", ELSE_LEVEL),
    ],
)
def test_relative_difference_bands_grade_by_relative_tolerance(
    left: str, right: str, expected: str
) -> None:
    assert level_of(RELATIVE, left, right) == expected


def test_relative_bands_put_equal_numbers_written_differently_in_the_first_band() -> None:
    assert level_of(RELATIVE, "100", "100.00") == "within_5%"


def test_relative_difference_bands_handle_two_zeros_without_dividing_by_zero() -> None:
    assert level_of(RELATIVE, "0", "0.0") == "within_5%"


def test_relative_difference_bands_compare_in_bulk_with_non_numbers_mixed_in() -> None:
    names = level_names(RELATIVE, ("100", "103"), ("abc", "100"), ("", "100"), ("10", "15"))

    assert names == ["within_5%", ELSE_LEVEL, NULL_LEVEL, ELSE_LEVEL]


# PairColumns


def test_pair_columns_mark_pairs_with_an_empty_side_as_missing() -> None:
    pairs = pair_columns(("a", "a"), ("", "a"), ("a", ""), ("", ""))

    assert pairs.missing.tolist() == [False, True, True, True]


def test_pair_columns_compare_values_for_equality() -> None:
    pairs = pair_columns(("a", "a"), ("a", "b"), ("", ""))

    assert pairs.equal.tolist() == [True, False, True]


@pytest.mark.parametrize(
    ("family", "given", "expected"),
    [
        (("brown", "florence"), ("florence", "brown"), "swapped"),
        (("feeruson", "logan"), ("logn", "ferguson"), "swapped"),
        (("brown", "florence"), ("florence", "smith"), ELSE_LEVEL),  # one way only
        (("brown", "brown"), ("florence", "brown"), "exact"),
    ],
)
def test_a_family_name_with_a_swap_feature_gets_the_swapped_level_when_both_names_cross(
    family: tuple[str, str], given: tuple[str, str], expected: str
) -> None:
    [level] = level_names(FAMILY_WITH_SWAP, family, given=(given,))

    assert level == expected


# VariantBands

VARIANTS = VariantBands(
    name="editions", feature="editions", levels=levels("same", "neither", "one_within_other")
)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("deluxe|upgrade", "deluxe|upgrade", "same"),
        ("-", "-", "neither"),
        ("deluxe", "-", "one_within_other"),
        ("deluxe", "deluxe|upgrade", "one_within_other"),
        ("deluxe", "standard", "else"),
        ("deluxe|mac", "deluxe|win", "else"),
    ],
)
def test_variant_bands_tell_a_left_out_edition_from_another_edition(
    left: str, right: str, expected: str
) -> None:
    assert level_of(VARIANTS, left, right) == expected


# BrandInTitle

BRAND_IN_TITLE = BrandInTitle(
    name="brand_in_title",
    feature="title",
    brand_feature="brand",
    levels=levels("same_brand", "named_in_title", "neither_has_one"),
)


@pytest.mark.parametrize(
    ("titles", "brands", "expected"),
    [
        (("westward", "westward"), ("encore", "encore"), "same_brand"),
        (("westward", "encore software 13781 westward"), ("encore software", ""), "named_in_title"),
        (("encore westward", "westward"), ("", "encore"), "named_in_title"),
        (("westward", "westward"), ("", ""), "neither_has_one"),
        (("westward", "westward deluxe"), ("encore", ""), "else"),
        (("westward", "westward"), ("encore", "riverdeep"), "else"),
    ],
)
def test_brand_in_title_finds_a_brand_written_into_the_other_title(
    titles: tuple[str, str], brands: tuple[str, str], expected: str
) -> None:
    [name] = level_names(BRAND_IN_TITLE, titles, brand=(brands,))
    assert name == expected


def test_brand_in_title_is_missing_without_a_title() -> None:
    [name] = level_names(BRAND_IN_TITLE, ("", "westward"), brand=(("encore", "encore"),))
    assert name == NULL_LEVEL


# RareWordCosine and UnsharedRareWords

COSINE = RareWordCosine(
    name="title_words",
    feature="title",
    thresholds=(0.9, 0.5),
    levels=levels("exact", "cosine>=0.9", "cosine>=0.5"),
)
UNSHARED = UnsharedRareWords(
    name="title_unshared",
    feature="title",
    bounds=(0.0, 2.0),
    levels=levels("exact", "contained", "unshared<=2"),
)
# "software" is in every title, "edition" in half, "encore" in one of ten, the rest in one
# of a hundred.
SHARES = {word_table("title"): {SINGLETON: 0.01, "software": 1.0, "edition": 0.5, "encore": 0.1}}


def rare_word_level(comparison: Comparison, left: str, right: str, shares: Frequencies) -> str:
    columns = {"title": pair_columns((left, right))}
    [index] = comparison.assign(columns, shares)
    return comparison.all_levels[int(index)].name


def test_rare_word_cosine_ignores_a_word_every_title_has() -> None:
    assert rare_word_level(COSINE, "westward software", "westward", SHARES) == "cosine>=0.9"


def test_rare_word_cosine_counts_every_word_alike_before_training() -> None:
    assert rare_word_level(COSINE, "westward software", "westward", {}) == "cosine>=0.5"


def test_rare_word_cosine_sets_apart_titles_sharing_only_a_common_word() -> None:
    assert rare_word_level(COSINE, "software spanish", "software italian", SHARES) == "else"


def test_rare_word_cosine_gives_identical_titles_the_exact_level() -> None:
    assert rare_word_level(COSINE, "westward", "westward", SHARES) == "exact"


def test_unshared_rare_words_see_one_title_within_the_other() -> None:
    level = rare_word_level(UNSHARED, "westward", "encore 13781 westward", SHARES)
    assert level == "contained"


def test_unshared_rare_words_weigh_the_lighter_side_of_a_pair() -> None:
    # "software" alone is all that one side lacks, and it weighs nothing.
    level = rare_word_level(UNSHARED, "encore westward software", "westward 13781", SHARES)
    assert level == "else"


def test_unshared_rare_words_forgive_a_common_word_on_each_side() -> None:
    level = rare_word_level(UNSHARED, "westward encore", "westward edition", SHARES)
    assert level == "unshared<=2"


def test_unshared_rare_words_set_apart_a_rare_word_on_each_side() -> None:
    level = rare_word_level(UNSHARED, "topo usa west", "topo usa east", SHARES)
    assert level == "else"
