"""ARPA files read straight into hash tables (arpa_hashed): the scores of read_arpa, bit for bit,
on well-formed and odd files, block boundaries anywhere; malformed files -> one-line errors."""

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import assert_same_as_read_arpa, assert_same_error_as_read_arpa, corpus_of, fitted, scores
from wordnet_lm.cli import main
from wordnet_lm.errors import ModelFileError
from wordnet_lm.ngram import load_model, read_arpa
from wordnet_lm.ngram import arpa_hashed
from wordnet_lm.ngram.arpa_hashed import read_arpa_hashed
from wordnet_lm.text import load_corpus
from wordnet_lm.text.vocab import Vocab


@pytest.fixture(params=[(1 << 20, True), (97, True), (64, False)], ids=["one-block", "tiny-blocks", "unthreaded"])
def blocks(request, monkeypatch):
    """Block size and threading of the reader: tiny blocks put block ends inside sections and headers."""
    monkeypatch.setattr(arpa_hashed, "BLOCK", request.param[0])
    monkeypatch.setattr(arpa_hashed, "THREADED", request.param[1])


@pytest.mark.parametrize("name, order", [("mkn", 3), ("kn", 4), ("add-k", 2), ("mkn", 1)])
def test_models_written_by_us_score_as_read_arpa(name, order, small, tmp_path, blocks):
    _, test, vocab = small
    model = fitted(name, order, small)
    model.to_arpa(tmp_path / "m.arpa")
    tables, read_vocab = read_arpa_hashed(tmp_path / "m.arpa")
    np.testing.assert_array_equal(scores(tables, read_vocab, corpus_of(test)),
                                  load_model(tmp_path / "m.arpa").token_logprobs(corpus_of(test)))


@settings(max_examples=15, deadline=None)
@given(sentences=st.lists(st.lists(st.sampled_from(["a", "b", "c", "dd", "long_word_over_16_bytes", "é", "x" * 9]),
                                   min_size=1, max_size=8), min_size=1, max_size=12),
       order=st.integers(1, 4))
def test_random_models_score_as_read_arpa(sentences, order, tmp_path_factory):
    from wordnet_lm.ngram import make_model
    from wordnet_lm.text.vocab import encode_with

    vocab = Vocab(sorted({w for s in sentences for w in s}))
    corpus = encode_with(vocab.index, sentences)
    path = tmp_path_factory.mktemp("arpa") / "m.arpa"
    make_model("add-k", order=order).fit(corpus, vocab).to_arpa(path)
    tables, read_vocab = read_arpa_hashed(path)
    ref_tables, ref_vocab = read_arpa(path)
    assert read_vocab.words == ref_vocab.words
    np.testing.assert_array_equal(scores(tables, read_vocab, corpus), scores(ref_tables, ref_vocab, corpus))


ODD = (b"\\data\\\r\nngram 1=5\r\nngram 2=4\r\nngram 3=2\r\n\r\n"
       b"\\1-grams:\r\n-1.5e-05\t<s>\t-0.30103\r\n-0.69897\t</s>\r\n-0.4\tthe\t-2.5E-1\r\n"
       b"-1.0\tcat   -0.1\r\n  -99 \tdog\r\n\r\n"  # no <unk>, missing backoffs, blanks, -99
       b"\\2-grams:\r\n-0.2\t<s> the\t-0.05\r\n\r\n-0.3\tthe cat\r\n-0.5\tcat </s>\r\n-1e-2\tthe dog\t0\r\n\r\n"
       b"\\3-grams:\r\n-0.1\t<s> the cat\r\n-0.123456789012345\tthe cat </s>\r\n\r\n\\end\\\r\n")


def test_odd_but_valid_file_scores_as_read_arpa(tmp_path, blocks):
    (tmp_path / "odd.arpa").write_bytes(ODD)
    assert_same_as_read_arpa(tmp_path / "odd.arpa", [["the", "cat"], ["the", "dog", "cat"], ["mouse", "the"], ["dog"]])


def test_missing_contexts_and_gzip_take_the_general_reader(tmp_path):
    missing = ODD.replace(b"ngram 2=4", b"ngram 2=3").replace(b"-0.3\tthe cat\r\n", b"")  # "the cat" context gone
    (tmp_path / "missing.arpa").write_bytes(missing)
    assert_same_as_read_arpa(tmp_path / "missing.arpa", [["the", "cat"], ["the", "dog", "cat"]])
    (tmp_path / "odd.arpa.gz").write_bytes(gzip.compress(ODD))
    assert_same_as_read_arpa(tmp_path / "odd.arpa.gz", [["the", "cat"]])


BROKEN = {
    "not a number": (b"-0.3\tthe cat\r\n", b"-0.3x\tthe cat\r\n", r"odd\.arpa:16: not a number in '-0.3x\\tthe cat"),
    "fields": (b"-0.3\tthe cat\r\n", b"-0.3\tthe cat dog cat\r\n", r"odd\.arpa:16: expected log10 probability"),
    "positive": (b"-0.3\tthe cat\r\n", b"0.3\tthe cat\r\n", r"odd\.arpa:16: log10 probability must be finite"),
    "count": (b"ngram 3=2", b"ngram 3=3", r"the \\3-grams: section has 2 lines where \\data\\ announced 3"),
    "unknown word": (b"the dog\t0", b"the cow\t0", r"the 2-grams use the word 'cow', absent from the 1-grams"),
    "duplicate": (b"-0.5\tcat </s>", b"-0.5\tthe cat", r"the 2-gram 'the cat' occurs twice"),
    "no end": (b"\\end\\", b"\\fin\\", r"odd\.arpa:24: expected \\end\\ after the 3-grams"),
    "header": (b"\\2-grams:", b"\\2-gram:", r"odd\.arpa:13: expected the \\2-grams: section"),
    "no bos": (b"<s>\t-0.30103", b"<S>\t-0.30103", r"the 1-grams lack <s>"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_malformed_files_give_the_same_one_line_error_as_read_arpa(case, tmp_path, blocks):
    old, new, message = BROKEN[case]
    assert old in ODD
    (tmp_path / "odd.arpa").write_bytes(ODD.replace(old, new, 1))
    assert_same_error_as_read_arpa(tmp_path / "odd.arpa", message)


def test_missing_file_directory_and_non_arpa(tmp_path):
    with pytest.raises(ModelFileError, match="no such ARPA file"):
        read_arpa_hashed(tmp_path / "none.arpa")
    with pytest.raises(ModelFileError, match="is a directory"):
        read_arpa_hashed(tmp_path)
    (tmp_path / "text.arpa").write_text("hello world\n")
    with pytest.raises(ModelFileError, match="not an ARPA file"):
        read_arpa_hashed(tmp_path / "text.arpa")


def test_cli_perplexity_of_an_arpa_prints_what_the_sorted_tables_give(tmp_path, capsys):
    from wordnet_lm.ngram import KneserNey
    from wordnet_lm.text.demo import demo_paths

    train, vocab = load_corpus(demo_paths()["train"])
    KneserNey(order=4).fit(train, vocab).to_arpa(tmp_path / "lm.arpa")
    assert main(["perplexity", "--model", str(tmp_path / "lm.arpa"), "--per-sentence"]) == 0
    printed = capsys.readouterr().out
    model = load_model(tmp_path / "lm.arpa")  # sorted tables, text read by the general reader
    test, _ = load_corpus(demo_paths()["test"], vocab=model.vocab_)
    assert printed.endswith(str(model.perplexity(test)) + "\n")
    assert printed.count("sentence ") == test.n_sentences
