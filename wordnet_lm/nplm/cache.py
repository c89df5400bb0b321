"""A unigram cache language model (Kuhn & De Mori 1990): recently seen words come back.

``p_cache(w_t) = count of w_t among the last K predictions / min(t, K)``, over the running
text: the predictions of a corpus in order (each token, then ``</s>`` per sentence), the
cache starting empty at the text's first prediction.  Alone it gives probability 0 to every
word not in the cache; it is meant to be interpolated with full models
(:func:`wordnet_lm.nplm.mixture.fit_mixture_weights`), where it raises the probability of the
words of the current topic.  Two caches of different lengths in one mixture (the last 100 and
the last 1,000 words, say) make a cache in which recent words count more.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.nplm.mixture import fit_mixture_weights, mix_many
from wordnet_lm.nplm.windows import context_windows
from wordnet_lm.text.vocab import Corpus

CACHE_SIZES = (50, 100, 200, 500, 1000, 2000)  # one cache of each of these sizes is tried ...
CACHE_PAIRS = ((50, 1000), (100, 1000), (200, 1000), (100, 2000), (200, 2000))  # ... and two caches of these


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


def cache_components(stream: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """:func:`cache_logprobs` of ``stream`` for each cache size."""
    return [cache_logprobs(stream, size) for size in sizes]


def fit_cache_mixture(valid_logprobs: Sequence[np.ndarray], valid_stream: np.ndarray,
                      candidates: Sequence[Sequence[int]] | None = None) -> tuple[tuple[int, ...], np.ndarray]:
    """The cache sizes (one of ``candidates``: tuples of sizes, default every size of
    :data:`CACHE_SIZES` alone and the pairs of :data:`CACHE_PAIRS`) and mixture weights (the
    models, then the caches; fitted by EM) that give the models of ``valid_logprobs`` plus the
    caches the best validation likelihood.  Returns ``(sizes, weights)``."""
    if candidates is None:
        candidates = [(size,) for size in CACHE_SIZES] + list(CACHE_PAIRS)
    best = None
    for sizes in candidates:
        components = [*valid_logprobs, *cache_components(valid_stream, sizes)]
        weights = fit_mixture_weights(components)
        loglik = float(np.mean(mix_many(components, weights)))
        if best is None or loglik > best[0]:
            best = (loglik, tuple(sizes), weights)
    return best[1], best[2]


def describe_caches(sizes: Sequence[int]) -> str:
    """``"cache of the last 500 words"`` or ``"caches of the last 100 and 1000 words"``."""
    if len(sizes) == 1:
        return f"cache of the last {sizes[0]} words"
    return f"caches of the last {', '.join(map(str, sizes[:-1]))} and {sizes[-1]} words"
