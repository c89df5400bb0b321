"""A unigram cache language model (Kuhn & De Mori 1990): recently seen words come back.

``p_cache(w_t) = count of w_t among the last K predictions / min(t, K)``, over the running
text: the predictions of a corpus in order (each token, then ``</s>`` per sentence), the
cache starting empty at the text's first prediction.  Alone it gives probability 0 to every
word not in the cache; it is meant to be interpolated with full models
(:func:`wordnet_lm.nplm.mixture.fit_mixture_weights`), where it raises the probability of the
words of the current topic.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.nplm.mixture import fit_mixture_weights, mix_many
from wordnet_lm.nplm.windows import context_windows
from wordnet_lm.text.vocab import Corpus

CACHE_SIZES = (50, 100, 200, 500, 1000, 2000)  # the sizes tried by fit_cache_mixture


def prediction_stream(corpus: Corpus) -> np.ndarray:
    """The ids a language model predicts over ``corpus``, in order (tokens, ``</s>`` per sentence)."""
    return context_windows(corpus, 2)[1]


def cache_logprobs(stream: np.ndarray, size: int) -> np.ndarray:
    """``log p_cache`` (natural log; ``-inf`` for a word not in the cache) of each id of
    ``stream`` given the ``size`` ids before it.  Vectorised: the occurrences of each word are
    sorted by position once, and a window count is two binary searches."""
    if int(size) != size or size < 1:
        raise WordnetLMError(f"the cache size must be a positive integer, got {size}")
    ids = np.asarray(stream, np.int64)
    n = len(ids)
    positions = np.arange(n, dtype=np.int64)
    keys = np.sort(ids * n + positions)  # occurrences grouped by word, in position order
    hits = np.searchsorted(keys, ids * n + positions) - np.searchsorted(keys, ids * n + np.maximum(positions - size, 0))
    seen = np.minimum(positions, size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(seen > 0, np.log(hits) - np.log(np.maximum(seen, 1)), -np.inf)


def fit_cache_mixture(valid_logprobs: Sequence[np.ndarray], valid_stream: np.ndarray,
                      sizes: Sequence[int] = CACHE_SIZES) -> tuple[int, np.ndarray]:
    """The cache size (of ``sizes``) and mixture weights (components, then the cache; fitted
    by EM) that give the models of ``valid_logprobs`` plus a cache the best validation
    likelihood.  Returns ``(size, weights)``."""
    best = None
    for size in sizes:
        components = [*valid_logprobs, cache_logprobs(valid_stream, size)]
        weights = fit_mixture_weights(components)
        loglik = float(np.mean(mix_many(components, weights)))
        if best is None or loglik > best[0]:
            best = (loglik, size, weights)
    return best[1], best[2]
