"""The shipped match models: sane m/u defaults before any training.

m and u are probabilities that a level is seen among true matches and among
non-matches; the figures are priors from typical customer, product and address
data (e.g. an exact birth date is shared by about 1 in 2,000 random pairs and
by most true pairs). Training replaces them; these only have to be sensible.
"""

from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import block_on
from mdmhub.engine.comparisons import (
    BrandInTitle,
    DateBands,
    EditDistanceBands,
    ExactMatch,
    JaroWinklerBands,
    Level,
    NameBands,
    RareWordCosine,
    RelativeDifferenceBands,
    SetOverlapBands,
    TokenSetBands,
    UnsharedRareWords,
    VariantBands,
)
from mdmhub.engine.spec import MatchModel, Thresholds


def _else(m: float, u: float) -> Level:
    return Level("else", m=m, u=u)


def _family_name(
    feature: str, phonetic_feature: str = "", swap_feature: str = ""
) -> JaroWinklerBands:
    phonetic = (Level("phonetic", m=0.03, u=0.002),) if phonetic_feature else ()
    swapped = (Level("swapped_with_given_name", m=0.02, u=0.0005),) if swap_feature else ()
    return JaroWinklerBands(
        name=feature,
        feature=feature,
        thresholds=(0.92, 0.8),
        phonetic_feature=phonetic_feature,
        swap_feature=swap_feature,
        term_frequency=True,
        levels=(
            Level("exact", m=0.8, u=0.003),
            *swapped,
            Level("jaro_winkler>=0.92", m=0.1, u=0.005),
            *phonetic,
            Level("jaro_winkler>=0.80", m=0.05, u=0.03),
        ),
        else_level=_else(0.05, 0.962),
    )


def _exact(feature: str, m: float, u: float) -> ExactMatch:
    return ExactMatch(
        name=feature,
        feature=feature,
        levels=(Level("exact", m=m, u=u),),
        else_level=_else(1.0 - m, 1.0 - u),
    )


def _exact_or_one_typo(
    feature: str, exact: tuple[float, float], typo: tuple[float, float]
) -> EditDistanceBands:
    """Codes typed by hand (ids, postcodes, model numbers): exact, one typo, else.
    `exact` and `typo` are (m, u); else takes what remains of each."""
    return EditDistanceBands(
        name=feature,
        feature=feature,
        max_distances=(1,),
        levels=(
            Level("exact", m=exact[0], u=exact[1]),
            Level("damerau_levenshtein<=1", m=typo[0], u=typo[1]),
        ),
        else_level=_else(1 - exact[0] - typo[0], 1 - exact[1] - typo[1]),
    )


def _street() -> TokenSetBands:
    return TokenSetBands(
        name="street",
        feature="street",
        thresholds=(90.0, 75.0),
        levels=(
            Level("exact", m=0.65, u=0.02),
            Level("token_set>=90", m=0.15, u=0.01),
            Level("token_set>=75", m=0.08, u=0.05),
        ),
        else_level=_else(0.12, 0.94),
    )


def _locality() -> JaroWinklerBands:
    return JaroWinklerBands(
        name="locality",
        feature="locality",
        thresholds=(0.9,),
        term_frequency=True,
        levels=(
            Level("exact", m=0.75, u=0.2),
            Level("jaro_winkler>=0.90", m=0.1, u=0.05),
        ),
        else_level=_else(0.15, 0.75),
    )


