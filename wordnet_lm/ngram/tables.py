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
        best = np.full(len(rows), np.nan)
        best_length = np.zeros(len(rows), np.int64)  # length of the longest stored n-gram found
        backoffs = []  # backoffs[j-1]: log backoff of the context of length j (0 if not stored)
        for length in range(1, width + 1):
            start = width - length
            found = self.index.find(1, None, rows[:, start])
            for j in range(1, length):
                if j == length - 1:
                    context = found
                found = self.index.find(j + 1, found, rows[:, start + j])
            if length > 1:
                backoff = np.zeros(len(rows))
                stored = context >= 0
                backoff[stored] = self.log_backoff[length - 2][context[stored]]
                backoffs.append(backoff)
            hit = found >= 0
            best[hit] = self.log_prob[length - 1][found[hit]]
            best_length[hit] = length
        for j, backoff in enumerate(backoffs, start=1):
            best = np.where(best_length <= j, best + backoff, best)
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
