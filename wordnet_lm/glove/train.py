"""The GloVe estimator: AdaGrad over shuffled mini-batches of a co-occurrence matrix's nonzeros.

Each epoch splits the nonzeros into random batches.  A batch is taken in row order, its rows
of ``W`` and columns of ``W~`` are gathered into compact blocks, the engine differentiates
:func:`~wordnet_lm.glove.objective.batch_loss` with respect to the blocks (so a word seen in
many pairs of the batch gets the *sum* of their gradients) and :class:`RowAdaGrad` updates
exactly those rows.  Everything is float32 and seeded: the same seed gives the same vectors.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from wordnet_lm.autodiff import value_and_grad
from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.memory import check_fits
from wordnet_lm.glove.adagrad import VARIANTS, RowAdaGrad
from wordnet_lm.glove.checkpoint import fingerprint, load_checkpoint, save_checkpoint
from wordnet_lm.glove.nonzeros import NonzeroBlocks, Nonzeros
from wordnet_lm.glove.objective import PairIndex, batch_loss
from wordnet_lm.glove.settings import AUTO, COMBINE
from wordnet_lm.parallel import default_threads, run_tasks
from wordnet_lm.progress import progress_bar, write

# epochs="auto": 10 from 10 M nonzeros up (nltk-mix, 12-16 M), 15 at 0.1 M and below (the demo
# corpus), log-linear in between; batch_size="auto": at least 32 batches per epoch, at most
# 65,536 nonzeros each.  Measurements in docs/glove.md ("How the defaults were chosen").
AUTO_EPOCHS_LARGE, AUTO_EPOCHS_SMALL = 10, 15
AUTO_EPOCHS_LARGE_NNZ, AUTO_EPOCHS_SMALL_NNZ = 10_000_000, 100_000
AUTO_MAX_BATCH, AUTO_MIN_BATCHES = 65536, 32


def auto_epochs(n_nonzeros: int) -> int:
    """``epochs="auto"``: 10 for 10 M nonzeros or more, 15 for 0.1 M or fewer, log-linear between."""
    span = math.log(AUTO_EPOCHS_LARGE_NNZ / AUTO_EPOCHS_SMALL_NNZ)
    share = min(1.0, max(0.0, math.log(AUTO_EPOCHS_LARGE_NNZ / max(n_nonzeros, 1)) / span))
    return int(round(AUTO_EPOCHS_LARGE + share * (AUTO_EPOCHS_SMALL - AUTO_EPOCHS_LARGE)))


def auto_batch_size(n_nonzeros: int) -> int:
    """``batch_size="auto"``: 65,536 nonzeros, or fewer so that an epoch has at least 32 batches."""
    return max(1, min(AUTO_MAX_BATCH, n_nonzeros // AUTO_MIN_BATCHES))


class GloVe:
    """Global Vectors (Pennington, Socher and Manning 2014), trained on the project's engine.

    The defaults are tuned for small corpora (a few million tokens) by the sweep in
    ``docs/glove.md``: on nltk-mix (3.85 M tokens), with co-occurrences in a window of 20,
    ``x_max=5`` and 10 epochs beat Stanford GloVe's settings (window 10, ``x_max=100``, 25
    epochs) and its best tuned row on analogies and word similarity.  ``"auto"`` epochs and
    batch size follow the number of nonzeros: a much smaller matrix (the 0.1 M nonzeros of the
    demo corpus) gets 15 epochs and batches small enough for 32 AdaGrad steps per epoch.
    Larger corpora: raise ``x_max`` (Stanford's 100 is for billions of tokens) and ``epochs``.

    Parameters
    ----------
    dim : int, default 100
        Vector size.
    x_max, alpha : float, default 5, 0.75
        The weighting function ``f(x) = min(1, (x / x_max) ** alpha)``.
    epochs : int or "auto", default "auto"
        Passes over the nonzeros; ``"auto"``: 10 for 10 M nonzeros or more, 15 for 0.1 M or
        fewer, log-linear in between (:func:`auto_epochs`).
    lr : float, default 0.05
        AdaGrad learning rate.
    batch_size : int or "auto", default "auto"
        Nonzeros per mini-batch (batches have random sizes around this); ``"auto"``: 65,536,
        or ``nonzeros // 32`` if smaller (:func:`auto_batch_size`), so that a small matrix
        still gets 32 AdaGrad steps per epoch (two huge batches per epoch diverge).
    adagrad : {"stanford", "paper"}, default "stanford"
        AdaGrad formula (see :mod:`wordnet_lm.glove.adagrad`): Stanford's accumulates the
        squared step, ``(lr g)^2``, and trains much faster than the paper's ``g^2``.
    bias_lr : float, optional
        AdaGrad learning rate of the biases.  Default: 1.0 with ``adagrad="stanford"``, as in
        Stanford's ``glove.c`` (whose bias step is ``g / sqrt(G)``, ``G += g^2``: not scaled by
        ``eta``), ``lr`` with ``"paper"``.
    initial_accumulator : float, default 1.0
        Starting squared-gradient sum.
    seed : int, default 0
        Seeds the initial vectors and the batches: equal seeds give equal results.
    block_nonzeros : int, optional
        Train in blocks of this many consecutive nonzeros, visited in a shuffled order each
        epoch, with the mini-batches drawn within a block (:mod:`~wordnet_lm.glove.nonzeros`).
        Default: one block (the whole matrix) in memory, 4 M nonzeros for a memory-mapped
        :class:`~wordnet_lm.glove.matrix_file.CooccurrenceFile`.  The same value gives the
        same vectors from a matrix in memory and from its file.
    n_threads : int, optional
        Threads for the batch computations (default: the CPUs available, at most 4); the
        results do not depend on it.
    verbose : bool, default False
        Progress bar over the epochs and the loss printed after each.

    Attributes
    ----------
    W_, W_tilde_ : ndarray of float32, shape (n_words, dim)
        Word and context vectors.
    b_, b_tilde_ : ndarray of float32, shape (n_words,)
        Word and context biases.
    loss_history_ : list of float
        Per epoch, the mean over nonzeros of ``1/2 f(x) (w.w~ + b + b~ - log x)^2`` as the
        epoch's batches found it (Stanford GloVe prints the same "cost").
    n_nonzeros_ : int
    epochs_, batch_size_ : int
        The epochs and batch size used (``"auto"`` resolved).
    """

    def __init__(self, dim: int = 100, x_max: float = 5.0, alpha: float = 0.75, epochs: int | str = AUTO,
                 lr: float = 0.05, batch_size: int | str = AUTO, adagrad: str = "stanford",
                 bias_lr: float | None = None, initial_accumulator: float = 1.0, seed: int = 0,
                 n_threads: int | None = None, verbose: bool = False, block_nonzeros: int | None = None) -> None:
        self.dim = dim
        self.x_max = x_max
        self.alpha = alpha
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.adagrad = adagrad
        self.bias_lr = bias_lr
        self.initial_accumulator = initial_accumulator
        self.seed = seed
        self.n_threads = n_threads
        self.verbose = verbose
        self.block_nonzeros = block_nonzeros

    # ------------------------------------------------------------------ fitting
    def fit(self, cooccurrences, callback: Callable[["GloVe", int], object] | None = None, *,
            checkpoint: str | os.PathLike | None = None, resume: bool = False) -> "GloVe":
        """Learn vectors from a square co-occurrence matrix (scipy.sparse or ndarray).

        Parameters
        ----------
        cooccurrences : scipy.sparse matrix, ndarray or CooccurrenceFile, square, non-negative
            A :class:`~wordnet_lm.glove.matrix_file.CooccurrenceFile` is trained on
            memory-mapped, one block of nonzeros in memory at a time (``block_nonzeros``).
        callback : callable, optional
            ``callback(model, epoch)`` runs after every epoch (``epoch`` counts from 1, after
            the checkpoint is written); the fitted attributes are up to date then, e.g. to
            evaluate the vectors as they train.
        checkpoint : path, optional
            After every epoch the whole training state is written there atomically
            (:mod:`wordnet_lm.glove.checkpoint`).
        resume : bool, default False
            Continue from ``checkpoint`` if it exists: same matrix and settings (``epochs`` may
            be raised); the result equals an uninterrupted run's.

        Raises
        ------
        TrainingError
            Bad hyper-parameters, an empty or negative matrix, a loss that became NaN/inf (the
            checkpoint of the last finite epoch is kept).
        ModelFileError
            ``resume`` from a checkpoint of another matrix, other settings, or a corrupt file.
        """
        self._check_params()
        data = NonzeroBlocks(cooccurrences, self.x_max, self.alpha, self.block_nonzeros)
        rng = np.random.default_rng(self.seed)
        # W, W~, biases and their AdaGrad sums (float32), a batch's gradients, the nonzeros
        check_fits(4 * 4 * data.n_words * (self.dim + 1) + 24 * data.block_nonzeros,
                   f"GloVe with dim {self.dim} over {data.n_words:,} words")
        self._init_params(data.n_words, rng)
        self.loss_history_: list[float] = []
        self.n_nonzeros_ = len(data)
        resolved = self.resolved_params(len(data))
        self.epochs_, self.batch_size_ = resolved["epochs"], resolved["batch_size"]
        self.bias_lr_ = self.resolved_bias_lr()
        threads = self.n_threads if self.n_threads is not None else default_threads()
        vectors_step = RowAdaGrad(self.lr, self.initial_accumulator, self.adagrad)
        bias_step = RowAdaGrad(self.bias_lr_, self.initial_accumulator, self.adagrad)
        step = _BatchStep([self.W_, self.W_tilde_, self.b_, self.b_tilde_], data,
                          [vectors_step, vectors_step, bias_step, bias_step], self.batch_size_, threads)
        data_hash = fingerprint(data) if checkpoint is not None else ""
        first_epoch = 0
        if resume and checkpoint is not None and Path(checkpoint).exists():
            first_epoch = load_checkpoint(checkpoint, self, step.params, step.accumulators, rng, data_hash)
        with progress_bar(range(first_epoch, self.epochs_), enabled=self.verbose, desc="GloVe", unit="epoch",
                          file=sys.stderr, initial=first_epoch, total=self.epochs_) as epochs:
            for epoch in epochs:
                with np.errstate(over="ignore", invalid="ignore"):  # a diverging loss is reported below
                    loss = step.epoch(rng) / len(data)
                if not math.isfinite(loss):
                    raise TrainingError(f"GloVe loss became {loss} in epoch {epoch + 1}; try a smaller lr")
                self.loss_history_.append(loss)
                epochs.set_postfix(loss=f"{loss:.6f}")
                if self.verbose:
                    write(f"epoch {epoch + 1}/{self.epochs_}: loss {loss:.6f}")
                if checkpoint is not None:
                    save_checkpoint(checkpoint, self, step.params, step.accumulators, rng, epoch + 1, data_hash)
                if callback is not None:
                    callback(self, epoch + 1)
        return self

    def resolved_params(self, n_nonzeros: int) -> dict[str, int]:
        """``epochs`` and ``batch_size`` for a matrix with ``n_nonzeros`` nonzeros (``"auto"`` resolved)."""
        self._check_params()
        return {"epochs": auto_epochs(n_nonzeros) if _is_auto(self.epochs) else int(self.epochs),
                "batch_size": auto_batch_size(n_nonzeros) if _is_auto(self.batch_size) else int(self.batch_size)}

    def resolved_bias_lr(self) -> float:
        """The biases' learning rate: ``bias_lr``, or if None 1.0 with ``adagrad="stanford"``
        (``glove.c`` does not scale the bias step by ``eta``) and ``lr`` with ``"paper"``."""
        if self.bias_lr is not None:
            return float(self.bias_lr)
        return 1.0 if self.adagrad == "stanford" else float(self.lr)

    def _check_params(self) -> None:
        checks = [
            (isinstance(self.dim, (int, np.integer)) and self.dim >= 1, f"dim must be a positive integer, got {self.dim!r}"),
            (self.x_max > 0, f"x_max must be positive, got {self.x_max!r}"),
            (self.alpha >= 0, f"alpha must be >= 0, got {self.alpha!r}"),
            (_is_auto(self.epochs) or (_is_int(self.epochs) and self.epochs >= 0),
             f"epochs must be an integer >= 0 or 'auto', got {self.epochs!r}"),
            (_is_auto(self.batch_size) or (_is_int(self.batch_size) and self.batch_size >= 1),
             f"batch_size must be a positive integer or 'auto', got {self.batch_size!r}"),
            (self.adagrad in VARIANTS, f"adagrad must be one of {', '.join(VARIANTS)}, got {self.adagrad!r}"),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainingError(message)

    def _init_params(self, n_words: int, rng: np.random.Generator) -> None:
        """Stanford's initialisation: every weight and bias uniform in ``(-0.5, 0.5) / dim``."""
        def uniform(*shape):
            return ((rng.random(shape, dtype=np.float32) - np.float32(0.5)) / np.float32(self.dim))
        self.W_ = uniform(n_words, self.dim)
        self.W_tilde_ = uniform(n_words, self.dim)
        self.b_ = uniform(n_words)
        self.b_tilde_ = uniform(n_words)

    # ------------------------------------------------------------------ results
    def vectors(self, combine: str = "sum") -> np.ndarray:
        """The word vectors: ``"sum"`` ``W + W~`` (GloVe's output), ``"w"`` ``W``, ``"w_tilde"`` ``W~``."""
        self._check_fitted()
        if combine == "sum":
            return self.W_ + self.W_tilde_
        if combine == "w":
            return self.W_.copy()
        if combine == "w_tilde":
            return self.W_tilde_.copy()
        raise WordnetLMError(f"unknown combine {combine!r}; choose one of {', '.join(COMBINE)}")

    def to_keyed_vectors(self, vocab, combine: str = "sum"):
        """A :class:`~wordnet_lm.vectors.KeyedVectors` of ``vocab``'s words (specials dropped).

        Parameters
        ----------
        vocab : Vocab
            The vocabulary the co-occurrence matrix was counted with (one row per entry).
        combine : {"sum", "w", "w_tilde"}
            See :meth:`vectors`.
        """
        from wordnet_lm.vectors import KeyedVectors

        vectors = self.vectors(combine)
        if len(vocab) != len(vectors):
            raise WordnetLMError(f"the vocabulary has {len(vocab)} entries but the model {len(vectors)} rows")
        return KeyedVectors.from_vocab(vocab, vectors)

    def _check_fitted(self) -> None:
        if not hasattr(self, "W_"):
            raise WordnetLMError("this GloVe model is not fitted yet: call fit() first")

    def __repr__(self) -> str:
        return (f"GloVe(dim={self.dim}, x_max={self.x_max}, alpha={self.alpha}, epochs={self.epochs!r}, lr={self.lr}, "
                f"batch_size={self.batch_size!r}, adagrad={self.adagrad!r}, bias_lr={self.bias_lr!r}, "
                f"seed={self.seed})")


