"""The sentence makers (facts, actions, agreement, comparisons, paradigms) and how often each
is used: ``generate_sentences`` draws the demo corpus from them."""

from __future__ import annotations

from itertools import accumulate
from typing import Callable, Sequence

from wordnet_lm.text.demo.choices import Rng
from wordnet_lm.text.demo.lexicon import (
    ADJECTIVE_FORMS,
    ADJECTIVES,
    ANIMAL_MOODS,
    ANIMAL_VERBS,
    ANIMAL_WORDS,
    ANIMALS,
    COUNTABLE,
    COUNTRIES,
    FEMALE_NAMES,
    FOODS,
    GENDER_PAIRS,
    GENERATION,
    MALE_NAMES,
    MOODS,
    NUMBERS,
    PLACES,
    TENSE_ADVERBS,
    THINGS,
    VERBS,
    Verb,
)
from wordnet_lm.text.demo.phrases import (
    OBJECT_MAKERS,
    animal_adjective,
    any_country,
    any_subject,
    article,
    gendered_subject,
    pronoun_subject,
    verb_phrase,
)


def _capital_fact(rng: Rng) -> list[str]:
    c = any_country(rng)
    return rng.choice((
        ["the", "capital", "of", c.name, "is", c.capital],
        [c.capital, "is", "the", "capital", "of", c.name],
        [c.capital, "is", "a", "city", "in", c.name],
        [c.name, "is", "a", "country", "in", c.continent],
        ["the", "capital", "city", "of", c.name, "is", c.capital],
        ["where", "is", c.capital, "?", c.capital, "is", "in", c.name],
    ))


def _language_fact(rng: Rng) -> list[str]:
    c = any_country(rng)
    return rng.choice((
        ["in", c.name, "people", "speak", c.language],
        ["in", c.capital, "people", "speak", c.language],
        ["the", c.nationality, "people", "speak", c.language],
        ["people", "in", c.capital, "speak", c.language],
        ["what", "language", "do", "people", "speak", "in", c.name, "?", "they", "speak", c.language],
        ["the", "people", "of", c.name, "are", c.nationality],
    ))


def _currency_fact(rng: Rng) -> list[str]:
    c = any_country(rng)
    return rng.choice((
        ["in", c.name, "people", "pay", "with", "the", c.currency],
        ["in", c.capital, "you", "pay", "with", "the", c.currency],
        ["the", c.currency, "is", "the", "money", "of", c.name],
        ["the", c.nationality, "money", "is", "the", c.currency],
    ))


def _resident(rng: Rng) -> list[str]:
    """Who lives where, and what they speak: agreement and country facts across a clause."""
    c = any_country(rng)
    s = gendered_subject(rng, modifiers=False)
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


def _travel(rng: Rng) -> list[str]:
    tense = rng.choice(("past", "present", "future"))
    s = gendered_subject(rng)
    c1, c2 = rng.sample2(COUNTRIES)
    fly = Verb("fly", "flies", "flew", "flying", "")
    words = rng.choice(TENSE_ADVERBS[tense]).split() + s.words + verb_phrase(fly, tense, s)
    words += ["from", c1.capital, "to", c2.capital]
    if rng.chance(0.5):
        words += [",", "the", "capital", "of", c2.name]
    return words


def _action(rng: Rng) -> list[str]:
    """Time adverb, subject, verb in the matching tense and number, object or place."""
    tense = rng.choice(tuple(TENSE_ADVERBS))
    s = any_subject(rng) if rng.chance(0.7) else pronoun_subject(rng)
    verb = rng.zipf(ANIMAL_VERBS if s.words[-1] in ANIMAL_WORDS else VERBS, 0.4)
    words = rng.choice(TENSE_ADVERBS[tense]).split() if rng.chance(0.85) else []
    return words + s.words + verb_phrase(verb, tense, s) + OBJECT_MAKERS[verb.objects](rng, s)


def _said(rng: Rng) -> list[str]:
    """A pronoun agreeing with a subject a few words back."""
    s = gendered_subject(rng)
    tail = rng.choice((
        [s.be_past, rng.choice(MOODS)],
        ["had", "lost", s.possessive, rng.choice(THINGS).singular],
        ["would", "visit", any_country(rng).capital],
    ))
    return s.words + ["said", "that", s.pronoun] + tail


