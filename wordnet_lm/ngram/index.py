"""Sorted tables of distinct n-grams, addressed by (prefix index, last word) keys.

Order 1 is dense: entry ``w`` is word ``w``.  An n-gram of order ``n >= 2`` is stored as its
*context* (the index of its first ``n - 1`` words in the order ``n - 1`` table) and its last
*word*; the entries of an order are sorted by ``key = context * vocab_size + word``.  So the
key of any n-gram fits in an int64 whatever the order (a trie in flat arrays), entries sharing
a context are contiguous, and looking n-grams up is ``np.searchsorted`` on the keys.
"""

from __future__ import annotations

import numpy as np


class RowLookup:
    """``find_rows`` for any index with ``find(n, context, word)`` (sorted or hashed)."""

    def find(self, n: int, context: np.ndarray | None, word: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def find_rows(self, rows: np.ndarray) -> np.ndarray:
        """Index of each row of word ids ``rows`` (shape ``(m, n)``) in order ``n``; -1 if absent."""
        rows = np.asarray(rows, np.int64)
        found = self.find(1, None, rows[:, 0])
        for j in range(1, rows.shape[1]):
            found = self.find(j + 1, found, rows[:, j])
        return found


class NgramIndex(RowLookup):
    """The distinct n-grams of orders ``1..order`` over a vocabulary of ``vocab_size`` ids.

    Parameters
    ----------
    vocab_size : int
        Number of word ids (order 1 holds all of them).
    contexts, words : list of ndarray
        For orders ``2..order``: the context index (int64) and last word (int32) of every
        entry, sorted by key, without duplicates.
    suffixes : list of ndarray, optional
        For orders ``2..order``, if known: see :meth:`suffixes` (otherwise looked up).
    """

    def __init__(self, vocab_size: int, contexts: list[np.ndarray], words: list[np.ndarray],
                 suffixes: list[np.ndarray] | None = None) -> None:
        self.vocab_size = int(vocab_size)
        self.contexts = [np.zeros(vocab_size, np.int64)] + [np.asarray(c, np.int64) for c in contexts]
        self.words = [np.arange(vocab_size, dtype=np.int32)] + [np.asarray(w, np.int32) for w in words]
        self.keys = [np.arange(vocab_size, dtype=np.int64)] + [
            c * self.vocab_size + w for c, w in zip(self.contexts[1:], self.words[1:])]
        self._suffixes: dict[int, np.ndarray] = dict(enumerate(suffixes or [], start=2))

    @classmethod
    def from_keys(cls, vocab_size: int, keys: list[np.ndarray],
                  suffixes: list[np.ndarray] | None = None) -> "NgramIndex":
        """Index from the sorted unique keys of orders ``2..order``."""
        return cls(vocab_size, [k // vocab_size for k in keys], [k % vocab_size for k in keys], suffixes)

    @property
    def order(self) -> int:
        return len(self.keys)

    def size(self, n: int) -> int:
        """Number of entries of order ``n`` (1-based)."""
        return len(self.keys[n - 1])

    def sizes(self) -> list[int]:
        return [len(k) for k in self.keys]

    # ------------------------------------------------------------------ lookups
    def find(self, n: int, context: np.ndarray, word: np.ndarray) -> np.ndarray:
        """Indices in order ``n`` of the n-grams ``(context, word)``; -1 where absent.

        ``context`` holds order ``n - 1`` indices (ignored for ``n == 1``); a negative context
        or word (absent, no word) gives -1.
        """
        word = np.asarray(word, np.int64)
        if n == 1:
            return np.where((word >= 0) & (word < self.vocab_size), word, -1)
        context = np.asarray(context, np.int64)
        ok = (context >= 0) & (word >= 0)
        query = np.where(ok, context * self.vocab_size + word, -1)
        keys = self.keys[n - 1]
        at = np.searchsorted(keys, query)
        hit = ok & (at < len(keys))
        hit[hit] = keys[at[hit]] == query[hit]
        return np.where(hit, at, -1)

    def context_range(self, n: int, context: int) -> tuple[int, int]:
        """The slice of order ``n`` entries whose context is the order ``n - 1`` entry ``context``."""
        keys = self.keys[n - 1]
        lo = int(np.searchsorted(keys, context * self.vocab_size))
        hi = int(np.searchsorted(keys, (context + 1) * self.vocab_size))
        return lo, hi

    # ------------------------------------------------------------------ derived arrays
    def suffixes(self, n: int) -> np.ndarray:
        """For every order ``n`` entry ``w1..wn`` (``n >= 2``), the order ``n - 1`` index of
        ``w2..wn`` (-1 where that n-gram is absent, which counted tables never have)."""
        if n not in self._suffixes:
            if n == 2:
                suffix = self.words[1].astype(np.int64)
            else:
                suffix = self.find(n - 1, self.suffixes(n - 1)[self.contexts[n - 1]], self.words[n - 1])
            self._suffixes[n] = suffix
        return self._suffixes[n]

    def first_words(self, n: int) -> np.ndarray:
        """The first word of every order ``n`` entry."""
        first = self.words[0]
        for m in range(2, n + 1):
            first = first[self.contexts[m - 1]]
        return first

    def rows(self, n: int) -> np.ndarray:
        """All order ``n`` entries as an ``(size(n), n)`` matrix of word ids."""
        out = np.empty((self.size(n), n), np.int32)
        position = np.arange(self.size(n))
        for m in range(n, 0, -1):
            out[:, m - 1] = self.words[m - 1][position]
            position = self.contexts[m - 1][position]
        return out

    def nbytes(self) -> int:
        return sum(a.nbytes for arrays in (self.contexts, self.words, self.keys) for a in arrays)
