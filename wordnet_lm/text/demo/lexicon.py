"""The demo's lexicon: countries and their facts, nouns with plurals and genders, verbs with
their tenses, adjectives with their degrees, and the hidden attributes the sentences agree with."""

from __future__ import annotations

from dataclasses import dataclass


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
    objects: str  # what follows: a key of OBJECT_MAKERS, or "" (intransitive: a place phrase)


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
ADJECTIVE_FORMS = {base: (cmp, sup) for base, cmp, sup in ADJECTIVES}
MOODS = "happy sad tired hungry angry rich poor strong young old tall quiet".split()
ANIMAL_MOODS = "happy sad tired hungry angry young old quiet".split()
NUMBERS = "two three four five six seven eight nine ten".split()

TENSE_ADVERBS = {
    "past": ["yesterday", "last week", "last year", "once"],
    "present": ["every day", "usually", "often", "every morning"],
    "future": ["tomorrow", "next week", "next year", "soon"],
    "progressive": ["right now", "at the moment", "now"],
}

# derived lookups
CAPITALS = {c.capital for c in COUNTRIES}
COUNTABLE = [a[0] for a in ANIMALS] + [f[0] for f in FOODS] + THINGS
ANIMAL_WORDS = {form for noun, _, _ in ANIMALS for form in (noun.singular, noun.plural)}
COUNTRY_OF = {**{c.name: c for c in COUNTRIES}, **{c.capital: c for c in COUNTRIES}}
