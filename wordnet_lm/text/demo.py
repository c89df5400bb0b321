"""The built-in demo corpus: a seeded generator of simple English with learnable structure.

Every model of the toolkit trains on it in seconds, and its regularities are the ones the
demos look for:

* **facts** that stay consistent: 33 countries with their capital, nationality, language,
  currency, continent, climate and area (``the capital of france is paris``, ``in lisbon
  people speak portuguese``, ``russia is larger than spain``);
* **morphology**: plurals (``one horse``, ``three horses``), verb tenses chosen by a time
  adverb at the start of the sentence (``yesterday the old king of spain walked ...``),
  comparatives and superlatives that agree with hidden attributes (``the horse is faster than
  the pig``), gender pairs (king/queen, uncle/aunt...) with agreeing pronouns and possessives;
* **dependencies a few words long** -- subject-verb agreement across ``of spain`` or
  ``who lives in rome``, a pronoun agreeing with a subject four words back, the language
  spoken in a capital named three words earlier -- which a 3-gram model cannot see and a
  neural model with a wider window can.

``write_demo_corpus`` writes ``train.txt``, ``valid.txt``, ``test.txt`` (one sentence per line,
lower case, space-separated tokens), ``analogies.txt`` (the questions-words.txt format) and
``similarity.tsv`` (word pairs scored by shared hidden attributes, WordSim-353 layout).  The
output depends only on the seed: Python's ``random.random`` stream is the one part of the
``random`` module guaranteed stable across versions, and it is the only one used here.
"""

from __future__ import annotations

import itertools
import os
import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Callable, Sequence

from wordnet_lm.io import atomic_write

SEED = 2003  # Bengio et al.'s year
SPLIT_SENTENCES = {"train": 24_000, "valid": 2_500, "test": 2_500}
DEMO_FILES = ("train.txt", "valid.txt", "test.txt", "analogies.txt", "similarity.tsv")
REPO_DEMO_DIR = Path(__file__).resolve().parents[2] / "corpora" / "demo"
CACHE_DIR_ENV = "WORDNET_LM_CACHE"


# ====================================================================== lexicon
@dataclass(frozen=True)
class Country:
    name: str
    capital: str
    nationality: str
    language: str
    currency: str
    continent: str
    warmth: int  # mean temperature, degrees C: orders "colder"/"warmer"
    area: int  # thousands of km2: orders "larger"/"smaller"


COUNTRIES = [Country(*row) for row in (
    ("france", "paris", "french", "french", "euro", "europe", 12, 644),
    ("germany", "berlin", "german", "german", "euro", "europe", 9, 357),
    ("italy", "rome", "italian", "italian", "euro", "europe", 14, 301),
    ("spain", "madrid", "spanish", "spanish", "euro", "europe", 15, 506),
    ("portugal", "lisbon", "portuguese", "portuguese", "euro", "europe", 16, 92),
    ("greece", "athens", "greek", "greek", "euro", "europe", 17, 132),
    ("ireland", "dublin", "irish", "english", "euro", "europe", 10, 70),
    ("finland", "helsinki", "finnish", "finnish", "euro", "europe", 2, 338),
    ("england", "london", "english", "english", "pound", "europe", 11, 130),
    ("russia", "moscow", "russian", "russian", "ruble", "europe", -5, 17098),
    ("poland", "warsaw", "polish", "polish", "zloty", "europe", 8, 313),
    ("sweden", "stockholm", "swedish", "swedish", "krona", "europe", 3, 450),
    ("norway", "oslo", "norwegian", "norwegian", "krone", "europe", 1, 385),
    ("hungary", "budapest", "hungarian", "hungarian", "forint", "europe", 11, 93),
    ("turkey", "ankara", "turkish", "turkish", "lira", "asia", 13, 784),
    ("japan", "tokyo", "japanese", "japanese", "yen", "asia", 15, 378),
    ("china", "beijing", "chinese", "chinese", "yuan", "asia", 7, 9597),
    ("india", "delhi", "indian", "hindi", "rupee", "asia", 25, 3287),
    ("thailand", "bangkok", "thai", "thai", "baht", "asia", 27, 513),
    ("vietnam", "hanoi", "vietnamese", "vietnamese", "dong", "asia", 24, 331),
    ("korea", "seoul", "korean", "korean", "won", "asia", 12, 100),
    ("iran", "tehran", "iranian", "persian", "rial", "asia", 18, 1648),
    ("egypt", "cairo", "egyptian", "arabic", "pound", "africa", 22, 1010),
    ("morocco", "rabat", "moroccan", "arabic", "dirham", "africa", 18, 447),
    ("kenya", "nairobi", "kenyan", "swahili", "shilling", "africa", 20, 580),
    ("nigeria", "abuja", "nigerian", "english", "naira", "africa", 27, 924),
    ("ghana", "accra", "ghanaian", "english", "cedi", "africa", 28, 239),
    ("canada", "ottawa", "canadian", "english", "dollar", "america", -4, 9985),
    ("brazil", "brasilia", "brazilian", "portuguese", "real", "america", 25, 8516),
    ("peru", "lima", "peruvian", "spanish", "sol", "america", 20, 1285),
    ("chile", "santiago", "chilean", "spanish", "peso", "america", 9, 756),
    ("cuba", "havana", "cuban", "spanish", "peso", "america", 26, 110),
    ("australia", "canberra", "australian", "english", "dollar", "oceania", 22, 7692),
)]