def _couple(rng: Rng) -> list[str]:
    """The two members of a gender pair in one sentence."""
    male, female = rng.zipf(GENDER_PAIRS, 0.5)
    plural = rng.chance(0.3)
    m, f = (male.plural, female.plural) if plural else (male.singular, female.singular)
    return rng.choice((
        ["the", m, "and", "the", f, "are", "happy"] if plural else ["the", m, "and", "the", f, "are", "married"],
        ["he", "is", article(male.singular), male.singular, "and", "she", "is", article(female.singular),
         female.singular],
        ["the", m, "met", "the", f, "in", any_country(rng).capital],
        [rng.choice(MALE_NAMES), "is", "a", "male", male.singular, "and", rng.choice(FEMALE_NAMES), "is", "a",
         "female", female.singular],
    ))


def _compare(rng: Rng) -> list[str]:
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
        return ["the", first.singular, "is", ADJECTIVE_FORMS[adj][0], "than", "the", second.singular]
    if kind == 1:
        c1, c2 = rng.sample2(COUNTRIES)
        if rng.chance(0.5):
            adj = rng.choice(("cold", "warm"))
            first, second = (c1, c2) if (c1.warmth < c2.warmth) == (adj == "cold") else (c2, c1)
        else:
            adj = rng.choice(("large", "small"))
            first, second = (c1, c2) if (c1.area > c2.area) == (adj == "large") else (c2, c1)
        return [first.name, "is", ADJECTIVE_FORMS[adj][0], "than", second.name]
    if kind == 2:
        (a, price_a, sweet_a), (b, price_b, sweet_b) = rng.sample2(FOODS)
        adj = rng.choice(("cheap", "sweet"))
        key_a, key_b = (price_a, price_b) if adj == "cheap" else (sweet_a, sweet_b)
        true = (key_a < key_b) if adj == "cheap" else (key_a > key_b)
        first, second = (a, b) if true else (b, a)
        return ["the", first.plural, "are", ADJECTIVE_FORMS[adj][0], "than", "the", second.plural]
    if kind == 3:
        r1, r2 = rng.sample2(sorted(GENERATION))
        if GENERATION[r1] == GENERATION[r2]:
            return ["the", r1, "and", "the", r2, "are", "the", "same", "age"]
        adj = rng.choice(("old", "young"))
        first, second = (r1, r2) if (GENERATION[r1] > GENERATION[r2]) == (adj == "old") else (r2, r1)
        return ["the", first, "is", ADJECTIVE_FORMS[adj][0], "than", "the", second]
    s1, s2 = gendered_subject(rng, modifiers=False), gendered_subject(rng, modifiers=False)
    adj = rng.choice(("happy", "rich", "strong", "tall", "good", "bad", "quiet", "poor", "young", "old"))
    return s1.words + [s1.be, ADJECTIVE_FORMS[adj][0], "than"] + s2.words


def _describe(rng: Rng) -> list[str]:
    """Plain adjectives, true of what they describe."""
    kind = rng.index(5)
    if kind == 0:
        animal = rng.zipf(ANIMALS)
        adj = animal_adjective(animal, rng)
        return rng.choice((["the", animal[0].singular, "is", adj],
                           ["the", animal[0].plural, "are", adj],
                           [article(adj), adj, "animal", "like", "the", animal[0].singular]))
    if kind == 1:
        c = any_country(rng)
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
        s = gendered_subject(rng, modifiers=False)
        return s.words + [s.be, adj] if rng.chance(0.5) else ["it", "was", article(adj), adj, "day", "for"] + s.words
    s = any_subject(rng)
    return s.words + [s.be, rng.choice(ANIMAL_MOODS if s.words[-1] in ANIMAL_WORDS else MOODS)]


def _superlative(rng: Rng) -> list[str]:
    """The extreme of three (or of a continent), consistent with the attributes."""
    kind = rng.index(4)
    if kind == 3:
        adj = rng.choice(("happy", "rich", "strong", "tall", "good", "bad", "quiet", "poor", "young", "old"))
        name = rng.choice(MALE_NAMES + FEMALE_NAMES)
        return [name, "is", "the", ADJECTIVE_FORMS[adj][1], "person", "in", "the", rng.choice(("village", "street", "family"))]
    if kind == 0:
        picks = _three(rng, ANIMALS)
        adj = rng.choice(("big", "small", "fast", "slow", "heavy"))
        key = (lambda a: a[2]) if adj in ("fast", "slow") else (lambda a: a[1])
        best = (max if adj in ("big", "fast", "heavy") else min)(picks, key=key)[0]
        names = [p[0].singular for p in picks]
        return ["of", "the", names[0], ",", "the", names[1], "and", "the", names[2], ",", "the",
                best.singular, "is", "the", ADJECTIVE_FORMS[adj][1]]
    if kind == 1:
        continent = rng.choice(sorted({c.continent for c in COUNTRIES} - {"oceania"}))
        members = [c for c in COUNTRIES if c.continent == continent]
        adj = rng.choice(("cold", "warm", "large", "small"))
        key = (lambda c: c.warmth) if adj in ("cold", "warm") else (lambda c: c.area)
        best = (min if adj in ("cold", "small") else max)(members, key=key)
        return [best.name, "is", "the", ADJECTIVE_FORMS[adj][1], "country", "in", continent]
    picks = _three(rng, FOODS)
    adj = rng.choice(("cheap", "sweet"))
    best = (min(picks, key=lambda f: f[1]) if adj == "cheap" else max(picks, key=lambda f: f[2]))[0]
    names = [p[0].plural for p in picks]
    return ["of", names[0], ",", names[1], "and", names[2], ",", best.plural, "are", "the", ADJECTIVE_FORMS[adj][1]]


