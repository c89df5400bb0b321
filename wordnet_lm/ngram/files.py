"""N-gram model files: our ``.npz`` (tables, vocabulary, hyper-parameters) or ARPA text.

:func:`load_model` tells them apart by content, so ``wordnet-lm perplexity --model M`` takes
either.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.ngram.arpa import read_arpa
from wordnet_lm.ngram.binary import is_binary_model, read_binary
from wordnet_lm.ngram.model import BackoffModel, NgramModel
from wordnet_lm.ngram.npz_file import LEARNED, read_model_file, save_model
from wordnet_lm.ngram.smoothing import SMOOTHING
from wordnet_lm.text.vocab import Vocab

__all__ = ["load_model", "save_model"]

_ZIP_MAGIC = b"PK\x03\x04"


def load_model(path: str | os.PathLike, *, scoring: bool = False,
               on_vocabulary: Callable[[Vocab], None] | None = None) -> NgramModel:
    """A model from our ``.npz`` file, our binary file (:mod:`~wordnet_lm.ngram.binary`,
    memory-mapped) or an ARPA file (plain or gzip).

    ``scoring=True``: the model will only score text, so an ARPA file is read straight into
    hash tables (:mod:`~wordnet_lm.ngram.arpa_hashed`, several times faster, same scores); such
    a model cannot sample or list distributions; ``on_vocabulary(vocab)`` is then called (on
    the reader's thread) as soon as the vocabulary is known, before the longer n-grams are read.

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
    if scoring:
        from wordnet_lm.ngram.arpa_hashed import read_arpa_hashed

        tables, vocab = read_arpa_hashed(path, on_vocabulary=on_vocabulary)
    else:
        tables, vocab = read_arpa(path)
    return BackoffModel.from_tables(tables, vocab)


def _load_npz(path: Path) -> NgramModel:
    tables, vocab, meta = read_model_file(path)
    try:
        cls = SMOOTHING.get(meta["smoothing"], BackoffModel)
        model = cls(**meta["params"]) if cls is not BackoffModel else BackoffModel(tables.order)
    except (KeyError, ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: corrupt n-gram model file ({e.__class__.__name__}: {e})") from None
    for name, value in meta.get("learned", {}).items():
        if name in LEARNED:
            setattr(model, name, np.asarray(value, float))
    model.tables_, model.vocab_ = tables, vocab
    model.extra_ = meta.get("extra", {}) if isinstance(meta.get("extra"), dict) else {}
    return model