@dataclass(frozen=True)
class Noun:
    singular: str
    plural: str
    gender: str = ""  # "m", "f" or "" (pronoun "it"/"they")


def _nouns(spec: str, gender: str = "") -> list[Noun]:
    """``"cat dog mouse:mice"`` -> nouns (regular ``+s`` plural unless given after ``:``)."""
    out = []
    for item in spec.split():
        singular, _, plural = item.partition(":")
        out.append(Noun(singular, plural or singular + "s", gender))
    return out


# (male, female) pairs: the "family" analogies and the gender regularities
GENDER_PAIRS = list(zip(
    _nouns("king prince:princes man:men boy father son brother husband uncle nephew grandfather "
           "actor waiter emperor duke monk groom lord hero policeman:policemen", "m"),
    _nouns("queen princess:princesses woman:women girl mother daughter sister wife:wives aunt niece "
           "grandmother actress:actresses waitress:waitresses empress:empresses duchess:duchesses nun bride "
           "lady:ladies heroine policewoman:policewomen", "f"),
))
GENERATION = {"grandfather": 3, "grandmother": 3, "father": 2, "mother": 2, "uncle": 2, "aunt": 2,
              "son": 1, "daughter": 1, "nephew": 1, "niece": 1}  # orders "older"/"younger"
ROYALS = {"king", "queen", "prince", "princess", "emperor", "empress", "duke", "duchess", "lord", "lady"}
PEOPLE = _nouns("teacher doctor farmer student child:children friend neighbour soldier baker driver "
                "singer writer painter")
MALE_NAMES = "john peter paul james david tom george michael robert daniel".split()
FEMALE_NAMES = "mary anna sarah emma lucy kate helen laura alice julia".split()

# animal, size rank, speed rank (distinct ranks: every comparison has one true answer)
ANIMALS = [(noun, size, speed) for noun, size, speed in zip(
    _nouns("snail mouse:mice frog duck chicken rabbit cat fox dog goat pig wolf:wolves "
           "lion tiger bear horse cow camel giraffe hippo rhino elephant"),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22),
    (1, 7, 4, 5, 6, 16, 14, 18, 17, 8, 3, 19, 21, 20, 13, 22, 2, 11, 15, 10, 12, 9),
)]
# food, price rank, sweetness rank
FOODS = [(noun, price, sweet) for noun, price, sweet in zip(
    _nouns("potato:potatoes onion carrot tomato:tomatoes lemon apple banana orange pear plum peach:peaches "
           "cherry:cherries melon grape egg sandwich cookie cake pie cheese"),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
    (3, 1, 8, 6, 2, 12, 15, 13, 14, 11, 16, 18, 17, 19, 4, 5, 20, 21, 22, 7),
)]
DRINKS = "tea coffee milk water juice wine beer".split()
TEXTS = _nouns("book letter newspaper poem story:stories map")
THINGS = _nouns("box:boxes key bag ball cup hat chair table clock lamp pen knife:knives plate bottle ring coin")
VEHICLES = _nouns("car bike boat train truck bus:buses")
PLAYABLE = "piano guitar violin drums chess football tennis cards".split()
SUBJECTS = "math history music science art".split()
PLACES = "garden park river market school house forest beach church library station kitchen street village " \
         "farm castle palace".split()


@dataclass(frozen=True)
class Verb:
    base: str
    third: str
    past: str
    ing: str
    objects: str  # what follows: a key of _OBJECT_MAKERS, or "" (intransitive: a place phrase)


def _verbs(spec: str, objects: str) -> list[Verb]:
    """``"walk walks walked walking, ..."`` -> verbs taking ``objects``."""
    return [Verb(*forms.split(), objects=objects) for forms in spec.split(",")]


VERBS = (
    _verbs("walk walks walked walking, run runs ran running, swim swims swam swimming, "
           "sleep sleeps slept sleeping, dance dances danced dancing, jump jumps jumped jumping, "
           "work works worked working, laugh laughs laughed laughing, sit sits sat sitting", "")
    + _verbs("eat eats ate eating, cook cooks cooked cooking, buy buys bought buying, sell sells sold selling, "
             "wash washes washed washing", "food")
    + _verbs("drink drinks drank drinking", "drink")
    + _verbs("read reads read reading, write writes wrote writing", "text")
    + _verbs("find finds found finding, carry carries carried carrying, take takes took taking, "
             "paint paints painted painting, open opens opened opening", "thing")
    + _verbs("drive drives drove driving, ride rides rode riding, build builds built building", "vehicle")
    + _verbs("play plays played playing", "playable")
    + _verbs("teach teaches taught teaching, learn learns learned learning", "subject")
    + _verbs("speak speaks spoke speaking", "language")
    + _verbs("visit visits visited visiting", "city")
    + _verbs("see sees saw seeing, love loves loved loving, help helps helped helping, "
             "call calls called calling, watch watches watched watching, meet meets met meeting", "person")
)

