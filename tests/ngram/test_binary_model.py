"""The memory-mapped binary n-gram model: the same scores as the tables it was built from."""

from __future__ import annotations

import mmap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.cli import main
from wordnet_lm.errors import ModelFileError, WordnetLMError
from wordnet_lm.ngram import BackoffModel, BackoffTables, KneserNey
from wordnet_lm.ngram.binary import read_binary, write_binary
from wordnet_lm.ngram.files import load_model
from wordnet_lm.ngram.hashed import EMPTY, place, probe, table_size
from wordnet_lm.text import load_corpus
from wordnet_lm.text.demo import demo_paths


@settings(max_examples=40, deadline=None)
@given(keys=st.lists(st.integers(0, 10 ** 12), unique=True, max_size=300),
       queries=st.lists(st.integers(-3, 10 ** 12), max_size=50))
def test_probe_finds_every_placed_key_and_nothing_else(keys, queries):
    keys = np.array(keys, np.int64)
    table = np.full(table_size(len(keys)), EMPTY, np.int64)
    slots = place(keys, len(table))
    assert len(set(slots.tolist())) == len(keys)
    table[slots] = keys
    np.testing.assert_array_equal(probe(table, keys), slots)
    queries = np.array(queries, np.int64)
    expected = [int(slots[list(keys).index(q)]) if q in set(keys.tolist()) else -1 for q in queries.tolist()]
    np.testing.assert_array_equal(probe(table, queries), expected)


def is_mapped(array) -> bool:
    while array is not None and not isinstance(array, mmap.mmap):
        array = getattr(array, "base", None)
    return array is not None


@pytest.fixture(scope="module")
def demo_model():
    corpus, vocab = load_corpus(demo_paths()["train"])
    return KneserNey(order=4).fit(corpus, vocab)


def rounded(tables, dtype):
    """The same tables with every value rounded to ``dtype``."""
    return BackoffTables(tables.index, [p.astype(dtype).astype(float) for p in tables.log_prob],
                         [b.astype(dtype).astype(float) for b in tables.log_backoff])


def test_float32_binary_scores_equal_the_tables_rounded_to_float32(demo_model, tmp_path):
    path = tmp_path / "lm.bin"
    write_binary(path, demo_model.tables_, demo_model.vocab_)  # float32, as KenLM
    loaded = load_model(path)
    assert loaded.tables_.log_prob[2].dtype == np.float32
    test, _ = load_corpus(demo_paths()["test"], vocab=demo_model.vocab_)
    expected = BackoffModel.from_tables(rounded(demo_model.tables_, np.float32), demo_model.vocab_)
    np.testing.assert_array_equal(loaded.token_logprobs(test), expected.token_logprobs(test))
    np.testing.assert_allclose(loaded.token_logprobs(test), demo_model.token_logprobs(test), rtol=1e-6, atol=1e-7)


def test_binary_scores_equal_the_sorted_tables(demo_model, tmp_path):
    path = tmp_path / "lm.bin"
    write_binary(path, demo_model.tables_, demo_model.vocab_, dtype=np.float64)
    loaded = load_model(path)
    assert is_mapped(loaded.tables_.log_prob[1]) and is_mapped(loaded.tables_.index.tables[0])  # not read
    assert loaded.vocab_ == demo_model.vocab_ and loaded.n_ngrams() == demo_model.n_ngrams()
    test, _ = load_corpus(demo_paths()["test"], vocab=demo_model.vocab_)
    np.testing.assert_array_equal(loaded.token_logprobs(test), demo_model.token_logprobs(test))
    assert loaded.logprob(["the"], "cat") == demo_model.logprob(["the"], "cat")
    with pytest.raises(WordnetLMError, match="cannot list the words after a context"):
        loaded.distribution(["the"])


def test_cli_build_binary_then_perplexity_equals_the_arpa(demo_model, tmp_path, capsys):
    arpa, binary = tmp_path / "lm.arpa", tmp_path / "lm.bin"
    demo_model.to_arpa(arpa)
    assert main(["build-binary", "--double", str(arpa), str(binary)]) == 0
    capsys.readouterr()
    assert main(["perplexity", "--model", str(arpa)]) == 0
    from_arpa = capsys.readouterr().out
    assert main(["perplexity", "--model", str(binary)]) == 0
    assert capsys.readouterr().out == from_arpa


def test_damaged_binary_files_are_refused(demo_model, tmp_path):
    path = tmp_path / "lm.bin"
    write_binary(path, demo_model.tables_, demo_model.vocab_)
    raw = path.read_bytes()
    (tmp_path / "short.bin").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        read_binary(tmp_path / "short.bin")
    (tmp_path / "header.bin").write_bytes(raw[:20] + b"x" * 20 + raw[40:])  # inside the JSON
    with pytest.raises(ModelFileError, match="corrupt binary model header"):
        read_binary(tmp_path / "header.bin")
