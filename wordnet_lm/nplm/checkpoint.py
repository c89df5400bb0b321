"""Training checkpoints of the neural LM: the state a run needs to continue, and its file format.

A checkpoint is a model file (the best parameters, loadable with ``NPLM.load``) plus the current
parameters, the optimizer's state and the loop's counters, written atomically; resuming checks
that the model, vocabulary, data and settings are the same.  ``model`` is the estimator being
trained (:class:`~wordnet_lm.nplm.model.NPLM`, taken by interface so this module does not
import it: the model's ``fit`` imports the training loop, which imports this).
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import check_same_settings, fingerprint, load_npz, save_npz
from wordnet_lm.nn import OptimizerState
from wordnet_lm.nplm.config import RESUMABLE_CHANGES, TrainConfig
from wordnet_lm.text.vocab import Corpus, Vocab

Params = dict[str, np.ndarray]


@dataclass
class TrainState:
    """Everything a run needs to continue: written to every checkpoint."""

    params: Params
    best_params: Params
    opt_state: OptimizerState
    lr: float
    position: int = 0  # evaluations (segments) done since the start
    best_valid: float = math.inf
    bad_evals: int = 0
    elapsed: float = 0.0  # seconds of training and validation so far
    history: list = dataclasses.field(default_factory=list)
    finished: bool = False


def data_fingerprint(train: Corpus, valid: Corpus | None) -> str:
    """A short hash of the training and validation ids (a resumed run must see the same data)."""
    parts = [(_as_int32(c.ids), np.asarray(c.offsets, np.int64)) if c is not None else (None, None)
             for c in (train, valid)]
    return fingerprint(*(array for pair in parts for array in pair))


def _as_int32(ids: np.ndarray) -> np.ndarray:
    """The ids as int32 bytes; a memory-mapped uint32 corpus is viewed, not copied (ids < 2**31
    have the same bytes either way), so hashing a big encoded corpus does not double its memory."""
    ids = np.asarray(ids)
    return ids.view(np.int32) if ids.dtype == np.uint32 and ids.flags.c_contiguous else np.asarray(ids, np.int32)


def save_checkpoint(path: str | os.PathLike, model: Any, state: TrainState, config: TrainConfig,
                    fingerprint: str) -> None:
    """Write ``state`` atomically.  The file is also a model file holding the best parameters."""
    model.params_ = state.best_params
    model.history_ = state.history
    arrays: dict[str, np.ndarray] = dict(state.best_params)
    arrays.update({f"current/{k}": v for k, v in state.params.items()})
    arrays.update(state.opt_state.to_arrays("opt/"))
    meta = model.metadata()
    meta["checkpoint"] = {"config": config.to_dict(), "data": fingerprint, "lr": state.lr,
                          "position": state.position, "best_valid": state.best_valid,
                          "bad_evals": state.bad_evals, "elapsed": state.elapsed,
                          "finished": state.finished, "optimizer": state.opt_state.scalars()}
    save_npz(path, arrays, meta)


def load_checkpoint(path: str | os.PathLike, model: Any, vocab: Vocab, config: TrainConfig,
                    fingerprint: str) -> TrainState:
    """Read a checkpoint written by :func:`save_checkpoint` for the same model, vocabulary,
    data and settings (``max_epochs`` and ``max_time`` may differ); raise
    :class:`ModelFileError` otherwise."""
    arrays, meta = load_npz(path, kind=model.KIND)
    ckpt = meta.get("checkpoint")
    if not isinstance(ckpt, dict):
        raise ModelFileError(f"{path}: a model file, not a training checkpoint")
    saved = type(model).from_arrays(arrays, meta, path)
    if saved.get_params() != model.get_params():
        raise ModelFileError(f"{path}: checkpoint of another model ({saved!r}, not {model!r})")
    if saved.vocab_ != vocab:
        raise ModelFileError(f"{path}: checkpoint made with another vocabulary")
    if ckpt.get("data") != fingerprint:
        raise ModelFileError(f"{path}: checkpoint made on other training/validation data")
    check_same_settings(path, dict(ckpt.get("config", {})),
                        {k: v for k, v in config.to_dict().items() if k not in RESUMABLE_CHANGES})
    try:
        current = {k: np.array(arrays[f"current/{k}"]) for k in saved.params_}
        opt_state = OptimizerState.from_arrays(arrays, ckpt["optimizer"], "opt/")
        return TrainState(params=current, best_params=dict(saved.params_), opt_state=opt_state,
                          lr=float(ckpt["lr"]), position=int(ckpt["position"]),
                          best_valid=float(ckpt["best_valid"]), bad_evals=int(ckpt["bad_evals"]),
                          elapsed=float(ckpt["elapsed"]), history=list(saved.history_),
                          finished=bool(ckpt["finished"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFileError(f"{path}: corrupt checkpoint ({e.__class__.__name__}: {e})") from None
