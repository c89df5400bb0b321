"""Phrases the sentence makers are built from: subjects (with the pronouns and verb forms that
agree with them), noun phrases, the object a verb takes, verb phrases in a tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from wordnet_lm.text.demo.choices import Rng
from wordnet_lm.text.demo.lexicon import (
    ANIMALS,
    CAPITALS,
    COUNTRIES,
    COUNTRY_OF,
    DRINKS,
    FEMALE_NAMES,
    FOODS,
    GENDER_PAIRS,
    MALE_NAMES,
    MOODS,
    NUMBERS,
    PEOPLE,
    PLACES,
    PLAYABLE,
    SUBJECTS,
    TEXTS,
    THINGS,
    VEHICLES,
    Country,
    Noun,
    Verb,
)


@dataclass(frozen=True)
class Subject:
    words: list[str]
    plural: bool
    gender: str  # "m", "f" or ""

    @property
    def pronoun(self) -> str:
        return "they" if self.plural else {"m": "he", "f": "she"}.get(self.gender, "it")

    @property
    def possessive(self) -> str:
        return "their" if self.plural else {"m": "his", "f": "her"}.get(self.gender, "its")

    @property
    def be_past(self) -> str:
        return "were" if self.plural else "was"

    @property
    def be(self) -> str:
        return "are" if self.plural else "is"


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def any_country(rng: Rng) -> Country:
    """A country, the first ones of the table somewhat more often."""
    return rng.zipf(COUNTRIES, 0.4)


def person_noun(rng: Rng) -> Noun:
    """A gendered person noun, kings and queens a little more often."""
    pair = rng.zipf(GENDER_PAIRS, 0.5)
    return pair[rng.index(2)]


def gendered_subject(rng: Rng, *, modifiers: bool = True) -> Subject:
    kind = rng.index(10)
    if kind < 3:
        male = rng.chance(0.5)
        return Subject([rng.choice(MALE_NAMES if male else FEMALE_NAMES)], False, "m" if male else "f")
    noun = person_noun(rng)
    plural = rng.chance(0.35)
    words = ["the"]
    if modifiers and kind == 3:
        words.append(any_country(rng).nationality)
    elif modifiers and kind == 4:
        words.append(rng.choice(MOODS))
    words.append(noun.plural if plural else noun.singular)
    if modifiers and kind in (5, 6):
        words += ["of", any_country(rng).name]
    elif modifiers and kind == 7:
        words += ["from", any_country(rng).capital]
    return Subject(words, plural, noun.gender)


def any_subject(rng: Rng) -> Subject:
    kind = rng.index(10)
    if kind < 6:
        return gendered_subject(rng)
    plural = rng.chance(0.35)
    words = ["the"]
    if kind < 8:
        noun = rng.choice(PEOPLE)
    else:
        animal = rng.zipf(ANIMALS)
        noun = animal[0]
        if kind == 9:
            words.append(animal_adjective(animal, rng))
    words.append(noun.plural if plural else noun.singular)
    if kind == 7:
        words += ["in", "the", rng.choice(PLACES)]
    return Subject(words, plural, "")


def _noun_phrase(rng: Rng, noun: Noun, owner: Subject | None = None) -> list[str]:
    kind = rng.index(6)
    if kind == 0:
        return ["some", noun.plural]
    if kind == 1:
        return [rng.choice(NUMBERS), noun.plural]
    if kind == 2 and owner is not None:
        return [owner.possessive, noun.singular]
    if kind == 3:
        return [article(noun.singular), noun.singular]
    return ["the", noun.singular]


def _object_food(rng: Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(FOODS)[0], owner)


def _object_drink(rng: Rng, owner: Subject) -> list[str]:
    drink = rng.zipf(DRINKS)
    kind = rng.index(3)
    return ["a", "cup", "of", drink] if kind == 0 else ["some", drink] if kind == 1 else ["the", drink]


def _object_text(rng: Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(TEXTS), owner)


def _object_thing(rng: Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(THINGS), owner)


def _object_vehicle(rng: Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(VEHICLES), owner)


def _object_playable(rng: Rng, owner: Subject) -> list[str]:
    return [rng.choice(PLAYABLE)] if rng.chance(0.5) else ["the", rng.choice(PLAYABLE)]


def _object_subject(rng: Rng, owner: Subject) -> list[str]:
    return [rng.choice(SUBJECTS)] if rng.chance(0.6) else [any_country(rng).language]


def _object_language(rng: Rng, owner: Subject) -> list[str]:
    if owner.words[-1] in {c.name for c in COUNTRIES} or owner.words[-1] in CAPITALS:
        return [COUNTRY_OF[owner.words[-1]].language]
    return [any_country(rng).language]


def _object_city(rng: Rng, owner: Subject) -> list[str]:
    country = any_country(rng)
    return [country.capital] if rng.chance(0.6) else [country.name]


def _object_person(rng: Rng, owner: Subject) -> list[str]:
    if rng.chance(0.3):
        return [rng.choice(MALE_NAMES + FEMALE_NAMES)]
    noun = person_noun(rng)
    return [owner.possessive if rng.chance(0.4) else "the", noun.singular]


def _place_phrase(rng: Rng, owner: Subject) -> list[str]:
    kind = rng.index(4)
    if kind == 0:
        return ["in", any_country(rng).capital]
    if kind == 1:
        return ["with", owner.possessive, person_noun(rng).singular]
    return [rng.choice(["to", "in", "near"]), "the", rng.choice(PLACES)]


OBJECT_MAKERS: dict[str, Callable[[Rng, Subject], list[str]]] = {
    "": _place_phrase, "food": _object_food, "drink": _object_drink, "text": _object_text,
    "thing": _object_thing, "vehicle": _object_vehicle, "playable": _object_playable,
    "subject": _object_subject, "language": _object_language, "city": _object_city, "person": _object_person,
}


def verb_phrase(verb: Verb, tense: str, subject: Subject) -> list[str]:
    if tense == "past":
        return [verb.past]
    if tense == "future":
        return ["will", verb.base]
    if tense == "progressive":
        return [subject.be, verb.ing]
    return [verb.base if subject.plural else verb.third]


def pronoun_subject(rng: Rng) -> Subject:
    kind = rng.index(3)
    return Subject([("he", "she", "they")[kind]], kind == 2, ("m", "f", "")[kind])


def animal_adjective(animal: tuple, rng: Rng) -> str:
    """An adjective true of ``(noun, size, speed)``: big/heavy or small, fast or slow."""
    _, size, speed = animal
    if rng.chance(0.5):
        return ("big" if rng.chance(0.7) else "heavy") if size > len(ANIMALS) // 2 else "small"
    return "fast" if speed > len(ANIMALS) // 2 else "slow"

