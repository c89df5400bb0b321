"""A source -> ``(Corpus, Vocab)``, in memory or streamed in bounded-memory chunks.

In memory: :func:`load_corpus` reads once, assigning provisional ids in first-occurrence
order while reading, then renumbers them into the frequency order of the vocabulary it
builds (one hash lookup per token in all).  Streaming, for sources larger than memory: a
first pass :func:`build_vocab` (memory bounded by the number of distinct words), then
:func:`iter_corpus_chunks` yields :class:`Corpus` pieces of about ``chunk_tokens`` tokens.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterator

import numpy as np

from wordnet_lm.errors import InputFileError
from wordnet_lm.text.encoded import open_encoded
from wordnet_lm.text.options import ReadingOptions
from wordnet_lm.text.readers import read_sentence_batches
from wordnet_lm.text.vocab import SPECIALS, Corpus, Vocab, encode_with


class _FirstSeenIds(dict):
    """word -> provisional id, a new id for each new word (``__missing__`` runs once per type)."""

    def __missing__(self, word: str) -> int:
        self[word] = i = len(self)
        return i


def load_corpus(source: str | os.PathLike, *, reading: ReadingOptions | None = None, vocab: Vocab | None = None,
                min_count: int = 1, max_size: int | None = None, progress: bool = False,
                **fields: Any) -> tuple[Corpus, Vocab]:
    """Read ``source`` into memory as ids, building the vocabulary unless one is given.

    Parameters
    ----------
    source : str or path-like
        Anything :func:`wordnet_lm.text.read_sentences` reads (file, directory, zip, name).
    vocab : Vocab, optional
        Use this vocabulary (words outside it become ``<unk>``); default: build one.
    min_count, max_size : int
        Vocabulary cut-offs when building (see :meth:`Vocab.from_counts`).
    reading, progress, **fields
        As for :func:`read_sentences`: how to read the text (a ``ReadingOptions`` or its fields
        as keywords), and a progress bar.

    Returns
    -------
    (Corpus, Vocab)

    Raises
    ------
    InputFileError
        Unreadable source, or no word survives ``min_count``/``max_size``.
    """
    encoded = open_encoded(source)
    if encoded is not None:  # an encoded corpus folder: memory-mapped, same result as its text
        encoded.check_reading(reading, **fields)
        return encoded.load(vocab=vocab, min_count=min_count, max_size=max_size)
    batches = read_sentence_batches(source, reading, progress=progress, **fields)
    if vocab is not None:
        return _concatenate([vocab.encode(batch) for batch in batches]), vocab
    provisional = _FirstSeenIds()
    pieces = [encode_with(provisional, batch) for batch in batches]
    raw = _concatenate(pieces)
    counts = np.bincount(raw.ids, minlength=len(provisional))
    vocab = Vocab.from_counts(dict(zip(provisional, counts.tolist())), min_count, max_size)
    _check_not_empty(vocab, source, min_count, max_size, counts)
    renumber = vocab.lookup(provisional)
    return Corpus(renumber[raw.ids], raw.offsets), vocab


@dataclass
class CorpusStats:
    """What one streaming pass over a corpus learns."""

    n_sentences: int
    max_length: int  # tokens in the longest sentence
    counts: Counter  # word -> count, first-occurrence order

    @property
    def n_tokens(self) -> int:
        return sum(self.counts.values())


def corpus_stats(source: str | os.PathLike, *, reading: ReadingOptions | None = None, progress: bool = False,
                 **fields: Any) -> CorpusStats:
    """Sentence count, longest sentence and word counts of ``source``, streamed (memory ~ vocabulary)."""
    encoded = open_encoded(source)
    if encoded is not None:
        encoded.check_reading(reading, **fields)
        lengths = np.diff(encoded.offsets)
        return CorpusStats(encoded.n_sentences, int(lengths.max(initial=0)),
                           Counter({w: c for w, c in zip(encoded.vocab.words, encoded.vocab.counts.tolist()) if c}))
    stats = CorpusStats(0, 0, Counter())
    for batch in read_sentence_batches(source, reading, progress=progress, **fields):
        stats.n_sentences += len(batch)
        stats.max_length = max(stats.max_length, max(map(len, batch)))
        stats.counts.update(chain.from_iterable(batch))
    return stats


def count_words(source: str | os.PathLike, *, reading: ReadingOptions | None = None, progress: bool = False,
                **fields: Any) -> Counter:
    """Word counts of ``source`` in first-occurrence order, streamed (memory ~ vocabulary)."""
    return corpus_stats(source, reading=reading, progress=progress, **fields).counts


def build_vocab(source: str | os.PathLike, *, reading: ReadingOptions | None = None, min_count: int = 1,
                max_size: int | None = None, progress: bool = False, **fields: Any) -> Vocab:
    """The vocabulary of ``source`` from one streaming pass (the first of two for big corpora).

    Raises :class:`InputFileError` if no word survives ``min_count``/``max_size``.
    """
    counts = count_words(source, reading=reading, progress=progress, **fields)
    vocab = Vocab.from_counts(counts, min_count, max_size)
    _check_not_empty(vocab, source, min_count, max_size, counts.values())
    return vocab


def iter_corpus_chunks(source: str | os.PathLike, vocab: Vocab, chunk_tokens: int = 1_000_000, *,
                       reading: ReadingOptions | None = None, progress: bool = False,
                       **fields: Any) -> Iterator[Corpus]:
    """``source`` as a stream of :class:`Corpus` chunks of whole sentences.

    Each chunk holds ``chunk_tokens`` tokens or fewer (a longer single sentence is a chunk of its
    own), so counting co-occurrences or n-grams chunk by chunk runs in bounded memory.  Only
    the last chunk may be much smaller.  Sentences never straddle chunks: n-gram and window
    statistics summed over chunks equal those of the whole corpus.
    """
    if chunk_tokens < 1:
        raise ValueError("chunk_tokens must be positive")
    encoded = open_encoded(source)
    if encoded is not None:  # the same chunks as from the text (greedy, whole sentences)
        encoded.check_reading(reading, **fields)
        remap = encoded.remap_to(vocab)
        for chunk in encoded.chunks(chunk_tokens):
            yield chunk if remap is None else Corpus(remap[chunk.ids], chunk.offsets)
        return
    pending: list[Corpus] = []
    pending_tokens = 0
    for batch in read_sentence_batches(source, reading, progress=progress, **fields):
        pending.append(vocab.encode(batch))
        pending_tokens += pending[-1].n_tokens
        if pending_tokens >= chunk_tokens:
            merged = _concatenate(pending)
            chunks, rest = _cut(merged, chunk_tokens)
            yield from chunks
            pending, pending_tokens = [rest], rest.n_tokens
    if pending_tokens:
        yield _concatenate(pending)


def _cut(corpus: Corpus, chunk_tokens: int) -> tuple[list[Corpus], Corpus]:
    """Full chunks of ``corpus`` (at sentence ends) and the unfinished remainder."""
    chunks = []
    start = 0  # sentence index
    offsets = corpus.offsets
    while offsets[-1] - offsets[start] >= chunk_tokens:
        # last sentence end within chunk_tokens of this chunk's start (at least one sentence)
        end = int(np.searchsorted(offsets, offsets[start] + chunk_tokens, side="right")) - 1
        end = max(end, start + 1)
        chunks.append(_slice(corpus, start, end))
        start = end
    return chunks, _slice(corpus, start, corpus.n_sentences)


def _slice(corpus: Corpus, first: int, stop: int) -> Corpus:
    """Sentences ``first..stop-1`` as a corpus of their own."""
    offsets = corpus.offsets[first:stop + 1]
    return Corpus(corpus.ids[offsets[0]:offsets[-1]], offsets - offsets[0])


def _concatenate(pieces: list[Corpus]) -> Corpus:
    """One corpus of the sentences of ``pieces`` in order."""
    if len(pieces) == 1:
        return pieces[0]
    if not pieces:
        return Corpus(np.zeros(0, np.int32), np.zeros(1, np.int64))
    starts = np.cumsum([0] + [p.n_tokens for p in pieces[:-1]])
    offsets = np.concatenate([pieces[0].offsets[:1]] + [p.offsets[1:] + s for p, s in zip(pieces, starts)])
    return Corpus(np.concatenate([p.ids for p in pieces]), offsets)


def _check_not_empty(vocab: Vocab, source: object, min_count: int, max_size: int | None, counts) -> None:
    if len(vocab) > len(SPECIALS):
        return
    most = max(counts, default=0)
    why = "max_size=0" if max_size is not None and max_size <= 0 else \
        f"no word occurs min_count={min_count} times (the most frequent occurs {most} times)"
    raise InputFileError(f"{source}: empty vocabulary: {why}")
