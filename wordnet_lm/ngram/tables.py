"""A language model in backoff form, the form every smoothing method is estimated into and the
ARPA format stores: for each stored n-gram ``h w`` the full probability ``log p(w | h)``, and
for each stored context ``h`` a backoff weight.  For any history::

    log p(w | h) = log p(w | h_m)  +  sum of log backoff(h_j) for the stored contexts h_j, j > m

where ``h_j`` is the last ``j`` words of ``h`` and ``h_m w`` the longest stored n-gram ending
with ``w``.  Interpolated models fit exactly: the backoff of a context is its interpolation
weight and a context never seen has none (weight 1).  Logarithms here are natural.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wordnet_lm.ngram.index import NgramIndex


@dataclass
class BackoffTables:
    """Log probabilities and log backoff weights aligned with the entries of ``index``.

    ``log_prob[n-1][i]`` is ``log p(w | h)`` for order ``n`` entry ``i = h w``;
    ``log_backoff[n-1][i]`` the log backoff weight of entry ``i`` used as a context (0 for
    entries that are no context, and for the highest order).
    """

    index: NgramIndex
    log_prob: list[np.ndarray]
    log_backoff: list[np.ndarray]

    @property
    def order(self) -> int:
        return self.index.order

    @property
    def vocab_size(self) -> int:
        return self.index.vocab_size

    def score_rows(self, rows: np.ndarray) -> np.ndarray:
        """``log p(last word | the words before it)`` for each row of word ids.

        Parameters
        ----------
        rows : ndarray of int, shape (m, L)
            Histories followed by the predicted word; ``-1`` pads short histories on the left.
            Only the last ``order - 1`` history words matter.

        Returns
        -------
        ndarray of float64, shape (m,)
        """
        rows = np.asarray(rows, np.int64)
        if rows.ndim != 2 or rows.shape[1] == 0:
            raise ValueError("rows must be a non-empty 2-d array of word ids")
        width = min(self.order, rows.shape[1])
        rows = rows[:, rows.shape[1] - width:]
        grams, contexts = [], []
        for length in range(1, width + 1):  # the n-gram of this length ending at the last column
            found = self.index.find(1, None, rows[:, width - length])
            for j in range(1, length):
                context = found
                found = self.index.find(j + 1, found, rows[:, width - length + j])
            grams.append(found)
            contexts.append(context if length > 1 else None)
        return self._combine(grams, contexts)

    def score_stream(self, stream: np.ndarray, history: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """``log p`` of the word at each of ``positions`` of a stream of segments (sentences),
        given the words before it in its segment.

        Parameters
        ----------
        stream : ndarray of int
            Word ids, segment after segment (e.g. ``<s> w1 .. wk </s>`` per sentence).
        history : ndarray of int
            For each position, the number of words before it in its segment.
        positions : ndarray of int
            The positions to score.

        Notes
        -----
        The index of the n-gram *starting* at every position is computed once per order
        (``order`` lookups in all), and shared by the predictions it serves.
        """
        stream = np.asarray(stream, np.int64)
        size = len(stream)
        starting = [self.index.find(1, None, stream)]  # starting[k][t]: the (k+1)-gram starting at t
        for k in range(1, self.order):
            previous = starting[-1]
            ok = np.flatnonzero(previous[:size - k] >= 0)
            ok = ok[history[ok + k] >= k]  # the (k+1)-gram stays inside its segment
            current = np.full(size, -1, np.int64)
            current[ok] = self.index.find(k + 1, previous[ok], stream[ok + k])
            starting.append(current)
        positions = np.asarray(positions, np.int64)
        reach = history[positions]
        grams, contexts = [], []
        for length in range(1, self.order + 1):
            start = np.maximum(positions - (length - 1), 0)
            inside = reach >= length - 1
            grams.append(np.where(inside, starting[length - 1][start], -1))
            contexts.append(np.where(inside, starting[length - 2][start], -1) if length > 1 else None)
        return self._combine(grams, contexts)

    def _combine(self, grams: list[np.ndarray], contexts: list[np.ndarray | None]) -> np.ndarray:
        """Backoff rule: ``grams[L-1]`` indexes the L-gram ending with the predicted word in order
        L and ``contexts[L-1]`` its context in order L-1 (-1: not stored); the longest stored
        n-gram's probability plus the backoff weights of all longer stored contexts.  Each value is
        read only where it is used (one random read per prediction for the probability, the
        backoffs only where a context is stored beyond the longest n-gram), and added in the
        same order as ``best + where(add, backoff, 0.0)`` order after order: the same bits."""
        best_length = np.zeros(len(grams[0]), np.int8)
        for length, found in enumerate(grams, start=1):  # longer n-grams overwrite shorter ones
            best_length[found >= 0] = length
        best = np.full(len(grams[0]), np.nan)
        for length, found in enumerate(grams, start=1):
            at = np.flatnonzero(best_length == length)
            if len(at):
                best[at] = _gather(self.log_prob[length - 1], found[at])
        term = np.zeros(len(best))
        for length in range(2, len(grams) + 1):
            at = np.flatnonzero((contexts[length - 1] >= 0) & (best_length < length))
            term[at] = _gather(self.log_backoff[length - 2], contexts[length - 1][at])
            best += term
            term[at] = 0.0
        return best

    def log_distribution(self, history: np.ndarray) -> np.ndarray:
        """``log p(w | history)`` for every word id ``w`` (one history, ids, oldest first)."""
        history = np.asarray(history, np.int64)[len(history) - min(len(history), self.order - 1):]
        out = self.log_prob[0].copy()
        for j in range(1, len(history) + 1):
            context = self.index.find_rows(history[None, len(history) - j:])[0]
            if context < 0:
                continue
            out += self.log_backoff[j - 1][context]
            lo, hi = self.index.context_range(j + 1, int(context))
            out[self.index.words[j][lo:hi]] = self.log_prob[j][lo:hi]
        return out

    def nbytes(self) -> int:
        return self.index.nbytes() + sum(a.nbytes for a in self.log_prob + self.log_backoff)


def _gather(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]`` where ``index >= 0``; anything where it is -1 (reads the last entry: the
    caller discards it), zeros if ``values`` is empty."""
    return values.take(index) if len(values) else np.zeros(len(index))
