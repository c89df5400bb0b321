"""load_corpus, the streaming pair build_vocab + iter_corpus_chunks, and corpus_stats."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import InputFileError
from wordnet_lm.text import build_vocab, count_words, iter_corpus_chunks, load_corpus, readers
from wordnet_lm.text.loading import corpus_stats
from wordnet_lm.text.vocab import Vocab


def _write(path, sentences):
    path.write_text("".join(" ".join(s) + "\n" for s in sentences), encoding="utf-8")
    return path


@pytest.fixture
def corpus_file(tmp_path):
    sentences = [[f"w{(i * 7 + j * 3) % 17}" for j in range(i % 9 + 1)] for i in range(400)]
    return _write(tmp_path / "c.txt", sentences), sentences


def test_load_corpus_equals_build_then_encode(corpus_file, monkeypatch):
    path, sentences = corpus_file
    monkeypatch.setattr(readers, "BATCH_BYTES", 300)  # many batches, provisional ids across them
    for min_count, max_size in [(1, None), (118, None), (1, 5)]:
        corpus, vocab = load_corpus(path, min_count=min_count, max_size=max_size)
        reference_vocab = Vocab.build(sentences, min_count=min_count, max_size=max_size)
        reference = reference_vocab.encode(sentences)
        assert vocab == reference_vocab and vocab.counts.tolist() == reference_vocab.counts.tolist()
        assert np.array_equal(corpus.ids, reference.ids) and np.array_equal(corpus.offsets, reference.offsets)


def test_load_corpus_with_a_given_vocabulary(corpus_file):
    path, sentences = corpus_file
    vocab = Vocab(["w1", "w2"])
    corpus, same = load_corpus(path, vocab=vocab)
    assert same is vocab
    assert np.array_equal(corpus.ids, vocab.encode(sentences).ids)


def test_empty_vocabulary_is_an_error_naming_the_file(corpus_file):
    path, _ = corpus_file
    with pytest.raises(InputFileError, match=f"{path}: empty vocabulary: no word occurs min_count=1000 times"):
        load_corpus(path, min_count=1000)
    with pytest.raises(InputFileError, match="empty vocabulary"):
        build_vocab(path, max_size=0)


def test_streaming_two_passes_equal_the_in_memory_corpus(corpus_file, monkeypatch):
    path, sentences = corpus_file
    monkeypatch.setattr(readers, "BATCH_BYTES", 500)
    corpus, vocab = load_corpus(path, min_count=2)
    assert build_vocab(path, min_count=2) == vocab
    chunks = list(iter_corpus_chunks(path, vocab, chunk_tokens=100))
    assert all(c.n_tokens <= 100 for c in chunks) and len(chunks) > 10
    assert all(c.n_tokens >= 90 for c in chunks[:-1])  # sentences have at most 9 tokens
    assert np.array_equal(np.concatenate([c.ids for c in chunks]), corpus.ids)
    assert np.array_equal(np.concatenate([c.lengths() for c in chunks]), corpus.lengths())
    assert all(c.offsets[0] == 0 for c in chunks)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=40), st.integers(1, 30))
def test_chunks_keep_sentences_whole(tmp_path_factory, lengths, chunk_tokens):
    path = tmp_path_factory.mktemp("chunks") / "c.txt"
    sentences = [[f"t{k}"] * n for k, n in enumerate(lengths)]
    _write(path, sentences)
    vocab = Vocab.build(sentences)
    chunks = list(iter_corpus_chunks(path, vocab, chunk_tokens=chunk_tokens))
    assert [list(c.lengths()) for c in chunks] and sum((list(c.lengths()) for c in chunks), []) == lengths
    for c in chunks:
        assert c.n_tokens <= chunk_tokens or c.n_sentences == 1


def test_stats_and_counts(corpus_file):
    path, sentences = corpus_file
    stats = corpus_stats(path)
    assert stats.n_sentences == 400 and stats.max_length == 9
    assert stats.n_tokens == sum(map(len, sentences))
    assert list(count_words(path).items()) == list(stats.counts.items())


def test_load_the_demo_corpus_by_name():
    corpus, vocab = load_corpus("demo")
    assert 150_000 < corpus.n_tokens < 300_000 and 500 < len(vocab) < 2000