CUSTOMER = MatchModel(
    entity=EntityType.CUSTOMER,
    comparisons=(
        NameBands(
            name="given_name",
            feature="given",
            aliases_feature="given_aliases",
            swap_feature="family",
            thresholds=(0.92, 0.8),
            term_frequency=True,
            levels=(
                Level("exact", m=0.7, u=0.01),
                Level("nickname", m=0.08, u=0.002),
                Level("swapped_with_family_name", m=0.02, u=0.0005),
                Level("initial", m=0.02, u=0.002),
                Level("jaro_winkler>=0.92", m=0.1, u=0.01),
                Level("jaro_winkler>=0.80", m=0.06, u=0.05),
            ),
            else_level=_else(0.02, 0.926),
        ),
        _family_name("family", phonetic_feature="family_phonetic", swap_feature="given"),
        _family_name("second_family"),
        TokenSetBands(
            name="organization",
            feature="organization",
            thresholds=(90.0,),
            levels=(
                Level("exact", m=0.8, u=0.001),
                Level("token_set>=90", m=0.1, u=0.005),
            ),
            else_level=_else(0.1, 0.994),
        ),
        DateBands(
            name="birth_date",
            feature="birth_date",
            levels=(
                Level("exact", m=0.85, u=0.0005),
                Level("one_typo_or_day_month_swapped", m=0.08, u=0.005),
                Level("same_year", m=0.03, u=0.03),
            ),
            else_level=_else(0.02, 0.9645),
        ),
        _exact("email", m=0.7, u=0.0001),
        _exact("phone", m=0.7, u=0.0001),
        _exact_or_one_typo("national_id", exact=(0.9, 0.00001), typo=(0.05, 0.0005)),
        _street(),
        _exact("house_number", m=0.7, u=0.2),
        _exact_or_one_typo("postal_code", exact=(0.7, 0.05), typo=(0.1, 0.05)),
        _locality(),
        _exact("gender", m=0.95, u=0.5),
    ),
    blocking_rules=(
        block_on("family_phonetic", "birth_year"),
        block_on("given_phonetic", "family_phonetic"),
        block_on("birth_date"),
        block_on("email"),
        block_on("phone"),
        block_on("national_id"),
        block_on("postal_code", "family_phonetic"),
        block_on("postal_code", "given_phonetic"),
        block_on("locality", "family_phonetic"),
        block_on("locality", "given_phonetic"),
        block_on("locality", "birth_year"),
        block_on("organization"),
    ),
    thresholds=Thresholds(upper=0.95, lower=0.5),
    probability_two_random_records_match=3e-4,
    derived_features=(
        ("given_aliases", "given"),
        ("given_phonetic", "given"),
        ("family_phonetic", "family"),
        ("birth_year", "birth_date"),
        ("email_user", "email"),
    ),
)

