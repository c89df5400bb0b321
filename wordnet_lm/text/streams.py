"""Sentences as one padded stream of ids: the layout every n-gram view of a corpus starts from.

Each sentence becomes ``<s>`` * ``pad`` + its ids + ``</s>``, one after the other; the n-gram
counts (``pad`` 1) and the neural LM's context windows (``pad`` = its context size) are both
read off this stream.
"""

from __future__ import annotations

import numpy as np

from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Corpus


def padded_stream(corpus: Corpus, pad: int = 1, dtype: type = np.int64) -> tuple[np.ndarray, np.ndarray]:
    """All sentences of ``corpus`` as one stream, each as ``<s>``*``pad`` + ids + ``</s>``.

    Returns
    -------
    stream : ndarray of ``dtype``, length ``n_tokens + n_sentences * (pad + 1)``
    starts : int64 array of length ``n_sentences + 1``
        Where each sentence's padding begins in ``stream``; the last entry is ``len(stream)``.
    """
    if pad < 0:
        raise ValueError(f"pad must be >= 0, got {pad}")
    lengths = corpus.lengths()
    n_sentences = len(lengths)
    starts = np.asarray(corpus.offsets, np.int64) + np.arange(n_sentences + 1, dtype=np.int64) * (pad + 1)
    stream = np.full(int(starts[-1]), BOS_ID, dtype=dtype)
    # token j of sentence k sits at starts[k] + pad + (j - offsets[k])
    shift = np.repeat(starts[:-1] + pad - corpus.offsets[:-1], lengths)
    stream[np.arange(corpus.n_tokens, dtype=np.int64) + shift] = corpus.ids
    stream[starts[:-1] + pad + lengths] = EOS_ID
    return stream, starts