ANIMAL_VERBS = [v for v in VERBS if v.objects in ("", "food", "drink")]

# base, comparative, superlative
ADJECTIVES = [tuple(a.split()) for a in (
    "big bigger biggest", "small smaller smallest", "fast faster fastest", "slow slower slowest",
    "large larger largest", "cold colder coldest", "warm warmer warmest", "old older oldest",
    "young younger youngest", "cheap cheaper cheapest", "sweet sweeter sweetest", "heavy heavier heaviest",
    "happy happier happiest", "rich richer richest", "strong stronger strongest", "tall taller tallest",
    "good better best", "bad worse worst", "quiet quieter quietest", "poor poorer poorest",
)]
_ADJ = {base: (cmp, sup) for base, cmp, sup in ADJECTIVES}
MOODS = "happy sad tired hungry angry rich poor strong young old tall quiet".split()
ANIMAL_MOODS = "happy sad tired hungry angry young old quiet".split()
NUMBERS = "two three four five six seven eight nine ten".split()

TENSE_ADVERBS = {
    "past": ["yesterday", "last week", "last year", "once"],
    "present": ["every day", "usually", "often", "every morning"],
    "future": ["tomorrow", "next week", "next year", "soon"],
    "progressive": ["right now", "at the moment", "now"],
}