PRODUCT = MatchModel(
    entity=EntityType.PRODUCT,
    comparisons=(
        TokenSetBands(
            name="title",
            feature="title",
            thresholds=(95.0, 85.0, 75.0, 60.0, 45.0),
            levels=(
                Level("exact", m=0.25, u=0.0005),
                Level("token_set>=95", m=0.2, u=0.001),
                Level("token_set>=85", m=0.2, u=0.005),
                Level("token_set>=75", m=0.15, u=0.01),
                Level("token_set>=60", m=0.1, u=0.05),
                Level("token_set>=45", m=0.05, u=0.2),
            ),
            else_level=_else(0.05, 0.7335),
        ),
        SetOverlapBands(
            name="codes",
            feature="codes",
            thresholds=(0.5,),
            levels=(
                Level("same_codes", m=0.5, u=0.002),
                Level("jaccard>=0.5", m=0.25, u=0.01),
                Level("some_shared", m=0.1, u=0.05),
            ),
            else_level=_else(0.15, 0.938),
        ),
        JaroWinklerBands(
            name="brand",
            feature="brand",
            thresholds=(0.9,),
            levels=(Level("exact", m=0.8, u=0.05), Level("jaro_winkler>=0.90", m=0.05, u=0.01)),
            else_level=_else(0.15, 0.94),
        ),
        # The title again, word by word with rare words weighing more, its edition and
        # platform words, and a brand written into the other title. Before training their
        # agreement counts next to nothing (m about u): it overlaps the title and brand
        # comparisons, and counted again it merged different products of one catalogue
        # line (the population's catalogue: F1 0.992 -> 0.893). Their disagreement counts
        # against, and the regression on labelled pairs learns how much each adds.
        RareWordCosine(
            name="title_words",
            feature="title",
            thresholds=(0.9, 0.75, 0.6, 0.45, 0.3),
            levels=(
                Level("exact", m=0.12, u=0.1),
                Level("cosine>=0.9", m=0.1, u=0.1),
                Level("cosine>=0.75", m=0.1, u=0.1),
                Level("cosine>=0.6", m=0.1, u=0.1),
                Level("cosine>=0.45", m=0.07, u=0.1),
                Level("cosine>=0.3", m=0.04, u=0.1),
            ),
            else_level=_else(0.04, 0.4),
        ),
        UnsharedRareWords(
            name="title_unshared",
            feature="title",
            # A word held by one title in a few thousand weighs about 8: the bands are
            # "only common words", "about one rare word", "about two".
            bounds=(0.0, 3.0, 8.0, 15.0),
            levels=(
                Level("exact", m=0.12, u=0.1),
                Level("contained", m=0.1, u=0.1),
                Level("unshared<=3", m=0.1, u=0.1),
                Level("unshared<=8", m=0.12, u=0.2),
                Level("unshared<=15", m=0.08, u=0.2),
            ),
            else_level=_else(0.05, 0.3),
        ),
        VariantBands(
            name="editions",
            feature="editions",
            levels=(
                Level("same", m=0.06, u=0.05),
                Level("neither", m=0.45, u=0.45),
                Level("one_within_other", m=0.2, u=0.2),
            ),
            else_level=_else(0.05, 0.3),
        ),
        VariantBands(
            name="platforms",
            feature="platforms",
            levels=(
                Level("same", m=0.12, u=0.1),
                Level("neither", m=0.5, u=0.5),
                Level("one_within_other", m=0.3, u=0.3),
            ),
            else_level=_else(0.02, 0.1),
        ),
        BrandInTitle(
            name="brand_in_title",
            feature="title",
            brand_feature="brand",
            levels=(
                Level("same_brand", m=0.12, u=0.1),
                Level("named_in_title", m=0.1, u=0.1),
                Level("neither_has_one", m=0.1, u=0.1),
            ),
            else_level=_else(0.2, 0.7),
        ),
        _exact_or_one_typo("model_number", exact=(0.7, 0.0001), typo=(0.1, 0.001)),
        _exact("gtin", m=0.95, u=0.00001),
        _exact("sku", m=0.8, u=0.0001),
        RelativeDifferenceBands(
            name="price",
            feature="price",
            tolerances=(0.05, 0.2, 0.5),
            levels=(
                Level("exact", m=0.3, u=0.01),
                Level("within_5%", m=0.2, u=0.03),
                Level("within_20%", m=0.2, u=0.1),
                Level("within_50%", m=0.15, u=0.3),
            ),
            else_level=_else(0.15, 0.56),
        ),
    ),
    blocking_rules=(
        block_on("gtin"),
        block_on("model_number"),
        block_on("sku"),
        block_on("title_prefix"),
    ),
    thresholds=Thresholds(upper=0.9, lower=0.5),
    probability_two_random_records_match=1e-4,
    derived_features=(
        ("title_prefix", "title"),
        ("codes", "title"),
        ("editions", "title"),
        ("platforms", "title"),
    ),
)

ADDRESS = MatchModel(
    entity=EntityType.ADDRESS,
    comparisons=(
        _street(),
        ExactMatch(
            name="house_number",
            feature="house_number",
            fixed_m=True,
            levels=(Level("exact", m=0.99, u=0.02),),
            else_level=_else(0.01, 0.98),
        ),
        _exact("postal_code", m=0.85, u=0.01),
        _locality(),
        _exact("country", m=0.98, u=0.3),
    ),
    blocking_rules=(
        block_on("postal_code", "house_number"),
        block_on("street", "locality"),
        block_on("street_phonetic", "house_number"),
    ),
    thresholds=Thresholds(upper=0.95, lower=0.5),
    probability_two_random_records_match=1e-4,
    derived_features=(("street_phonetic", "street"),),
)

DEFAULT_MODELS: dict[EntityType, MatchModel] = {
    EntityType.CUSTOMER: CUSTOMER,
    EntityType.PRODUCT: PRODUCT,
    EntityType.ADDRESS: ADDRESS,
}
