"""Context windows against a naive per-token loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.nplm.windows import batches, context_windows, n_batches
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Corpus


def corpus_of(sentences):
    ids = np.asarray([w for s in sentences for w in s], np.int32)
    offsets = np.cumsum([0] + [len(s) for s in sentences]).astype(np.int64)
    return Corpus(ids, offsets)


def naive_windows(sentences, order):
    contexts, targets = [], []
    for s in sentences:
        padded = [BOS_ID] * (order - 1) + list(s) + [EOS_ID]
        for t in range(order - 1, len(padded)):
            contexts.append(padded[t - order + 1:t])
            targets.append(padded[t])
    return np.asarray(contexts, np.int32).reshape(len(targets), order - 1), np.asarray(targets, np.int32)


sentences_st = st.lists(st.lists(st.integers(3, 40), min_size=0, max_size=9), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(sentences=sentences_st, order=st.integers(1, 6))
def test_windows_match_naive_loop(sentences, order):
    contexts, targets = context_windows(corpus_of(sentences), order)
    want_c, want_t = naive_windows(sentences, order)
    assert contexts.dtype == np.int32 and targets.dtype == np.int32
    np.testing.assert_array_equal(targets, want_t)
    np.testing.assert_array_equal(contexts, want_c)


def test_windows_small_example():
    contexts, targets = context_windows(corpus_of([[5, 6, 7], [8]]), 3)
    np.testing.assert_array_equal(targets, [5, 6, 7, EOS_ID, 8, EOS_ID])
    np.testing.assert_array_equal(contexts, [[1, 1], [1, 5], [5, 6], [6, 7], [1, 1], [1, 8]])


def test_empty_sentence_predicts_only_eos():
    contexts, targets = context_windows(corpus_of([[], [4]]), 2)
    np.testing.assert_array_equal(targets, [EOS_ID, 4, EOS_ID])
    np.testing.assert_array_equal(contexts[:, 0], [BOS_ID, BOS_ID, 4])


def test_batches_cover_every_example_once_and_are_seeded():
    first = np.concatenate(list(batches(103, 10, np.random.default_rng(3))))
    again = np.concatenate(list(batches(103, 10, np.random.default_rng(3))))
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(np.sort(first), np.arange(103))
    assert not np.array_equal(first, np.arange(103))
    assert n_batches(103, 10) == 11 == len(list(batches(103, 10)))
    rest = list(batches(103, 10, np.random.default_rng(3), start=4))
    np.testing.assert_array_equal(np.concatenate(rest), first[40:])
