"""Co-occurrence counts against a naive double loop over tokens."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.glove import cooccurrence_matrix, count_cooccurrences, distance_weights
from wordnet_lm.text import UNK_ID, Corpus, Vocab, iter_corpus_chunks


def naive_counts(sentences, n_words, window, weight, symmetric=True, count_unk=False):
    """Stanford's cooccur.c loop: OOV tokens removed first, windows inside one sentence."""
    X = np.zeros((n_words, n_words))
    for sentence in sentences:
        kept = [w for w in sentence if count_unk or w != UNK_ID]
        for t, right in enumerate(kept):
            for d in range(1, window + 1):
                if t - d < 0:
                    break
                left = kept[t - d]
                X[left, right] += weight(d)
                if symmetric:
                    X[right, left] += weight(d)
    return X


def as_corpus(sentences) -> Corpus:
    lengths = [len(s) for s in sentences]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ids = np.array([w for s in sentences for w in s], dtype=np.int32)
    return Corpus(ids, offsets)


WEIGHT_FUNCTIONS = {
    "harmonic": lambda window: (lambda d: 1.0 / d),
    "flat": lambda window: (lambda d: 1.0),
    "linear": lambda window: (lambda d: (window + 1 - d) / window),
}

sentences_strategy = st.lists(st.lists(st.integers(0, 7), min_size=1, max_size=12), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(sentences=sentences_strategy, window=st.integers(1, 5), weighting=st.sampled_from(sorted(WEIGHT_FUNCTIONS)),
       symmetric=st.booleans(), count_unk=st.booleans(), chunk_tokens=st.integers(1, 20))
def test_matches_naive_loop(sentences, window, weighting, symmetric, count_unk, chunk_tokens):
    n_words = 8
    expected = naive_counts(sentences, n_words, window, WEIGHT_FUNCTIONS[weighting](window), symmetric, count_unk)
    got = cooccurrence_matrix(as_corpus(sentences), n_words, window=window, weighting=weighting,
                              symmetric=symmetric, count_unk=count_unk, chunk_tokens=chunk_tokens)
    assert isinstance(got, scipy.sparse.csr_matrix) and got.has_canonical_format
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-12, atol=1e-12)
    assert got.nnz == np.count_nonzero(expected)  # no explicit zeros


def test_small_example_by_hand():
    # sentence "a b a c" with ids a=3, b=4, c=5, window 2, 1/d weighting
    X = cooccurrence_matrix(as_corpus([[3, 4, 3, 5]]), 6, window=2).toarray()
    assert X[3, 4] == X[4, 3] == 1 + 1  # a-b at d=1 twice
    assert X[3, 3] == 2 * 0.5  # a ... a at d=2, counted in both directions on the diagonal
    assert X[3, 5] == X[5, 3] == 1.0  # a-c at d=1
    assert X[4, 5] == X[5, 4] == 0.5  # b-c at d=2
    assert np.count_nonzero(X) == 7


def test_windows_stop_at_sentence_ends_and_skip_unknown_words():
    two_sentences = cooccurrence_matrix(as_corpus([[3, 4], [5, 6]]), 7, window=5).toarray()
    assert two_sentences[4, 5] == 0 and two_sentences[3, 4] == 1
    with_unk = cooccurrence_matrix(as_corpus([[3, UNK_ID, 4]]), 5, window=1).toarray()
    assert with_unk[3, 4] == 1.0  # <unk> is removed before windowing, as in Stanford's cooccur
    assert not with_unk[UNK_ID].any()
    kept = cooccurrence_matrix(as_corpus([[3, UNK_ID, 4]]), 5, window=1, count_unk=True).toarray()
    assert kept[3, 4] == 0 and kept[3, UNK_ID] == 1


def test_chunked_stream_equals_whole_corpus():
    rng = np.random.default_rng(0)
    sentences = [rng.integers(0, 30, rng.integers(1, 15)).tolist() for _ in range(200)]
    whole = cooccurrence_matrix(as_corpus(sentences), 30, window=4)
    pieces = [as_corpus(sentences[k:k + 7]) for k in range(0, 200, 7)]
    streamed = cooccurrence_matrix(iter(pieces), 30, window=4, chunk_tokens=5)
    np.testing.assert_allclose(whole.toarray(), streamed.toarray(), rtol=1e-14)
    assert whole.nnz == streamed.nnz


def test_count_cooccurrences_from_file_equals_in_memory(tmp_path):
    text = "the cat sat on the mat\nthe dog sat\n\nrare words here\nthe cat ran\n"
    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    X, vocab = count_cooccurrences(path, min_count=2, window=3, chunk_tokens=4)
    assert vocab.words[3:] == ["the", "cat", "sat"]
    sentences = [vocab.lookup(line.split()).tolist() for line in text.splitlines() if line.strip()]
    expected = naive_counts(sentences, len(vocab), 3, lambda d: 1.0 / d)
    np.testing.assert_allclose(X.toarray(), expected)
    # a given vocabulary is used as is
    X2, vocab2 = count_cooccurrences(path, vocab=vocab, window=3)
    assert vocab2 is vocab and (X2 != X).nnz == 0


def test_distance_weights():
    np.testing.assert_allclose(distance_weights(4), [1, 1 / 2, 1 / 3, 1 / 4])
    np.testing.assert_allclose(distance_weights(4, "flat"), [1, 1, 1, 1])
    np.testing.assert_allclose(distance_weights(4, "linear"), [1, 3 / 4, 1 / 2, 1 / 4])


@pytest.mark.parametrize("kwargs, message", [
    ({"window": 0}, "window must be a positive integer"),
    ({"window": 2.5}, "window must be a positive integer"),
    ({"weighting": "gaussian"}, "unknown weighting 'gaussian'"),
    ({"chunk_tokens": 0}, "chunk_tokens must be positive"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(WordnetLMError, match=message):
        cooccurrence_matrix(as_corpus([[3, 4]]), 5, **kwargs)


def test_ids_outside_the_vocabulary():
    with pytest.raises(WordnetLMError, match="outside a vocabulary of 5 words"):
        cooccurrence_matrix(as_corpus([[3, 9]]), 5)


def test_empty_corpus_and_empty_vocabulary(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputFileError, match="empty.txt"):
        count_cooccurrences(empty)
    rare = tmp_path / "rare.txt"
    rare.write_text("every word once\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="min_count=5"):
        count_cooccurrences(rare, min_count=5)
    # a corpus of one-word sentences has a vocabulary but no pairs
    X = cooccurrence_matrix(as_corpus([[3], [4]]), 5)
    assert X.nnz == 0 and X.shape == (5, 5)


def test_streaming_chunks_from_text_module(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a b\nc a\nb b a c\n" * 20, encoding="utf-8")
    vocab = Vocab.build([line.split() for line in path.read_text().splitlines()])
    whole = count_cooccurrences(path, vocab=vocab, window=2)[0]
    streamed = cooccurrence_matrix(iter_corpus_chunks(path, vocab, chunk_tokens=7), len(vocab), window=2)
    np.testing.assert_allclose(whole.toarray(), streamed.toarray())
