"""Word-similarity evaluation (WordSim-353, SimLex...), as gensim's ``evaluate_word_pairs``:
Spearman's and Pearson's correlations of cosines with human scores, OOV pairs counted by the
vocabulary rules of :mod:`wordnet_lm.vectors.gensim_rules`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wordnet_lm.errors import InputFileError
from wordnet_lm.vectors.gensim_rules import (
    DEFAULT_RESTRICT_VOCAB,
    EvalVocab,
    numbered_lines,
)
from wordnet_lm.vectors.keyed import KeyedVectors


@dataclass
class SimilarityResult:
    """Outcome of :func:`evaluate_word_pairs`: correlations over the pairs used.

    ``pairs`` holds ``(word1, word2, human score, model cosine)`` of every pair used (OOV pairs
    with cosine 0 when ``dummy4unknown``); ``n_valid`` counts the well-formed pairs of the file.
    """

    path: Path
    spearman: float
    pearson: float
    n_valid: int
    n_oov: int
    invalid_lines: int
    pairs: list[tuple[str, str, float, float]] = field(repr=False)

    @property
    def n_pairs(self) -> int:
        """Pairs the correlations are computed on."""
        return len(self.pairs)

    @property
    def oov_ratio(self) -> float:
        """Fraction of the well-formed pairs with an out-of-vocabulary word."""
        return self.n_oov / self.n_valid if self.n_valid else 0.0


def read_word_pairs(path: str | os.PathLike, delimiter: str | None = None) -> tuple[list[tuple[str, str, float]], int]:
    """Read ``word1 word2 score`` lines (``#`` starts a comment line).

    ``delimiter`` defaults to a tab when the line has one, else any whitespace.  Returns the
    pairs and the number of other non-blank lines (headers, malformed), which are skipped as
    gensim does.
    """
    path = Path(path)
    pairs: list[tuple[str, str, float]] = []
    invalid = 0
    for _, line in numbered_lines(path, "word-pair"):
        if line.startswith("#") or not line.strip():
            continue
        sep = delimiter if delimiter is not None else ("\t" if "\t" in line else None)
        parts = line.rstrip("\r\n").split(sep)
        try:
            word1, word2, score = parts
            pairs.append((word1.strip(), word2.strip(), float(score)))
        except ValueError:
            invalid += 1
    if not pairs:
        raise InputFileError(f"{path}: no word pairs (expected lines 'word1<TAB>word2<TAB>score')")
    return pairs, invalid


def evaluate_word_pairs(
    kv: KeyedVectors,
    pairs: str | os.PathLike,
    delimiter: str | None = None,
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> SimilarityResult:
    """Correlate cosine similarities with human scores (WordSim-353, SimLex, ...), as gensim does.

    Parameters
    ----------
    kv : KeyedVectors
    pairs : path
        ``word1<TAB>word2<TAB>score`` lines; see :func:`read_word_pairs`.
    delimiter : str, optional
    restrict_vocab, case_insensitive, dummy4unknown
        As in :func:`wordnet_lm.vectors.analogies.evaluate_word_analogies` (an OOV pair scores cosine 0
        with ``dummy4unknown``).

    Returns
    -------
    SimilarityResult
        Spearman's rho and Pearson's r (NaN with fewer than two pairs), counts of pairs used
        and OOV pairs.
    """
    path = Path(pairs)
    data, invalid = read_word_pairs(path, delimiter)
    vocab = EvalVocab(kv, restrict_vocab, case_insensitive)
    rows = [vocab.rows((vocab.key(a), vocab.key(b))) for a, b, _ in data]
    known = [r is not None for r in rows]
    found = np.array([r for r in rows if r is not None], np.int64).reshape(-1, 2)
    normed = kv.normed_vectors
    cosines = iter(np.einsum("ij,ij->i", normed[found[:, 0]], normed[found[:, 1]]).tolist())
    used = []
    for (a, b, gold), ok in zip(data, known):
        if ok:
            used.append((a, b, gold, next(cosines)))
        elif dummy4unknown:
            used.append((a, b, gold, 0.0))
    gold = np.array([u[2] for u in used], np.float64)
    model = np.array([u[3] for u in used], np.float64)
    return SimilarityResult(path, spearman(gold, model), pearson(gold, model), len(data), known.count(False),
                            invalid, used)


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's correlation coefficient (NaN for fewer than two points or a constant input)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:  # (the mean of equal values can differ from them)
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    dx, dy = dx / np.abs(dx).max(), dy / np.abs(dy).max()  # no underflow in products of tiny deviations
    return float(np.clip(dx @ dy / np.sqrt((dx @ dx) * (dy @ dy)), -1.0, 1.0))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho: Pearson's r of the ranks, ties given their average rank."""
    return pearson(average_ranks(x), average_ranks(y))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks; equal values share the mean of the ranks they span."""
    values = np.asarray(values)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)  # rank of the last member of each group of equal values
    return (last - (counts - 1) / 2.0)[inverse.reshape(-1)]
