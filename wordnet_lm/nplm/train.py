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

import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from wordnet_lm.autodiff import value_and_grad
from wordnet_lm.memory import check_fits
from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.nn import Optimizer, OptimizerState
from wordnet_lm.nplm.checkpoint import Params, TrainState, data_fingerprint, load_checkpoint, save_checkpoint
from wordnet_lm.nplm.config import TrainConfig, blas_threads, make_optimizer
from wordnet_lm.nplm.windows import BatchWindows, batches
from wordnet_lm.progress import progress_bar, write
from wordnet_lm.scoring import perplexity
from wordnet_lm.text.vocab import Corpus, Vocab

# ---------------------------------------------------------------------------- the loop


def training_bytes(model: Any, vocab_size: int, batch_size: int, n_examples: int) -> int:
    """Memory a run needs: parameters with their best copy, gradients and Adam's two moments
    (float32), the B x V logits (B x head + cluster with a factorised softmax) and their
    gradient (the context windows are built per batch)."""
    width = model.output_layer(vocab_size).logits_width() if model.hidden else vocab_size
    return 4 * (6 * model.n_params(vocab_size) + 3 * batch_size * width + model.order * batch_size)


def segment_bounds(n_batches: int, evals_per_epoch: int) -> list[int]:
    """Batch indices where the validation segments of one epoch start (and the epoch ends)."""
    return [round(k * n_batches / evals_per_epoch) for k in range(evals_per_epoch + 1)]


def train(model: Any, train: Corpus, vocab: Vocab, valid: Corpus | None = None,
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
    check_fits(training_bytes(model, len(vocab), config.batch_size, train.n_tokens + train.n_sentences),
               f"the neural LM {model!r} over {len(vocab):,} words")
    windows = BatchWindows(train, model.order)  # built per batch: the corpus may be memory-mapped
    contexts, targets = windows.contexts, windows.targets
    valid_windows = None
    if valid is not None and valid.n_sentences:  # scored EVAL_BATCH rows at a time: memory does not grow with it
        batch_windows = BatchWindows(valid, model.order)
        valid_windows = batch_windows.contexts, batch_windows.targets
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
            optimizer.sync(state.params, state.opt_state)  # every row up to date for validation and checkpoint
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
            write(text)


def _batch_loss(model: Any) -> Callable:
    def batch_loss(params, contexts, targets, rng):
        return model.loss(params, contexts, targets, training=True, rng=rng)
    return batch_loss


def make_step(model: Any, optimizer: Optimizer) -> Callable:
    """The training step ``step(params, opt_state, contexts, targets, rng) -> loss``: the loss
    and its gradient (row-sparse for the embeddings) by :mod:`wordnet_lm.autodiff`, then one
    in-place optimizer update.  The embedding rows of the batch are first brought up to date
    (a lazy optimizer defers their weight decay: :meth:`Optimizer.sync`).  Overflow warnings
    are silenced: the caller checks the loss."""
    loss_and_grads = value_and_grad(_batch_loss(model), sparse_rows=True)

    def step(params: Params, opt_state: OptimizerState, contexts: np.ndarray, targets: np.ndarray,
             rng: np.random.Generator | None) -> float:
        optimizer.sync(params, opt_state, {"embed.C": contexts})
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


def _validate(model: Any, state: TrainState, valid_windows: tuple | None, config: TrainConfig,
              record: dict, checkpoint: str | os.PathLike | None) -> None:
    """Score the current parameters on validation data; keep the best, decay the lr, count stalls."""
    if valid_windows is None:  # nothing to select on: the latest parameters are the result
        state.best_params = state.params
        return
    logprobs = model.target_logprobs(*valid_windows, params=state.params)
    ppl = perplexity(logprobs)
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
