"""Perplexity, with the conventions of KenLM's ``query``.

A language model makes one prediction per token plus one ``</s>`` per sentence, in the order
*tokens of sentence 1, </s>, tokens of sentence 2, </s>, ...*; ``<s>`` is context only, never
predicted.  A prediction is an OOV when its target is ``<unk>`` (a word outside the model's
vocabulary, or ``<unk>`` in the text).  "Perplexity" includes the OOVs (scored with the
model's ``<unk>`` probability); "excluding OOVs" drops them from the sum and the count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wordnet_lm.scoring import perplexity, perplexity_of_mean
from wordnet_lm.text.vocab import EOS_ID, UNK_ID, Corpus


@dataclass(frozen=True)
class Perplexity:
    """Perplexity of a text and its counts (``log_likelihood`` in natural log)."""

    perplexity: float
    perplexity_excl_oov: float
    log_likelihood: float
    n_predictions: int
    n_oov: int
    n_sentences: int | None = None

    def __str__(self) -> str:
        lines = [f"Perplexity including OOVs:\t{self.perplexity:.4f}",
                 f"Perplexity excluding OOVs:\t{self.perplexity_excl_oov:.4f}",
                 f"OOVs:\t{self.n_oov}",
                 f"Tokens:\t{self.n_predictions}"]
        if self.n_sentences is not None:
            lines.append(f"Sentences:\t{self.n_sentences}")
        lines.append(f"Log-likelihood (log10):\t{self.log_likelihood / np.log(10):.4f}")
        return "\n".join(lines)


def prediction_targets(corpus: Corpus) -> np.ndarray:
    """The word predicted at each prediction of ``corpus``: its tokens with ``</s>`` after
    every sentence (the order of ``token_logprobs``)."""
    ends = corpus.offsets[1:]
    return np.insert(corpus.ids, ends, EOS_ID)


def perplexity_from_logprobs(logprobs: np.ndarray, targets: np.ndarray | None = None,
                             n_sentences: int | None = None) -> Perplexity:
    """Perplexity from per-prediction natural-log probabilities.

    Parameters
    ----------
    logprobs : ndarray
        ``log p`` of each prediction (e.g. ``model.token_logprobs(corpus)``).
    targets : ndarray, optional
        The predicted word ids (:func:`prediction_targets`), to find OOVs (targets equal to
        ``<unk>``'s id); without it no prediction is an OOV.
    n_sentences : int, optional
        Reported as is.

    Returns
    -------
    Perplexity
    """
    logprobs = np.asarray(logprobs, np.float64)
    if logprobs.ndim != 1 or len(logprobs) == 0:
        raise ValueError("perplexity needs a non-empty 1-d array of log probabilities")
    oov = np.zeros(len(logprobs), bool) if targets is None else np.asarray(targets) == UNK_ID
    if len(oov) != len(logprobs):
        raise ValueError("targets and logprobs differ in length")
    total = float(logprobs.sum())
    known = logprobs[~oov] if oov.any() else logprobs
    excl = perplexity(known) if len(known) else float("nan")
    return Perplexity(perplexity(logprobs), excl, total, len(logprobs), int(oov.sum()), n_sentences)


def perplexity_from_total(total: float, n_predictions: int, n_sentences: int | None = None) -> Perplexity:
    """Perplexity of a text without OOVs from the sum of its predictions' natural-log
    probabilities (e.g. summed piece by piece, without an array of every score)."""
    if n_predictions <= 0:
        raise ValueError("perplexity of no predictions")
    value = perplexity_of_mean(float(total) / n_predictions)
    return Perplexity(value, value, float(total), int(n_predictions), 0, n_sentences)
