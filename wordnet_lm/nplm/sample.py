"""Using a trained model: the most likely next words, and sampled text."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.nplm.levels import sample_word, top_words
from wordnet_lm.nplm.model import NPLM
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, UNK_ID


def next_word_probs(model: NPLM, words: Sequence[str]) -> np.ndarray:
    """``p(w | words)`` for every vocabulary id ``w`` (float64, sums to 1); ``words`` start a
    sentence (the context is ``<s>``-padded).  ``<s>`` is never a next word: its probability
    is set to 0 and the rest renormalised."""
    log_p = model.log_probs(model.context_ids(words)[None, :])[0]
    p = np.exp(log_p)
    p[BOS_ID] = 0.0
    return p / p.sum()


def top_next_words(model: NPLM, words: Sequence[str], k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` most probable next words after ``words`` with their probabilities, best first.

    With a factorised softmax only the head and the clusters that can hold one of the ``k``
    best words are scored (:func:`wordnet_lm.nplm.levels.top_words`)."""
    if k < 1:
        raise WordnetLMError(f"k must be >= 1, got {k}")
    output = model.output_layer()
    if output.layout is not None:
        ids, p = top_words(model, output, model.context_ids(words), k, banned=(BOS_ID,))
        return [(model.vocab_.word(int(i)), float(q)) for i, q in zip(ids, p)]
    p = next_word_probs(model, words)
    k = min(k, len(p))
    best = np.argpartition(-p, k - 1)[:k]
    best = best[np.lexsort((best, -p[best]))]
    return [(model.vocab_.word(int(i)), float(p[i])) for i in best]


def generate(model: NPLM, prompt: Sequence[str] = (), n_words: int = 20, temperature: float = 1.0,
             top_k: int | None = None, allow_unk: bool = False, seed: int | None = None) -> list[str]:
    """Sample ``n_words`` words continuing ``prompt`` (which starts a sentence).

    Parameters
    ----------
    model : NPLM
    prompt : sequence of str
        Words in the vocabulary (else :class:`~wordnet_lm.errors.UnknownWordError`).
    n_words : int, default 20
        Words to draw.  A drawn ``</s>`` ends the sentence (it appears in the output) and the
        next word starts a new one.
    temperature : float, default 1.0
        Divides the logits: below 1 sharper, above 1 flatter.
    top_k : int, optional
        Draw only among the ``top_k`` most probable words.
    allow_unk : bool, default False
        Whether ``<unk>`` may be drawn.
    seed : int, optional

    Returns
    -------
    list of str : the drawn words (the prompt not included).
    """
    if not temperature > 0:
        raise WordnetLMError(f"temperature must be > 0, got {temperature}")
    if n_words < 0:
        raise WordnetLMError(f"the number of words must be >= 0, got {n_words}")
    rng = np.random.default_rng(seed)
    context = list(model.context_ids(prompt))
    banned = [BOS_ID] + ([] if allow_unk else [UNK_ID])
    output = model.output_layer()
    by_levels = output.layout is not None and temperature == 1.0 and top_k is None
    out: list[str] = []
    for _ in range(n_words):
        if by_levels:  # a factorised softmax at temperature 1: draw a head entry, then in its cluster only
            word = sample_word(model, output, np.asarray(context, np.int32), banned, rng)
            out.append(model.vocab_.word(word))
            context = [BOS_ID] * model.context_size if word == EOS_ID else context[1:] + [word]
            continue
        logits = model.logits(np.asarray(context, np.int32)[None, :])[0].astype(np.float64) / temperature
        logits[banned] = -np.inf
        if top_k is not None and top_k < len(logits):
            cut = np.partition(logits, -top_k)[-top_k]
            logits[logits < cut] = -np.inf
        p = np.exp(logits - logits.max())
        word = int(rng.choice(len(p), p=p / p.sum()))
        out.append(model.vocab_.word(word))
        context = [BOS_ID] * model.context_size if word == EOS_ID else context[1:] + [word]
    return out
