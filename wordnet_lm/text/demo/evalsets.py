"""The demo's evaluation sets: analogy questions (questions-words.txt format) and word pairs
scored by shared hidden attributes (WordSim-353 layout)."""

from __future__ import annotations

import itertools
from typing import Sequence

from wordnet_lm.text.demo.choices import SEED, Rng
from wordnet_lm.text.demo.lexicon import (
    ADJECTIVES,
    ANIMALS,
    COUNTABLE,
    COUNTRIES,
    FOODS,
    GENDER_PAIRS,
    GENERATION,
    ROYALS,
    THINGS,
    VERBS,
)


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
        + _pairs_section("gram8-plural", [(n.singular, n.plural) for n in COUNTABLE])
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
    rng = Rng(SEED + 1)
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

