"""AdaGrad on the rows a mini-batch touched.

GloVe trains with AdaGrad (Duchi, Hazan and Singer 2011): every coordinate keeps a sum ``G``
of squared gradients and steps by ``lr * g / sqrt(G)``.  A batch's gradient is nonzero on a
few rows only, so only those rows (and their sums) are read, updated and written back.  Two
variants, both adding the current gradient to ``G`` before dividing:

``"paper"``     ``G <- G + g^2``;           ``theta <- theta - lr * g / sqrt(G)``  (Duchi et al.)
``"stanford"``  ``G <- G + (lr * g)^2``;    ``theta <- theta - lr * g / sqrt(G)``

``"stanford"`` is Stanford GloVe's ``glove.c``, which accumulates the squared *step*: with
``G`` starting at 1 it is AdaGrad with learning rate 1 and initial sum ``1 / lr^2`` (400 for
lr 0.05), so its steps stay about ``lr * g`` until gradients have accumulated and are far
larger than ``"paper"``'s afterwards.  (``glove.c`` divides by ``G`` *before* adding the
current step; with one pair per step that makes no difference, but a mini-batch gradient sums
many pairs and its first, unnormalised step can diverge, so both variants here add first.)

``glove.c`` scales only the *vector* gradients by ``eta``: its bias step is ``g / sqrt(G)`` with
``G += g^2``, i.e. this rule with learning rate 1.  :class:`~wordnet_lm.glove.GloVe` therefore
gives the biases their own :class:`RowAdaGrad` (``bias_lr``, 1 by default with ``"stanford"``);
with the biases at ``lr`` instead, WordSim-353 rho at Stanford's settings drops from 0.28 to
0.26, in our trainer and in ``glove.c`` itself (docs/glove.md).
"""

from __future__ import annotations

import numpy as np

from wordnet_lm.errors import TrainingError

PIECE_ROWS = 1024  # rows updated at a time: the temporaries stay in L2 cache
VARIANTS = ("paper", "stanford")


class RowAdaGrad:
    """AdaGrad applied to selected rows of a parameter.

    Parameters
    ----------
    lr : float
        Learning rate (``eta``; 0.05 in GloVe).
    initial_accumulator : float, default 1.0
        Starting value of every squared-gradient sum (Stanford's code uses 1).
    variant : {"stanford", "paper"}, default "stanford"
        Update formula (module docstring).
    """

    def __init__(self, lr: float = 0.05, initial_accumulator: float = 1.0, variant: str = "stanford") -> None:
        if not lr > 0 or not np.isfinite(lr):
            raise TrainingError(f"learning rate must be a positive number, got {lr}")
        if not initial_accumulator > 0:
            raise TrainingError(f"initial_accumulator must be positive, got {initial_accumulator}")
        if variant not in VARIANTS:
            raise TrainingError(f"unknown AdaGrad variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        self.lr = float(lr)
        self.initial_accumulator = float(initial_accumulator)
        self.variant = variant

    def accumulator(self, param: np.ndarray) -> np.ndarray:
        """A fresh squared-gradient sum for ``param``."""
        return np.full_like(param, self.initial_accumulator)

    def update_rows(self, param: np.ndarray, accumulator: np.ndarray, rows: np.ndarray, block: np.ndarray,
                    grad: np.ndarray) -> None:
        """Update ``param[rows]`` in place given their gradient.

        Parameters
        ----------
        param, accumulator : ndarray
            The full parameter and its squared-gradient sum (same shape).
        rows : int array of distinct row numbers
        block : ndarray
            ``param[rows]``, already gathered by the caller (updated in place, then written back).
        grad : ndarray, the shape of ``block``
            The gradient of those rows (overwritten: used as scratch).
        """
        lr = block.dtype.type(self.lr)
        for first, stop in _pieces(len(rows)):
            r = rows[first:stop]
            g = grad[first:stop]
            acc = np.take(accumulator, r, axis=0)
            squares = np.multiply(g, g)
            if self.variant == "stanford":  # the squared step, not the squared gradient
                squares *= lr * lr
            acc += squares
            accumulator[r] = acc
            denominator = np.sqrt(acc, out=acc)
            g *= lr
            g /= denominator
            b = block[first:stop]
            b -= g
            param[r] = b


def _pieces(n: int, rows_per_piece: int = PIECE_ROWS) -> list[tuple[int, int]]:
    return [(k, min(k + rows_per_piece, n)) for k in range(0, n, rows_per_piece)]