class _BatchStep:
    """Mini-batch AdaGrad on ``params`` = ``[W, W~, b, b~]`` (updated in place), one optimizer each."""

    def __init__(self, params: list[np.ndarray], data: NonzeroBlocks, optimizers: list[RowAdaGrad],
                 batch_size: int, n_threads: int) -> None:
        self.params = params
        self.accumulators = [opt.accumulator(p) for opt, p in zip(optimizers, params)]
        self.blocks = data
        self.data: Nonzeros | None = None  # the block being trained
        self.optimizers = optimizers
        self.batch_size = batch_size
        self.n_threads = n_threads
        self.seen = np.zeros(data.n_words, dtype=bool)  # scratch for compacting column ids
        self.loss_and_grads = value_and_grad(batch_loss)

    def epoch(self, rng: np.random.Generator) -> float:
        """Run one epoch, block by block in a shuffled order; return the summed loss of its
        batches (before their updates)."""
        n_blocks = self.blocks.n_blocks
        order = rng.permutation(n_blocks) if n_blocks > 1 else range(1)
        total = 0.0
        for k in order:
            self.data = self.blocks.block(int(k))
            total += self.block_epoch(rng)
        self.data = None
        return total

    def block_epoch(self, rng: np.random.Generator) -> float:
        """Random mini-batches of the current block, each in row order; their summed loss."""
        n_batches = max(1, math.ceil(len(self.data) / self.batch_size))
        key_type = np.uint16 if n_batches <= 1 << 16 else np.uint32
        keys = rng.integers(0, n_batches, len(self.data), dtype=key_type)
        order = np.argsort(keys, kind="stable")  # radix sort; each batch in row order
        bounds = np.zeros(n_batches + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=n_batches), out=bounds[1:])
        total = 0.0
        for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            if stop > start:
                total += self.step(order[start:stop])
        return total

    def step(self, batch: np.ndarray) -> float:
        """One AdaGrad step on the nonzeros ``batch`` (increasing positions); returns its loss."""
        threads = self.n_threads
        words, contexts, log_x, weight = self.data.batch(batch)
        word_rows, word_local = unique_sorted(words)
        context_rows, context_local = self.compact(contexts)
        pairs = PairIndex(word_local, context_local, len(word_rows), len(context_rows), threads)
        rows = (word_rows, context_rows, word_rows, context_rows)
        blocks = run_tasks([lambda p=p, r=r: np.take(p, r, axis=0) for p, r in zip(self.params, rows)], threads)
        loss, grads = self.loss_and_grads(tuple(blocks), pairs, log_x, weight)

        def update(k: int) -> None:
            self.optimizers[k].update_rows(self.params[k], self.accumulators[k], rows[k], blocks[k], grads[k])

        # the words' side (W, b) and the contexts' side (W~, b~) are different arrays: in parallel
        run_tasks([lambda: (update(0), update(2)), lambda: (update(1), update(3))], threads)
        return float(loss)

    def compact(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct ``ids`` (sorted) and each id's position among them, in O(len(ids) + n_words)."""
        seen = self.seen
        seen[ids] = True
        distinct = np.flatnonzero(seen)
        local = np.cumsum(seen, dtype=np.int32)
        seen[distinct] = False
        return distinct.astype(np.int32), local[ids] - 1


def _is_auto(value) -> bool:
    return isinstance(value, str) and value == AUTO


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def unique_sorted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a non-decreasing array and each element's index among them."""
    first = np.empty(len(ids), dtype=bool)
    first[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    return ids[first], np.cumsum(first, dtype=np.int32) - 1
