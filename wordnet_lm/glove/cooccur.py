"""Word-word co-occurrence counts in a symmetric window, as GloVe's ``cooccur`` makes them.

A pair of words ``d`` positions apart (``1 <= d <= window``) adds ``weight(d)`` to
``X[left, right]`` and, with ``symmetric=True``, to ``X[right, left]``; the default weight is
GloVe's ``1/d``.  The conventions are Stanford GloVe's (``cooccur.c``):

* **Windows stop at sentence boundaries** (Stanford resets its window at every newline, and
  a :class:`~wordnet_lm.text.Corpus` sentence is a line of a plain-text file).
* **Out-of-vocabulary tokens are removed before windowing**: the window spans ``window``
  in-vocabulary words, and ``<unk>`` gets no row (``count_unk=True`` keeps it as a word).
* A word next to itself adds ``2 * weight(d)`` to the diagonal with ``symmetric=True``.

With these, ``nltk-mix.txt`` (min count 5, window 10) gives exactly Stanford's 12,044,400
nonzeros.

The counting is vectorised over offsets, not tokens: for ``d = 1..window`` the id array is
paired with itself shifted by ``d``.  The corpus goes through in chunks of ``chunk_tokens``
tokens; each chunk's pairs become a CSR matrix (duplicates summed by SciPy) added to a running
sum, so memory stays near ``chunk_tokens * window`` pairs plus the matrix itself.
"""

from __future__ import annotations

import os
from typing import Iterable

import numpy as np
import scipy.sparse

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.progress import progress_bar
from wordnet_lm.text.loading import build_vocab, iter_corpus_chunks
from wordnet_lm.text.vocab import UNK_ID, Corpus, Vocab

WEIGHTINGS = ("harmonic", "flat", "linear")
DEFAULT_CHUNK_TOKENS = 1_000_000
DEFAULT_WINDOW = 20


def distance_weights(window: int, weighting: str = "harmonic") -> np.ndarray:
    """The weight of a pair ``d = 1..window`` positions apart, as an array indexed by ``d - 1``.

    Parameters
    ----------
    window : int
        Largest distance counted (>= 1).
    weighting : {"harmonic", "flat", "linear"}
        ``harmonic``: ``1/d`` (GloVe); ``flat``: 1 (plain counts); ``linear``:
        ``(window + 1 - d) / window``, the expected weight word2vec's random window
        shrinking gives a pair ``d`` apart.

    Returns
    -------
    ndarray of float64, shape (window,)
    """
    if int(window) != window or window < 1:
        raise WordnetLMError(f"window must be a positive integer, got {window!r}")
    d = np.arange(1, int(window) + 1, dtype=np.float64)
    if weighting == "harmonic":
        return 1.0 / d
    if weighting == "flat":
        return np.ones_like(d)
    if weighting == "linear":
        return (window + 1 - d) / window
    raise WordnetLMError(f"unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}")


def cooccurrence_matrix(corpus: Corpus | Iterable[Corpus], n_words: int, *, window: int = DEFAULT_WINDOW,
                        weighting: str = "harmonic", symmetric: bool = True, count_unk: bool = False,
                        chunk_tokens: int = DEFAULT_CHUNK_TOKENS, progress: bool = False) -> scipy.sparse.csr_matrix:
    """Weighted co-occurrence counts of the words of ``corpus`` (see the module docstring).

    Parameters
    ----------
    corpus : Corpus or iterable of Corpus
        Ids below ``n_words``; an iterable (e.g. :func:`wordnet_lm.text.iter_corpus_chunks`)
        is consumed one chunk at a time.
    n_words : int
        Size of the vocabulary: the matrix is ``n_words x n_words``.
    window : int, default 20
        Context words counted on each side (Stanford's ``cooccur`` defaults to 15; 20 measured
        best for word vectors on a 4 M-token corpus, see ``docs/glove.md``).
    weighting : {"harmonic", "flat", "linear"}, default "harmonic"
        See :func:`distance_weights`.
    symmetric : bool, default True
        Count right and left context (``X`` symmetric); ``False``: ``X[w, c]`` counts the
        words ``c`` to the right of ``w`` only.
    count_unk : bool, default False
        Treat ``<unk>`` (id 0) as a word instead of removing it before windowing.
    chunk_tokens : int, default 1,000,000
        Tokens paired at a time (bounds the temporary memory to about ``24 * window`` bytes
        per token of a chunk).
    progress : bool
        tqdm progress bar over tokens.

    Returns
    -------
    scipy.sparse.csr_matrix of float64, shape (n_words, n_words)
        Canonical (sorted column indices, no duplicates, no explicit zeros).
    """
    weights = distance_weights(window, weighting)
    if chunk_tokens < 1:
        raise WordnetLMError(f"chunk_tokens must be positive, got {chunk_tokens}")
    chunks = [corpus] if isinstance(corpus, Corpus) else corpus
    total = corpus.n_tokens if isinstance(corpus, Corpus) else None
    counts = _SparseSum((n_words, n_words))
    with progress_bar(total=total, unit="tok", unit_scale=True, desc="co-occurrences", enabled=progress,
                      leave=False) as bar:
        for chunk in chunks:
            ids, room = _windowable(chunk, count_unk)
            if len(ids) and int(ids.max()) >= n_words:
                raise WordnetLMError(f"word id {int(ids.max())} is outside a vocabulary of {n_words} words")
            for start in range(0, len(ids), chunk_tokens):
                counts.add(_right_context_counts(ids, room, start, min(start + chunk_tokens, len(ids)),
                                                 weights, n_words))
            bar.update(chunk.n_tokens)
    counts = counts.total()
    if symmetric:
        counts = counts + counts.T
    counts = counts.tocsr()
    counts.sum_duplicates()
    counts.eliminate_zeros()
    return counts


