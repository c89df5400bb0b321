"""Pictures of word vectors: 2-D maps (t-SNE or PCA) and analogy pairs as arrows.

Figures are drawn on matplotlib's Agg canvas (no display, no global pyplot state) and saved
as PNG, SVG or PDF by the output file's suffix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from wordnet_lm.errors import UnknownWordError, WordnetLMError
from wordnet_lm.extras import require
from wordnet_lm.io import atomic_write
from wordnet_lm.text.vocab import SPECIALS
from wordnet_lm.vectors.keyed import KeyedVectors
from wordnet_lm.vectors.labels import spread_labels

PROJECTIONS = ("tsne", "pca")
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


# --------------------------------------------------------------------------- projections
def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Coordinates on the first two principal axes (centred data); shape (n, 2).

    Many more rows than columns (a map of 20,000 words): the axes are the top eigenvectors of
    the d x d scatter matrix, 15x faster than the SVD of the n x d data; otherwise the SVD.
    """
    centred = np.asarray(vectors, np.float64)
    centred = centred - centred.mean(axis=0)
    if centred.shape[0] > 4 * centred.shape[1] and centred.shape[1] >= 2:
        _, axes = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
        return centred @ axes[:, [-1, -2]]
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    coords = u[:, :2] * s[:2]
    if coords.shape[1] < 2:  # one-dimensional data
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    return coords


def tsne_2d(vectors: np.ndarray, perplexity: float = 30.0, seed: int = 0) -> np.ndarray:
    """scikit-learn t-SNE of the unit vectors (so distances follow cosines); shape (n, 2).

    ``perplexity`` is clipped to ``n - 1`` for few points (t-SNE needs it below ``n``).  Runs
    on one OpenMP thread: for the few hundred points of a picture, more threads only add
    synchronisation (4x slower on a busy two-core machine).
    """
    TSNE = require("sklearn.manifold", "plot", "t-SNE").TSNE
    from threadpoolctl import threadpool_limits

    vectors = np.asarray(vectors, np.float64)
    n = len(vectors)
    if n < 2:
        raise WordnetLMError("a map needs at least two words")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    units = vectors / np.where(norms > 0, norms, 1.0)
    perplexity = float(min(perplexity, n - 1))
    if perplexity <= 0:
        raise WordnetLMError(f"perplexity must be positive, got {perplexity}")
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", learning_rate="auto", random_state=seed)
    with threadpool_limits(limits=1, user_api="openmp"):
        return tsne.fit_transform(units)


def project(vectors: np.ndarray, method: str = "tsne", perplexity: float = 30.0, seed: int = 0) -> np.ndarray:
    """2-D coordinates by ``method`` ("tsne" or "pca")."""
    if method == "tsne":
        return tsne_2d(vectors, perplexity, seed)
    if method == "pca":
        if len(vectors) < 2:
            raise WordnetLMError("a map needs at least two words")
        return pca_2d(vectors)
    raise WordnetLMError(f"unknown projection {method!r}; choose one of {', '.join(PROJECTIONS)}")


# --------------------------------------------------------------------------- choosing words
def top_words(kv: KeyedVectors, n: int) -> list[str]:
    """The ``n`` first (most frequent) words, ``<unk>``, ``<s>``, ``</s>`` left out."""
    return [w for w in kv.index_to_key[: n + len(SPECIALS)] if w not in SPECIALS][:n]


def resolve_words(kv: KeyedVectors, words: Sequence[str]) -> list[str]:
    """Vocabulary spelling of each word (exact, else most frequent case variant); raises
    :class:`UnknownWordError` naming every missing word."""
    found, missing = [], []
    for w in words:
        try:
            found.append(kv.resolve(w))
        except UnknownWordError:
            missing.append(w)
    if missing:
        raise UnknownWordError(f"not in the vectors' vocabulary: {', '.join(missing)}")
    return list(dict.fromkeys(found))


def analogy_pairs(questions: Sequence[tuple[str, str, str, str]], kv: KeyedVectors,
                  max_pairs: int = 20) -> list[tuple[str, str]]:
    """Distinct (a, b) and (c, d) pairs of analogy questions whose words ``kv`` knows
    (case variants resolved), at most ``max_pairs``, in file order."""
    pairs: dict[tuple[str, str], None] = {}
    for a, b, c, d in questions:
        for pair in ((a, b), (c, d)):
            try:
                pairs[(kv.resolve(pair[0]), kv.resolve(pair[1]))] = None
            except UnknownWordError:
                continue
            if len(pairs) == max_pairs:
                return list(pairs)
    return list(pairs)


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """``"paris:france,london:england"`` -> ``[("paris", "france"), ("london", "england")]``."""
    pairs = []
    for item in filter(None, (s.strip() for s in text.split(","))):
        left, sep, right = item.partition(":")
        if not sep or not left or not right or ":" in right:
            raise WordnetLMError(f"bad pair {item!r}: expected word:word")
        pairs.append((left, right))
    if not pairs:
        raise WordnetLMError("no pairs given: expected word:word,word:word,...")
    return pairs


