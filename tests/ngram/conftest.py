"""Fixtures of the n-gram tests: small corpora as (Corpus, Vocab) built from id lists."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from .ngram_reference import random_sentences
from wordnet_lm.errors import ModelFileError
from wordnet_lm.ngram import BackoffModel, make_model, read_arpa
from wordnet_lm.ngram.arpa_hashed import read_arpa_hashed
from wordnet_lm.ngram.hashed import HashedIndex
from wordnet_lm.text.vocab import Corpus, Vocab


def corpus_of(sentences) -> Corpus:
    """A Corpus from lists of word ids."""
    offsets = np.cumsum([0] + [len(s) for s in sentences]).astype(np.int64)
    ids = np.array([w for s in sentences for w in s], np.int32)
    return Corpus(ids, offsets)


def vocab_of(n_words: int) -> Vocab:
    """Specials then words w3 .. w{n_words+2} (id i is word f"w{i}")."""
    return Vocab([f"w{i}" for i in range(3, 3 + n_words)])


@pytest.fixture(scope="session")
def small():
    """(train sentences, test sentences, Vocab): 61 words, the last one (w63) never in training;
    big enough for the count-of-counts to give modified Kneser-Ney discounts up to order 3."""
    train = random_sentences(3, 200, 60)
    test = random_sentences(5, 30, 61, max_len=10) + [[63, 3], [63]]
    return train, test, vocab_of(61)


def fitted(name: str, order: int, small, **params):
    """A ``name`` model of ``order`` fitted on the ``small`` training sentences (fallback
    discounts on such tiny data are expected: their warnings are silenced)."""
    train, _, vocab = small
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_model(name, order, **params).fit(corpus_of(train), vocab)


def scores(tables, vocab, corpus):
    return BackoffModel.from_tables(tables, vocab).token_logprobs(corpus)


def assert_same_as_read_arpa(path, corpus_words):
    """Both ARPA readers give the same vocabulary and exactly the same score for every prediction."""
    ref_tables, ref_vocab = read_arpa(path)
    tables, vocab = read_arpa_hashed(path)
    assert isinstance(tables.index, HashedIndex)
    assert vocab.words == ref_vocab.words
    corpus = corpus_of([vocab.encode_sentence(s) if hasattr(vocab, "encode_sentence") else
                        [vocab.index.get(w, 0) for w in s] for s in corpus_words])
    np.testing.assert_array_equal(scores(tables, vocab, corpus), scores(ref_tables, ref_vocab, corpus))


def assert_same_error_as_read_arpa(path, match: str) -> str:
    """The hashed reader rejects ``path`` with a one-line error matching ``match``, word for word
    the error of ``read_arpa``; returns it."""
    with pytest.raises(ModelFileError, match=match) as fast:
        read_arpa_hashed(path)
    assert "\n" not in str(fast.value)
    with pytest.raises(ModelFileError) as general:
        read_arpa(path)
    assert str(fast.value) == str(general.value)
    return str(fast.value)
