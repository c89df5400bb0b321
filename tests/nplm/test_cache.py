"""The unigram cache model and EM weights of several models."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.nplm.cache import (
    cache_components,
    cache_logprobs,
    describe_caches,
    fit_cache_mixture,
    prediction_stream,
)
from wordnet_lm.nplm.mixture import fit_mixture_weight, fit_mixture_weights, mix_logprobs, mix_many
from wordnet_lm.text.vocab import Vocab


def loop_cache(stream, size):
    """The definition, one prediction at a time."""
    out = []
    for t, w in enumerate(stream):
        window = list(stream[max(0, t - size):t])
        out.append(math.log(window.count(w) / len(window)) if window and w in window else -math.inf)
    return np.array(out)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=60), st.integers(1, 12))
def test_cache_equals_the_definition(stream, size):
    np.testing.assert_allclose(cache_logprobs(np.array(stream), size), loop_cache(stream, size), rtol=1e-12)


def test_cache_runs_over_the_predictions_of_a_corpus():
    vocab = Vocab.build([["a", "b", "a"], ["b"]])
    corpus = vocab.encode([["a", "b", "a"], ["b"]])
    stream = prediction_stream(corpus)
    assert vocab.decode(stream) == ["a", "b", "a", "</s>", "b", "</s>"]
    logp = cache_logprobs(stream, 3)
    assert logp[0] == -np.inf
    assert logp[2] == pytest.approx(math.log(1 / 2)) and logp[5] == pytest.approx(math.log(1 / 3))
    with pytest.raises(WordnetLMError, match="cache size"):
        cache_logprobs(stream, 0)


def test_em_weights_maximise_the_likelihood():
    rng = np.random.default_rng(0)
    a, b, c = (np.log(rng.random(400)) for _ in range(3))
    c[:50] = -np.inf  # a cache: zero on some predictions
    w = fit_mixture_weights([a, b, c])
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)
    best = np.mean(mix_many([a, b, c], w))
    grid = [np.array([x, y, 1 - x - y]) for x in np.linspace(0, 1, 41) for y in np.linspace(0, 1, 41) if x + y <= 1]
    assert best >= max(np.mean(mix_many([a, b, c], g)) for g in grid) - 1e-9
    # two models: the same weight as the two-model EM, and the same mixture
    w2 = fit_mixture_weights([a, b])
    assert w2[0] == pytest.approx(fit_mixture_weight(a, b), abs=1e-6)
    np.testing.assert_allclose(mix_many([a, b], w2), mix_logprobs(a, b, w2[0]), rtol=1e-12)
    with pytest.raises(ValueError, match="probability 0 under every model"):
        fit_mixture_weights([np.full(3, -np.inf), np.full(3, -np.inf)])


def test_cache_helps_on_bursty_text():
    """Words that repeat in bursts: the cache gets weight, and the mixture beats the unigram."""
    rng = np.random.default_rng(1)
    stream = np.concatenate([rng.choice(rng.choice(200, 5), 100) for _ in range(40)])
    unigram_lp = np.log((np.bincount(stream, minlength=200) + 1.0) / (len(stream) + 200))[stream]
    sizes, w = fit_cache_mixture([unigram_lp], stream, candidates=[(10,), (50,), (400,)])
    assert sizes == (50,) and w[1] > 0.5
    assert np.mean(mix_many([unigram_lp, cache_logprobs(stream, 50)], w)) > np.mean(unigram_lp) + 1.0


def test_two_caches_are_chosen_by_validation_likelihood():
    """Bursts of 3 words inside topics of 20: a short and a long cache together beat either."""
    rng = np.random.default_rng(2)
    topics = [rng.choice(300, 20, replace=False) for _ in range(30)]
    stream = np.concatenate([np.concatenate([rng.choice(rng.choice(t, 3), 15) for _ in range(10)]) for t in topics])
    unigram_lp = np.log((np.bincount(stream, minlength=300) + 1.0) / (len(stream) + 300))[stream]
    candidates = [(10,), (150,), (10, 150)]
    sizes, w = fit_cache_mixture([unigram_lp], stream, candidates)
    likelihoods = {c: np.mean(mix_many([unigram_lp, *cache_components(stream, c)],
                                       fit_mixture_weights([unigram_lp, *cache_components(stream, c)])))
                   for c in candidates}
    assert sizes == max(likelihoods, key=likelihoods.get) == (10, 150) and len(w) == 3
    assert describe_caches(sizes) == "caches of the last 10 and 150 words"
    assert describe_caches((500,)) == "cache of the last 500 words"
