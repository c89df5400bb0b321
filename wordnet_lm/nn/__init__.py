"""A small functional neural-network library on :mod:`wordnet_lm.autodiff`.

Layers hold hyper-parameters (``init(rng) -> params``, ``apply(params, x)``); a model's
parameters are one flat dict ``{"embed.C": ..., "hidden.W": ...}`` shared by gradients,
optimizers and checkpoints.  See ``docs/nn.md``.
"""

from wordnet_lm.nn import functional, fused_softmax, init
from wordnet_lm.nn.functional import (
    activation,
    dropout,
    l2_penalty,
    log_softmax,
    logistic_loss,
    multiclass_hinge,
    nll_loss,
    softmax,
    squared_error,
)
from wordnet_lm.nn.fused_softmax import linear_softmax_cross_entropy, softmax_cross_entropy
from wordnet_lm.nn.layers import (
    MLP,
    Activation,
    Dropout,
    Embedding,
    Linear,
    Module,
    Sequential,
    cast_params,
    count_params,
)
from wordnet_lm.nn.optim import (
    SGD,
    Adam,
    AdamW,
    Optimizer,
    OptimizerState,
    RMSprop,
    clip_grad_norm,
    global_norm,
    optimizer_from_config,
)

__all__ = [
    "functional", "fused_softmax", "init",
    "activation", "dropout", "l2_penalty", "linear_softmax_cross_entropy", "log_softmax", "logistic_loss",
    "multiclass_hinge", "nll_loss", "softmax", "softmax_cross_entropy", "squared_error",
    "MLP", "Activation", "Dropout", "Embedding", "Linear", "Module", "Sequential", "cast_params", "count_params",
    "SGD", "Adam", "AdamW", "Optimizer", "OptimizerState", "RMSprop", "clip_grad_norm", "global_norm",
    "optimizer_from_config",
]
