"""A synthetic customer population with known truth, for engine tests.

300 Spanish customers by default, each entered 2 to 4 times: the first record clean,
the others with typos in names, nicknames, swapped names, dates a day off and half of
the contact fields missing.
"""

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mdmhub.engine.standardize.nicknames_es import GIVEN_NAMES_ES, NICKNAMES_ES, SURNAMES_ES
from mdmhub.engine.standardize.records import standardize_customer

Features = Mapping[str, str]


GIVEN = sorted(GIVEN_NAMES_ES | {"thomas", "william", "catherine", "robert", "james"})
FAMILY = sorted(SURNAMES_ES)
NICKNAME_OF = {full: nick for nick, full in NICKNAMES_ES.items() if " " not in full} | {
    "thomas": "tom",
    "william": "bill",
    "catherine": "kate",
    "robert": "bob",
    "james": "jim",
}
LOCALITIES = ["madrid", "barcelona", "valencia", "sevilla", "zaragoza", "malaga", "murcia"]
OPTIONAL = ["email", "phone", "postal_code", "birth_date", "second_family_name", "address_line1"]


def common_first(rng: random.Random, values: Sequence[str]) -> str:
    """A Zipf-like draw: a few names are common, most are rare (as surnames are)."""
    return rng.choices(values, weights=[(i + 1) ** -0.8 for i in range(len(values))])[0]


def typo(rng: random.Random, word: str) -> str:
    """One deleted, transposed or replaced letter inside the word."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiournslt") + word[i + 1 :]


def clean_person(rng: random.Random, key: int) -> dict[str, str]:
    given, family = common_first(rng, GIVEN), common_first(rng, FAMILY)
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    locality = rng.randrange(len(LOCALITIES))
    return {
        "given_name": given,
        "family_name": family,
        "second_family_name": common_first(rng, FAMILY),
        "birth_date": born.isoformat(),
        "email": f"{given[:3]}.{family}{key}@example.com",
        "phone": f"6{rng.randrange(10**8):08d}",
        "postal_code": f"{28000 + 1000 * locality + rng.randrange(50):05d}",
        "locality": LOCALITIES[locality],
        "address_line1": f"Calle {common_first(rng, FAMILY)} {rng.randrange(1, 200)}",
        "gender": rng.choice("mf"),
    }


def noisy_copy(rng: random.Random, person: Mapping[str, str]) -> dict[str, str]:
    copy = dict(person)
    if copy["given_name"] in NICKNAME_OF and rng.random() < 0.3:
        copy["given_name"] = NICKNAME_OF[copy["given_name"]]
    elif rng.random() < 0.2:
        copy["given_name"] = typo(rng, copy["given_name"])
    if rng.random() < 0.2:
        copy["family_name"] = typo(rng, copy["family_name"])
    if rng.random() < 0.05:
        copy["given_name"], copy["family_name"] = copy["family_name"], copy["given_name"]
    if rng.random() < 0.2:
        born = date.fromisoformat(copy["birth_date"]) + timedelta(days=rng.choice([-1, 1]))
        copy["birth_date"] = born.isoformat()
    for name in OPTIONAL:
        if rng.random() < 0.5:
            del copy[name]
    return copy


@dataclass(frozen=True)
class Population:
    features: list[Features]
    entity: list[int]
    """The true entity of each record."""

    def true_match_share(self) -> float:
        n = len(self.features)
        matches = sum(size * (size - 1) // 2 for size in Counter(self.entity).values())
        return matches / (n * (n - 1) / 2)


def population(seed: int, people: int = 300) -> Population:
    rng = random.Random(seed)
    features: list[Features] = []
    entity: list[int] = []
    for key in range(people):
        person = clean_person(rng, key)
        for copy in range(1 + rng.randint(1, 3)):
            attributes = person if copy == 0 else noisy_copy(rng, person)
            features.append(standardize_customer(attributes, "ES"))
            entity.append(key)
    return Population(features, entity)
