"""GloVe training checkpoints: the whole training state after an epoch, so a run can resume.

A checkpoint holds the vectors, the biases, AdaGrad's squared-gradient sums, the random
generator's state, the finished epochs and their losses, plus the settings and a hash of the
co-occurrence matrix, so that resuming gives exactly the vectors of an uninterrupted run and
refuses another matrix or other settings.  Files are written atomically (an interrupted write
leaves the previous checkpoint) and read without pickles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import check_same_settings, load_npz, save_npz
from wordnet_lm.io import fingerprint as fingerprint_of



class _NonzeroBlocks(Protocol):
    """What a checkpoint needs of the training data: its blocks of packed nonzeros
    (``glove.nonzeros.NonzeroBlocks``)."""

    def blocks(self) -> Iterator: ...


class _GloVeRun(Protocol):
    """What a checkpoint needs of the estimator (``glove.train.GloVe`` during ``fit``): its settings,
    resolved epochs and batch size, and the losses so far.  A protocol, so this module does not
    import the trainer that imports it."""

    epochs_: int
    batch_size_: int
    bias_lr_: float
    loss_history_: list[float]

KIND = "glove-checkpoint"
PARAM_NAMES = ("W", "W_tilde", "b", "b_tilde")
# settings that shape the trajectory; epochs may grow on resume, threads do not change results
SETTINGS = ("dim", "x_max", "alpha", "lr", "adagrad", "initial_accumulator", "seed")


def fingerprint(data: _NonzeroBlocks) -> str:
    """A short hash of the nonzeros (positions, ``log x`` and weights) a run trains on, block by
    block (one block in memory at a time; the same for a matrix in memory and on disk)."""
    return fingerprint_of(*(fingerprint_of(block.packed).encode() for block in data.blocks()))


def settings(model: _GloVeRun) -> dict[str, Any]:
    """The settings a resumed run must share with the checkpoint (batch size and bias lr resolved)."""
    values = {name: getattr(model, name) for name in SETTINGS}
    values["batch_size"] = int(model.batch_size_)
    values["bias_lr"] = float(model.bias_lr_)
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items()}


def save_checkpoint(path: str | os.PathLike, model: _GloVeRun, params: list[np.ndarray],
                    accumulators: list[np.ndarray], rng: np.random.Generator, epochs_done: int,
                    data_hash: str) -> None:
    """Write the state after ``epochs_done`` epochs to ``path`` atomically."""
    arrays = dict(zip(PARAM_NAMES, params))
    arrays.update({f"adagrad/{name}": acc for name, acc in zip(PARAM_NAMES, accumulators)})
    meta = {"kind": KIND, "settings": settings(model), "data": data_hash, "epochs_done": epochs_done,
            "loss_history": list(model.loss_history_), "rng": rng.bit_generator.state}
    save_npz(path, arrays, meta)


def load_checkpoint(path: str | os.PathLike, model: _GloVeRun, params: list[np.ndarray],
                    accumulators: list[np.ndarray], rng: np.random.Generator, data_hash: str) -> int:
    """Restore ``params``, ``accumulators`` (in place), ``rng`` and ``model.loss_history_``
    from ``path``; return the number of epochs already done.

    Raises
    ------
    ModelFileError
        Not a GloVe checkpoint, made on another matrix or with other settings, or corrupt.
    """
    arrays, meta = load_npz(path, kind=KIND)
    check_same_settings(path, meta.get("settings", {}), settings(model))
    if meta.get("data") != data_hash:
        raise ModelFileError(f"{path}: checkpoint made on another co-occurrence matrix")
    epochs_done = meta.get("epochs_done")
    if not isinstance(epochs_done, int) or epochs_done > model.epochs_:
        raise ModelFileError(f"{path}: checkpoint has {epochs_done!r} epochs done, more than the "
                             f"{model.epochs_} asked for")
    try:
        for name, param, acc in zip(PARAM_NAMES, params, accumulators):
            for target, source in ((param, arrays[name]), (acc, arrays[f"adagrad/{name}"])):
                if source.shape != target.shape or source.dtype != target.dtype:
                    raise ValueError(f"{name} has shape {source.shape} {source.dtype}, expected "
                                     f"{target.shape} {target.dtype}")
                target[...] = source
        rng.bit_generator.state = meta["rng"]
        history = [float(loss) for loss in meta["loss_history"]]
    except (KeyError, ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: corrupt GloVe checkpoint ({e.__class__.__name__}: {e})") from None
    if len(history) != epochs_done:
        raise ModelFileError(f"{path}: corrupt GloVe checkpoint (losses of {len(history)} epochs, "
                             f"{epochs_done} done)")
    model.loss_history_ = history
    return epochs_done
