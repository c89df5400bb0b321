"""Interpolated (modified) Kneser-Ney estimated over n-gram tables on disk, block by block,
into an ARPA file: the same arithmetic as :func:`wordnet_lm.ngram.estimate.discounted_interpolation`
in the same order, so the file is byte for byte the one the in-memory path writes.

Tables are the sorted keys and counts of :mod:`wordnet_lm.ngram.runs` (lexicographic order;
order 1 dense in memory): for each order the merged parts ``{part}.k{n}``/``{part}.c{n}`` in
range order (listed in ``parts.json``), read in place as one array (a part's context indices
made global on read), never copied into one file.  Stages, each a pass over blocks of one order:

1. suffixes ``s{n}`` (index of ``w2..wn`` in order ``n - 1``): the suffix of the context is a
   windowed read (contexts are sorted), then a sorted search in the order ``n - 1`` keys;
2. adjusted counts ``a{n}``: continuation counts are a windowed scatter-add of order
   ``n + 1``'s suffixes; n-grams starting with ``<s>`` (a contiguous slice) keep raw counts;
   count-of-counts -> discounts;
3. probabilities ``p{n}`` and backoffs ``b{n-1}``: blocks end at context boundaries, so each
   context's sums are complete in one block and added in the in-memory order; the lower-order
   probability of the suffix is a windowed gather;
4. ARPA text: lines built per block, n-gram text from the windows of the lower orders.

Every stage is cut into *pieces* (ranges of entries; for stage 3 ranges of contexts) run as
tasks on an :class:`~wordnet_lm.scale.executor.Executor`: a piece writes its entries into
files allocated beforehand, at offsets known from the sizes (stage 4: into a part file of the
ARPA text; the parts are concatenated in order), so pieces run in any process in any order and
the files are the same.  Stage 2 runs one task per order.

Memory: a few arrays of ``block`` entries per running piece, windows, and O(vocabulary).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from wordnet_lm.ngram.arpa import LOG10_ZERO, _log10_values, arpa_header
from wordnet_lm.ngram.arpa_text import WordBytes, arpa_lines
from wordnet_lm.ngram.estimate import _initial_probabilities
from wordnet_lm.ngram.sorting import unique_counts
from wordnet_lm.heap import phase_task
from wordnet_lm.io import atomic_write
from wordnet_lm.progress import progress_bar
from wordnet_lm.scale.disk import WINDOW, DiskArray, PartedArray, SortedKeys
from wordnet_lm.scale.executor import Executor, InProcess
from wordnet_lm.scale.spill import append_file
from wordnet_lm.text.vocab import BOS_ID, Vocab


PARTS_FILE = "parts.json"  # the merged parts of the tables, in order: [[name, [entries of orders 2..N]], ...]


def save_parts(folder: Path, parts) -> list[int]:
    """Make the merged ``parts`` (with ``.prefix``, files in ``folder``, and ``.sizes`` of orders
    ``2..N``; in range order) the tables of ``folder``; returns the sizes of orders ``2..N``."""
    listed = [[Path(part.prefix).name, [int(size) for size in part.sizes]] for part in parts]
    (folder / PARTS_FILE).write_text(json.dumps({"parts": listed}))
    return [sum(sizes[k] for _, sizes in listed) for k in range(len(listed[0][1]))] if listed else []


@dataclass
class DiskTables:
    """Global n-gram counts: order 1 dense in memory, orders ``2..N`` as the merged parts in
    ``folder`` (:func:`save_parts`), read as one array each."""

    folder: Path
    vocab_size: int
    counts1: np.ndarray
    sizes: list[int]  # entries per order 1..N
    n_sentences: int
    n_tokens: int

    @property
    def order(self) -> int:
        return len(self.sizes)

    def keys(self, n: int) -> PartedArray:
        """Order ``n``'s sorted keys ``context index * V + word``: a part's contexts are numbered
        from 0 in the part, so the entries of order ``n - 1`` in the parts before are added."""
        return self._parted(n, "k")

    def counts(self, n: int) -> PartedArray:
        return self._parted(n, "c")

    def _parted(self, n: int, kind: str) -> PartedArray:
        listing = (self.folder / PARTS_FILE).stat()  # (in the key: a folder's name may come again)
        return _parted(str(self.folder), listing.st_ino, listing.st_mtime_ns, self.vocab_size, n, kind)

    def adjusted(self, n: int) -> DiskArray | PartedArray:
        """Order ``n``'s adjusted counts: ``a{n}`` where stage 2 wrote one, else the raw counts."""
        path = self.folder / f"a{n}"
        return DiskArray(path, np.int64) if path.exists() else self.counts(n)

    def array(self, name: str, dtype=np.int64) -> DiskArray:
        return DiskArray(self.folder / name, dtype)


