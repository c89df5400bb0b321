"""One-dimensional arrays in raw files, used a window at a time.

Sorted runs, merged tables and per-entry values of bigger-than-memory jobs live in plain
binary files (native byte order, no header).  They are read with ``np.fromfile`` at an
offset, not memory-mapped, so resident memory is what the windows in use take, whatever the
file sizes.  Random access goes through :meth:`DiskArray.gather`, :meth:`DiskArray.scatter_add`
and :meth:`SortedKeys.find`, which sort the requests and visit each window they touch once.
A :class:`PartedArray` reads consecutive files (each plus a constant) as one array, so that
pieces written by different tasks need not be copied into one file.
"""

from __future__ import annotations

import bisect
import os
from functools import cached_property
from pathlib import Path
from typing import Iterator

import numpy as np

WINDOW = 1 << 18  # entries read at once by random access (2 MB of int64)


class DiskArray:
    """A 1-d array of ``dtype`` stored in the raw file ``path`` (created empty by :meth:`create`)."""

    def __init__(self, path: str | os.PathLike, dtype: np.dtype | type) -> None:
        self.path = Path(path)
        self.dtype = np.dtype(dtype)

    @classmethod
    def create(cls, path: str | os.PathLike, dtype: np.dtype | type) -> "DiskArray":
        Path(path).write_bytes(b"")
        return cls(path, dtype)

    @classmethod
    def allocate(cls, path: str | os.PathLike, dtype: np.dtype | type, size: int) -> "DiskArray":
        """A file of ``size`` zero entries (sparse: nothing written), to be filled by
        :meth:`write_at` from any process."""
        with open(path, "wb") as f:
            f.truncate(size * np.dtype(dtype).itemsize)
        return cls(path, dtype)

    def write_at(self, lo: int, values: np.ndarray) -> None:
        """Entries ``lo..lo+len(values)-1`` = ``values`` (in place; the file exists)."""
        with open(self.path, "r+b") as f:
            f.seek(lo * self.dtype.itemsize)
            np.ascontiguousarray(values, self.dtype).tofile(f)

    @classmethod
    def from_array(cls, path: str | os.PathLike, values: np.ndarray) -> "DiskArray":
        values = np.ascontiguousarray(values)
        values.tofile(path)
        return cls(path, values.dtype)

    def __len__(self) -> int:
        return self.path.stat().st_size // self.dtype.itemsize

    def append(self, values: np.ndarray) -> None:
        with open(self.path, "ab") as f:
            np.ascontiguousarray(values, self.dtype).tofile(f)

    def writer(self) -> "_Appender":
        """``with array.writer() as w: w(values)...`` appends through one open file."""
        return _Appender(self)

    def read(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Entries ``lo..hi-1`` (a copy in memory)."""
        hi = len(self) if hi is None else hi
        if hi <= lo:
            return np.zeros(0, self.dtype)
        with open(self.path, "rb") as f:
            f.seek(lo * self.dtype.itemsize)
            return np.fromfile(f, self.dtype, hi - lo)

    def blocks(self, size: int, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, entries)`` of consecutive blocks of ``size`` entries."""
        hi = len(self) if hi is None else hi
        with open(self.path, "rb") as f:
            f.seek(lo * self.dtype.itemsize)
            for start in range(lo, hi, size):
                yield start, np.fromfile(f, self.dtype, min(size, hi - start))

    def searchsorted(self, value: int, side: str = "left") -> int:
        """Where ``value`` goes in the sorted array (pages touched: the binary search's)."""
        if len(self) == 0:
            return 0
        return int(np.searchsorted(np.memmap(self.path, self.dtype, mode="r"), value, side=side))

    def every(self, step: int) -> np.ndarray:
        """Entries ``0, step, 2 * step, ...`` (a sparse index; pages touched: one an entry)."""
        if len(self) == 0:
            return np.zeros(0, self.dtype)
        return np.array(np.memmap(self.path, self.dtype, mode="r")[::step])

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def gather(self, idx: np.ndarray, window: int = WINDOW) -> np.ndarray:
        """``array[idx]`` for any indices, reading each window that holds one of them once."""
        idx = np.asarray(idx, np.int64)
        out = np.empty(len(idx), self.dtype)
        if len(idx) == 0:
            return out
        lo, hi = int(idx.min()), int(idx.max()) + 1
        if hi - lo <= 4 * max(window, len(idx)):  # one read covers them
            return self.read(lo, hi)[idx - lo]
        order = np.argsort(idx, kind="stable")
        ordered = idx[order]
        cuts = np.flatnonzero(np.diff(ordered // window)) + 1
        with open(self.path, "rb") as f:
            for a, b in zip(np.concatenate([[0], cuts]).tolist(), np.concatenate([cuts, [len(idx)]]).tolist()):
                first, last = int(ordered[a]), int(ordered[b - 1])
                f.seek(first * self.dtype.itemsize)
                chunk = np.fromfile(f, self.dtype, last - first + 1)
                out[order[a:b]] = chunk[ordered[a:b] - first]
        return out

    def scatter_add(self, idx: np.ndarray, values: np.ndarray, window: int = WINDOW) -> None:
        """``array[idx] += values`` (repeated indices add up), window by window."""
        idx = np.asarray(idx, np.int64)
        if len(idx) == 0:
            return
        order = np.argsort(idx, kind="stable")
        ordered, vals = idx[order], np.asarray(values)[order]
        cuts = np.flatnonzero(np.diff(ordered // window)) + 1
        with open(self.path, "r+b") as f:
            for a, b in zip(np.concatenate([[0], cuts]).tolist(), np.concatenate([cuts, [len(idx)]]).tolist()):
                first, last = int(ordered[a]), int(ordered[b - 1])
                f.seek(first * self.dtype.itemsize)
                chunk = np.fromfile(f, self.dtype, last - first + 1)
                np.add.at(chunk, ordered[a:b] - first, vals[a:b])
                f.seek(first * self.dtype.itemsize)
                chunk.tofile(f)


class SplitKeys:
    """Sorted non-negative int64 keys stored in half the bytes: the low 32 bits of each key in
    ``{path}`` (uint32), and in ``{path}.hi`` (int64 pairs) each high-bits value present with
    the position where its keys start (sorted keys of a run have a few hundred).  Read back as
    int64 (:meth:`read`), searched in place (:meth:`searchsorted`)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.high_path = Path(f"{self.path}.hi")

    @classmethod
    def write(cls, path: str | os.PathLike, keys: np.ndarray) -> "SplitKeys":
        """Write the sorted ``keys`` (``>= 0``); returns the reader."""
        split = cls(path)
        high = keys >> 32
        starts = np.concatenate([[0], np.flatnonzero(high[1:] != high[:-1]) + 1]) if len(keys) else \
            np.zeros(0, np.int64)
        np.stack([high[starts], starts], axis=1).astype(np.int64).tofile(split.high_path)
        keys.astype(np.uint32).tofile(split.path)  # (the low bits: a cast keeps them)
        return split

    def files(self) -> list[Path]:
        return [self.path, self.high_path]

    @cached_property
    def _highs(self) -> tuple[np.ndarray, np.ndarray]:
        """The high values present and where each starts, with the end (the size) appended (read
        once: the files are written once, by :meth:`write`)."""
        pairs = np.fromfile(self.high_path, np.int64).reshape(-1, 2)
        size = self.path.stat().st_size // 4
        return pairs[:, 0], np.append(pairs[:, 1], size)

    def __len__(self) -> int:
        return self.path.stat().st_size // 4

    def read(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Keys ``lo..hi-1`` as int64 (a copy in memory)."""
        hi = len(self) if hi is None else hi
        if hi <= lo:
            return np.zeros(0, np.int64)
        keys = DiskArray(self.path, np.uint32).read(lo, hi).astype(np.int64)
        highs, starts = self._highs
        k = int(np.searchsorted(starts, lo, side="right")) - 1  # the stretch holding key lo
        while k < len(highs) and starts[k] < hi:
            if highs[k]:
                keys[max(int(starts[k]), lo) - lo:min(int(starts[k + 1]), hi) - lo] += int(highs[k]) << 32
            k += 1
        return keys

    def searchsorted(self, value: int, side: str = "left") -> int:
        """Where ``value`` goes among the keys (reads the lows of one high value's stretch)."""
        highs, starts = self._highs
        k = int(np.searchsorted(highs, value >> 32))  # the first stretch not below value's
        if k == len(highs) or highs[k] != value >> 32:  # no key has value's high bits
            return int(starts[k])
        begin, end = int(starts[k]), int(starts[k + 1])
        lows = np.memmap(self.path, np.uint32, mode="r")[begin:end]
        return begin + int(np.searchsorted(lows, np.uint32(value & 0xFFFFFFFF), side=side))


class PartedArray:
    """Files read as one 1-d array: ``parts[0]`` then ``parts[1]``..., each part's entries plus
    its ``shifts`` entry (e.g. merged ranges of n-gram keys, each numbered from 0, made global
    on read).  Read-only: :meth:`read`, :meth:`blocks`, :meth:`searchsorted` (of a sorted
    whole), :meth:`every`, as :class:`DiskArray`."""

    def __init__(self, parts: list[DiskArray], shifts: list[int] | None = None,
                 sizes: list[int] | None = None) -> None:
        self.parts = list(parts)
        self.shifts = [0] * len(self.parts) if shifts is None else [int(s) for s in shifts]
        sizes = [len(part) for part in self.parts] if sizes is None else [int(s) for s in sizes]
        self.starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).tolist()
        self.dtype = self.parts[0].dtype if self.parts else np.dtype(np.int64)

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, where: int | slice) -> np.ndarray | np.generic:
        """``array[i]`` or ``array[lo:hi]`` (contiguous slices only), as of a memory map."""
        if isinstance(where, slice):
            lo, hi, step = where.indices(len(self))
            if step != 1:
                raise IndexError("a parted array is sliced with step 1 only")
            return self.read(lo, max(lo, hi))
        i = int(where) + (len(self) if int(where) < 0 else 0)
        if not 0 <= i < len(self):
            raise IndexError(f"index {where} is out of bounds for size {len(self)}")
        return self.read(i, i + 1)[0]

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        values = self.read()
        return values if dtype is None else values.astype(dtype, copy=False)

    def _spans(self, lo: int, hi: int):
        """``(part, shift, part_lo, part_hi)`` of each part entries ``lo..hi-1`` overlap."""
        k = max(bisect.bisect_right(self.starts, lo) - 1, 0)
        while k < len(self.parts) and self.starts[k] < hi:
            start, stop = self.starts[k], self.starts[k + 1]
            if stop > lo:
                yield self.parts[k], self.shifts[k], max(lo, start) - start, min(hi, stop) - start
            k += 1

    def read(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Entries ``lo..hi-1`` (a copy in memory)."""
        hi = len(self) if hi is None else min(hi, len(self))
        pieces = []
        for part, shift, a, b in self._spans(lo, hi):
            values = part.read(a, b)
            if shift:
                values += shift
            pieces.append(values)
        if not pieces:
            return np.zeros(0, self.dtype)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def blocks(self, size: int, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, entries)`` of consecutive blocks of ``size`` entries."""
        hi = len(self) if hi is None else hi
        for start in range(lo, hi, size):
            yield start, self.read(start, min(start + size, hi))

    def searchsorted(self, value: int, side: str = "left") -> int:
        """Where ``value`` goes in the (sorted) whole: in the first part whose last entry is not
        below it (``side="right"``: above it)."""
        for part, shift, start, stop in zip(self.parts, self.shifts, self.starts[:-1], self.starts[1:]):
            if stop == start:
                continue
            last = int(part.read(stop - start - 1, stop - start)[0]) + shift
            if last > value or (last == value and side == "left"):
                return start + part.searchsorted(value - shift, side)
        return len(self)

    def every(self, step: int) -> np.ndarray:
        """Entries ``0, step, 2 * step, ...``."""
        pieces = []
        for part, shift, start, stop in zip(self.parts, self.shifts, self.starts[:-1], self.starts[1:]):
            first = -start % step  # the part's first wanted entry
            if first < stop - start:
                values = np.array(np.memmap(part.path, part.dtype, mode="r")[first:stop - start:step])
                pieces.append(values + shift if shift else values)
        return np.concatenate(pieces) if pieces else np.zeros(0, self.dtype)

    def remove(self) -> None:
        for part in self.parts:
            part.remove()


class _Appender:
    def __init__(self, array: DiskArray) -> None:
        self.array = array
        self.file = None

    def __enter__(self) -> "_Appender":
        self.file = open(self.array.path, "ab")
        return self

    def __call__(self, values: np.ndarray) -> None:
        np.ascontiguousarray(values, self.array.dtype).tofile(self.file)

    def __exit__(self, *exc: object) -> None:
        self.file.close()


class SortedKeys:
    """A sorted int64 :class:`DiskArray` with a sparse in-memory index (every ``window``-th key),
    so sorted searches read only the windows they land in."""

    def __init__(self, array: DiskArray, window: int = WINDOW, sparse: np.ndarray | None = None) -> None:
        self.array = array
        self.window = window
        self.size = len(array)
        if sparse is None:  # (``sparse`` given: the index built once elsewhere, e.g. by another process)
            sparse = np.concatenate([block[:1] for _, block in array.blocks(window)]) if self.size else \
                np.zeros(0, np.int64)
        self.sparse = sparse

    def find(self, queries: np.ndarray) -> np.ndarray:
        """The position of each query among the keys (-1 where absent)."""
        queries = np.asarray(queries, np.int64)
        out = np.full(len(queries), -1, np.int64)
        if self.size == 0 or len(queries) == 0:
            return out
        which = np.searchsorted(self.sparse, queries, side="right") - 1  # the window that may hold it
        order = np.argsort(which, kind="stable")
        ordered = which[order]
        cuts = np.flatnonzero(np.diff(ordered)) + 1
        for a, b in zip(np.concatenate([[0], cuts]).tolist(), np.concatenate([cuts, [len(order)]]).tolist()):
            w = int(ordered[a])
            if w < 0:
                continue
            lo = w * self.window
            keys = self.array.read(lo, min(lo + self.window, self.size))
            q = queries[order[a:b]]
            at = np.searchsorted(keys, q)
            hit = at < len(keys)
            hit[hit] = keys[at[hit]] == q[hit]
            out[order[a:b]] = np.where(hit, at + lo, -1)
        return out