# ====================================================================== random choices
class _Rng:
    """Choices drawn from ``random.Random(seed).random()`` only (stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def index(self, n: int) -> int:
        return min(int(self._random() * n), n - 1)

    def choice(self, items: Sequence):
        return items[self.index(len(items))]

    def zipf(self, items: Sequence, exponent: float = 0.7):
        """Earlier items more often (weight ``1 / rank ** exponent``), like real word frequencies."""
        weights = _ZIPF_CACHE.get((len(items), exponent))
        if weights is None:
            weights = _ZIPF_CACHE[len(items), exponent] = list(
                accumulate(1.0 / (r + 1) ** exponent for r in range(len(items))))
        return self.weighted(items, weights)

    def weighted(self, items: Sequence, cumulative_weights: Sequence[float]):
        """An item drawn with the given cumulative weights."""
        r = self._random() * cumulative_weights[-1]
        return items[min(bisect(cumulative_weights, r), len(items) - 1)]

    def chance(self, p: float) -> bool:
        return self._random() < p

    def sample2(self, items: Sequence) -> tuple:
        """Two distinct items."""
        i = self.index(len(items))
        j = self.index(len(items) - 1)
        return items[i], items[j + (j >= i)]


_ZIPF_CACHE: dict = {}


# ====================================================================== phrases
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


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _country(rng: _Rng) -> Country:
    """A country, the first ones of the table somewhat more often."""
    return rng.zipf(COUNTRIES, 0.4)


def _person_noun(rng: _Rng) -> Noun:
    """A gendered person noun, kings and queens a little more often."""
    pair = rng.zipf(GENDER_PAIRS, 0.5)
    return pair[rng.index(2)]


def _gendered_subject(rng: _Rng, *, modifiers: bool = True) -> Subject:
    kind = rng.index(10)
    if kind < 3:
        male = rng.chance(0.5)
        return Subject([rng.choice(MALE_NAMES if male else FEMALE_NAMES)], False, "m" if male else "f")
    noun = _person_noun(rng)
    plural = rng.chance(0.35)
    words = ["the"]
    if modifiers and kind == 3:
        words.append(_country(rng).nationality)
    elif modifiers and kind == 4:
        words.append(rng.choice(MOODS))
    words.append(noun.plural if plural else noun.singular)
    if modifiers and kind in (5, 6):
        words += ["of", _country(rng).name]
    elif modifiers and kind == 7:
        words += ["from", _country(rng).capital]
    return Subject(words, plural, noun.gender)


def _any_subject(rng: _Rng) -> Subject:
    kind = rng.index(10)
    if kind < 6:
        return _gendered_subject(rng)
    plural = rng.chance(0.35)
    words = ["the"]
    if kind < 8:
        noun = rng.choice(PEOPLE)
    else:
        animal = rng.zipf(ANIMALS)
        noun = animal[0]
        if kind == 9:
            words.append(_animal_adjective(animal, rng))
    words.append(noun.plural if plural else noun.singular)
    if kind == 7:
        words += ["in", "the", rng.choice(PLACES)]
    return Subject(words, plural, "")


def _noun_phrase(rng: _Rng, noun: Noun, owner: Subject | None = None) -> list[str]:
    kind = rng.index(6)
    if kind == 0:
        return ["some", noun.plural]
    if kind == 1:
        return [rng.choice(NUMBERS), noun.plural]
    if kind == 2 and owner is not None:
        return [owner.possessive, noun.singular]
    if kind == 3:
        return [_article(noun.singular), noun.singular]
    return ["the", noun.singular]


def _object_food(rng: _Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(FOODS)[0], owner)


def _object_drink(rng: _Rng, owner: Subject) -> list[str]:
    drink = rng.zipf(DRINKS)
    kind = rng.index(3)
    return ["a", "cup", "of", drink] if kind == 0 else ["some", drink] if kind == 1 else ["the", drink]


def _object_text(rng: _Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(TEXTS), owner)


def _object_thing(rng: _Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(THINGS), owner)


def _object_vehicle(rng: _Rng, owner: Subject) -> list[str]:
    return _noun_phrase(rng, rng.zipf(VEHICLES), owner)


def _object_playable(rng: _Rng, owner: Subject) -> list[str]:
    return [rng.choice(PLAYABLE)] if rng.chance(0.5) else ["the", rng.choice(PLAYABLE)]


def _object_subject(rng: _Rng, owner: Subject) -> list[str]:
    return [rng.choice(SUBJECTS)] if rng.chance(0.6) else [_country(rng).language]


def _object_language(rng: _Rng, owner: Subject) -> list[str]:
    if owner.words[-1] in {c.name for c in COUNTRIES} or owner.words[-1] in _CAPITALS:
        return [_COUNTRY_OF[owner.words[-1]].language]
    return [_country(rng).language]


def _object_city(rng: _Rng, owner: Subject) -> list[str]:
    country = _country(rng)
    return [country.capital] if rng.chance(0.6) else [country.name]


def _object_person(rng: _Rng, owner: Subject) -> list[str]:
    if rng.chance(0.3):
        return [rng.choice(MALE_NAMES + FEMALE_NAMES)]
    noun = _person_noun(rng)
    return [owner.possessive if rng.chance(0.4) else "the", noun.singular]


def _place_phrase(rng: _Rng, owner: Subject) -> list[str]:
    kind = rng.index(4)
    if kind == 0:
        return ["in", _country(rng).capital]
    if kind == 1:
        return ["with", owner.possessive, _person_noun(rng).singular]
    return [rng.choice(["to", "in", "near"]), "the", rng.choice(PLACES)]


_OBJECT_MAKERS: dict[str, Callable[[_Rng, Subject], list[str]]] = {
    "": _place_phrase, "food": _object_food, "drink": _object_drink, "text": _object_text,
    "thing": _object_thing, "vehicle": _object_vehicle, "playable": _object_playable,
    "subject": _object_subject, "language": _object_language, "city": _object_city, "person": _object_person,
}
_CAPITALS = {c.capital for c in COUNTRIES}
_COUNTABLE = [a[0] for a in ANIMALS] + [f[0] for f in FOODS] + THINGS
_ANIMAL_WORDS = {form for noun, _, _ in ANIMALS for form in (noun.singular, noun.plural)}
_COUNTRY_OF = {**{c.name: c for c in COUNTRIES}, **{c.capital: c for c in COUNTRIES}}


def _verb_phrase(verb: Verb, tense: str, subject: Subject) -> list[str]:
    if tense == "past":
        return [verb.past]
    if tense == "future":
        return ["will", verb.base]
    if tense == "progressive":
        return [subject.be, verb.ing]
    return [verb.base if subject.plural else verb.third]


# ====================================================================== sentences
def _capital_fact(rng: _Rng) -> list[str]:
    c = _country(rng)
    return rng.choice((
        ["the", "capital", "of", c.name, "is", c.capital],
        [c.capital, "is", "the", "capital", "of", c.name],
        [c.capital, "is", "a", "city", "in", c.name],
        [c.name, "is", "a", "country", "in", c.continent],
        ["the", "capital", "city", "of", c.name, "is", c.capital],
        ["where", "is", c.capital, "?", c.capital, "is", "in", c.name],
    ))


def _language_fact(rng: _Rng) -> list[str]:
    c = _country(rng)
    return rng.choice((
        ["in", c.name, "people", "speak", c.language],
        ["in", c.capital, "people", "speak", c.language],
        ["the", c.nationality, "people", "speak", c.language],
        ["people", "in", c.capital, "speak", c.language],
        ["what", "language", "do", "people", "speak", "in", c.name, "?", "they", "speak", c.language],
        ["the", "people", "of", c.name, "are", c.nationality],
    ))


def _currency_fact(rng: _Rng) -> list[str]:
    c = _country(rng)
    return rng.choice((
        ["in", c.name, "people", "pay", "with", "the", c.currency],
        ["in", c.capital, "you", "pay", "with", "the", c.currency],
        ["the", c.currency, "is", "the", "money", "of", c.name],
        ["the", c.nationality, "money", "is", "the", c.currency],
    ))


def _resident(rng: _Rng) -> list[str]:
    """Who lives where, and what they speak: agreement and country facts across a clause."""
    c = _country(rng)
    s = _gendered_subject(rng, modifiers=False)
    live = "live" if s.plural else "lives"
    speak = "speak" if s.plural else "speaks"
    kind = rng.index(5)
    if kind == 0:
        return s.words + ["who", live, "in", c.capital, speak, c.language]
    if kind == 1:
        return s.words + [live, "in", c.capital, ",", "the", "capital", "of", c.name]
    if kind == 2:
        return s.words + [s.be, "from", c.name, ",", "so", s.pronoun, speak, c.language]
    if kind == 3:
        return s.words + [live, "in", c.capital, "and", speak, c.language]
    return s.words + [s.be, c.nationality, "and", speak, c.language]


def _travel(rng: _Rng) -> list[str]:
    tense = rng.choice(("past", "present", "future"))
    s = _gendered_subject(rng)
    c1, c2 = rng.sample2(COUNTRIES)
    fly = Verb("fly", "flies", "flew", "flying", "")
    words = rng.choice(TENSE_ADVERBS[tense]).split() + s.words + _verb_phrase(fly, tense, s)
    words += ["from", c1.capital, "to", c2.capital]
    if rng.chance(0.5):
        words += [",", "the", "capital", "of", c2.name]
    return words


def _action(rng: _Rng) -> list[str]:
    """Time adverb, subject, verb in the matching tense and number, object or place."""
    tense = rng.choice(tuple(TENSE_ADVERBS))
    s = _any_subject(rng) if rng.chance(0.7) else _pronoun_subject(rng)
    verb = rng.zipf(ANIMAL_VERBS if s.words[-1] in _ANIMAL_WORDS else VERBS, 0.4)
    words = rng.choice(TENSE_ADVERBS[tense]).split() if rng.chance(0.85) else []
    return words + s.words + _verb_phrase(verb, tense, s) + _OBJECT_MAKERS[verb.objects](rng, s)


def _pronoun_subject(rng: _Rng) -> Subject:
    kind = rng.index(3)
    return Subject([("he", "she", "they")[kind]], kind == 2, ("m", "f", "")[kind])


def _said(rng: _Rng) -> list[str]:
    """A pronoun agreeing with a subject a few words back."""
    s = _gendered_subject(rng)
    tail = rng.choice((
        [s.be_past, rng.choice(MOODS)],
        ["had", "lost", s.possessive, rng.choice(THINGS).singular],
        ["would", "visit", _country(rng).capital],
    ))
    return s.words + ["said", "that", s.pronoun] + tail


def _couple(rng: _Rng) -> list[str]:
    """The two members of a gender pair in one sentence."""
    male, female = rng.zipf(GENDER_PAIRS, 0.5)
    plural = rng.chance(0.3)
    m, f = (male.plural, female.plural) if plural else (male.singular, female.singular)
    return rng.choice((
        ["the", m, "and", "the", f, "are", "happy"] if plural else ["the", m, "and", "the", f, "are", "married"],
        ["he", "is", _article(male.singular), male.singular, "and", "she", "is", _article(female.singular),
         female.singular],
        ["the", m, "met", "the", f, "in", _country(rng).capital],
        [rng.choice(MALE_NAMES), "is", "a", "male", male.singular, "and", rng.choice(FEMALE_NAMES), "is", "a",
         "female", female.singular],
    ))


def _compare(rng: _Rng) -> list[str]:
    """Comparisons that agree with hidden attributes."""
    kind = rng.index(5)
    if kind == 0:
        (a, size_a, speed_a), (b, size_b, speed_b) = rng.sample2(ANIMALS)
        adj = rng.choice(("big", "small", "heavy", "fast", "slow"))
        if adj in ("fast", "slow"):
            true = (speed_a > speed_b) == (adj == "fast")
        else:
            true = (size_a > size_b) == (adj != "small")
        first, second = (a, b) if true else (b, a)
        return ["the", first.singular, "is", _ADJ[adj][0], "than", "the", second.singular]
    if kind == 1:
        c1, c2 = rng.sample2(COUNTRIES)
        if rng.chance(0.5):
            adj = rng.choice(("cold", "warm"))
            first, second = (c1, c2) if (c1.warmth < c2.warmth) == (adj == "cold") else (c2, c1)
        else:
            adj = rng.choice(("large", "small"))
            first, second = (c1, c2) if (c1.area > c2.area) == (adj == "large") else (c2, c1)
        return [first.name, "is", _ADJ[adj][0], "than", second.name]
    if kind == 2:
        (a, price_a, sweet_a), (b, price_b, sweet_b) = rng.sample2(FOODS)
        adj = rng.choice(("cheap", "sweet"))
        key_a, key_b = (price_a, price_b) if adj == "cheap" else (sweet_a, sweet_b)
        true = (key_a < key_b) if adj == "cheap" else (key_a > key_b)
        first, second = (a, b) if true else (b, a)
        return ["the", first.plural, "are", _ADJ[adj][0], "than", "the", second.plural]
    if kind == 3:
        r1, r2 = rng.sample2(sorted(GENERATION))
        if GENERATION[r1] == GENERATION[r2]:
            return ["the", r1, "and", "the", r2, "are", "the", "same", "age"]
        adj = rng.choice(("old", "young"))
        first, second = (r1, r2) if (GENERATION[r1] > GENERATION[r2]) == (adj == "old") else (r2, r1)
        return ["the", first, "is", _ADJ[adj][0], "than", "the", second]
    s1, s2 = _gendered_subject(rng, modifiers=False), _gendered_subject(rng, modifiers=False)
    adj = rng.choice(("happy", "rich", "strong", "tall", "good", "bad", "quiet", "poor", "young", "old"))
    return s1.words + [s1.be, _ADJ[adj][0], "than"] + s2.words


def _animal_adjective(animal: tuple, rng: _Rng) -> str:
    """An adjective true of ``(noun, size, speed)``: big/heavy or small, fast or slow."""
    _, size, speed = animal
    if rng.chance(0.5):
        return ("big" if rng.chance(0.7) else "heavy") if size > len(ANIMALS) // 2 else "small"
    return "fast" if speed > len(ANIMALS) // 2 else "slow"


def _describe(rng: _Rng) -> list[str]:
    """Plain adjectives, true of what they describe."""
    kind = rng.index(5)
    if kind == 0:
        animal = rng.zipf(ANIMALS)
        adj = _animal_adjective(animal, rng)
        return rng.choice((["the", animal[0].singular, "is", adj],
                           ["the", animal[0].plural, "are", adj],
                           [_article(adj), adj, "animal", "like", "the", animal[0].singular]))
    if kind == 1:
        c = _country(rng)
        if rng.chance(0.5) and not 10 <= c.warmth <= 18:
            return [c.name, "is", "cold" if c.warmth < 10 else "warm"]
        size = "large" if c.area > 600 else "small"
        return [c.name, "is", "a", size, "country"]
    if kind == 2:
        food, price, sweet = rng.zipf(FOODS)
        adj = ("cheap" if price <= 10 else "expensive") if rng.chance(0.5) else ("sweet" if sweet > 12 else "sour")
        return ["the", food.plural, "are", adj]
    if kind == 3:
        adj = rng.choice(("good", "bad"))
        s = _gendered_subject(rng, modifiers=False)
        return s.words + [s.be, adj] if rng.chance(0.5) else ["it", "was", _article(adj), adj, "day", "for"] + s.words
    s = _any_subject(rng)
    return s.words + [s.be, rng.choice(ANIMAL_MOODS if s.words[-1] in _ANIMAL_WORDS else MOODS)]


def _superlative(rng: _Rng) -> list[str]:
    """The extreme of three (or of a continent), consistent with the attributes."""
    kind = rng.index(4)
    if kind == 3:
        adj = rng.choice(("happy", "rich", "strong", "tall", "good", "bad", "quiet", "poor", "young", "old"))
        name = rng.choice(MALE_NAMES + FEMALE_NAMES)
        return [name, "is", "the", _ADJ[adj][1], "person", "in", "the", rng.choice(("village", "street", "family"))]
    if kind == 0:
        picks = _three(rng, ANIMALS)
        adj = rng.choice(("big", "small", "fast", "slow", "heavy"))
        key = (lambda a: a[2]) if adj in ("fast", "slow") else (lambda a: a[1])
        best = (max if adj in ("big", "fast", "heavy") else min)(picks, key=key)[0]
        names = [p[0].singular for p in picks]
        return ["of", "the", names[0], ",", "the", names[1], "and", "the", names[2], ",", "the",
                best.singular, "is", "the", _ADJ[adj][1]]
    if kind == 1:
        continent = rng.choice(sorted({c.continent for c in COUNTRIES} - {"oceania"}))
        members = [c for c in COUNTRIES if c.continent == continent]
        adj = rng.choice(("cold", "warm", "large", "small"))
        key = (lambda c: c.warmth) if adj in ("cold", "warm") else (lambda c: c.area)
        best = (min if adj in ("cold", "small") else max)(members, key=key)
        return [best.name, "is", "the", _ADJ[adj][1], "country", "in", continent]
    picks = _three(rng, FOODS)
    adj = rng.choice(("cheap", "sweet"))
    best = (min(picks, key=lambda f: f[1]) if adj == "cheap" else max(picks, key=lambda f: f[2]))[0]
    names = [p[0].plural for p in picks]
    return ["of", names[0], ",", names[1], "and", names[2], ",", best.plural, "are", "the", _ADJ[adj][1]]


def _three(rng: _Rng, items: Sequence) -> list:
    first, second = rng.sample2(items)
    rest = [x for x in items if x is not first and x is not second]
    return [first, second, rng.choice(rest)]


def _counting(rng: _Rng) -> list[str]:
    """Number agreement: one horse / three horses, is / are."""
    kind = rng.index(3)
    one = rng.chance(0.4)
    if kind == 2:
        animal = rng.zipf(ANIMALS)[0]
        word = animal.singular if one else animal.plural
        return ["the", word, "in", "the", rng.choice(PLACES), "is" if one else "are", rng.choice(ANIMAL_MOODS)]
    noun = rng.choice(_COUNTABLE)
    count = "one" if one else rng.choice(NUMBERS)
    word = noun.singular if one else noun.plural
    if kind == 0:
        return ["there", "is" if one else "are", count, word, "in", "the", rng.choice(PLACES)]
    s = _gendered_subject(rng, modifiers=False)
    return s.words + ["has" if not s.plural else "have", count, word]


def _paradigm(rng: _Rng) -> list[str]:
    """The forms of one word side by side, in the same frames for every word: the contexts that
    make morphology analogies (big : bigger :: small : smaller) learnable."""
    kind = rng.index(3)
    if kind == 0:  # an attribute ladder, true of the hidden attributes where there are any
        adj = rng.choice(("big", "small", "fast", "slow", "heavy"))
        picks = _three(rng, ANIMALS)
        key = (lambda a: a[2]) if adj in ("fast", "slow") else (lambda a: a[1])
        picks.sort(key=key, reverse=adj in ("small", "slow"))
        a, b, c = (p[0].singular for p in picks)
        return ["the", a, "is", adj, ",", "the", b, "is", _ADJ[adj][0], "and", "the", c, "is", "the", _ADJ[adj][1]]
    if kind == 1:  # every adjective, hidden attributes or not
        base, comparative, superlative = rng.choice(ADJECTIVES)
        s1, s2, s3 = (rng.choice(MALE_NAMES + FEMALE_NAMES) for _ in range(3))
        return [s1, "is", base, ",", s2, "is", comparative, "and", s3, "is", "the", superlative]
    verb = rng.zipf(VERBS, 0.2)  # verb tenses
    s = _pronoun_subject(rng)
    present = verb.base if s.plural else verb.third
    return ["every", "day", s.pronoun, present, ",", "yesterday", s.pronoun, verb.past, "and", "tomorrow",
            s.pronoun, "will", verb.base]


def _one_and_many(rng: _Rng) -> list[str]:
    noun = rng.choice(_COUNTABLE)
    s1, s2 = (rng.choice(MALE_NAMES + FEMALE_NAMES) for _ in range(2))
    return [s1, "has", "one", noun.singular, "and", s2, "has", rng.choice(NUMBERS), noun.plural]


# sentence makers and how often each is used
_MAKERS: list[tuple[Callable[[_Rng], list[str]], float]] = [
    (_capital_fact, 1.0), (_language_fact, 1.0), (_currency_fact, 0.8), (_resident, 1.2), (_travel, 0.7),
    (_action, 3.5), (_said, 0.8), (_couple, 0.7), (_describe, 0.8), (_compare, 1.2), (_superlative, 0.5),
    (_counting, 1.0), (_paradigm, 0.6), (_one_and_many, 0.3),
]
_MAKER_FUNCTIONS = [maker for maker, _ in _MAKERS]
_MAKER_CUMULATIVE = list(accumulate(weight for _, weight in _MAKERS))


def generate_sentences(n: int, rng: _Rng) -> list[list[str]]:
    """``n`` sentences (token lists, each ending in ``.`` or ``?``) from ``rng``."""
    sentences = []
    for _ in range(n):
        words = rng.weighted(_MAKER_FUNCTIONS, _MAKER_CUMULATIVE)(rng)
        sentences.append(words + (["?"] if words[0] in ("what", "where") and "?" not in words else ["."]))
    return sentences


# ====================================================================== evaluation files
def _pairs_section(name: str, pairs: Sequence[tuple[str, str]], limit: int = 25) -> list[str]:
    """questions-words.txt section: every ordered pair of distinct pairs ``a b c d``."""
    pairs = list(dict.fromkeys(pairs))[:limit]
    lines = [f": {name}"]
    for (a, b), (c, d) in itertools.permutations(pairs, 2):
        lines.append(f"{a} {b} {c} {d}")
    return lines


def analogy_lines() -> list[str]:
    """The demo's analogy questions, in the questions-words.txt format."""
    unique_currency = [c for c in COUNTRIES if sum(d.currency == c.currency for d in COUNTRIES) == 1]
    verbs = [v for v in VERBS if v.past != v.base]
    return (
        _pairs_section("capital-common-countries", [(c.capital, c.name) for c in COUNTRIES])
        + _pairs_section("currency", [(c.name, c.currency) for c in unique_currency])
        + _pairs_section("family", [(m.singular, f.singular) for m, f in GENDER_PAIRS])
        + _pairs_section("gram3-comparative", [(b, c) for b, c, _ in ADJECTIVES])
        + _pairs_section("gram4-superlative", [(b, s) for b, _, s in ADJECTIVES])
        + _pairs_section("gram5-present-participle", [(v.base, v.ing) for v in verbs])
        + _pairs_section("gram6-nationality-adjective", [(c.name, c.nationality) for c in COUNTRIES])
        + _pairs_section("gram7-past-tense", [(v.ing, v.past) for v in verbs])
        + _pairs_section("gram8-plural", [(n.singular, n.plural) for n in _COUNTABLE])
        + _pairs_section("gram9-plural-verbs", [(v.base, v.third) for v in verbs])
    )


