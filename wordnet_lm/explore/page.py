"""The explorer page: choose words, project them, colour them, and write one offline HTML file.

Everything the page needs is inlined (CSS, JavaScript, the data as JSON with base64 arrays),
so the file opens from disk with no network.  Coordinates, clusters and settings are computed
here; neighbours and analogies are computed in the page from the embedded unit vectors.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from wordnet_lm import __version__
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.explore.encoding import (
    ENCODINGS,
    encode_float32,
    encode_vectors,
    unit_rows,
)
from wordnet_lm.explore.groups import kmeans_groups, label_groups
from wordnet_lm.io import atomic_write
from wordnet_lm.outputs import check_output, starts_with
from wordnet_lm.vectors.keyed import KeyedVectors
from wordnet_lm.vectors.plot import PROJECTIONS, project, top_words

MAX_WORDS = 50_000  # beyond this a page gets slow to load and to draw: capped, with a message
TSNE_SLOW_WORDS = 10_000  # t-SNE above this takes many minutes: say so before starting
HTML_PAGE = starts_with(b"<!DOCTYPE html", b"<!doctype html", b"<html")  # what an output may replace


@dataclass(frozen=True)
class ExplorerSettings:
    """How the map is made; recorded in the page.

    ``top`` most frequent words, projected by ``method`` ("tsne" or "pca", t-SNE with
    ``perplexity`` and ``seed``), grouped into ``clusters`` k-means clusters, vectors stored
    in ``encoding`` ("float16" or "int8").
    """

    top: int = 5000
    method: str = "tsne"
    perplexity: float = 30.0
    seed: int = 0
    clusters: int = 12
    encoding: str = "float16"

    def check(self) -> None:
        """Raise :class:`WordnetLMError` for settings no page can be made with."""
        if self.top < 2:
            raise WordnetLMError(f"--top must be at least 2, got {self.top}")
        if self.method not in PROJECTIONS:
            raise WordnetLMError(f"unknown projection {self.method!r}; choose one of {', '.join(PROJECTIONS)}")
        if not self.perplexity > 0:
            raise WordnetLMError(f"perplexity must be positive, got {self.perplexity}")
        if self.clusters < 1 or self.clusters > 60:
            raise WordnetLMError(f"--clusters must be between 1 and 60, got {self.clusters}")
        if self.encoding not in ENCODINGS:
            raise WordnetLMError(f"unknown encoding {self.encoding!r}; choose one of {', '.join(ENCODINGS)}")


def cap_message(requested: int, available: int) -> str | None:
    """The notice shown when fewer words are drawn than asked for (or than the vectors hold)."""
    if requested > MAX_WORDS and available > MAX_WORDS:
        return (f"showing the {MAX_WORDS:,} most frequent of {available:,} words: a page holding more "
                f"loads and draws too slowly (asked for {requested:,})")
    return None


def explorer_data(kv: KeyedVectors, settings: ExplorerSettings = ExplorerSettings(),
                  labels: dict[str, str] | None = None, source: str = "") -> dict[str, Any]:
    """The JSON the page reads: words, counts, 2-D coordinates, groups, encoded vectors, settings."""
    settings.check()
    words = top_words(kv, min(settings.top, MAX_WORDS))
    if len(words) < 2:
        raise WordnetLMError(f"{source or 'the vectors'}: a map needs at least two words, found {len(words)}")
    labelled = None if labels is None else label_groups(words, labels)  # before the long work: may refuse
    rows = np.array([kv.get_index(w) for w in words])
    vectors = kv.vectors[rows]
    units = unit_rows(vectors)
    coords = project(vectors, settings.method, settings.perplexity, settings.seed)
    coords = coords - coords.mean(axis=0)
    coords /= max(float(np.abs(coords).max()), 1e-12)  # the map spans [-1, 1]
    groups: dict[str, Any] = {"kmeans": {"ids": kmeans_groups(units, settings.clusters, settings.seed).tolist(),
                                         "names": [f"cluster {i + 1}" for i in range(min(settings.clusters,
                                                                                         len(words)))]}}
    if labelled is not None:
        groups["labels"] = {"ids": labelled[0].tolist(), "names": labelled[1]}
    counts = None if kv.counts is None else kv.counts[rows].tolist()
    return {
        "version": 1,
        "words": words,
        "counts": counts,
        "dim": int(kv.vector_size),
        "encoding": settings.encoding,
        "vectors": encode_vectors(vectors, settings.encoding),
        "coords": encode_float32(coords),
        "groups": groups,
        "settings": {**asdict(settings), "top": len(words), "requested": settings.top, "source": source,
                     "vocabulary": len(kv), "made": datetime.datetime.now(datetime.timezone.utc)
                     .strftime("%Y-%m-%d %H:%M UTC"), "wordnet_lm": __version__},
        "notice": cap_message(settings.top, len(kv)),
    }


def _asset(name: str) -> str:
    return resources.files("wordnet_lm.explore").joinpath("assets", name).read_text("utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_explorer(data: dict[str, Any], title: str = "wordnet_lm explorer") -> str:
    """The self-contained HTML page for ``data`` (from :func:`explorer_data`)."""
    from html import escape

    page = _asset("explorer.html")
    for key, value in (("/*STYLE*/", _asset("explorer.css")), ("/*SCRIPT*/", _asset("explorer.js")),
                       ("/*DATA*/", _script_json(data)), ("<!--TITLE-->", escape(title))):
        page = page.replace(key, value)
    return page


def write_explorer(kv: KeyedVectors, out: str | os.PathLike, settings: ExplorerSettings = ExplorerSettings(),
                   labels: dict[str, str] | None = None, source: str = "", title: str | None = None) -> Path:
    """Build the page for ``kv`` and write it atomically to ``out``; an existing file there is
    replaced only if it is an HTML page (checked first, see :func:`wordnet_lm.outputs.check_output`)."""
    out = check_output(out, what="HTML page", accepts=HTML_PAGE)
    html = render_explorer(explorer_data(kv, settings, labels, source), title or f"wordnet_lm explorer: {source}")
    with atomic_write(out, "w", encoding="utf-8") as f:
        f.write(html)
    return out
