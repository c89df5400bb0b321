"""Training examples of an n-gram neural language model: (context, next word) windows.

Every token of every sentence is predicted, then one ``</s>`` per sentence; the context of a
prediction is the ``n - 1`` ids before it in its sentence, padded on the left with ``<s>``.
This is the order and the count of predictions the n-gram models use for perplexity.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from wordnet_lm.nplm.shuffle import FeistelPermutation
from wordnet_lm.text.streams import padded_stream as text_stream
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Corpus

PERMUTED_UP_TO = 1 << 24  # examples shuffled by an in-memory permutation (128 MB); above, by a Feistel one
SHUFFLE_BLOCK = 1 << 16  # shuffled positions computed at once above that (amortises NumPy's call overhead)


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
    if given; ``start`` skips the first ``start`` batches (to resume inside an epoch).

    Up to :data:`PERMUTED_UP_TO` examples the order is ``rng.permutation``; above, a
    :class:`~wordnet_lm.nplm.shuffle.FeistelPermutation` computed a block of batches at a time,
    so memory does not grow with the corpus (8 bytes an example would be 8 GB at 1B tokens)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    first = start * batch_size
    if rng is None or n_examples <= PERMUTED_UP_TO:
        order = rng.permutation(n_examples) if rng is not None else np.arange(n_examples)
        for i in range(first, n_examples, batch_size):
            yield order[i:i + batch_size]
        return
    permutation = FeistelPermutation(n_examples, rng)
    block = batch_size * max(1, SHUFFLE_BLOCK // batch_size)
    for lo in range(first, n_examples, block):
        order = permutation[lo:min(lo + block, n_examples)]
        for i in range(0, len(order), batch_size):
            yield order[i:i + batch_size]


def n_batches(n_examples: int, batch_size: int) -> int:
    """How many mini-batches :func:`batches` yields for one epoch."""
    return -(-n_examples // batch_size)


class BatchWindows:
    """The (context, target) pairs of :func:`context_windows`, built per batch from the corpus
    (which may be memory-mapped): ``contexts[idx]`` and ``targets[idx]`` equal the rows of the
    full arrays, while memory holds only the sentence table (8 bytes a sentence), never
    ``order`` ids per token.

    ``windows.contexts`` and ``windows.targets`` index like the arrays they stand for.
    """

    def __init__(self, corpus: Corpus, order: int) -> None:
        if order < 1:
            raise ValueError(f"order must be >= 1, got {order}")
        self.corpus = corpus
        self.context = order - 1
        self._ids = np.asarray(corpus.ids)  # a plain view of a memory map: no subclass overhead per gather
        # prediction i belongs to sentence k with first[k] <= i < first[k + 1] (tokens, then </s>)
        self.first = np.asarray(corpus.offsets, np.int64) + np.arange(corpus.n_sentences + 1, dtype=np.int64)
        self._located: tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self.contexts = _Indexable(self._contexts, self.n_predictions)
        self.targets = _Indexable(self._targets, self.n_predictions)

    @property
    def n_predictions(self) -> int:
        return int(self.first[-1])

    def _locate(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sentence start in ``ids``, position in the sentence, sentence length of predictions ``idx``.

        A training step asks for the contexts and then the targets of the same batch: the second
        call reuses the first's answer."""
        idx = np.asarray(idx, np.int64)
        if self._located is not None and np.array_equal(self._located[0], idx):
            return self._located[1]
        sentence = np.searchsorted(self.first, idx, side="right") - 1
        first = self.first[sentence]
        start = first - sentence  # offsets[k] = first[k] - k
        length = self.first[sentence + 1] - first - 1
        located = start, idx - first, length
        self._located = idx.copy(), located
        return located

    def _targets(self, idx: np.ndarray) -> np.ndarray:
        start, position, length = self._locate(idx)
        inside = position < length
        if not len(self._ids):
            return np.full(len(start), EOS_ID, np.int32)
        gathered = self._ids[np.minimum(start + position, len(self._ids) - 1)]
        return np.where(inside, gathered, EOS_ID).astype(np.int32, copy=False)

    def _contexts(self, idx: np.ndarray) -> np.ndarray:
        start, position, _ = self._locate(idx)
        # column c holds the word context - c positions back, <s> before the sentence's start
        back = position[:, None] - np.arange(self.context, 0, -1, dtype=np.int64)[None, :]
        if not len(self._ids) or not self.context:
            return np.full((len(start), self.context), BOS_ID, np.int32)
        gathered = self._ids[np.maximum(start[:, None] + back, 0)]
        return np.where(back >= 0, gathered, BOS_ID).astype(np.int32, copy=False)


class _Indexable:
    """``obj[idx]`` -> ``fn(idx)`` for an index array, and ``len(obj)``."""

    def __init__(self, fn, length: int) -> None:
        self.fn, self.length = fn, length

    def __getitem__(self, idx) -> np.ndarray:
        if isinstance(idx, slice):
            idx = np.arange(*idx.indices(self.length))
        return self.fn(np.atleast_1d(np.asarray(idx, np.int64)))

    def __len__(self) -> int:
        return self.length
