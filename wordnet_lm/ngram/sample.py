"""Drawing sentences from an n-gram model, word by word from ``p(w | history)``."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, UNK_ID


def sample_sentences(model, n_sentences: int = 1, *, max_length: int = 100, seed: int | None = None,
                     context: Sequence[str] = (), allow_unk: bool = True) -> list[list[str]]:
    """Sentences sampled from a fitted n-gram model.

    Parameters
    ----------
    model : NgramModel
        A fitted model.
    n_sentences : int
        How many sentences.
    max_length : int
        A sentence stops after this many words even without ``</s>``.
    seed : int, optional
        Seed of the random generator (same seed, same sentences).
    context : sequence of str
        Words every sentence starts with (after ``<s>``); they are part of the output.  A word
        outside the vocabulary raises :class:`~wordnet_lm.errors.UnknownWordError`, as in the
        neural LM's ``generate``.
    allow_unk : bool
        If False, ``<unk>`` is never drawn (its probability is spread over the other words).

    Returns
    -------
    list of list of str
    """
    if n_sentences < 0 or max_length < 1:
        raise WordnetLMError("n_sentences must be >= 0 and max_length >= 1")
    tables = model._fitted()
    vocab = model.vocab_
    rng = np.random.default_rng(seed)
    prefix = [BOS_ID] + [model.vocab_.id(w) if isinstance(w, str) else model._word_id(w) for w in context]
    keep = max(model.order - 1, 0)
    out = []
    for _ in range(n_sentences):
        sentence = list(prefix)
        while len(sentence) - 1 < max_length:
            p = np.exp(tables.log_distribution(np.array(sentence[len(sentence) - keep:] if keep else [], np.int64)))
            p[BOS_ID] = 0.0
            if not allow_unk:
                p[UNK_ID] = 0.0
            total = p.sum()
            if not total > 0:
                break
            word = int(rng.choice(len(p), p=p / total))
            if word == EOS_ID:
                break
            sentence.append(word)
        out.append(vocab.decode(sentence[1:]))
    return out
