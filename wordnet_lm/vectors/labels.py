"""Label placement for word maps: move overlapping text boxes apart, near their points.

A t-SNE map packs similar words together, so labels drawn at their points cover each other.
:func:`spread_labels` treats each label as a rectangle (in pixels) and repeatedly pushes every
overlapping pair apart along the axis where they overlap least, both boxes moving, while a label
clear of the others drifts back towards its point (ever more weakly, so the rounds settle).
Vectorised over all pairs: a few hundred labels take about a second.
"""

from __future__ import annotations

import numpy as np


def overlap_area(corners: np.ndarray, sizes: np.ndarray) -> float:
    """Total area covered twice: the sum over pairs of boxes of their intersection (pixels^2).

    ``corners`` are the lower-left corners, ``sizes`` widths and heights, both shape (n, 2).
    """
    ox, oy = _overlaps(np.asarray(corners, np.float64), np.asarray(sizes, np.float64), pad=0.0)
    both = (ox > 0) & (oy > 0)
    return float(np.triu(np.where(both, ox * oy, 0.0), 1).sum())


def spread_labels(anchors: np.ndarray, sizes: np.ndarray, bounds: tuple[float, float, float, float] | None = None,
                  offset: tuple[float, float] = (2.0, 2.0), pad: float = 1.0, iterations: int = 400,
                  pull: float = 0.02) -> np.ndarray:
    """Lower-left corners for labels of ``sizes`` near ``anchors`` with (almost) no overlaps.

    Parameters
    ----------
    anchors : array, shape (n, 2)
        The points the labels belong to, in pixels.
    sizes : array, shape (n, 2)
        Label widths and heights in pixels.
    bounds : (x0, y0, x1, y1), optional
        Keep every box inside this rectangle.
    offset : (dx, dy)
        Where a label starts relative to its point (up and right of it).
    pad : float
        Minimum gap between boxes, pixels.
    iterations : int
        At most this many rounds of pushes (stops early once nothing overlaps).
    pull : float
        Fraction of the way back to its start a label clear of the others moves in the first
        round (decreasing linearly to 0 in the last).

    Returns
    -------
    corners : ndarray, shape (n, 2)
        Deterministic: equal inputs, equal placement.
    """
    anchors = np.asarray(anchors, np.float64).reshape(-1, 2)
    sizes = np.asarray(sizes, np.float64).reshape(-1, 2)
    start = anchors + np.asarray(offset, np.float64)
    corners = start.copy()
    n = len(corners)
    if n < 2:
        return _clip(corners, sizes, bounds)
    order = np.arange(n)
    tie = np.where(order[:, None] > order[None, :], 1.0, -1.0)  # coincident boxes split by index
    for round_ in range(iterations):
        ox, oy = _overlaps(corners, sizes, pad)
        hit = (ox > 0) & (oy > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        centres = corners + sizes / 2
        dx = centres[:, None, 0] - centres[None, :, 0]
        dy = centres[:, None, 1] - centres[None, :, 1]
        sign_x = np.where(dx != 0, np.sign(dx), tie)
        sign_y = np.where(dy != 0, np.sign(dy), tie)
        along_x = hit & (ox <= oy)
        along_y = hit & ~along_x
        move = np.stack([np.where(along_x, ox * sign_x, 0.0).sum(axis=1),
                         np.where(along_y, oy * sign_y, 0.0).sum(axis=1)], axis=1)
        free = ~hit.any(axis=1, keepdims=True)  # only labels clear of the others drift back, ever less
        back = np.where(free, pull * (1 - round_ / iterations), 0.0) * (start - corners)
        # each box of a pair moves 3/4 of their overlap: they end up clear even if neighbours push back
        corners += 0.75 * move + back
        corners = _clip(corners, sizes, bounds)
    return corners


def _overlaps(corners: np.ndarray, sizes: np.ndarray, pad: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise overlap lengths along x and y (positive = overlapping by that much, plus ``pad``)."""
    lo, hi = corners, corners + sizes
    ox = np.minimum(hi[:, None, 0], hi[None, :, 0]) - np.maximum(lo[:, None, 0], lo[None, :, 0]) + pad
    oy = np.minimum(hi[:, None, 1], hi[None, :, 1]) - np.maximum(lo[:, None, 1], lo[None, :, 1]) + pad
    return ox, oy


def _clip(corners: np.ndarray, sizes: np.ndarray, bounds) -> np.ndarray:
    if bounds is None:
        return corners
    x0, y0, x1, y1 = bounds
    return np.stack([np.clip(corners[:, 0], x0, np.maximum(x0, x1 - sizes[:, 0])),
                     np.clip(corners[:, 1], y0, np.maximum(y0, y1 - sizes[:, 1]))], axis=1)