class _SparseSum:
    """A running sum of sparse matrices that merges like a binary counter: a partial sum is
    added to the one below it once it has grown as large, so each entry is merged O(log n)
    times however many chunks there are (adding every chunk to one total would be quadratic)."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.stack: list[scipy.sparse.csr_matrix] = []

    def add(self, matrix: scipy.sparse.csr_matrix) -> None:
        while self.stack and self.stack[-1].nnz <= 2 * matrix.nnz:
            matrix = self.stack.pop() + matrix
        self.stack.append(matrix)

    def total(self) -> scipy.sparse.csr_matrix:
        total = scipy.sparse.csr_matrix(self.shape, dtype=np.float64)
        while self.stack:
            total = self.stack.pop() + total
        return total


def _windowable(corpus: Corpus, count_unk: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ids to pair and, per token, how many tokens follow it in its sentence."""
    ids = corpus.ids
    sentence = corpus.sentence_index()
    if not count_unk:
        keep = ids != UNK_ID
        ids, sentence = ids[keep], sentence[keep]
    sentence_ends = np.cumsum(np.bincount(sentence, minlength=corpus.n_sentences))
    room = sentence_ends[sentence] - np.arange(1, len(ids) + 1)
    return ids, room


def _right_context_counts(ids: np.ndarray, room: np.ndarray, start: int, stop: int, weights: np.ndarray,
                          n_words: int) -> scipy.sparse.csr_matrix:
    """``X[ids[t], ids[t + d]] += weights[d - 1]`` for ``start <= t < stop``, ``d`` within the sentence."""
    left, right, weight = [], [], []
    room = room[start:stop]
    for d, w in enumerate(weights, start=1):
        t = np.flatnonzero(room >= d) + start
        left.append(ids[t])
        right.append(ids[t + d])
        weight.append(np.full(len(t), w))
    coo = scipy.sparse.coo_matrix((np.concatenate(weight), (np.concatenate(left), np.concatenate(right))),
                                  shape=(n_words, n_words))
    return coo.tocsr()  # sums duplicate pairs


def count_cooccurrences(source: str | os.PathLike, *, vocab: Vocab | None = None, min_count: int = 5,
                        max_size: int | None = None, window: int = DEFAULT_WINDOW, weighting: str = "harmonic",
                        symmetric: bool = True, count_unk: bool = False,
                        chunk_tokens: int = DEFAULT_CHUNK_TOKENS, progress: bool = False,
                        **reading) -> tuple[scipy.sparse.csr_matrix, Vocab]:
    """Co-occurrence counts of a corpus file, streamed in bounded memory.

    Two passes over ``source``: the vocabulary (unless ``vocab`` is given), then the counts,
    chunk by chunk (:func:`wordnet_lm.text.iter_corpus_chunks`); memory stays near the
    vocabulary, one chunk's pairs and the matrix.

    Parameters
    ----------
    source : str or path-like
        Anything :func:`wordnet_lm.text.read_sentences` reads (file, directory, NLTK zip, name).
    vocab : Vocab, optional
        Count over this vocabulary; default: build one with ``min_count``/``max_size``.
    min_count, max_size : int
        Vocabulary cut-offs (Stanford GloVe's ``vocab_count -min-count``; default 5).
    window, weighting, symmetric, count_unk, chunk_tokens, progress
        As for :func:`cooccurrence_matrix`.
    **reading
        ``tokenizer``, ``lowercase``, ``sentences`` for the reader.

    Returns
    -------
    (scipy.sparse.csr_matrix, Vocab)

    Raises
    ------
    InputFileError
        Unreadable or empty source, or no word survives ``min_count``.
    """
    if vocab is None:
        vocab = build_vocab(source, min_count=min_count, max_size=max_size, progress=progress, **reading)
    chunks = iter_corpus_chunks(source, vocab, chunk_tokens, progress=progress, **reading)
    matrix = cooccurrence_matrix(chunks, len(vocab), window=window, weighting=weighting, symmetric=symmetric,
                                 count_unk=count_unk, chunk_tokens=chunk_tokens)
    return matrix, vocab
