"""Training settings of the neural LM: :class:`TrainConfig`, the optimizer and BLAS threads it asks for."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from threadpoolctl import threadpool_limits

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.parallel import thread_limit

if TYPE_CHECKING:  # the optimizers live on the autodiff engine: loaded when one is made, not with the defaults
    from wordnet_lm.nn import Optimizer

MODEL_KIND = "nplm"  # the "kind" of neural LM files (wordnet_lm.io.save_npz)
OPTIMIZERS = ("adam", "adamw", "sgd")
OUTPUTS = ("auto", "full", "adaptive", "class")  # the output layers (nplm/outputs.py)
ADAPTIVE_FROM = 1500  # "auto" picks the adaptive softmax from this vocabulary size (docs/nplm.md: measured)
# NPLM's constructor defaults, readable without loading the model (the command line shows them);
# tests/test_nplm_defaults.py checks they are the defaults of NPLM.__init__.
MODEL_DEFAULTS: dict[str, Any] = {"order": 5, "embed_dim": 60, "hidden": 100, "direct": False, "dropout": 0.0,
                                  "embed_std": 0.1, "seed": 0, "output": "auto", "cutoffs": None, "classes": None,
                                  "projections": None}
SMALL_VOCAB = 5000  # below this, training uses one BLAS thread unless told otherwise
RESUMABLE_CHANGES = ("max_epochs", "max_time", "threads")  # config fields a resumed run may change


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
    lazy_embeddings : bool, default True
        Adam/AdamW update only the embedding rows of the current batch (lazy moments, as
        PyTorch's SparseAdam; AdamW's decoupled weight decay is still applied to every row,
        exactly, when the row is next read): a table of V x m numbers is not swept at every
        step.  Not the same as dense Adam (whose moments keep moving rows after their batch);
        on Brown as good (docs/nplm.md).  False: dense Adam/AdamW on the whole table.
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
    lazy_embeddings: bool = True
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
    with threadpool_limits(limits=threads, user_api="blas"), thread_limit(threads):
        yield


def make_optimizer(config: TrainConfig) -> Optimizer:
    """The :mod:`wordnet_lm.nn` optimizer described by ``config``."""
    from wordnet_lm.nn import SGD, Adam, AdamW

    if config.optimizer == "sgd":
        return SGD(lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    cls = AdamW if config.optimizer == "adamw" else Adam
    return cls(lr=config.lr, weight_decay=config.weight_decay, lazy=config.lazy_embeddings)