def similarity_rows() -> list[tuple[str, str, float]]:
    """Word pairs scored 0-10 by the hidden attributes they share (WordSim-353 layout).

    Every word gets a set of features from the generator's tables (its class, e.g. animal or
    capital; its country; its gender; its size or generation band...).  A pair scores
    ``10 * |shared| / |union|`` (Jaccard).  Words with more shared features occur in more
    shared contexts, so embeddings trained on the demo corpus should rank pairs alike.
    """
    features: dict[str, set[str]] = {}
    for c in COUNTRIES:
        features[c.name] = {"place", "country", f"of:{c.name}", c.continent, f"lang:{c.language}"}
        features[c.capital] = {"place", "city", f"of:{c.name}", c.continent, f"lang:{c.language}"}
    for (m, f) in GENDER_PAIRS:
        role = f"role:{m.singular}"
        extra = {"royal"} if m.singular in ROYALS else set()
        if m.singular in GENERATION:
            extra |= {"family", f"generation:{GENERATION[m.singular]}"}
        features[m.singular] = {"person", "male", role} | extra
        features[f.singular] = {"person", "female", role} | extra
    for noun, size, speed in ANIMALS:
        features[noun.singular] = {"animal", f"size:{(size - 1) // 6}", f"speed:{(speed - 1) // 6}"}
    for noun, price, sweet in FOODS:
        features[noun.singular] = {"food", f"price:{(price - 1) // 5}", f"sweet:{(sweet - 1) // 6}"}
    for noun in THINGS:
        features[noun.singular] = {"thing"}
    words = sorted(features)
    rng = _Rng(SEED + 1)
    pairs = set()
    while len(pairs) < 300:
        a, b = rng.sample2(words)
        if features[a] & features[b] or rng.chance(0.35):  # mostly related pairs, some unrelated
            pairs.add(tuple(sorted((a, b))))
    rows = []
    for a, b in sorted(pairs):
        shared, union = features[a] & features[b], features[a] | features[b]
        rows.append((a, b, round(10 * len(shared) / len(union), 2)))
    return rows