# --------------------------------------------------------------------------- drawing
def plot_words(
    kv: KeyedVectors,
    words: Sequence[str],
    out: str | os.PathLike,
    method: str = "tsne",
    perplexity: float = 30.0,
    seed: int = 0,
    title: str | None = None,
) -> Path:
    """Draw ``words`` on a 2-D map, each as a dot and its label.

    Parameters
    ----------
    kv : KeyedVectors
    words : sequence of str
        At least two known words.
    out : path
        ``.png``, ``.svg`` or ``.pdf``.
    method : {"tsne", "pca"}
    perplexity : float
        t-SNE perplexity (clipped to ``len(words) - 1``).
    seed : int
        t-SNE random state.
    title : str, optional

    Returns
    -------
    Path of the written file.
    """
    out = _check_out(out)
    words = list(words)
    coords = project(kv[words], method, perplexity, seed)
    fig, ax = _figure(len(words))
    ax.scatter(coords[:, 0], coords[:, 1], s=6, color="tab:blue", alpha=0.6)
    ax.set_title(title or f"{len(words)} words, {'t-SNE' if method == 'tsne' else 'PCA'}")
    _finish(ax)
    _draw_labels(fig, ax, coords, words, _font_size(len(words)), ["black"] * len(words))
    return _save(fig, out)


def plot_pairs(kv: KeyedVectors, pairs: Sequence[tuple[str, str]], out: str | os.PathLike,
               title: str | None = None) -> Path:
    """Project the words of ``pairs`` with PCA and draw an arrow from each first word to its
    partner (``paris -> france``), the picture of Mikolov et al.'s analogy figure."""
    out = _check_out(out)
    pairs = list(pairs)
    if not pairs:
        raise WordnetLMError("no pairs to draw")
    words = list(dict.fromkeys(w for pair in pairs for w in pair))
    if len(words) < 2:
        raise WordnetLMError("a pair picture needs at least two distinct words")
    coords = dict(zip(words, pca_2d(kv.normed_vectors[[kv.get_index(w) for w in words]])))
    fig, ax = _figure(len(words))
    firsts = {a for a, _ in pairs}
    for a, b in pairs:
        ax.annotate("", xy=coords[b], xytext=coords[a],
                    arrowprops=dict(arrowstyle="->", color="0.55", lw=0.9, shrinkA=3, shrinkB=3))
    colors = ["tab:blue" if word in firsts else "tab:red" for word in words]
    points = np.array([coords[w] for w in words])
    ax.scatter(points[:, 0], points[:, 1], s=10, color=colors)
    ax.set_title(title or f"{len(pairs)} pairs, PCA")
    _finish(ax)
    _draw_labels(fig, ax, points, words, _font_size(len(words)) + 1, colors)
    return _save(fig, out)


def _draw_labels(fig, ax, points: np.ndarray, words: Sequence[str], size: float, colors: Sequence[str]) -> None:
    """Write each word beside its point, labels moved apart where they would overlap
    (:func:`~wordnet_lm.vectors.labels.spread_labels`); a thin line joins a moved label to its point."""
    LineCollection = require("matplotlib.collections", "plot", "drawing a map").LineCollection

    fig.tight_layout()  # fixes the axes' place, so pixel positions below stay valid
    texts = [ax.text(x, y, word, fontsize=size, color=color, ha="left", va="bottom")
             for (x, y), word, color in zip(points, words, colors)]
    renderer = fig.canvas.get_renderer()
    extents = [t.get_window_extent(renderer) for t in texts]
    sizes = np.array([[e.width, e.height] for e in extents])
    to_pixels = ax.transData
    anchors = to_pixels.transform(points)
    box = ax.get_window_extent(renderer)
    gap = 2.0 * fig.dpi / 72  # two points
    corners = spread_labels(anchors, sizes, bounds=(box.x0, box.y0, box.x1, box.y1), offset=(gap, gap))
    to_data = to_pixels.inverted()
    for text, corner in zip(texts, to_data.transform(corners)):
        text.set_position(corner)
    moved = np.linalg.norm(corners - (anchors + gap), axis=1) > 2 * gap
    if moved.any():  # lead from the point to the nearest point of its label's box
        ends = np.clip(anchors[moved], corners[moved], corners[moved] + sizes[moved])
        segments = np.stack([points[moved], to_data.transform(ends)], axis=1)
        ax.add_collection(LineCollection(segments, colors="0.6", linewidths=0.5, zorder=1), autolim=False)


def _check_out(out: str | os.PathLike) -> Path:
    out = Path(out)
    if out.suffix.lower() not in IMAGE_SUFFIXES:
        raise WordnetLMError(f"{out}: picture file must end in {', '.join(IMAGE_SUFFIXES)}")
    return out


def _figure(n_words: int):
    FigureCanvasAgg = require("matplotlib.backends.backend_agg", "plot", "drawing a picture").FigureCanvasAgg
    Figure = require("matplotlib.figure", "plot", "drawing a picture").Figure

    side = float(np.clip(4 + n_words / 25, 6, 18))
    fig = Figure(figsize=(side, side), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def _font_size(n_words: int) -> float:
    return 9.0 if n_words <= 60 else 7.5


def _finish(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.margins(0.08)


def _save(fig, out: Path) -> Path:
    with atomic_write(out, "wb") as f:
        fig.savefig(f, format=out.suffix.lower().lstrip("."))
    return out
