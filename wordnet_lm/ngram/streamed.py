"""Interpolated (modified) Kneser-Ney estimated over n-gram tables on disk, block by block,
into an ARPA file: the same arithmetic as :func:`wordnet_lm.ngram.estimate.discounted_interpolation`
in the same order, so the file is byte for byte the one the in-memory path writes.

Tables are the global sorted keys ``k{n}`` and counts ``c{n}`` of :mod:`wordnet_lm.ngram.runs`
(lexicographic order; order 1 dense in memory).  Stages, each a pass over blocks of one order:

1. suffixes ``s{n}`` (index of ``w2..wn`` in order ``n - 1``): the suffix of the context is a
   windowed read (contexts are sorted), then a sorted search in the order ``n - 1`` keys;
2. adjusted counts ``a{n}``: continuation counts are a windowed scatter-add of order
   ``n + 1``'s suffixes; n-grams starting with ``<s>`` (a contiguous slice) keep raw counts;
   count-of-counts -> discounts;
3. probabilities ``p{n}`` and backoffs ``b{n-1}``: blocks end at context boundaries, so each
   context's sums are complete in one block and added in the in-memory order; the lower-order
   probability of the suffix is a windowed gather;
4. ARPA text: lines built per block, n-gram text from the windows of the lower orders.

Memory: a few arrays of ``block`` entries, windows, and O(vocabulary).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wordnet_lm.ngram.arpa import LOG10_ZERO, _log10_values, arpa_header
from wordnet_lm.ngram.arpa_text import WordBytes, arpa_lines
from wordnet_lm.ngram.estimate import _initial_probabilities
from wordnet_lm.io import atomic_write
from wordnet_lm.progress import progress_bar
from wordnet_lm.scale.disk import DiskArray, SortedKeys
from wordnet_lm.scale.executor import Executor, InProcess
from wordnet_lm.text.vocab import BOS_ID, Vocab


@dataclass
class DiskTables:
    """Global n-gram counts: order 1 dense in memory, orders ``2..N`` as files in ``folder``."""

    folder: Path
    vocab_size: int
    counts1: np.ndarray
    sizes: list[int]  # entries per order 1..N
    n_sentences: int
    n_tokens: int

    @property
    def order(self) -> int:
        return len(self.sizes)

    def keys(self, n: int) -> DiskArray:
        return DiskArray(self.folder / f"k{n}", np.int64)

    def counts(self, n: int) -> DiskArray:
        return DiskArray(self.folder / f"c{n}", np.int64)

    def array(self, name: str, dtype=np.int64) -> DiskArray:
        return DiskArray(self.folder / name, dtype)


def compute_suffixes(tables: DiskTables, block: int) -> None:
    """Stage 1: ``s{n}`` for orders ``2..N``."""
    V = tables.vocab_size
    for n in range(2, tables.order + 1):
        out = DiskArray.create(tables.folder / f"s{n}", np.int64)
        lower = SortedKeys(tables.keys(n - 1)) if n > 2 else None
        with out.writer() as put:
            for _, keys in tables.keys(n).blocks(block):
                word = keys % V
                if n == 2:
                    put(word)
                    continue
                context = keys // V
                context_suffix = tables.array(f"s{n - 1}").read(int(context[0]), int(context[-1]) + 1)
                found = lower.find(context_suffix[context - context[0]] * V + word)
                if found.min() < 0:  # counted tables are closed under suffixes
                    raise AssertionError("an n-gram's suffix is missing from the counted tables")
                put(found)


def bos_slices(tables: DiskTables) -> list[tuple[int, int]]:
    """For each order, the slice of entries starting with ``<s>`` (contiguous: lexicographic order)."""
    V = tables.vocab_size
    slices = [(BOS_ID, BOS_ID + 1)]
    for n in range(2, tables.order + 1):
        lo, hi = slices[-1]
        keys = np.memmap(tables.folder / f"k{n}", np.int64, mode="r")
        slices.append((int(np.searchsorted(keys, lo * V)), int(np.searchsorted(keys, hi * V))))
        del keys
    return slices


def compute_adjusted(tables: DiskTables, block: int, continuation: bool) -> tuple[np.ndarray, np.ndarray]:
    """Stage 2: adjusted counts ``a{n}`` (orders ``2..N``, files) and of order 1 (returned, in
    memory), with the count-of-counts of every order (``t[n-1, k]``, ``k = 0..4``)."""
    order, V = tables.order, tables.vocab_size
    t = np.zeros((order, 5), np.int64)
    bos = bos_slices(tables)
    adjusted1 = tables.counts1.copy()
    if continuation and order > 1:
        cont1 = np.zeros(V, np.int64)
        for _, suffix in tables.array("s2").blocks(block):
            cont1 += np.bincount(suffix, minlength=V)
        adjusted1 = np.where(np.arange(V) == BOS_ID, tables.counts1, cont1)
    adjusted1[BOS_ID] = 0
    t[0] = _count_of_counts(adjusted1)
    for n in range(2, order + 1):
        out = DiskArray.create(tables.folder / f"a{n}", np.int64)
        if continuation and n < order:
            np.zeros(tables.sizes[n - 1], np.int64).tofile(out.path) if tables.sizes[n - 1] <= block else \
                _zeros(out, tables.sizes[n - 1], block)
            for _, suffix in tables.array(f"s{n + 1}").blocks(block):
                where, how_many = np.unique(suffix, return_counts=True)
                out.scatter_add(where, how_many)
            lo, hi = bos[n - 1]
            with open(out.path, "r+b") as f:  # n-grams starting with <s> keep their raw counts
                for start, raw in tables.counts(n).blocks(block, lo, hi):
                    f.seek(start * 8)
                    raw.tofile(f)
        else:
            with out.writer() as put:
                for _, raw in tables.counts(n).blocks(block):
                    put(raw)
        for _, a in out.blocks(block):
            t[n - 1] += _count_of_counts(a)
    return adjusted1, t


def _zeros(array: DiskArray, size: int, block: int) -> None:
    with array.writer() as put:
        for start in range(0, size, block):
            put(np.zeros(min(block, size - start), np.int64))


def _count_of_counts(a: np.ndarray, max_count: int = 4) -> np.ndarray:
    return np.bincount(np.minimum(a, max_count + 1), minlength=max_count + 2)[:max_count + 1]


def interpolate(tables: DiskTables, adjusted1: np.ndarray, discounts: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Stage 3: probabilities ``p{n}`` and backoff weights ``b{n}`` (files for orders ``>= 2``);
    returns the unigram probabilities and backoffs (in memory)."""
    V, order = tables.vocab_size, tables.order
    prob, gamma = _initial_probabilities(adjusted1, discounts[0])
    p1 = prob + gamma / (V - 1)
    p1[BOS_ID] = 0.0
    b1 = np.ones(V)
    for n in range(2, order + 1):
        d_n = discounts[n - 1]
        p_out = DiskArray.create(tables.folder / f"p{n}", np.float64)
        b_out = DiskArray.create(tables.folder / f"b{n - 1}", np.float64) if n > 2 else None
        lower = tables.array(f"p{n - 1}", np.float64) if n > 2 else None
        done_contexts = 0  # backoffs of order n - 1 written so far
        with p_out.writer() as put_p:
            b_writer = b_out.writer().__enter__() if b_out is not None else None
            try:
                for start, stop in context_blocks(tables, n, block):
                    keys = tables.keys(n).read(start, stop)
                    a = tables.array(f"a{n}").read(start, stop)
                    suffix = tables.array(f"s{n}").read(start, stop)
                    context = keys // V
                    first = int(context[0])
                    local = context - first
                    d = d_n[np.minimum(a, 3)]
                    total = np.bincount(local, weights=a)
                    mass = np.bincount(local, weights=d)
                    is_context = total > 0
                    weight = np.ones(len(total))
                    weight[is_context] = mass[is_context] / total[is_context]
                    below = p1[suffix] if n == 2 else lower.gather(suffix)
                    put_p((a - d) / total[local] + weight[local] * below)
                    if b_writer is None:
                        b1[first:first + len(weight)] = weight
                    else:
                        b_writer(np.ones(first - done_contexts))
                        b_writer(weight)
                    done_contexts = first + len(weight)
                if b_writer is not None:
                    b_writer(np.ones(tables.sizes[n - 2] - done_contexts))
            finally:
                if b_writer is not None:
                    b_writer.__exit__(None, None, None)
    return p1, b1


