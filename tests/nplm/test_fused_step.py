"""The training step's fast paths change no number: a few steps of ``make_step`` (the fused
hidden layer, Adam's grouped update on flat buffers) give bit for bit the parameters and
optimizer state of the step composed as before them (the hidden layer from the engine's
ops with ``dropout``, Adam one parameter at a time)."""

from __future__ import annotations

import numpy as np
import pytest

from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.autodiff import value_and_grad
from wordnet_lm.nn import Embedding, dropout
from wordnet_lm.nplm import NPLM, TrainConfig
from wordnet_lm.nplm.config import make_optimizer
from wordnet_lm.nplm.train import make_step
from wordnet_lm.nplm.windows import context_windows

from .nplm_helpers import tiny_data_triple


def composed_loss(model, params, contexts, targets, rng):
    """The model's training loss as ``NPLM._features`` composed it before the fused layer."""
    e = Embedding(len(params["embed.C"]), model.embed_dim, name="embed").apply(params, contexts)
    e = dropout(e, model.dropout, rng)
    t = dropout(anp.tanh(e @ params["hidden.W"] + params["hidden.b"]), model.dropout, rng)
    return model.output_layer(len(params["embed.C"])).loss(params, t, targets)


def composed_step(model, optimizer):
    loss_and_grads = value_and_grad(lambda p, c, t, r: composed_loss(model, p, c, t, r), sparse_rows=True)

    def step(params, state, contexts, targets, rng):
        optimizer.sync(params, state, {"embed.C": contexts})
        loss, grads = loss_and_grads(params, contexts, targets, rng)
        state.step += 1
        for name, g in grads.items():  # one parameter at a time
            optimizer._update(name, params[name], g, state)
        return float(loss)

    return step


@pytest.mark.parametrize("output, options", [("adaptive", {"cutoffs": [5, 10]}), ("full", {}),
                                             ("class", {"classes": 4})])
@pytest.mark.parametrize("lazy", [True, False])
def test_fast_step_equals_the_composed_step_bit_for_bit(output, options, lazy):
    train, _, vocab = tiny_data_triple()
    contexts, targets = context_windows(train, 4)
    config = TrainConfig(optimizer="adamw", lr=0.01, weight_decay=0.05, lazy_embeddings=lazy)
    results = []
    for make in (make_step, composed_step):
        model = NPLM(order=4, embed_dim=5, hidden=7, dropout=0.25, output=output, **options)
        model.vocab_ = vocab
        params = model.init_params(len(vocab))
        optimizer = make_optimizer(config)
        state = optimizer.init(params)
        step, masks, order = make(model, optimizer), np.random.default_rng(3), np.random.default_rng(4)
        losses = [step(params, state, contexts[idx], targets[idx], masks)
                  for idx in (order.integers(0, len(targets), 16) for _ in range(5))]
        optimizer.sync(params, state)
        results.append((losses, params, state.to_arrays()))
    (losses, params, slots), (losses_ref, params_ref, slots_ref) = results
    assert losses == losses_ref
    for name in params_ref:
        np.testing.assert_array_equal(params[name], params_ref[name], err_msg=name)
    assert slots.keys() == slots_ref.keys()
    for name in slots_ref:
        np.testing.assert_array_equal(slots[name], slots_ref[name], err_msg=name)
