"""Independent, deliberately naive reference implementations for the n-gram tests.

Pure Python with dicts and tuples, written from the definitions (Chen & Goodman; KenLM's
conventions) and *not* from the package code: n-gram counting, the interpolated recursion of
(modified) Kneser-Ney / absolute discounting / Jelinek-Mercer, and an ARPA backoff scorer.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict

UNK, BOS, EOS = 0, 1, 2


def random_sentences(seed: int, n_sentences: int, n_words: int, max_len: int = 8) -> list[list[int]]:
    """Zipf-like random sentences over word ids 3..n_words+2."""
    rng = random.Random(seed)
    weights = [1.0 / (k + 1) for k in range(n_words)]
    return [rng.choices(range(3, 3 + n_words), weights, k=rng.randint(0, max_len)) for _ in range(n_sentences)]


def ngram_counts(sentences, order: int) -> list[Counter]:
    """counts[n-1][tuple] for every n-gram of ``<s> s </s>``."""
    counts = [Counter() for _ in range(order)]
    for s in sentences:
        padded = [BOS] + list(s) + [EOS]
        for n in range(1, order + 1):
            for i in range(len(padded) - n + 1):
                counts[n - 1][tuple(padded[i:i + n])] += 1
    return counts


def kenlm_adjusted(counts: list[Counter]) -> list[dict]:
    """Raw counts at the top order and for n-grams starting with <s>; else the number of
    distinct left neighbours; unigram <s> gets 0."""
    order = len(counts)
    adjusted = [dict(counts[-1])]
    for n in range(order - 1, 0, -1):
        left = defaultdict(set)
        for gram in counts[n]:
            left[gram[1:]].add(gram[0])
        adjusted.insert(0, {g: (c if g[0] == BOS else len(left[g])) for g, c in counts[n - 1].items()})
    adjusted[0][(BOS,)] = 0
    return adjusted


def raw_adjusted(counts: list[Counter]) -> list[dict]:
    adjusted = [dict(c) for c in counts]
    adjusted[0][(BOS,)] = 0
    return adjusted


def mkn_discounts(adjusted: list[dict]) -> list[list[float]]:
    """[0, D1, D2, D3+] per order (Chen & Goodman eq. 26)."""
    out = []
    for level in adjusted:
        t = Counter(v for v in level.values() if 1 <= v <= 4)
        y = t[1] / (t[1] + 2 * t[2])
        out.append([0.0] + [k - (k + 1) * y * t[k + 1] / t[k] for k in (1, 2, 3)])
    return out


class InterpolatedDiscounting:
    """p(w|h) = (a(hw) - D(a)) / sum_v a(hv) + gamma(h) p(w|h'), uniform at the bottom."""

    def __init__(self, adjusted: list[dict], discounts: list[list[float]], vocab_size: int):
        self.adjusted, self.discounts, self.vocab_size = adjusted, discounts, vocab_size
        self.order = len(adjusted)
        self.totals = [defaultdict(float) for _ in range(self.order)]
        self.mass = [defaultdict(float) for _ in range(self.order)]
        for n, level in enumerate(self.adjusted):
            for gram, a in level.items():
                self.totals[n][gram[:-1]] += a
                self.mass[n][gram[:-1]] += self.d(n, a)

    def d(self, n: int, a: int) -> float:
        return self.discounts[n][min(a, 3)]

    def prob(self, history: tuple, word: int) -> float:
        if word == BOS:
            return 0.0
        if BOS in history:
            history = history[len(history) - 1 - history[::-1].index(BOS):]
        history = history[max(0, len(history) - self.order + 1):]
        n = len(history)
        if n == 0:
            total = self.totals[0][()]
            a = self.adjusted[0].get((word,), 0)
            return (a - self.d(0, a)) / total + self.mass[0][()] / total / (self.vocab_size - 1)
        total = self.totals[n].get(history, 0.0)
        lower = self.prob(history[1:], word)
        if total == 0:
            return lower
        a = self.adjusted[n].get(history + (word,), 0)
        return (a - self.d(n, a)) / total + self.mass[n][history] / total * lower


class JelinekMercerReference:
    """l_n ML_n + (1 - l_n) p_{n-1} where the context was seen, p_{n-1} otherwise."""

    def __init__(self, counts: list[Counter], lambdas, vocab_size: int):
        self.counts, self.lambdas, self.vocab_size = counts, lambdas, vocab_size
        self.totals = [defaultdict(int) for _ in counts]
        for n, level in enumerate(counts):
            for gram, c in level.items():
                if gram != (BOS,):
                    self.totals[n][gram[:-1]] += c

    def prob(self, history: tuple, word: int) -> float:
        if word == BOS:
            return 0.0
        if BOS in history:
            history = history[len(history) - 1 - history[::-1].index(BOS):]
        history = history[max(0, len(history) - len(self.counts) + 1):]
        n = len(history)
        if n == 0:
            ml = self.counts[0].get((word,), 0) / self.totals[0][()]
            return self.lambdas[0] * ml + (1 - self.lambdas[0]) / (self.vocab_size - 1)
        lower = self.prob(history[1:], word)
        total = self.totals[n].get(history, 0)
        if total == 0:
            return lower
        ml = self.counts[n].get(history + (word,), 0) / total
        return self.lambdas[n] * ml + (1 - self.lambdas[n]) * lower


def token_probs(model, sentences) -> list[float]:
    """p of each token then </s>, for a reference model with ``prob(history, word)``."""
    out = []
    for s in sentences:
        padded = [BOS] + list(s) + [EOS]
        for i in range(1, len(padded)):
            out.append(model.prob(tuple(padded[:i]), padded[i]))
    return out


# ---------------------------------------------------------------------- ARPA
def parse_arpa(text: str) -> tuple[int, dict]:
    """(order, {ngram tuple of words: (log10 prob, log10 backoff)}) of ARPA text."""
    entries = {}
    order = 0
    section = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("ngram ") or line in ("\\data\\", "\\end\\"):
            continue
        if line.startswith("\\") and line.endswith("-grams:"):
            section = int(line[1:line.index("-")])
            order = max(order, section)
            continue
        fields = line.split()
        words = tuple(fields[1:1 + section])
        backoff = float(fields[1 + section]) if len(fields) > 1 + section else 0.0
        entries[words] = (float(fields[0]), backoff)
    return order, entries


def arpa_logprob10(order: int, entries: dict, history: tuple, word: str) -> float:
    """Standard backoff: the longest stored n-gram, plus the backoffs of longer contexts."""
    history = history[max(0, len(history) - order + 1):]
    for start in range(len(history) + 1):
        gram = history[start:] + (word,)
        if gram in entries:
            backoff = sum(entries.get(history[s:], (0.0, 0.0))[1] for s in range(start))
            return entries[gram][0] + backoff
    word = "<unk>"
    return entries[(word,)][0] + sum(entries.get(history[s:], (0.0, 0.0))[1] for s in range(len(history)))


def arpa_sentence_logprob10(order: int, entries: dict, words: list[str], known: set) -> float:
    padded = ["<s>"] + [w if w in known else "<unk>" for w in words] + ["</s>"]
    return sum(arpa_logprob10(order, entries, tuple(padded[:i]), padded[i]) for i in range(1, len(padded)))


def log(p: float) -> float:
    return math.log(p) if p > 0 else -math.inf
