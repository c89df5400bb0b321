"""The map tasks' counter (``runs.count_chunk``): the in-memory counter's keys and counts, and
how many distinct n-grams start with each word (the reduce work the ranges are cut by),
checked against a count of n-gram tuples in plain Python."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import corpus_of
from wordnet_lm.errors import TrainingError
from wordnet_lm.ngram.counts import count_ngrams
from wordnet_lm.ngram.runs import count_chunk
from wordnet_lm.text.vocab import BOS_ID, EOS_ID

sentences = st.lists(st.lists(st.integers(3, 9), min_size=0, max_size=7), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(sentences, st.integers(1, 4))
def test_count_chunk_equals_the_in_memory_counter_and_a_tuple_count(sents, order):
    corpus = corpus_of(sents)
    got = count_chunk(corpus, order, 10)
    want = count_ngrams(corpus, order, 10)
    for n in range(2, order + 1):
        np.testing.assert_array_equal(got.keys[n - 2], want.index.keys[n - 1])
    for n in range(1, order + 1):
        np.testing.assert_array_equal(got.counts[n - 1], want.counts[n - 1])
    distinct = set()
    for s in sents:
        padded = [BOS_ID] + s + [EOS_ID]
        distinct |= {tuple(padded[i:i + n]) for n in range(2, order + 1) for i in range(len(padded) - n + 1)}
    first = Counter(gram[0] for gram in distinct)
    np.testing.assert_array_equal(got.first_words, [first[w] for w in range(10)])


def test_markers_in_the_text_and_bad_ids_are_refused():
    with pytest.raises(TrainingError, match="markers"):
        count_chunk(corpus_of([[4, BOS_ID, 5]]), 3, 10)
    with pytest.raises(TrainingError, match="markers"):
        count_chunk(corpus_of([[EOS_ID]]), 2, 10)
    with pytest.raises(ValueError, match="word ids"):
        count_chunk(corpus_of([[4, 12]]), 2, 10)