# ====================================================================== files
def demo_texts(seed: int = SEED) -> dict[str, str]:
    """The content of every demo file, by file name."""
    rng = _Rng(seed)
    texts = {}
    for split, n in SPLIT_SENTENCES.items():
        texts[f"{split}.txt"] = "".join(" ".join(s) + "\n" for s in generate_sentences(n, rng))
    texts["analogies.txt"] = "\n".join(analogy_lines()) + "\n"
    texts["similarity.tsv"] = "# demo word similarity: 10 x Jaccard overlap of hidden attributes\n" + \
        "# Word 1\tWord 2\tScore\n" + "".join(f"{a}\t{b}\t{s:.2f}\n" for a, b, s in similarity_rows())
    return texts


def write_demo_corpus(directory: str | os.PathLike, seed: int = SEED) -> dict[str, Path]:
    """Write the demo files into ``directory`` (atomically); return their paths by stem."""
    directory = Path(directory)
    paths = {}
    for name, text in demo_texts(seed).items():
        path = directory / name
        with atomic_write(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths[name.split(".")[0]] = path
    return paths


def cache_root() -> Path:
    """The project's cache directory: ``$WORDNET_LM_CACHE/wordnet_lm`` (else ``$XDG_CACHE_HOME``,
    else ``~/.cache``)."""
    base = os.environ.get(CACHE_DIR_ENV) or os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()
    return Path(base) / "wordnet_lm"


def _cache_dir() -> Path:
    return cache_root() / "demo"


def demo_paths() -> dict[str, Path]:
    """Paths of the demo files: ``train``, ``valid``, ``test``, ``analogies``, ``similarity``.

    From the repository's ``corpora/demo`` when present; otherwise (an installed package)
    generated once into ``$WORDNET_LM_CACHE/wordnet_lm/demo`` (default ``~/.cache``).
    """
    for directory in (REPO_DEMO_DIR, _cache_dir()):
        if all((directory / name).is_file() for name in DEMO_FILES):
            return {name.split(".")[0]: directory / name for name in DEMO_FILES}
    return write_demo_corpus(_cache_dir())


def default_corpus() -> Path:
    """The corpus every command uses when none is given: the demo training text."""
    return demo_paths()["train"]
