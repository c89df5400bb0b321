"""Small structured word vectors and analogy files for the vectors tests.

Pairs of a section share an offset (``france = paris + offset + noise``), so analogies are
answered right often but not always; case variants (``Paris`` after ``paris``) and OOV words
exercise the counting rules.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from wordnet_lm.vectors import KeyedVectors

CAPITALS = [("paris", "france"), ("london", "england"), ("berlin", "germany"), ("rome", "italy"),
            ("madrid", "spain"), ("athens", "greece"), ("oslo", "norway")]
COMPARATIVES = [("big", "bigger"), ("small", "smaller"), ("good", "better"), ("fast", "faster"),
                ("tall", "taller"), ("cold", "colder")]
MISSING_PAIRS = [("tokyo", "japan"), ("wide", "wider")]  # not in the vocabulary
VARIANTS = ("Rome", "Paris", "FRANCE", "Big")


def structured_vectors(dim: int = 12, noise: float = 0.6, n_filler: int = 25, seed: int = 0) -> KeyedVectors:
    """Capitals/countries and adjectives/comparatives with shared offsets, case variants, fillers."""
    rng = np.random.default_rng(seed)
    words, rows = [], []
    for pairs in (CAPITALS, COMPARATIVES):
        offset = rng.standard_normal(dim)
        for a, b in pairs:
            base = rng.standard_normal(dim)
            words += [a, b]
            rows += [base + noise * rng.standard_normal(dim), base + offset + noise * rng.standard_normal(dim)]
    for k in range(n_filler):
        words.append(f"filler{k}")
        rows.append(rng.standard_normal(dim))
    order = [int(i) for i in rng.permutation(len(words))]
    variants = {w: rows[words.index(w.lower())] + 0.3 * rng.standard_normal(dim) for w in VARIANTS}
    # "Rome" comes first (it stands for ROME); the others are rarer than their lower-case forms
    final_words = ["Rome"] + [words[i] for i in order] + ["Paris", "FRANCE", "Big"]
    final_rows = [variants["Rome"]] + [rows[i] for i in order] + [variants[w] for w in ("Paris", "FRANCE", "Big")]
    return KeyedVectors(final_words, np.array(final_rows, np.float32))


def analogy_lines() -> list[str]:
    """A questions-words file: two sections, case-mixed words, OOV questions, a malformed line."""
    lines = [": capital-common"]
    for (a, b), (c, d) in itertools.permutations(CAPITALS + MISSING_PAIRS[:1], 2):
        lines.append(f"{a.title()} {b.title()} {c.title()} {d.title()}")
    lines.append(": gram3-comparative")
    for (a, b), (c, d) in itertools.permutations(COMPARATIVES + MISSING_PAIRS[1:], 2):
        lines.append(f"{a} {b} {c} {d}")
    lines.append("only three words")
    lines.append(": family-empty")
    return lines


def write_analogies(path: Path, lines: list[str] | None = None) -> Path:
    path.write_text("\n".join(analogy_lines() if lines is None else lines) + "\n", encoding="utf-8")
    return path


def brute_force_analogies(kv: KeyedVectors, path: Path, restrict_vocab: int | None, case_insensitive: bool,
                          dummy4unknown: bool, method: str) -> list[dict]:
    """gensim's evaluate_word_analogies re-told with plain Python loops (float64 cosines)."""
    limit = len(kv) if restrict_vocab is None else min(restrict_vocab, len(kv))
    key = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    ok = {}
    for i in reversed(range(limit)):
        ok[key(kv.index_to_key[i])] = i
    vectors = kv.vectors.astype(np.float64)
    unit = [v / np.linalg.norm(v) for v in vectors]

    def cos(i: int, j: int) -> float:
        return float(sum(x * y for x, y in zip(unit[i], unit[j])))

    sections, section = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(": "):
            if section is not None:
                sections.append(section)
            section = {"section": line[2:].strip(), "correct": [], "incorrect": []}
            continue
        words = line.split()
        if len(words) != 4:
            continue
        a, b, c, d = (key(w) for w in words)
        if not all(w in ok for w in (a, b, c, d)):
            if dummy4unknown:
                section["incorrect"].append((a, b, c, d))
            continue
        ia, ib, ic = ok[a], ok[b], ok[c]
        candidates = []
        for j in range(limit):
            if j in (ia, ib, ic):
                continue
            if method == "cosadd":
                score = cos(j, ib) + cos(j, ic) - cos(j, ia)
            else:
                shift = [(1 + cos(j, x)) / 2 for x in (ib, ic, ia)]
                score = shift[0] * shift[1] / (shift[2] + 1e-6)
            candidates.append((-score, j))
        candidates.sort()
        predicted = None
        for _, j in candidates[:5]:
            predicted = key(kv.index_to_key[j])
            if predicted not in (a, b, c):
                break
        section["correct" if predicted == d else "incorrect"].append((a, b, c, d))
    sections.append(section)
    sections.append({"section": "Total accuracy",
                     "correct": [q for s in sections for q in s["correct"]],
                     "incorrect": [q for s in sections for q in s["incorrect"]]})
    return sections
