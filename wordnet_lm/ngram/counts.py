"""Counting n-grams with NumPy: pad sentences, pack n-grams into int64 keys, sort, unique.

Every sentence is counted as ``<s> w1 ... wk </s>``: n-grams never cross sentences, ``<s>``
only ever starts an n-gram, and every n-gram occurring in the text is counted at its own order
(so the tables are closed under prefixes and suffixes).  Order ``n`` is counted from order
``n - 1``: the n-gram starting at position ``t`` is (index of the (n-1)-gram at ``t``, word at
``t + n - 1``), one ``np.unique`` per order and no Python loop over tokens.  Big corpora are
counted in sentence-aligned chunks whose tables are merged (:func:`merge_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
from wordnet_lm.errors import TrainingError
from wordnet_lm.ngram.index import NgramIndex
from wordnet_lm.ngram.sorting import narrowest_index, unique_inverse
from wordnet_lm.progress import progress_bar
from wordnet_lm.text.streams import padded_stream as text_stream
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Corpus

CHUNK_TOKENS = 4_000_000  # counted at once; bigger corpora are counted chunk by chunk and merged


@dataclass
class NgramCounts:
    """Raw counts of every n-gram of orders ``1..order`` (``counts[n-1]`` aligned with
    ``index`` order ``n``; order 1 dense over the vocabulary, ``<s>`` counted once per sentence)."""

    index: NgramIndex
    counts: list[np.ndarray]
    n_sentences: int
    n_tokens: int

    @property
    def order(self) -> int:
        return self.index.order

    @property
    def vocab_size(self) -> int:
        return self.index.vocab_size

    def context_totals(self, n: int) -> np.ndarray:
        """For each order ``n - 1`` entry h, the sum of ``c(h w)`` over words ``w`` (``n >= 2``)."""
        return np.bincount(self.index.contexts[n - 1], weights=self.counts[n - 1],
                           minlength=self.index.size(n - 1))


def padded_stream(corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences as one stream ``<s> w1 .. wk </s> <s> ...``.

    Returns
    -------
    stream : ndarray of int64
        The word ids.
    history : ndarray of int64
        For each position, the number of tokens before it in its sentence (``<s>`` has 0).
    room : ndarray of int64
        For each position, the number of tokens from it to its sentence end (``</s>`` has 1).
    """
    stream, starts = text_stream(corpus, pad=1)
    lengths = np.diff(starts)
    position = np.arange(len(stream))
    history = position - np.repeat(starts[:-1], lengths)
    room = np.repeat(starts[1:], lengths) - position
    return stream, history, room


