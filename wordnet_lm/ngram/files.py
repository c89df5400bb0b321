"""N-gram model files: our ``.npz`` (tables, vocabulary, hyper-parameters) or ARPA text.

:func:`load_model` tells them apart by content, so ``wordnet-lm perplexity --model M`` takes
either.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import load_npz, save_npz
from wordnet_lm.ngram.arpa import read_arpa
from wordnet_lm.ngram.binary import is_binary_model, read_binary
from wordnet_lm.ngram.index import NgramIndex
from wordnet_lm.ngram.model import BackoffModel, NgramModel
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.vocab import SPECIALS, Vocab

KIND = "ngram"
VERSION = 1
_LEARNED = ("lambdas_", "discounts_", "count_of_counts_")  # small learned arrays kept in the metadata
_ZIP_MAGIC = b"PK\x03\x04"


def save_model(model: NgramModel, path: str | os.PathLike, extra: dict[str, Any] | None = None) -> None:
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
            "learned": {k: _jsonable(getattr(model, k)) for k in _LEARNED if hasattr(model, k)},
            "words": list(model.vocab_.words), "extra": extra or {}}
    save_npz(path, arrays, meta)


def load_model(path: str | os.PathLike) -> NgramModel:
    """A model from our ``.npz`` file, our binary file (:mod:`~wordnet_lm.ngram.binary`,
    memory-mapped) or an ARPA file (plain or gzip).

    A model read from ``.npz`` has ``extra_``, the metadata given to :func:`save_model`.

    Raises
    ------
    ModelFileError
        Missing, corrupt or foreign file.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a directory, not a model file") from None
    if magic == _ZIP_MAGIC:
        return _load_npz(path)
    if is_binary_model(path):
        tables, vocab = read_binary(path)
        return BackoffModel.from_tables(tables, vocab)
    tables, vocab = read_arpa(path)
    return BackoffModel.from_tables(tables, vocab)


def _load_npz(path: Path) -> NgramModel:
    from wordnet_lm.ngram.smoothing import SMOOTHING

    arrays, meta = load_npz(path, kind=KIND)
    if meta.get("version") != VERSION:
        raise ModelFileError(f"{path}: unsupported n-gram model version {meta.get('version')!r}")
    try:
        order, words = int(meta["order"]), list(meta["words"])
        if words[:3] != list(SPECIALS) or order < 1:
            raise ValueError("bad vocabulary or order")
        vocab = Vocab(words[3:], arrays["vocab_counts"])
        tables = _tables(arrays, order, len(vocab))
        cls = SMOOTHING.get(meta["smoothing"], BackoffModel)
        model = cls(**meta["params"]) if cls is not BackoffModel else BackoffModel(order)
    except (KeyError, ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: corrupt n-gram model file ({e.__class__.__name__}: {e})") from None
    for name, value in meta.get("learned", {}).items():
        if name in _LEARNED:
            setattr(model, name, np.asarray(value, float))
    model.tables_, model.vocab_ = tables, vocab
    model.extra_ = meta.get("extra", {}) if isinstance(meta.get("extra"), dict) else {}
    return model


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
    return BackoffTables(index, log_prob, log_backoff)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value
