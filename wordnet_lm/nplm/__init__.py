"""The Bengio et al. (2003) neural probabilistic language model on the project's autodiff engine.

    from wordnet_lm.nplm import NPLM, TrainConfig
    model = NPLM(order=5, embed_dim=60, hidden=100).fit(train, vocab, valid, TrainConfig(max_epochs=5))
    model.perplexity(test); model.save("lm.npz"); NPLM.load("lm.npz")
"""

from wordnet_lm.nplm.model import NPLM
from wordnet_lm.nplm.sample import generate, next_word_probs, top_next_words
from wordnet_lm.nplm.config import TrainConfig
from wordnet_lm.nplm.windows import context_windows

__all__ = ["NPLM", "TrainConfig", "context_windows", "generate", "next_word_probs", "top_next_words"]
