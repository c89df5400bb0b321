"""The Bengio et al. (2003) neural probabilistic language model on the project's autodiff engine.

    from wordnet_lm.nplm import NPLM, TrainConfig
    model = NPLM(order=5, embed_dim=60, hidden=100).fit(train, vocab, valid, TrainConfig(max_epochs=5))
    model.perplexity(test); model.save("lm.npz"); NPLM.load("lm.npz")

The names load on first use (PEP 562), so importing a light submodule such as
``wordnet_lm.nplm.config`` (the command line's defaults) does not start the autodiff engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wordnet_lm.lazy import lazy_exports

_HOMES = {
    "NPLM": "wordnet_lm.nplm.model",
    "TrainConfig": "wordnet_lm.nplm.config",
    "context_windows": "wordnet_lm.nplm.windows",
    "generate": "wordnet_lm.nplm.sample",
    "next_word_probs": "wordnet_lm.nplm.sample",
    "top_next_words": "wordnet_lm.nplm.sample",
}
__all__ = ["NPLM", "TrainConfig", "context_windows", "generate", "next_word_probs", "top_next_words"]
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

if TYPE_CHECKING:  # for type checkers and IDEs: the eager imports the lazy ones stand for
    from wordnet_lm.nplm.config import TrainConfig
    from wordnet_lm.nplm.model import NPLM
    from wordnet_lm.nplm.sample import generate, next_word_probs, top_next_words
    from wordnet_lm.nplm.windows import context_windows
