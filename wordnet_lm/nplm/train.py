"""Training an :class:`~wordnet_lm.nplm.model.NPLM`: mini-batches, validation, checkpoints.

The loop shuffles the (context, next word) windows each epoch (seeded), takes Adam or SGD
steps on mini-batches, and every ``1 / evals_per_epoch`` epoch measures validation
perplexity: the best parameters are kept, the learning rate is multiplied by ``lr_decay``
when perplexity stalls, and training stops after ``patience`` evaluations in a row without
improvement.  After each evaluation a checkpoint is written atomically; ``resume=True``
continues from it to exactly the result of an uninterrupted run (the shuffling and dropout
draws depend on the seed and the position only, never on earlier draws).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import numpy as np
from tqdm.auto import tqdm

from wordnet_lm.autodiff import value_and_grad
from wordnet_lm.errors import ModelFileError, TrainingError, WordnetLMError
from wordnet_lm.io import check_same_settings, load_npz, save_npz
from wordnet_lm.nn import SGD, Adam, AdamW, Optimizer, OptimizerState
from wordnet_lm.nplm.model import MODEL_KIND, NPLM, Params
from wordnet_lm.nplm.windows import BatchWindows, batches, context_windows
from wordnet_lm.parallel import thread_limit
from wordnet_lm.progress import progress_bar
from wordnet_lm.text.vocab import Corpus, Vocab

OPTIMIZERS = ("adam", "adamw", "sgd")
SMALL_VOCAB = 5000  # below this, training uses one BLAS thread unless told otherwise
_RESUMABLE_CHANGES = ("max_epochs", "max_time", "threads")  # config fields a resumed run may change


@dataclass
class TrainConfig:
    """Training hyper-parameters (every field has a documented default).

    Attributes
    ----------
    optimizer : {"adam", "adamw", "sgd"}, default "adamw"
        AdamW (decoupled weight decay), Adam with coupled L2 (``weight_decay`` added to the
        gradient) or SGD with ``momentum``.
    lr : float, default 2e-3
        Initial learning rate.
    momentum : float, default 0.9
        SGD momentum (ignored by Adam).
    batch_size : int, default 512
    max_epochs : float, default 10
        Upper bound on passes over the training data (fractions allowed with
        ``evals_per_epoch > 1``).
    weight_decay : float, default 0.05
        Weight decay of the weight matrices and the embeddings (not the biases): decoupled
        for AdamW (``p *= 1 - lr * weight_decay`` each step), an L2 term for Adam and SGD.
    lazy_embeddings : bool, default False
        Update only the embedding rows of the current batch (lazy Adam, as PyTorch's
        SparseAdam): faster, not the same as Adam.
    lr_decay : float, default 0.5
        The learning rate is multiplied by this after an evaluation without improvement.
    patience : int, default 3
        Stop after this many evaluations in a row without improvement (needs validation data).
    min_improvement : float, default 0.002
        Relative decrease of validation perplexity below the best so far that counts as
        progress; smaller gains still keep the better parameters, but decay the learning rate
        and count towards ``patience``.
    evals_per_epoch : int, default 2
        Validations (and checkpoints) per epoch.
    max_time : float or None, default None
        Time budget in seconds (training and validation): stop at the evaluation after which
        one more segment (as long as the last) would overrun it.
    threads : int or None, default None
        BLAS threads while training.  ``None``: 1 for vocabularies under
        :data:`SMALL_VOCAB` words (there threads cost more than they gain, and far more on a
        busy machine), else the BLAS default.
    """

    optimizer: str = "adamw"
    lr: float = 2e-3
    momentum: float = 0.9
    batch_size: int = 512
    max_epochs: float = 10
    weight_decay: float = 0.05
    lazy_embeddings: bool = False
    lr_decay: float = 0.5
    patience: int = 3
    min_improvement: float = 0.002
    evals_per_epoch: int = 2
    max_time: float | None = None
    threads: int | None = None

    def check(self) -> None:
        """Raise :class:`WordnetLMError` on settings that cannot train."""
        if self.optimizer not in OPTIMIZERS:
            raise WordnetLMError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise WordnetLMError(f"lr (learning rate) must be a positive number, got {self.lr}")
        if not 0.0 <= self.momentum < 1.0:
            raise WordnetLMError(f"momentum must be in [0, 1), got {self.momentum}")
        if int(self.batch_size) != self.batch_size or self.batch_size < 1:
            raise WordnetLMError(f"batch_size must be a positive integer, got {self.batch_size}")
        if not self.max_epochs > 0:
            raise WordnetLMError(f"max_epochs must be > 0, got {self.max_epochs}")
        if self.weight_decay < 0:
            raise WordnetLMError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if not 0.0 < self.lr_decay <= 1.0:
            raise WordnetLMError(f"lr_decay must be in (0, 1], got {self.lr_decay}")
        if int(self.patience) != self.patience or self.patience < 1:
            raise WordnetLMError(f"patience must be an integer >= 1, got {self.patience}")
        if int(self.evals_per_epoch) != self.evals_per_epoch or self.evals_per_epoch < 1:
            raise WordnetLMError(f"evals_per_epoch must be an integer >= 1, got {self.evals_per_epoch}")
        if self.max_time is not None and not self.max_time > 0:
            raise WordnetLMError(f"max_time must be > 0 seconds, got {self.max_time}")
        if self.threads is not None and (int(self.threads) != self.threads or self.threads < 1):
            raise WordnetLMError(f"threads must be a positive integer, got {self.threads}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@contextlib.contextmanager
def blas_threads(config: TrainConfig, vocab_size: int) -> Iterator[None]:
    """A context limiting BLAS and the element-wise kernels (:mod:`wordnet_lm.parallel`) to
    ``config.threads`` (or 1 for a small vocabulary)."""
    threads = config.threads if config.threads is not None else (1 if vocab_size < SMALL_VOCAB else None)
    if threads is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover  (installed with scikit-learn)
        blas = contextlib.nullcontext()
    else:
        blas = threadpool_limits(limits=threads, user_api="blas")
    with blas, thread_limit(threads):
        yield


def make_optimizer(config: TrainConfig) -> Optimizer:
    """The :mod:`wordnet_lm.nn` optimizer described by ``config``."""
    if config.optimizer == "sgd":
        return SGD(lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    cls = AdamW if config.optimizer == "adamw" else Adam
    return cls(lr=config.lr, weight_decay=config.weight_decay, lazy=config.lazy_embeddings)


# ---------------------------------------------------------------------------- training state


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
    h = hashlib.sha1()
    for corpus in (train, valid):
        if corpus is not None:
            for start in range(0, corpus.n_tokens, 1 << 24):  # blocks: the ids may be memory-mapped
                h.update(np.ascontiguousarray(corpus.ids[start:start + (1 << 24)], np.int32).tobytes())
            h.update(np.ascontiguousarray(corpus.offsets, np.int64).tobytes())
        h.update(b"|")
    return h.hexdigest()[:16]


def save_checkpoint(path: str | os.PathLike, model: NPLM, state: TrainState, config: TrainConfig,
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


def load_checkpoint(path: str | os.PathLike, model: NPLM, vocab: Vocab, config: TrainConfig,
                    fingerprint: str) -> TrainState:
    """Read a checkpoint written by :func:`save_checkpoint` for the same model, vocabulary,
    data and settings (``max_epochs`` and ``max_time`` may differ); raise
    :class:`ModelFileError` otherwise."""
    arrays, meta = load_npz(path, kind=MODEL_KIND)
    ckpt = meta.get("checkpoint")
    if not isinstance(ckpt, dict):
        raise ModelFileError(f"{path}: a model file, not a training checkpoint")
    saved = NPLM.from_arrays(arrays, meta, path)
    if saved.get_params() != model.get_params():
        raise ModelFileError(f"{path}: checkpoint of another model ({saved!r}, not {model!r})")
    if saved.vocab_ != vocab:
        raise ModelFileError(f"{path}: checkpoint made with another vocabulary")
    if ckpt.get("data") != fingerprint:
        raise ModelFileError(f"{path}: checkpoint made on other training/validation data")
    check_same_settings(path, dict(ckpt.get("config", {})),
                        {k: v for k, v in config.to_dict().items() if k not in _RESUMABLE_CHANGES})
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


# ---------------------------------------------------------------------------- the loop


def segment_bounds(n_batches: int, evals_per_epoch: int) -> list[int]:
    """Batch indices where the validation segments of one epoch start (and the epoch ends)."""
    return [round(k * n_batches / evals_per_epoch) for k in range(evals_per_epoch + 1)]


def train(model: NPLM, train: Corpus, vocab: Vocab, valid: Corpus | None = None,
          config: TrainConfig | None = None, *, checkpoint: str | os.PathLike | None = None,
          resume: bool = False, progress: bool = True,
          callback: Callable[[dict], None] | None = None) -> list[dict]:
    """Fit ``model`` to ``train`` (a corpus encoded with ``vocab``); returns the history.

    Parameters
    ----------
    model : NPLM
        Its hyper-parameters and ``seed`` define the run; ``vocab_``, ``params_`` (the best
        on ``valid``, or the last without it) and ``history_`` are set.
    train, valid : Corpus
        Training and (optional) validation data, encoded with ``vocab``.
    config : TrainConfig, optional
    checkpoint : path, optional
        Written atomically after every evaluation (a model file of the best parameters plus
        the training state).
    resume : bool, default False
        Continue from ``checkpoint`` if it exists (same model, data and settings).
    progress : bool, default True
        A tqdm bar per epoch with the running training perplexity and tokens/s.
    callback : callable, optional
        Called with each history record.

    Returns
    -------
    list of dict : one record per evaluation.

    Raises
    ------
    TrainingError
        The loss became NaN or infinite; the last checkpoint (if any) is left as it was.
    """
    config = config or TrainConfig()
    config.check()
    model.check_params()
    if train.n_tokens == 0:
        raise WordnetLMError("the training corpus is empty")
    windows = BatchWindows(train, model.order)  # built per batch: the corpus may be memory-mapped
    contexts, targets = windows.contexts, windows.targets
    valid_windows = context_windows(valid, model.order) if valid is not None and valid.n_sentences else None
    fingerprint = data_fingerprint(train, valid)
    model.vocab_ = vocab
    model.training_ = {"config": config.to_dict(), "train_predictions": int(len(targets))}

    optimizer = make_optimizer(config)
    if resume and checkpoint is not None and Path(checkpoint).exists():
        state = load_checkpoint(checkpoint, model, vocab, config, fingerprint)
        # a stall is final; a time budget or epoch limit may have been raised for this run
        stalled = valid_windows is not None and state.bad_evals >= config.patience
        state.finished = stalled or (config.max_time is not None and state.elapsed >= config.max_time)
    else:
        params = model.init_params(len(vocab))
        state = TrainState(params=params, best_params={k: v.copy() for k, v in params.items()},
                           opt_state=optimizer.init(params), lr=config.lr)

    step = make_step(model, optimizer)
    n_batch = -(-len(targets) // config.batch_size)
    bounds = segment_bounds(n_batch, config.evals_per_epoch)
    max_position = math.ceil(config.max_epochs * config.evals_per_epoch - 1e-9)
    with blas_threads(config, len(vocab)), _EpochBar(len(targets), config.batch_size, progress) as bar:
        while not state.finished and state.position < max_position:
            epoch, segment = divmod(state.position, config.evals_per_epoch)
            bar.start(epoch, bounds[segment])
            started = time.perf_counter()
            optimizer.lr = state.lr
            train_loss = _run_segment(step, state, contexts, targets, config, model.seed,
                                      epoch, bounds[segment], bounds[segment + 1], bar, checkpoint)
            record = {"epoch": round((state.position + 1) / config.evals_per_epoch, 4), "lr": state.lr,
                      "train_ppl": math.exp(min(train_loss, 700.0))}
            _validate(model, state, valid_windows, config, record, checkpoint)
            state.elapsed += time.perf_counter() - started
            record["seconds"] = round(state.elapsed, 2)
            state.position += 1
            state.history.append(record)
            bar.write(_describe(record))
            if callback is not None:
                callback(record)
            stalled = valid_windows is not None and state.bad_evals >= config.patience
            last = time.perf_counter() - started  # the next segment would take about as long
            out_of_time = config.max_time is not None and state.elapsed + last > config.max_time
            state.finished = stalled or out_of_time
            if checkpoint is not None:
                save_checkpoint(checkpoint, model, state, config, fingerprint)
    model.params_ = state.best_params
    model.history_ = state.history
    return state.history


class _EpochBar:
    """One tqdm bar per epoch (tokens, tokens/s, running training perplexity)."""

    def __init__(self, n_examples: int, batch_size: int, enabled: bool) -> None:
        self.n_examples, self.batch_size, self.enabled = n_examples, batch_size, enabled
        self.bar: Any = None
        self.epoch = -1
        self.last_shown = 0.0

    def __enter__(self) -> "_EpochBar":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.close()

    def start(self, epoch: int, first_batch: int) -> None:
        """Show epoch ``epoch`` (0-based), ``first_batch`` batches into it."""
        if epoch == self.epoch:
            return
        if self.bar is not None:
            self.bar.close()
        self.epoch = epoch
        self.bar = progress_bar(total=self.n_examples, unit="tok", unit_scale=True, desc=f"epoch {epoch + 1}",
                                enabled=self.enabled, leave=False, dynamic_ncols=True)
        self.bar.update(min(self.n_examples, first_batch * self.batch_size))

    def update(self, n: int, mean_loss: float) -> None:
        self.bar.update(n)
        now = time.perf_counter()
        if now - self.last_shown > 0.5:
            self.bar.set_postfix(loss=f"{mean_loss:.3f}", ppl=f"{math.exp(min(mean_loss, 700.0)):.1f}", refresh=False)
            self.last_shown = now

    def write(self, text: str) -> None:
        if self.enabled:
            tqdm.write(text)


def _batch_loss(model: NPLM) -> Callable:
    def batch_loss(params, contexts, targets, rng):
        return model.loss(params, contexts, targets, training=True, rng=rng)
    return batch_loss


def make_step(model: NPLM, optimizer: Optimizer) -> Callable:
    """The training step ``step(params, opt_state, contexts, targets, rng) -> loss``: the loss
    and its gradient (row-sparse for the embeddings) by :mod:`wordnet_lm.autodiff`, then one
    in-place optimizer update.  Overflow warnings are silenced: the caller checks the loss."""
    loss_and_grads = value_and_grad(_batch_loss(model), sparse_rows=True)

    def step(params: Params, opt_state: OptimizerState, contexts: np.ndarray, targets: np.ndarray,
             rng: np.random.Generator | None) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = loss_and_grads(params, contexts, targets, rng)
            loss = float(loss)
            if math.isfinite(loss):
                optimizer.update(params, grads, opt_state)
        return loss

    return step


def _run_segment(step: Callable, state: TrainState, contexts: np.ndarray,
                 targets: np.ndarray, config: TrainConfig, seed: int, epoch: int, first: int, stop: int,
                 bar: _EpochBar, checkpoint: str | os.PathLike | None) -> float:
    """Take the optimizer steps of batches ``first .. stop-1`` of ``epoch``; return the mean loss."""
    shuffle = np.random.default_rng([seed, 1, epoch])
    masks = np.random.default_rng([seed, 2, epoch, first])
    total, count = 0.0, 0
    for k, idx in enumerate(batches(len(targets), config.batch_size, shuffle, start=first), start=first):
        if k >= stop:
            break
        loss = step(state.params, state.opt_state, contexts[idx], targets[idx], masks)
        if not math.isfinite(loss):
            kept = (f"the last good checkpoint is kept in {checkpoint}" if checkpoint is not None
                    and Path(checkpoint).exists() else "no checkpoint was written")
            raise TrainingError(f"training diverged: loss became {loss} in epoch {epoch + 1}, batch {k + 1} "
                                f"(lr {state.lr:g}); {kept}; try a lower learning rate")
        total += loss * len(idx)
        count += len(idx)
        bar.update(len(idx), total / count)
    return total / max(count, 1)


def _validate(model: NPLM, state: TrainState, valid_windows: tuple | None, config: TrainConfig,
              record: dict, checkpoint: str | os.PathLike | None) -> None:
    """Score the current parameters on validation data; keep the best, decay the lr, count stalls."""
    if valid_windows is None:  # nothing to select on: the latest parameters are the result
        state.best_params = state.params
        return
    logprobs = model.target_logprobs(*valid_windows, params=state.params)
    ppl = math.exp(-float(np.mean(logprobs)))
    if not math.isfinite(ppl):
        kept = f"the last good checkpoint is kept in {checkpoint}" if checkpoint is not None else "no checkpoint"
        raise TrainingError(f"training diverged: validation perplexity is {ppl}; {kept}; try a lower learning rate")
    record["valid_ppl"] = ppl
    enough = ppl < state.best_valid * (1.0 - config.min_improvement)
    if ppl < state.best_valid:  # any improvement is kept ...
        state.best_valid = ppl
        state.best_params = {k: v.copy() for k, v in state.params.items()}
    if enough:  # ... but only a large enough one counts as progress
        state.bad_evals = 0
    else:
        state.bad_evals += 1
        state.lr *= config.lr_decay
    record["best_valid_ppl"] = state.best_valid


def _describe(record: Mapping[str, Any]) -> str:
    text = f"epoch {record['epoch']:g}: train ppl {record['train_ppl']:.2f}"
    if "valid_ppl" in record:
        text += f", valid ppl {record['valid_ppl']:.2f} (best {record['best_valid_ppl']:.2f})"
    return text + f", lr {record['lr']:.3g}, {record['seconds']:.0f} s"
