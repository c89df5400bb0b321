"""Windows built per batch equal the rows of the full window arrays."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.nplm.windows import BatchWindows, context_windows
from wordnet_lm.text.vocab import Corpus


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(3, 20), min_size=0, max_size=7), min_size=1, max_size=6),
       st.integers(1, 5), st.integers(0, 2 ** 31 - 1))
def test_batch_windows_equal_full_windows(sentences, order, seed):
    lengths = [len(s) for s in sentences]
    corpus = Corpus(np.array([w for s in sentences for w in s], np.int32), np.concatenate([[0], np.cumsum(lengths)]))
    contexts, targets = context_windows(corpus, order)
    windows = BatchWindows(corpus, order)
    assert len(windows.targets) == len(targets)
    idx = np.random.default_rng(seed).permutation(len(targets))[:max(1, len(targets) // 2)]
    assert np.array_equal(windows.contexts[idx], contexts[idx])
    assert np.array_equal(windows.targets[idx], targets[idx])
    assert windows.contexts[idx].dtype == contexts.dtype and windows.targets[idx].dtype == targets.dtype


def test_consecutive_batches_never_reuse_a_stale_answer():
    """The contexts and targets of one batch share one sentence lookup; a new batch, or the same
    array changed in place, is looked up again."""
    corpus = Corpus(np.arange(3, 23, dtype=np.int32), np.array([0, 4, 4, 11, 20]))
    contexts, targets = context_windows(corpus, 3)
    windows = BatchWindows(corpus, 3)
    idx = np.array([0, 5, 17, 23])
    for _ in range(2):
        assert np.array_equal(windows.contexts[idx], contexts[idx])
        assert np.array_equal(windows.targets[idx], targets[idx])
        idx[:] = [1, 6, 12, 22]  # the same array object, new positions
    assert np.array_equal(windows.targets[np.array([3, 4])], targets[[3, 4]])
