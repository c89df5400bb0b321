"""Our ``.npz`` n-gram model file: backoff tables, vocabulary, hyper-parameters and learned
constants as arrays plus JSON metadata (written atomically, read without pickles).

Only the format: this module takes models by interface and never imports the model classes
(:func:`wordnet_lm.ngram.files.load_model` turns what it reads back into a model).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import load_npz, save_npz
from wordnet_lm.ngram.index import NgramIndex
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.vocab import SPECIALS, Vocab

KIND = "ngram"
VERSION = 1
LEARNED = ("lambdas_", "discounts_", "count_of_counts_")  # small learned arrays kept in the metadata


def save_model(model: Any, path: str | os.PathLike, extra: dict[str, Any] | None = None) -> None:
    """Write a fitted model to ``path`` (``.npz`` with JSON metadata, atomically).

    ``extra`` (JSON-serialisable) is stored in the metadata, e.g. how the text was read.
    """
    tables = model._fitted()
    arrays = {"vocab_counts": model.vocab_.counts}
    for n in range(1, tables.order + 1):
        arrays[f"log_prob_{n}"] = tables.log_prob[n - 1]
        arrays[f"log_backoff_{n}"] = tables.log_backoff[n - 1]
        if n > 1:
            arrays[f"context_{n}"] = tables.index.contexts[n - 1]
            arrays[f"word_{n}"] = tables.index.words[n - 1]
    meta = {"kind": KIND, "version": VERSION, "smoothing": model.smoothing, "order": tables.order,
            "params": {k: _jsonable(v) for k, v in model.get_params().items()},
            "learned": {k: _jsonable(getattr(model, k)) for k in LEARNED if hasattr(model, k)},
            "words": list(model.vocab_.words), "extra": extra or {}}
    save_npz(path, arrays, meta)


def read_model_file(path: str | os.PathLike) -> tuple[BackoffTables, Vocab, dict[str, Any]]:
    """The tables, vocabulary and metadata of a file written by :func:`save_model`.

    Raises
    ------
    ModelFileError
        Corrupt or foreign file, or another version of the format.
    """
    path = Path(path)
    arrays, meta = load_npz(path, kind=KIND)
    if meta.get("version") != VERSION:
        raise ModelFileError(f"{path}: unsupported n-gram model version {meta.get('version')!r}")
    try:
        order, words = int(meta["order"]), list(meta["words"])
        if words[:3] != list(SPECIALS) or order < 1:
            raise ValueError("bad vocabulary or order")
        vocab = Vocab(words[3:], arrays["vocab_counts"])
        tables = _tables(arrays, order, len(vocab))
    except (KeyError, ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: corrupt n-gram model file ({e.__class__.__name__}: {e})") from None
    return tables, vocab, meta


def _tables(arrays: dict[str, np.ndarray], order: int, size: int) -> BackoffTables:
    """Tables from the arrays of a model file, checked for consistency."""
    contexts = [arrays[f"context_{n}"] for n in range(2, order + 1)]
    words = [arrays[f"word_{n}"] for n in range(2, order + 1)]
    index = NgramIndex(size, contexts, words)
    for n in range(2, order + 1):
        keys, ctx, w = index.keys[n - 1], index.contexts[n - 1], index.words[n - 1]
        if (len(ctx) != len(w) or np.any(np.diff(keys) <= 0) or (len(ctx) and (ctx.min() < 0 or ctx.max() >= index.size(n - 1)))
                or (len(w) and (w.min() < 0 or w.max() >= size))):
            raise ValueError(f"inconsistent {n}-gram index")
    log_prob = [np.asarray(arrays[f"log_prob_{n}"], np.float64) for n in range(1, order + 1)]
    log_backoff = [np.asarray(arrays[f"log_backoff_{n}"], np.float64) for n in range(1, order + 1)]
    if [len(p) for p in log_prob] != index.sizes() or [len(b) for b in log_backoff] != index.sizes():
        raise ValueError("probability arrays do not match the n-gram index")
    for values in (*log_prob, *log_backoff):
        if np.isnan(values).any() or np.isposinf(values).any():  # -inf is a valid log10(0)
            raise ValueError("probabilities hold NaN or +infinity")
    return BackoffTables(index, log_prob, log_backoff)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value