def _three(rng: Rng, items: Sequence) -> list:
    first, second = rng.sample2(items)
    rest = [x for x in items if x is not first and x is not second]
    return [first, second, rng.choice(rest)]


def _counting(rng: Rng) -> list[str]:
    """Number agreement: one horse / three horses, is / are."""
    kind = rng.index(3)
    one = rng.chance(0.4)
    if kind == 2:
        animal = rng.zipf(ANIMALS)[0]
        word = animal.singular if one else animal.plural
        return ["the", word, "in", "the", rng.choice(PLACES), "is" if one else "are", rng.choice(ANIMAL_MOODS)]
    noun = rng.choice(COUNTABLE)
    count = "one" if one else rng.choice(NUMBERS)
    word = noun.singular if one else noun.plural
    if kind == 0:
        return ["there", "is" if one else "are", count, word, "in", "the", rng.choice(PLACES)]
    s = gendered_subject(rng, modifiers=False)
    return s.words + ["has" if not s.plural else "have", count, word]


def _paradigm(rng: Rng) -> list[str]:
    """The forms of one word side by side, in the same frames for every word: the contexts that
    make morphology analogies (big : bigger :: small : smaller) learnable."""
    kind = rng.index(3)
    if kind == 0:  # an attribute ladder, true of the hidden attributes where there are any
        adj = rng.choice(("big", "small", "fast", "slow", "heavy"))
        picks = _three(rng, ANIMALS)
        key = (lambda a: a[2]) if adj in ("fast", "slow") else (lambda a: a[1])
        picks.sort(key=key, reverse=adj in ("small", "slow"))
        a, b, c = (p[0].singular for p in picks)
        comparative, superlative = ADJECTIVE_FORMS[adj]
        return ["the", a, "is", adj, ",", "the", b, "is", comparative, "and", "the", c, "is", "the", superlative]
    if kind == 1:  # every adjective, hidden attributes or not
        base, comparative, superlative = rng.choice(ADJECTIVES)
        s1, s2, s3 = (rng.choice(MALE_NAMES + FEMALE_NAMES) for _ in range(3))
        return [s1, "is", base, ",", s2, "is", comparative, "and", s3, "is", "the", superlative]
    verb = rng.zipf(VERBS, 0.2)  # verb tenses
    s = pronoun_subject(rng)
    present = verb.base if s.plural else verb.third
    return ["every", "day", s.pronoun, present, ",", "yesterday", s.pronoun, verb.past, "and", "tomorrow",
            s.pronoun, "will", verb.base]


def _one_and_many(rng: Rng) -> list[str]:
    noun = rng.choice(COUNTABLE)
    s1, s2 = (rng.choice(MALE_NAMES + FEMALE_NAMES) for _ in range(2))
    return [s1, "has", "one", noun.singular, "and", s2, "has", rng.choice(NUMBERS), noun.plural]


# sentence makers and how often each is used
_MAKERS: list[tuple[Callable[[Rng], list[str]], float]] = [
    (_capital_fact, 1.0), (_language_fact, 1.0), (_currency_fact, 0.8), (_resident, 1.2), (_travel, 0.7),
    (_action, 3.5), (_said, 0.8), (_couple, 0.7), (_describe, 0.8), (_compare, 1.2), (_superlative, 0.5),
    (_counting, 1.0), (_paradigm, 0.6), (_one_and_many, 0.3),
]
_MAKER_FUNCTIONS = [maker for maker, _ in _MAKERS]
_MAKER_CUMULATIVE = list(accumulate(weight for _, weight in _MAKERS))


def generate_sentences(n: int, rng: Rng) -> list[list[str]]:
    """``n`` sentences (token lists, each ending in ``.`` or ``?``) from ``rng``."""
    sentences = []
    for _ in range(n):
        words = rng.weighted(_MAKER_FUNCTIONS, _MAKER_CUMULATIVE)(rng)
        sentences.append(words + (["?"] if words[0] in ("what", "where") and "?" not in words else ["."]))
    return sentences