def context_blocks(tables: DiskTables, n: int, block: int):
    """``(start, stop)`` slices of order ``n`` of about ``block`` entries that end where a
    context ends (a context with more entries than ``block`` is one slice)."""
    keys = tables.keys(n)
    size = tables.sizes[n - 1]
    V = tables.vocab_size
    start = 0
    while start < size:
        stop = min(start + block, size)
        while stop < size:
            tail = keys.read(stop - 1, min(stop + block, size)) // V  # the last context and what follows
            change = np.flatnonzero(tail[1:] != tail[0])
            if len(change):
                stop = stop + int(change[0])
                break
            stop = min(stop + block, size)
        yield start, stop
        start = stop


def write_arpa_streamed(path: str | os.PathLike, tables: DiskTables, vocab: Vocab, p1: np.ndarray,
                        b1: np.ndarray, block: int, progress: bool = False, executor: Executor | None = None) -> None:
    """Stage 4: the ARPA file, byte for byte as :func:`wordnet_lm.ngram.arpa.write_arpa` writes
    the same tables.  Blocks of lines are assembled by ``executor``'s processes (a few blocks
    ahead of the writer) and written in order."""
    order = tables.order
    words_file = tables.folder / "words.txt"
    words_file.write_text("\n".join(vocab.words) + "\n", encoding="utf-8")
    np.save(tables.folder / "p1.npy", p1)
    np.save(tables.folder / "b1.npy", b1)
    executor = executor or InProcess()
    with atomic_write(path, "wb") as f, \
            progress_bar(total=sum(tables.sizes), unit="line", unit_scale=True, desc="writing ARPA",
                         enabled=progress) as bar:
        f.write(arpa_header(tables.sizes))
        for n in range(1, order + 1):
            f.write(f"\n\\{n}-grams:\n".encode())
            tasks = [_LinesTask(str(tables.folder), tables.vocab_size, tuple(tables.sizes), n, start,
                                min(start + block, tables.sizes[n - 1]))
                     for start in range(0, tables.sizes[n - 1], block)]
            for task, text in zip(tasks, executor.imap(arpa_block, tasks, window=2 * executor.workers)):
                f.write(text)
                bar.update(task.stop - task.start)
        f.write(b"\n\\end\\\n")


