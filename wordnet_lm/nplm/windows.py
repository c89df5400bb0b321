"""Training examples of an n-gram neural language model: (context, next word) windows.

Every token of every sentence is predicted, then one ``</s>`` per sentence; the context of a
prediction is the ``n - 1`` ids before it in its sentence, padded on the left with ``<s>``.
This is the order and the count of predictions the n-gram models use for perplexity.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from wordnet_lm.text.streams import padded_stream as text_stream
from wordnet_lm.text.vocab import Corpus


def padded_stream(corpus: Corpus, context: int) -> tuple[np.ndarray, np.ndarray]:
    """All sentences as one int32 stream, each as ``<s>``*context + ids + ``</s>``.

    Returns
    -------
    stream : int32 array of length ``n_tokens + n_sentences * (context + 1)``
    predicted : int64 array, the positions in ``stream`` of the predicted ids (every token
        and every ``</s>``), in order.
    """
    stream, starts = text_stream(corpus, pad=context, dtype=np.int32)
    predicted = np.ones(len(stream), dtype=bool)
    padding = (np.arange(context, dtype=np.int64)[None, :] + starts[:-1, None]).reshape(-1)
    predicted[padding] = False
    return stream, np.flatnonzero(predicted)


def context_windows(corpus: Corpus, order: int) -> tuple[np.ndarray, np.ndarray]:
    """The (context, target) pairs of an ``order``-gram model over ``corpus``.

    Parameters
    ----------
    corpus : Corpus
    order : int
        ``n`` of the n-gram model (>= 1); the context has ``order - 1`` ids.

    Returns
    -------
    contexts : int32 array (N, order - 1), ``<s>``-padded at sentence starts
    targets : int32 array (N,), every token then ``</s>`` per sentence
        (``N = n_tokens + n_sentences``).
    """
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    context = order - 1
    stream, predicted = padded_stream(corpus, context)
    targets = stream[predicted]
    if context == 0:
        return np.zeros((len(targets), 0), np.int32), targets
    windows = sliding_window_view(stream, context)  # windows[i] = stream[i:i + context]
    return np.ascontiguousarray(windows[predicted - context]), targets


def batches(n_examples: int, batch_size: int, rng: np.random.Generator | None = None,
            start: int = 0) -> Iterator[np.ndarray]:
    """Index arrays of consecutive mini-batches over ``range(n_examples)``, shuffled by ``rng``
    if given; ``start`` skips the first ``start`` batches (to resume inside an epoch)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = rng.permutation(n_examples) if rng is not None else np.arange(n_examples)
    for i in range(start * batch_size, n_examples, batch_size):
        yield order[i:i + batch_size]


def n_batches(n_examples: int, batch_size: int) -> int:
    """How many mini-batches :func:`batches` yields for one epoch."""
    return -(-n_examples // batch_size)
