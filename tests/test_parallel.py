"""wordnet_lm.parallel: element-wise updates in blocks and threads equal the whole-array update."""

from __future__ import annotations

import numpy as np
import pytest

from wordnet_lm import parallel


def _update(p, g, m, extra):
    m *= 0.9
    m += 0.1 * g
    p -= 0.01 * m / (np.abs(g) + 1.0)
    if extra is not None:
        extra += g


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("shape", [(0,), (7,), (1000, 70), (3, 50_001)])
def test_elementwise_equals_the_whole_array_update(monkeypatch, threads, shape):
    monkeypatch.setattr(parallel, "CACHE_BLOCK", 4096)
    monkeypatch.setattr(parallel, "kernel_threads", lambda n_elements: threads)
    rng = np.random.default_rng(0)
    p, g, m, extra = (rng.standard_normal(shape).astype(np.float32) for _ in range(4))
    expected = [a.copy() for a in (p, g, m, extra)]
    _update(*expected)
    parallel.elementwise(_update, p, g, m, extra)
    for got, want in zip((p, g, m, extra), expected):
        assert np.array_equal(got, want)
    p2, m2 = p.copy(), m.copy()
    parallel.elementwise(_update, p2, g, m2, None)  # None stays None
    _update(p, g, m, None)
    assert np.array_equal(p2, p) and np.array_equal(m2, m)


def test_elementwise_takes_non_contiguous_arrays_whole():
    rng = np.random.default_rng(1)
    p = rng.standard_normal((40, 30))
    g = rng.standard_normal((30, 40)).T  # not C-contiguous
    m = np.zeros((40, 30))
    expected = [p.copy(), g.copy(), m.copy()]
    _update(*expected, None)
    parallel.elementwise(_update, p, g, m, None)
    assert np.array_equal(p, expected[0]) and np.array_equal(m, expected[2])
