"""GloVe's option choices and defaults, in a module that loads neither SciPy nor the autodiff
engine (the command line builds its options from them on every start)."""

from __future__ import annotations

from typing import Any

WEIGHTINGS = ("harmonic", "flat", "linear")  # how a pair d words apart counts (glove/cooccur.py)
DEFAULT_WINDOW = 20  # context words on each side
COMBINE = ("sum", "w", "w_tilde")  # which vectors are written: W + W~ (GloVe's output), W or W~
AUTO = "auto"  # epochs / batch size picked from the number of nonzeros
# GloVe's constructor defaults; tests/glove/test_settings.py checks they are GloVe.__init__'s.
MODEL_DEFAULTS: dict[str, Any] = {
    "dim": 100, "x_max": 5.0, "alpha": 0.75, "epochs": AUTO, "lr": 0.05, "batch_size": AUTO,
    "adagrad": "stanford", "bias_lr": None, "initial_accumulator": 1.0, "seed": 0, "n_threads": None,
    "verbose": False, "block_nonzeros": None,
}
