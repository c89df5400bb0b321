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
tokens; each chunk's pairs become a CSR matrix of exact integer counts
(:mod:`~wordnet_lm.glove.pair_counts`) added to a running sum, so memory stays near
``chunk_tokens * window`` pairs plus the matrix itself.  With ``memory``, sums that outgrow
the budget are spilled as sorted runs and merged by row range (:mod:`~wordnet_lm.glove.runs`);
the result is the same bit for bit.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import scipy.sparse

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove.pair_counts import BYTES_PER_PAIR, MIN_PIECE_TOKENS, FixedPointWeights, window_count_pieces
from wordnet_lm.glove.matrix_file import CooccurrenceFile, write_cooccurrence_file
from wordnet_lm.glove.runs import PIECE_SHARE, BoundedCounter, stack_blocks
from wordnet_lm.progress import progress_bar
from wordnet_lm.glove.settings import DEFAULT_WINDOW, WEIGHTINGS
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.tempdir import TempFolder
from wordnet_lm.text.loading import build_vocab, iter_corpus_chunks
from wordnet_lm.text.vocab import Corpus, Vocab

DEFAULT_CHUNK_TOKENS = 1_000_000
TEXT_BYTES_PER_TOKEN = 64  # a chunk being read: tokens as str in lists, then ids, offsets and window room


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
                        chunk_tokens: int = DEFAULT_CHUNK_TOKENS, progress: bool = False,
                        memory: int | str | None = None, temp: str | os.PathLike | None = None,
                        ) -> scipy.sparse.csr_matrix:
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
        Tokens paired at a time (bounds the temporary memory to about ``48 * window`` bytes
        per token of a chunk); with ``memory``, smaller if the budget asks for it.
    progress : bool
        tqdm progress bar over tokens.
    memory : int or str, optional
        Memory budget for counting (bytes, or a size such as ``"2G"``): partial counts that
        outgrow it are spilled to ``temp`` as sorted runs and merged
        (:mod:`~wordnet_lm.glove.runs`).  The result is the same whatever the budget.
    temp : path, optional
        Folder for the spilled runs (default: the system's temporary folder); they are removed
        on success, error and Ctrl-C.

    Returns
    -------
    scipy.sparse.csr_matrix of float64, shape (n_words, n_words)
        Canonical (sorted column indices, no duplicates, no explicit zeros).  Counts are summed
        as exact integers (:mod:`~wordnet_lm.glove.pair_counts`) and divided once.
    """
    fixed = _fixed_weights(window, weighting)
    _check_chunk_tokens(chunk_tokens)
    memory = parse_memory(memory) if memory is not None else None
    with TempFolder(temp) if memory is not None else contextlib.nullcontext() as folder:
        blocks = cooccurrence_row_blocks(corpus, n_words, fixed, symmetric=symmetric, count_unk=count_unk,
                                         chunk_tokens=chunk_tokens, progress=progress, memory=memory, folder=folder)
        return _gather(blocks, n_words, folder)


def _gather(blocks: Iterator[tuple[int, scipy.sparse.csr_matrix]], n_words: int,
            folder: Path | None) -> scipy.sparse.csr_matrix:
    """The row blocks as one matrix; merged blocks pass through a file in the spill folder, so
    that the matrix is held once (not as blocks plus their concatenation)."""
    first = next(blocks)
    if first[1].shape[0] == n_words:  # nothing was spilled: one block
        return first[1]
    if folder is None:
        return stack_blocks(itertools.chain([first], blocks), n_words)
    return write_cooccurrence_file(folder / "matrix", itertools.chain([first], blocks), n_words, None, {}).to_csr()


def _fixed_weights(window: int, weighting: str) -> FixedPointWeights:
    return FixedPointWeights.from_weights(distance_weights(window, weighting), weighting)


def _check_chunk_tokens(chunk_tokens: int) -> None:
    if int(chunk_tokens) != chunk_tokens or chunk_tokens < 1:
        raise WordnetLMError(f"chunk_tokens must be positive, got {chunk_tokens}")


def cooccurrence_row_blocks(corpus: Corpus | Iterable[Corpus], n_words: int, fixed: FixedPointWeights, *,
                            symmetric: bool = True, count_unk: bool = False,
                            chunk_tokens: int = DEFAULT_CHUNK_TOKENS, progress: bool = False,
                            memory: int | str | None = None, folder: Path | None = None,
                            ) -> Iterator[tuple[int, scipy.sparse.csr_matrix]]:
    """The float64 co-occurrence matrix as ``(first_row, rows)`` blocks in row order.

    Without ``memory`` there is one block; with it, runs are spilled to ``folder`` and the
    blocks are ranges of rows merged from them, each within the budget.
    """
    budget = parse_memory(memory) if memory is not None else None
    chunks = [corpus] if isinstance(corpus, Corpus) else corpus
    total = corpus.n_tokens if isinstance(corpus, Corpus) else None
    counter = BoundedCounter(n_words, budget, folder, symmetric)
    piece_tokens = chunk_tokens
    if counter.piece_bytes is not None:
        piece_tokens = max(MIN_PIECE_TOKENS, min(chunk_tokens, counter.piece_bytes // (BYTES_PER_PAIR * fixed.window)))
    occurrences, max_occurrences = np.zeros(n_words, np.int64), fixed.max_occurrences()
    with progress_bar(total=total, unit="tok", unit_scale=True, desc="co-occurrences", enabled=progress,
                      leave=False) as bar:
        for chunk in chunks:
            occurrences += np.bincount(chunk.ids, minlength=n_words)[:n_words]
            if occurrences.max() > max_occurrences:
                raise WordnetLMError(f"a word occurs over {max_occurrences:,} times: co-occurrence counts with "
                                     f"this window and weighting could overflow; use a smaller window")
            for piece in window_count_pieces(chunk, n_words, fixed, count_unk=count_unk, piece_tokens=piece_tokens):
                counter.add(piece)
            bar.update(chunk.n_tokens)
    for first, block in counter.row_blocks():
        yield first, scipy.sparse.csr_matrix((fixed.to_float(block.data), block.indices, block.indptr),
                                             shape=block.shape)


def count_cooccurrences(source: str | os.PathLike, *, vocab: Vocab | None = None, min_count: int = 5,
                        max_size: int | None = None, window: int = DEFAULT_WINDOW, weighting: str = "harmonic",
                        symmetric: bool = True, count_unk: bool = False,
                        chunk_tokens: int = DEFAULT_CHUNK_TOKENS, progress: bool = False,
                        memory: int | str | None = None, temp: str | os.PathLike | None = None,
                        **reading) -> tuple[scipy.sparse.csr_matrix, Vocab]:
    """Co-occurrence counts of a corpus file, streamed in bounded memory.

    Two passes over ``source``: the vocabulary (unless ``vocab`` is given), then the counts,
    chunk by chunk (:func:`wordnet_lm.text.iter_corpus_chunks`); memory stays near the
    vocabulary, one chunk's pairs and the matrix (with ``memory``, the counting stays within
    the budget and only the returned matrix is outside it; see
    :func:`count_cooccurrences_to_file` for a matrix bigger than memory).

    Parameters
    ----------
    source : str or path-like
        Anything :func:`wordnet_lm.text.read_sentences` reads (file, directory, NLTK zip, name).
    vocab : Vocab, optional
        Count over this vocabulary; default: build one with ``min_count``/``max_size``.
    min_count, max_size : int
        Vocabulary cut-offs (Stanford GloVe's ``vocab_count -min-count``; default 5).
    window, weighting, symmetric, count_unk, chunk_tokens, progress, memory, temp
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
    fixed = _fixed_weights(window, weighting)
    _check_chunk_tokens(chunk_tokens)
    memory = parse_memory(memory) if memory is not None else None
    with TempFolder(temp) if memory is not None else contextlib.nullcontext() as folder:
        vocab, chunks = _vocab_and_chunks(source, vocab, min_count, max_size, chunk_tokens, memory, progress,
                                          reading)
        blocks = cooccurrence_row_blocks(chunks, len(vocab), fixed, symmetric=symmetric, count_unk=count_unk,
                                         chunk_tokens=chunk_tokens, memory=memory, folder=folder)
        return _gather(blocks, len(vocab), folder), vocab


def count_cooccurrences_to_file(source: str | os.PathLike, out: str | os.PathLike, *, vocab: Vocab | None = None,
                                min_count: int = 5, max_size: int | None = None, window: int = DEFAULT_WINDOW,
                                weighting: str = "harmonic", symmetric: bool = True, count_unk: bool = False,
                                chunk_tokens: int = DEFAULT_CHUNK_TOKENS, progress: bool = False,
                                memory: int | str = "2G", temp: str | os.PathLike | None = None,
                                **reading) -> CooccurrenceFile:
    """Count co-occurrences of a corpus file within ``memory`` and write them to the folder ``out``.

    Neither the counting nor the writing holds the whole matrix: runs are merged one range of
    rows at a time and each range is appended to ``out``
    (:mod:`~wordnet_lm.glove.matrix_file`), which :class:`~wordnet_lm.glove.GloVe` trains on
    memory-mapped.  Parameters as for :func:`count_cooccurrences`.

    Returns
    -------
    CooccurrenceFile
        The written matrix, memory-mapped.
    """
    fixed = _fixed_weights(window, weighting)
    _check_chunk_tokens(chunk_tokens)
    memory = parse_memory(memory) if memory is not None else None
    check_writable_folder(out)
    with TempFolder(temp) as folder:
        vocab, chunks = _vocab_and_chunks(source, vocab, min_count, max_size, chunk_tokens, memory, progress,
                                          reading)
        blocks = cooccurrence_row_blocks(chunks, len(vocab), fixed, symmetric=symmetric, count_unk=count_unk,
                                         chunk_tokens=chunk_tokens, memory=memory, folder=folder)
        options = {"window": window, "weighting": weighting, "symmetric": symmetric, "count_unk": count_unk,
                   "min_count": min_count, "max_size": max_size, "source": str(source)}
        return write_cooccurrence_file(out, blocks, len(vocab), vocab, options)


def _vocab_and_chunks(source, vocab: Vocab | None, min_count: int, max_size: int | None, chunk_tokens: int,
                      memory: int | str | None, progress: bool, reading: dict) -> tuple[Vocab, Iterator[Corpus]]:
    """The vocabulary (built by a first pass unless given) and the corpus as a stream of chunks,
    chunks small enough for the budget (a chunk of text costs about 64 bytes a token)."""
    if memory is not None:
        chunk_tokens = max(1, min(chunk_tokens, int(parse_memory(memory) * PIECE_SHARE) // TEXT_BYTES_PER_TOKEN))
    if vocab is None:
        vocab = build_vocab(source, min_count=min_count, max_size=max_size, progress=progress, **reading)
    return vocab, iter_corpus_chunks(source, vocab, chunk_tokens, progress=progress, **reading)


def check_writable_folder(out: str | os.PathLike) -> None:
    """Fail early if ``out`` cannot become a co-occurrence folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise WordnetLMError(f"{out}: exists and is not a folder")
    parent = out.parent if str(out.parent) else Path(".")
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise WordnetLMError(f"{out}: cannot write in {parent}")