def stream_and_room(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """:func:`padded_stream` without the history, as ``int32`` (half the memory traffic of
    counting; ids and sentence lengths fit): the stream and, for each position, the tokens from
    it to its sentence end (what counting needs)."""
    stream, starts = text_stream(corpus, pad=1, dtype=np.int32)
    position = narrowest_index(len(stream))
    room = np.repeat(starts[1:].astype(position), np.diff(starts))
    room -= np.arange(len(stream), dtype=position)
    return stream, room


@dataclass
class Level:
    """The n-grams of one order of a stream: ``keys`` sorted and distinct (index of the
    (n-1)-gram * V + last word), their ``counts``, and ``index``: for positions
    ``0..len(stream)-n``, the entry starting there (``len(keys)`` where no n-gram starts)."""

    keys: np.ndarray
    counts: np.ndarray
    index: np.ndarray


def ngram_levels(stream: np.ndarray, room: np.ndarray, order: int, vocab_size: int) -> Iterator[Level]:
    """Orders ``2..order`` of a :func:`stream_and_room`, each from the one before (see the module
    docstring).  Every position keeps its place: where no n-gram starts (``room < n``) the key
    is a sentinel above all real keys, sorted last and dropped, so the arrays are aligned
    slices of the stream (no gathering of the starts, no scattering back)."""
    current, entries = stream, vocab_size  # index of the (n-1)-gram at each position; how many there are
    index_type = narrowest_index(len(stream))
    for n in range(2, order + 1):
        size = max(0, len(stream) - n + 1)
        packed = np.multiply(current[:size], vocab_size, dtype=np.int64)
        packed += stream[n - 1:n - 1 + size]
        sentinel = entries * vocab_size
        np.putmask(packed, room[:size] < n, sentinel)
        unique, inverse, count = unique_inverse(packed, counts=True, overwrite=True, inverse_type=index_type)
        if len(unique) and unique[-1] == sentinel:
            unique, count = unique[:-1], count[:-1]
        yield Level(unique, count, inverse)
        current, entries = inverse, len(unique)


def prediction_rows(stream: np.ndarray, history: np.ndarray, positions: np.ndarray, width: int) -> np.ndarray:
    """For each position of a :func:`padded_stream`, the word there preceded by up to
    ``width - 1`` words of its sentence: a ``(len(positions), width)`` matrix, ``-1`` padded
    on the left."""
    rows = np.full((len(positions), width), -1, np.int64)
    for back in range(width):  # column width-1-back holds the word `back` positions earlier
        ok = history[positions] >= back
        rows[ok, width - 1 - back] = stream[positions[ok] - back]
    return rows


def count_ngrams(corpus: Corpus | Iterable[Corpus], order: int, vocab_size: int, *,
                 chunk_tokens: int = CHUNK_TOKENS, progress: bool = False) -> NgramCounts:
    """Count the n-grams of orders ``1..order`` of a corpus (or of a stream of corpus chunks).

    Parameters
    ----------
    corpus : Corpus or iterable of Corpus
        Sentences as ids (e.g. from :func:`wordnet_lm.text.load_corpus`, or the chunks of
        :func:`wordnet_lm.text.iter_corpus_chunks` for sources larger than memory).
    order : int
        Highest n-gram order (>= 1).
    vocab_size : int
        Number of word ids (ids must be below it).
    chunk_tokens : int
        A corpus bigger than this is counted in chunks of about this many tokens.
    progress : bool
        Show a progress bar over the tokens counted.

    Returns
    -------
    NgramCounts

    Raises
    ------
    TrainingError
        The corpus has no sentence.
    """
    if order < 1:
        raise TrainingError(f"n-gram order must be at least 1, got {order}")
    chunks = sentence_chunks(corpus, chunk_tokens) if isinstance(corpus, Corpus) else iter(corpus)
    total_tokens = corpus.n_tokens if isinstance(corpus, Corpus) else None
    total: NgramCounts | None = None
    with progress_bar(total=total_tokens, unit="tok", unit_scale=True, desc="counting n-grams",
                      enabled=progress) as bar:
        for chunk in chunks:
            if chunk.n_sentences == 0:
                continue
            counted = _count_chunk(chunk, order, vocab_size)
            total = counted if total is None else merge_counts(total, counted)
            bar.update(chunk.n_tokens)
    if total is None:
        raise TrainingError("cannot estimate an n-gram model from an empty corpus (no sentences)")
    return total


def merge_counts(a: NgramCounts, b: NgramCounts) -> NgramCounts:
    """The counts of two corpora together (same order and vocabulary size)."""
    if a.order != b.order or a.vocab_size != b.vocab_size:
        raise ValueError("can only merge counts of the same order and vocabulary size")
    size = a.vocab_size
    counts = [a.counts[0] + b.counts[0]]
    keys, suffixes = [], []
    map_a = map_b = np.arange(size, dtype=np.int64)  # old index -> merged index, current order
    for n in range(2, a.order + 1):
        key_a = map_a[a.index.contexts[n - 1]] * size + a.index.words[n - 1]
        key_b = map_b[b.index.contexts[n - 1]] * size + b.index.words[n - 1]
        merged, inverse = unique_inverse(np.concatenate([key_a, key_b]))
        both = np.concatenate([a.counts[n - 1], b.counts[n - 1]])
        counts.append(np.bincount(inverse, weights=both, minlength=len(merged)).astype(np.int64))
        keys.append(merged)
        suffix = np.empty(len(merged), np.int64)
        suffix[inverse] = np.concatenate([map_a[a.index.suffixes(n)], map_b[b.index.suffixes(n)]])
        suffixes.append(suffix)
        map_a, map_b = inverse[:len(key_a)], inverse[len(key_a):]
    return NgramCounts(NgramIndex.from_keys(size, keys, suffixes), counts,
                       a.n_sentences + b.n_sentences, a.n_tokens + b.n_tokens)


def _count_chunk(corpus: Corpus, order: int, vocab_size: int) -> NgramCounts:
    """Counts of one in-memory corpus: one ``np.unique`` of packed keys per order."""
    if corpus.n_tokens and (corpus.ids.min() < 0 or corpus.ids.max() >= vocab_size):
        raise ValueError(f"word ids must lie in [0, {vocab_size})")
    if np.isin(corpus.ids, (BOS_ID, EOS_ID)).any():
        raise TrainingError("the training text contains the sentence markers <s> or </s> as words; "
                            "they are added around every sentence and cannot occur inside one")
    stream, room = stream_and_room(corpus)
    counts = [np.bincount(stream, minlength=vocab_size).astype(np.int64)]
    keys, suffixes = [], []
    previous = stream  # index of the (n-1)-gram at each position
    for level in ngram_levels(stream, room, order, vocab_size):
        keys.append(level.keys)
        counts.append(level.counts.astype(np.int64, copy=False))
        suffix = np.empty(len(level.keys) + 1, np.int64)  # the last slot takes the positions without an n-gram
        suffix[level.index] = previous[1:len(level.index) + 1]  # the (n-1)-gram starting one word later
        suffixes.append(suffix[:len(level.keys)])
        previous = level.index
    return NgramCounts(NgramIndex.from_keys(vocab_size, keys, suffixes), counts,
                       corpus.n_sentences, corpus.n_tokens)


def sentence_chunks(corpus: Corpus, chunk_tokens: int) -> Iterator[Corpus]:
    """``corpus`` cut at sentence ends into pieces of ``chunk_tokens`` tokens or fewer (a longer
    sentence is a piece of its own)."""
    if chunk_tokens < 1:
        raise ValueError("chunk_tokens must be positive")
    offsets = corpus.offsets
    first = 0
    while first < corpus.n_sentences:
        stop = int(np.searchsorted(offsets, offsets[first] + chunk_tokens, side="right")) - 1
        stop = min(max(stop, first + 1), corpus.n_sentences)
        piece = offsets[first:stop + 1]
        yield Corpus(corpus.ids[piece[0]:piece[-1]], piece - piece[0])
        first = stop
