"""Vectorised counting against a naive Counter over the padded sentences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import corpus_of
from .ngram_reference import ngram_counts
from wordnet_lm.errors import TrainingError
from wordnet_lm.ngram.counts import count_ngrams, merge_counts, padded_stream
from wordnet_lm.text.vocab import BOS_ID, EOS_ID

sentences_strategy = st.lists(st.lists(st.integers(3, 7), max_size=6), min_size=1, max_size=12)


def as_dict(counts, n):
    return {tuple(r): int(c) for r, c in zip(counts.index.rows(n).tolist(), counts.counts[n - 1]) if c}


@settings(max_examples=60, deadline=None)
@given(sentences_strategy, st.integers(1, 4))
def test_counts_equal_naive_counts(sentences, order):
    counts = count_ngrams(corpus_of(sentences), order, 8)
    naive = ngram_counts(sentences, order)
    for n in range(1, order + 1):
        assert as_dict(counts, n) == dict(naive[n - 1])
    assert counts.n_sentences == len(sentences) and counts.n_tokens == sum(map(len, sentences))


@settings(max_examples=40, deadline=None)
@given(sentences_strategy, st.integers(1, 5))
def test_chunked_counting_and_merging_change_nothing(sentences, chunk):
    whole = count_ngrams(corpus_of(sentences), 3, 8)
    pieces = count_ngrams(corpus_of(sentences), 3, 8, chunk_tokens=chunk)
    half = len(sentences) // 2
    merged = merge_counts(count_ngrams(corpus_of(sentences[:half] or [[]]), 3, 8),
                          count_ngrams(corpus_of(sentences[half:]), 3, 8))
    streamed = count_ngrams(iter([corpus_of(sentences[:half]), corpus_of(sentences[half:])]), 3, 8)
    for other in (pieces, streamed):
        for n in range(1, 4):
            np.testing.assert_array_equal(other.index.keys[n - 1], whole.index.keys[n - 1])
            np.testing.assert_array_equal(other.counts[n - 1], whole.counts[n - 1])
            if n > 1:
                np.testing.assert_array_equal(other.index.suffixes(n), whole.index.suffixes(n))
    extra = [] if sentences[:half] else [[]]  # the empty sentence added to keep the first part non-empty
    reference = ngram_counts(sentences + extra, 3)
    for n in range(1, 4):
        assert as_dict(merged, n) == dict(reference[n - 1])


@settings(max_examples=40, deadline=None)
@given(sentences_strategy)
def test_suffixes_and_first_words(sentences):
    counts = count_ngrams(corpus_of(sentences), 3, 8)
    for n in (2, 3):
        rows = counts.index.rows(n)
        suffix_rows = counts.index.rows(n - 1)[counts.index.suffixes(n)]
        np.testing.assert_array_equal(suffix_rows, rows[:, 1:])
        np.testing.assert_array_equal(counts.index.first_words(n), rows[:, 0])
        np.testing.assert_array_equal(counts.index.find_rows(rows), np.arange(len(rows)))


def test_padded_stream_layout():
    stream, history, room = padded_stream(corpus_of([[5, 6], [], [7]]))
    assert stream.tolist() == [BOS_ID, 5, 6, EOS_ID, BOS_ID, EOS_ID, BOS_ID, 7, EOS_ID]
    assert history.tolist() == [0, 1, 2, 3, 0, 1, 0, 1, 2]
    assert room.tolist() == [4, 3, 2, 1, 2, 1, 3, 2, 1]


def test_find_reports_absent_ngrams():
    counts = count_ngrams(corpus_of([[3, 4, 5]]), 3, 6)
    found = counts.index.find_rows(np.array([[3, 4, 5], [4, 3, 5], [1, 3, 4], [3, 4, 2]]))
    assert (found >= 0).tolist() == [True, False, True, False]
    assert counts.index.find(2, np.array([-1]), np.array([3])).tolist() == [-1]


def test_bad_counting_input():
    with pytest.raises(TrainingError, match="empty corpus"):
        count_ngrams(corpus_of([]), 3, 5)
    with pytest.raises(TrainingError, match="order"):
        count_ngrams(corpus_of([[3]]), 0, 5)
    with pytest.raises(TrainingError, match="sentence markers"):
        count_ngrams(corpus_of([[3, BOS_ID, 4]]), 2, 5)
    with pytest.raises(ValueError, match="word ids"):
        count_ngrams(corpus_of([[3, 9]]), 2, 5)
