"""Colour groups for the explorer's points: k-means clusters and a user's label file.

(Frequency colouring needs no grouping: the page shades points by rank or count.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wordnet_lm.errors import InputFileError, WordnetLMError

MAX_LABEL_GROUPS = 60  # distinct labels a page can colour apart
KMEANS_FIT_ROWS = 5000  # k-means centres are fitted on this many most frequent words


def kmeans_groups(units: np.ndarray, k: int, seed: int = 0, fit_rows: int = KMEANS_FIT_ROWS) -> np.ndarray:
    """Cluster ids (0..k-1, int32) of unit vectors by scikit-learn's k-means (so clusters
    follow cosine similarity); ``k`` is clipped to the number of rows.

    The centres are fitted on the first ``fit_rows`` rows (the most frequent words, whose
    vectors are the best estimated) and every row goes to its nearest centre: 4x faster for a
    20,000-word map.  One OpenMP thread, as for t-SNE: on a busy machine more threads were slower.
    """
    from threadpoolctl import threadpool_limits

    from wordnet_lm.extras import require

    KMeans = require("sklearn.cluster", "plot", "k-means colouring").KMeans

    if k < 1:
        raise WordnetLMError(f"the number of clusters must be >= 1, got {k}")
    units = np.asarray(units, np.float64)
    k = min(k, len(units))
    model = KMeans(n_clusters=k, n_init=1, random_state=seed, max_iter=100)
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(units[:max(fit_rows, k)])
        return model.predict(units).astype(np.int32)


def read_label_file(path: str | os.PathLike) -> dict[str, str]:
    """``word<TAB>label`` lines -> ``{word: label}``; blank lines and ``#`` comments skipped.

    Raises :class:`InputFileError` for a missing, binary or malformed file (naming the line).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such label file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a label file") from None
    if b"\0" in raw:
        raise InputFileError(f"{path}: binary file, expected word<TAB>label lines")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not UTF-8 text") from None
    labels: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise InputFileError(f"{path}:{number}: expected word<TAB>label, got {line[:60]!r}")
        labels[parts[0].strip()] = parts[1].strip()
    if not labels:
        raise InputFileError(f"{path}: no word<TAB>label lines")
    return labels


def label_groups(words: Sequence[str], labels: dict[str, str]) -> tuple[np.ndarray, list[str]]:
    """Group ids of ``words`` by their label (-1: unlabelled) and the label names, most
    common label first.  Raises if no word is labelled or there are too many labels."""
    names, sizes = np.unique([labels[w] for w in words if w in labels], return_counts=True)
    if len(names) == 0:
        raise WordnetLMError("no word on the map has a label in the label file")
    if len(names) > MAX_LABEL_GROUPS:
        raise WordnetLMError(f"{len(names)} distinct labels: a map can colour at most {MAX_LABEL_GROUPS} apart")
    ordered = [str(n) for n in names[np.argsort(-sizes, kind="stable")]]
    index = {name: i for i, name in enumerate(ordered)}
    groups = np.array([index.get(labels.get(w, ""), -1) for w in words], np.int32)
    return groups, ordered