@lru_cache(maxsize=64)
def _parted(folder: str, inode: int, mtime: int, vocab_size: int, n: int, kind: str) -> PartedArray:
    """The parts of ``folder``'s order ``n`` keys (``kind`` "k") or counts ("c") as one array
    (cached: stage 4 asks for them a block at a time)."""
    parts = json.loads((Path(folder) / PARTS_FILE).read_text())["parts"]
    files = [DiskArray(Path(folder) / f"{name}.{kind}{n}", np.int64) for name, _ in parts]
    sizes = [part_sizes[n - 2] for _, part_sizes in parts]
    if kind == "c" or n == 2:  # order 2's contexts are words: nothing to add
        return PartedArray(files, sizes=sizes)
    before = np.cumsum([0] + [part_sizes[n - 3] for _, part_sizes in parts[:-1]])
    return PartedArray(files, [int(b) * vocab_size for b in before], sizes)


def _pieces(size: int, n_pieces: int) -> list[tuple[int, int]]:
    """``n_pieces`` (or fewer) consecutive ranges of about equal length covering ``0..size-1``."""
    cuts = sorted({size * k // max(n_pieces, 1) for k in range(max(n_pieces, 1))} | {size})
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]


def n_pieces(executor: Executor) -> int:
    """Pieces per order: a few per worker, so that workers finish together."""
    return 1 if executor.workers <= 1 else 3 * executor.workers


@dataclass(frozen=True)
class _Piece:
    """Entries ``lo..hi-1`` of order ``n`` of the tables in ``folder``."""

    folder: str
    vocab_size: int
    sizes: tuple[int, ...]
    n: int
    lo: int
    hi: int
    block: int

    def tables(self) -> DiskTables:
        return DiskTables(Path(self.folder), self.vocab_size, np.zeros(0, np.int64), list(self.sizes), 0, 0)


def compute_suffixes(tables: DiskTables, block: int, executor: Executor | None = None) -> None:
    """Stage 1: ``s{n}`` for orders ``2..N``."""
    executor = executor or InProcess()
    for n in range(2, tables.order + 1):
        DiskArray.allocate(tables.folder / f"s{n}", np.int64, tables.sizes[n - 1])
        if n > 2:  # the sparse index of the lower order's keys (every WINDOW-th key), once for all pieces
            np.save(tables.folder / f"k{n - 1}.sparse.npy", tables.keys(n - 1).every(WINDOW))
        executor.map(_suffix_piece, [_Piece(str(tables.folder), tables.vocab_size, tuple(tables.sizes), n, lo, hi,
                                            block) for lo, hi in _pieces(tables.sizes[n - 1], n_pieces(executor))])


@phase_task()
def _suffix_piece(piece: _Piece) -> None:
    tables, n, V = piece.tables(), piece.n, piece.vocab_size
    out = tables.array(f"s{n}")
    lower = SortedKeys(tables.keys(n - 1), sparse=np.load(tables.folder / f"k{n - 1}.sparse.npy")) if n > 2 else None
    for start, keys in tables.keys(n).blocks(piece.block, piece.lo, piece.hi):
        word = keys % V
        if n == 2:
            out.write_at(start, word)
            continue
        context = keys // V
        context_suffix = tables.array(f"s{n - 1}").read(int(context[0]), int(context[-1]) + 1)
        found = lower.find(context_suffix[context - context[0]] * V + word)
        if found.min() < 0:  # counted tables are closed under suffixes
            raise AssertionError("an n-gram's suffix is missing from the counted tables")
        out.write_at(start, found)


def bos_slices(tables: DiskTables) -> list[tuple[int, int]]:
    """For each order, the slice of entries starting with ``<s>`` (contiguous: lexicographic order)."""
    V = tables.vocab_size
    slices = [(BOS_ID, BOS_ID + 1)]
    for n in range(2, tables.order + 1):
        lo, hi = slices[-1]
        keys = tables.keys(n)
        slices.append((keys.searchsorted(lo * V), keys.searchsorted(hi * V)))
    return slices


@dataclass(frozen=True)
class _AdjustTask:
    folder: str
    vocab_size: int
    sizes: tuple[int, ...]
    n: int
    continuation: bool
    bos: tuple[int, int]
    block: int


def compute_adjusted(tables: DiskTables, block: int, continuation: bool,
                     executor: Executor | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Stage 2: adjusted counts ``a{n}`` (orders ``2..N``, files, one task per order) and of
    order 1 (returned, in memory), with the count-of-counts of every order (``t[n-1, k]``,
    ``k = 0..4``)."""
    executor = executor or InProcess()
    order, V = tables.order, tables.vocab_size
    t = np.zeros((order, 5), np.int64)
    bos = bos_slices(tables)
    tasks = [_AdjustTask(str(tables.folder), V, tuple(tables.sizes), n, continuation, bos[n - 1], block)
             for n in range(order, 0 if continuation and order > 1 else 1, -1)]  # the biggest orders first; 1: continuation
    adjusted1 = tables.counts1.copy()
    for task, row in zip(tasks, executor.map(_adjust_order, tasks)):
        if task.n > 1:
            t[task.n - 1] = row
        else:
            adjusted1 = np.where(np.arange(V) == BOS_ID, tables.counts1, row)
    adjusted1[BOS_ID] = 0
    t[0] = _count_of_counts(adjusted1)
    return adjusted1, t


@phase_task()
def _adjust_order(task: _AdjustTask) -> np.ndarray:
    """``a{n}`` of one order and its count-of-counts (order 1: the continuation counts)."""
    tables, n = DiskTables(Path(task.folder), task.vocab_size, np.zeros(0, np.int64), list(task.sizes), 0, 0), task.n
    order = len(task.sizes)
    if n == 1:
        cont1 = np.zeros(task.vocab_size, np.int64)
        for _, suffix in tables.array("s2").blocks(task.block):
            cont1 += np.bincount(suffix, minlength=task.vocab_size)
        return cont1
    row = np.zeros(5, np.int64)
    if task.continuation and n < order:
        out = DiskArray.allocate(tables.folder / f"a{n}", np.int64, task.sizes[n - 1])
        for _, suffix in tables.array(f"s{n + 1}").blocks(task.block):
            where, how_many = unique_counts(suffix)
            out.scatter_add(where, how_many)
        lo, hi = task.bos
        for start, raw in tables.counts(n).blocks(task.block, lo, hi):  # n-grams starting with <s>: raw counts
            out.write_at(start, raw)
        for _, a in out.blocks(task.block):
            row += _count_of_counts(a)
    else:  # raw counts (read as such by stage 3: no a{n} file)
        for _, a in tables.counts(n).blocks(task.block):
            row += _count_of_counts(a)
    return row


def _count_of_counts(a: np.ndarray, max_count: int = 4) -> np.ndarray:
    return np.bincount(np.minimum(a, max_count + 1), minlength=max_count + 2)[:max_count + 1]


@dataclass(frozen=True)
class _InterpolatePiece(_Piece):
    """Order ``n`` entries ``lo..hi-1``, exactly those of contexts ``c_lo..c_hi-1``."""

    c_lo: int = 0
    c_hi: int = 0
    discounts: tuple[float, ...] = ()


def interpolate(tables: DiskTables, adjusted1: np.ndarray, discounts: np.ndarray, block: int,
                executor: Executor | None = None, drop_inputs: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Stage 3: probabilities ``p{n}`` and backoff weights ``b{n}`` (files for orders ``>= 2``);
    returns the unigram probabilities and backoffs (in memory).  Orders one after another
    (order ``n`` reads ``p{n-1}``), each cut into pieces at context boundaries.  With
    ``drop_inputs``, each order's counts, adjusted counts and suffixes are deleted once used
    (what only the ARPA text needs stays: keys, probabilities, backoffs), so that fewer of
    them are ever written back to the disk."""
    executor = executor or InProcess()
    V, order = tables.vocab_size, tables.order
    prob, gamma = _initial_probabilities(adjusted1, discounts[0])
    p1 = prob + gamma / (V - 1)
    p1[BOS_ID] = 0.0
    DiskArray.from_array(tables.folder / "p1", p1)
    DiskArray.from_array(tables.folder / "b1", np.ones(V))
    for n in range(2, order + 1):
        DiskArray.allocate(tables.folder / f"p{n}", np.float64, tables.sizes[n - 1])
        if n > 2:
            DiskArray.allocate(tables.folder / f"b{n - 1}", np.float64, tables.sizes[n - 2])
        pieces = context_pieces(tables, n, n_pieces(executor))
        executor.map(_interpolate_piece, [
            _InterpolatePiece(str(tables.folder), V, tuple(tables.sizes), n, lo, hi, block, c_lo, c_hi,
                              tuple(float(x) for x in discounts[n - 1]))
            for lo, hi, c_lo, c_hi in pieces])
        if drop_inputs:
            tables.counts(n).remove()
            for name in (f"a{n}", f"s{n}", f"k{n - 1}.sparse.npy"):
                (tables.folder / name).unlink(missing_ok=True)
    b1 = tables.array("b1", np.float64).read()
    return p1, b1


def context_pieces(tables: DiskTables, n: int, count: int) -> list[tuple[int, int, int, int]]:
    """About ``count`` pieces ``(lo, hi, c_lo, c_hi)`` of order ``n``: entries ``lo..hi-1`` are
    those whose context lies in ``c_lo..c_hi-1``; the context ranges cover order ``n - 1``."""
    size, V = tables.sizes[n - 1], tables.vocab_size
    keys = tables.keys(n)
    bounds = [0]
    for lo, _ in _pieces(size, count)[1:]:
        context = int(keys.read(lo, lo + 1)[0]) // V
        if context > bounds[-1]:
            bounds.append(context)
    bounds.append(tables.sizes[n - 2])
    starts = [keys.searchsorted(c * V) for c in bounds[:-1]] + [size]
    return [(starts[k], starts[k + 1], bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]


@phase_task()
def _interpolate_piece(piece: _InterpolatePiece) -> None:
    tables = piece.tables()
    n, V = piece.n, piece.vocab_size
    d_n = np.asarray(piece.discounts)
    p_out = tables.array(f"p{n}", np.float64)
    b_out = tables.array(f"b{n - 1}", np.float64)
    lower = tables.array(f"p{n - 1}", np.float64)
    done = piece.c_lo  # backoffs of order n - 1 written so far
    for start, stop in context_blocks(tables, n, piece.block, piece.lo, piece.hi):
        keys = tables.keys(n).read(start, stop)
        a = tables.adjusted(n).read(start, stop)
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
        below = lower.gather(suffix)
        p_out.write_at(start, (a - d) / total[local] + weight[local] * below)
        b_out.write_at(done, np.concatenate([np.ones(first - done), weight]))
        done = first + len(weight)
    b_out.write_at(done, np.ones(piece.c_hi - done))


def context_blocks(tables: DiskTables, n: int, block: int, lo: int = 0, hi: int | None = None):
    """``(start, stop)`` slices of order ``n`` entries ``lo..hi-1`` (``lo`` and ``hi`` at context
    boundaries) of about ``block`` entries that end where a context ends (a context with more
    entries than ``block`` is one slice)."""
    keys = tables.keys(n)
    size = tables.sizes[n - 1] if hi is None else hi
    V = tables.vocab_size
    start = lo
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
    the same tables.  Pieces of each order are written as part files by ``executor``'s
    processes (a few pieces ahead) and appended to the file in order by the kernel
    (``copy_file_range``)."""
    order = tables.order
    words_file = tables.folder / "words.txt"
    words_file.write_text("\n".join(vocab.words) + "\n", encoding="utf-8")
    np.save(tables.folder / "p1.npy", p1)
    np.save(tables.folder / "b1.npy", b1)
    executor = executor or InProcess()
    tasks = [_LinesTask(str(tables.folder), tables.vocab_size, tuple(tables.sizes), n, lo, hi, block)
             for n in range(1, order + 1)
             for lo, hi in _pieces(tables.sizes[n - 1], max(n_pieces(executor), -(-tables.sizes[n - 1] // PART_LINES)))]
    with atomic_write(path, "wb") as f, \
            progress_bar(total=sum(tables.sizes), unit="line", unit_scale=True, desc="writing ARPA",
                         enabled=progress) as bar:
        f.write(arpa_header(tables.sizes))
        written = 0  # orders whose section header is written
        synced = 0  # bytes of the file on disk
        for task, part in zip(tasks, executor.imap(arpa_piece, tasks, window=2 * executor.workers)):
            while written < task.n:
                written += 1
                f.write(f"\n\\{written}-grams:\n".encode())
            _append_file(f, Path(part))
            if f.tell() - synced >= SYNC_BYTES:  # the disk starts writing what is done; nobody waits
                synced = _start_writeback(f, synced)
            bar.update(task.stop - task.start)
        while written < order:
            written += 1
            f.write(f"\n\\{written}-grams:\n".encode())
        f.write(b"\n\\end\\\n")


PART_LINES = 1 << 20  # lines of a part file at most: parts live seconds, so they are not written to disk
SYNC_BYTES = 64 << 20  # the ARPA file's writeback is started this often while being written, not all at the end


def _start_writeback(f, since: int) -> int:
    """Start writing bytes ``since..`` of ``f`` to disk without waiting (``POSIX_FADV_DONTNEED``
    queues the dirty pages for writeback and drops the clean ones): the final ``fsync`` then
    finds little left, and nothing here blocks the pieces' appending.  Returns the new mark."""
    f.flush()
    end = f.tell()
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        try:
            advise(f.fileno(), since, end - since, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass
    return end


def _append_file(f, part: Path) -> None:
    """Append the file ``part`` to the open file ``f`` (in the kernel where it can) and delete it."""
    append_file(f, part)
    part.unlink()


@dataclass(frozen=True)
class _LinesTask:
    folder: str
    vocab_size: int
    sizes: tuple[int, ...]
    n: int
    start: int
    stop: int
    block: int = 1 << 15


_WORDS_CACHE: dict[str, WordBytes] = {}


@phase_task()
def arpa_piece(task: _LinesTask) -> str:
    """Write the ARPA lines of order ``task.n`` entries ``start..stop-1`` to a part file (in any
    process); returns its path."""
    part = Path(task.folder) / f"arpa.{task.n}.{task.start}"
    with open(part, "wb") as out:
        for lo in range(task.start, task.stop, task.block):
            out.write(arpa_block(_LinesTask(task.folder, task.vocab_size, task.sizes, task.n, lo,
                                            min(lo + task.block, task.stop))))
    return str(part)


def arpa_block(task: _LinesTask) -> bytes:
    """The ARPA lines of order ``task.n`` entries ``start..stop-1`` (runs in any process)."""
    folder = Path(task.folder)
    tables = DiskTables(folder, task.vocab_size, np.zeros(0, np.int64), list(task.sizes), 0, 0)
    key = str(folder)
    if key not in _WORDS_CACHE:
        _WORDS_CACHE.clear()
        _WORDS_CACHE[key] = WordBytes.from_lines((folder / "words.txt").read_bytes())
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
    rows = np.empty((len(keys), n), np.int64)
    rows[:, :n - 1] = np.take(below, context - first, axis=0)  # (take: 10x a 2-d fancy index)
    rows[:, n - 1] = keys % V
    return rows
