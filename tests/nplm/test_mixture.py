"""Mixture weight fitted by EM against a brute-force search."""

import numpy as np
import pytest

from wordnet_lm.nplm.mixture import fit_mixture_weight, mix_logprobs


def test_mix_logprobs_is_the_linear_mixture():
    a, b = np.log([0.5, 0.1, 0.2]), np.log([0.1, 0.3, 0.2])
    np.testing.assert_allclose(np.exp(mix_logprobs(a, b, 0.25)), 0.25 * np.exp(a) + 0.75 * np.exp(b), rtol=1e-12)
    np.testing.assert_allclose(mix_logprobs(a, b, 1.0), a)
    np.testing.assert_allclose(mix_logprobs(a, b, 0.0), b)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_em_weight_maximises_likelihood(seed):
    rng = np.random.default_rng(seed)
    a = np.log(rng.uniform(1e-4, 1, 500))
    b = np.log(rng.uniform(1e-4, 1, 500)) + rng.normal(0, 1.0) * 0.3
    w = fit_mixture_weight(a, b)
    grid = np.linspace(0.001, 0.999, 999)
    best = grid[np.argmax([mix_logprobs(a, b, g).mean() for g in grid])]
    assert abs(w - best) < 2e-3
    assert mix_logprobs(a, b, w).mean() >= mix_logprobs(a, b, best).mean() - 1e-12


def test_em_weight_goes_to_the_better_model():
    a = np.log(np.full(100, 0.5))
    b = np.log(np.full(100, 0.01))
    assert fit_mixture_weight(a, b) > 0.999


def test_mismatched_predictions_are_an_error():
    with pytest.raises(ValueError):
        fit_mixture_weight(np.zeros(3), np.zeros(4))