@dataclass(frozen=True)
class _LinesTask:
    folder: str
    vocab_size: int
    sizes: tuple[int, ...]
    n: int
    start: int
    stop: int


_WORDS_CACHE: dict[str, WordBytes] = {}


def arpa_block(task: _LinesTask) -> bytes:
    """The ARPA lines of order ``task.n`` entries ``start..stop-1`` (runs in any process)."""
    folder = Path(task.folder)
    tables = DiskTables(folder, task.vocab_size, np.zeros(0, np.int64), list(task.sizes), 0, 0)
    key = str(folder)
    if key not in _WORDS_CACHE:
        _WORDS_CACHE.clear()
        _WORDS_CACHE[key] = WordBytes((folder / "words.txt").read_text(encoding="utf-8").split("\n")[:-1])
    words = _WORDS_CACHE[key]
    n, start, stop, order = task.n, task.start, task.stop, len(task.sizes)
    if n == 1:
        probs = _log10_values(_log(np.load(folder / "p1.npy")[start:stop]))
        if start <= BOS_ID < stop:
            probs[BOS_ID - start] = LOG10_ZERO
        backoffs = _log10_values(_log(np.load(folder / "b1.npy")[start:stop])) if order > 1 else None
    else:
        probs = _log10_values(_log(tables.array(f"p{n}", np.float64).read(start, stop)))
        backoffs = _log10_values(_log(tables.array(f"b{n}", np.float64).read(start, stop))) if n < order else None
    return arpa_lines(probs, _rows(tables, n, start, stop), words, backoffs)


def _log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(values)


def _rows(tables: DiskTables, n: int, start: int, stop: int) -> np.ndarray:
    """Word ids of order ``n`` entries ``start..stop-1`` (shape ``(stop - start, n)``), from the
    windows of the lower orders their contexts span."""
    if n == 1:
        return np.arange(start, stop, dtype=np.int64)[:, None]
    keys = tables.keys(n).read(start, stop)
    V = tables.vocab_size
    context = keys // V
    first = int(context[0])
    below = _rows(tables, n - 1, first, int(context[-1]) + 1)
    return np.concatenate([below[context - first], (keys % V)[:, None]], axis=1)
