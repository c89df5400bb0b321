"""The faster ARPA load (issue 11 part 5, fourth round): lines with the usual field count found from
their separators, context slots probed without a validity mask; each checked against the general
path (spans, probe) and read_arpa, on clean and odd files, bit for bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import assert_same_as_read_arpa, assert_same_error_as_read_arpa, corpus_of, fitted
from wordnet_lm.errors import ModelFileError
from wordnet_lm.ngram import arpa_hashed
from wordnet_lm.ngram.arpa_hashed import read_arpa_hashed
from wordnet_lm.ngram.hashed import EMPTY, place, probe, probe_stored, table_size
from wordnet_lm.text.byte_fields import line_starts, regular_fields
from wordnet_lm.text.byte_words import spans


# ---------------------------------------------------------------------- separators
LINES = st.lists(st.lists(st.sampled_from(["-0.5", "a", "bb", "<s>", "é", "-99", "x" * 17]), min_size=0, max_size=5),
                 min_size=1, max_size=12)
SEPARATORS = st.sampled_from([" ", "\t", " ", "\t", "  ", "\t ", "\r", "\x0b", "\x01"])


@settings(max_examples=150, deadline=None)
@given(lines=LINES, seps=st.lists(SEPARATORS, min_size=60, max_size=60), end=st.sampled_from(["\n", "\r\n", "\n\n"]),
       per_line=st.integers(1, 5), lead=st.integers(0, 3))
def test_regular_fields_are_the_fields_spans_finds_or_none(lines, seps, end, per_line, lead):
    """Accepted blocks have exactly the fields spans() finds; clean blocks are accepted."""
    used = iter(seps * 2)
    text = "".join("".join(w + (next(used) if j < len(line) - 1 else "") for j, w in enumerate(line)) + end
                   for line in lines)
    raw = b"#" * lead + text.encode()
    data = np.frombuffer(raw + b"\0" * 16, np.uint8)
    found = regular_fields(data, lead, len(raw), per_line)
    n_used = sum(max(len(line) - 1, 0) for line in lines)
    clean = (end == "\n" and all(len(line) == per_line for line in lines)
             and all(sep in (" ", "\t") for sep in (seps * 2)[:n_used]))
    if found is None:
        assert not clean
        return
    starts, ends = spans(data[lead:len(raw)])
    assert found.shape == (len(lines), per_line)
    np.testing.assert_array_equal(found[:, -1] - lead, np.flatnonzero(data[lead:len(raw)] == 10))
    field_starts = np.concatenate([line_starts(found, lead)[:, None], found[:, :-1] + 1], axis=1)
    np.testing.assert_array_equal(field_starts.ravel() - lead, starts)
    np.testing.assert_array_equal(found.ravel() - lead, ends)


def test_regular_fields_takes_clean_lines_and_refuses_the_rest():
    def fields(text, per_line):
        data = np.frombuffer(text + b"\0" * 16, np.uint8)
        return regular_fields(data, 0, len(text), per_line)

    clean = b"-0.5\ta b\t-0.1\n-1.25\tc d\t0\n"
    seps = fields(clean, 4)
    assert seps.tolist() == [[4, 6, 8, 13], [19, 21, 23, 25]]
    assert line_starts(seps, 0).tolist() == [0, 14]
    for text in (clean.replace(b"\n", b"\r\n"),  # CRLF
                 clean.replace(b"\ta b", b"\ta  b"),  # a doubled space
                 clean.replace(b"\t0\n", b"\n"),  # a missing backoff
                 clean + b"\n",  # a blank line
                 b" " + clean,  # leading whitespace
                 clean[:-1],  # no final line feed
                 clean.replace(b"a b", b"a\x01b")):  # a control byte
        assert fields(text, 4) is None, text
    assert fields(clean, 3) is None and fields(clean, 2) is None


# ---------------------------------------------------------------------- context probes
@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.integers(0, 10 ** 12), unique=True, min_size=1, max_size=300),
       others=st.lists(st.integers(0, 10 ** 12), max_size=100), spare=st.integers(1, 20))
def test_probe_stored_finds_what_probe_finds(keys, others, spare):
    keys = np.array(keys, np.int64)
    n_slots = table_size(len(keys), 1.0) + spare - 1  # nearly full tables: long runs, wrapping round the end
    table = np.full(n_slots, EMPTY, np.int64)
    table[place(keys, n_slots)] = keys
    queries = np.concatenate([keys, np.array(others, np.int64)])
    np.testing.assert_array_equal(probe_stored(table, queries), probe(table, queries))


# ---------------------------------------------------------------------- whole files
CLEAN = (b"\\data\\\nngram 1=6\nngram 2=4\nngram 3=2\n\n"
         b"\\1-grams:\n-1.5\t<unk>\t0\n-99\t<s>\t-0.30103\n-0.69897\t</s>\t0\n-0.4\tthe\t-0.25\n-1.0\tcat\t-0.1\n"
         b"-0.123456789012\tdog\t0\n\n"
         b"\\2-grams:\n-0.2\t<s> the\t-0.05\n-0.3\tthe cat\t-0.01\n-0.5\tcat </s>\t0\n-1e-2\tthe dog\t0\n\n"
         b"\\3-grams:\n-0.1\t<s> the cat\n-0.3\tthe cat </s>\n\n\\end\\\n")


@pytest.fixture(params=[(1 << 20, True), (29, True), (64, False)], ids=["one-block", "tiny-blocks", "unthreaded"])
def blocks(request, monkeypatch):
    monkeypatch.setattr(arpa_hashed, "BLOCK", request.param[0])
    monkeypatch.setattr(arpa_hashed, "THREADED", request.param[1])


def tables_of(path):
    tables, vocab = read_arpa_hashed(path)
    return vocab.words, [t.copy() for t in tables.index.tables], tables.log_prob, tables.log_backoff


def test_regular_and_general_paths_give_the_same_tables(small, tmp_path, monkeypatch, blocks):
    """A model we write, a KenLM-like clean file: read with and without the separators path, bit for bit."""
    fitted("mkn", 4, small).to_arpa(tmp_path / "m.arpa")
    (tmp_path / "clean.arpa").write_bytes(CLEAN)
    taken = []
    original = arpa_hashed.regular_fields
    monkeypatch.setattr(arpa_hashed, "regular_fields", lambda *a: taken.append(original(*a)) or taken[-1])
    fast = [tables_of(tmp_path / name) for name in ("m.arpa", "clean.arpa")]
    assert any(seps is not None for seps in taken)
    monkeypatch.setattr(arpa_hashed, "regular_fields", lambda *a: None)
    general = [tables_of(tmp_path / name) for name in ("m.arpa", "clean.arpa")]
    for one, other in zip(fast, general):
        assert one[0] == other[0]
        for arrays, expected in zip(one[1:], other[1:]):
            assert len(arrays) == len(expected)
            for x, y in zip(arrays, expected):
                np.testing.assert_array_equal(x, y)


def test_clean_file_scores_as_read_arpa(tmp_path, blocks):
    (tmp_path / "clean.arpa").write_bytes(CLEAN)
    assert_same_as_read_arpa(tmp_path / "clean.arpa",
                             [["the", "cat"], ["the", "dog", "cat"], ["mouse", "the"], ["dog"], ["cat", "the", "cat"]])


BROKEN = {
    "not a number": (b"-0.3\tthe cat\t-0.01", b"-0.3x\tthe cat\t-0.01", r"clean\.arpa:16: not a number in '-0.3x\\tthe cat"),
    "bad backoff": (b"-0.3\tthe cat\t-0.01", b"-0.3\tthe cat\t-0.0q1", r"clean\.arpa:16: not a number in '-0.3\\tthe cat"),
    "positive": (b"-0.3\tthe cat\t", b"0.3\tthe cat\t", r"clean\.arpa:16: log10 probability must be finite"),
    "infinite": (b"-0.5\tcat </s>", b"-inf\tcat </s>", r"clean\.arpa:17: log10 probability must be finite"),
    "unknown word": (b"the dog\t0", b"the cow\t0", r"the 2-grams use the word 'cow', absent from the 1-grams"),
    "duplicate": (b"-0.5\tcat </s>", b"-0.5\tthe cat", r"the 2-gram 'the cat' occurs twice"),
    "strays": (b"the cat\t-0.01\n-0.5\tcat </s>", b"the cow\t-0.01\n-0.5\tpig </s>", r"the 2-grams use the word 'cow'"),
    "fields": (b"-0.3\tthe cat </s>\n", b"-0.3\tthe cat </s> the\n", r"clean\.arpa:22: expected log10 probability"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_malformed_clean_files_give_read_arpa_s_one_line_error(case, tmp_path, blocks):
    old, new, message = BROKEN[case]
    assert old in CLEAN
    (tmp_path / "clean.arpa").write_bytes(CLEAN.replace(old, new, 1))
    assert_same_error_as_read_arpa(tmp_path / "clean.arpa", message)


# ---------------------------------------------------------------------- model and text at once
def sequential(model_path, text):
    from wordnet_lm.ngram import load_model
    from wordnet_lm.text.byte_corpus import load_scoring_corpus

    model = load_model(model_path, scoring=True)
    return model, load_scoring_corpus(text, model.vocab_)


def test_the_text_read_while_an_arpa_loads_is_the_text_read_after(small, tmp_path, monkeypatch):
    from wordnet_lm.ngram import score_setup
    from wordnet_lm.text.demo import demo_paths

    fitted("mkn", 3, small).to_arpa(tmp_path / "m.arpa")
    (tmp_path / "clean.arpa").write_bytes(CLEAN)
    (tmp_path / "missing.arpa").write_bytes(CLEAN.replace(b"ngram 2=4", b"ngram 2=3").replace(b"-0.3\tthe cat\t-0.01\n", b""))
    text = demo_paths()["test"]
    started = []
    original = score_setup.load_model
    monkeypatch.setattr(score_setup, "load_model", lambda path, **kw: original(
        path, **{**kw, "on_vocabulary": lambda vocab: (started.append(vocab), kw["on_vocabulary"](vocab))}))
    for name in ("m.arpa", "clean.arpa", "missing.arpa"):  # missing.arpa: a context missing, read_arpa's vocabulary
        started.clear()
        model, corpus = score_setup.model_and_text(tmp_path / name, text, lambda extra: {})
        expected_model, expected = sequential(tmp_path / name, text)
        assert len(started) == 1 and (started[0] is model.vocab_) == (name != "missing.arpa")
        np.testing.assert_array_equal(corpus.ids, expected.ids)
        np.testing.assert_array_equal(corpus.offsets, expected.offsets)
        np.testing.assert_array_equal(model.token_logprobs(corpus), expected_model.token_logprobs(expected))


def test_errors_of_model_and_text_are_those_of_the_sequential_calls(tmp_path):
    from wordnet_lm.errors import WordnetLMError
    from wordnet_lm.ngram.score_setup import model_and_text

    (tmp_path / "clean.arpa").write_bytes(CLEAN)
    with pytest.raises(WordnetLMError) as early:
        model_and_text(tmp_path / "clean.arpa", tmp_path / "none.txt", lambda extra: {})
    with pytest.raises(WordnetLMError) as late:
        sequential(tmp_path / "clean.arpa", tmp_path / "none.txt")
    assert str(early.value) == str(late.value) and "none.txt" in str(early.value)
    (tmp_path / "broken.arpa").write_bytes(CLEAN.replace(b"the dog\t0", b"the cow\t0"))
    with pytest.raises(ModelFileError, match="absent from the 1-grams"):
        model_and_text(tmp_path / "broken.arpa", tmp_path / "none.txt", lambda extra: {})


# ---------------------------------------------------------------------- perplexity without an array of every score
@pytest.mark.parametrize("threads", [1, 2])
def test_perplexity_summed_piece_by_piece_is_that_of_every_score(small, monkeypatch, threads):
    from wordnet_lm.ngram import model as model_module
    from wordnet_lm.ngram.perplexity import perplexity_from_logprobs, prediction_targets

    _, test, _ = small
    model = fitted("mkn", 3, small)
    from wordnet_lm.text.vocab import UNK_ID

    without_oov = corpus_of([s for s in test if UNK_ID not in s] * 5)
    with_oov = corpus_of((test + [[UNK_ID, 3], [5, UNK_ID, 7]]) * 5)
    monkeypatch.setattr(model_module, "SCORE_BATCH", 17)  # many pieces
    monkeypatch.setattr(model_module, "kernel_threads", lambda n: threads)
    for corpus in (without_oov, with_oov):
        logprobs = model.token_logprobs(corpus)
        expected = perplexity_from_logprobs(logprobs, prediction_targets(corpus), corpus.n_sentences)
        result = model.perplexity(corpus)
        assert str(result) == str(expected)
        assert result.perplexity == pytest.approx(expected.perplexity, rel=1e-13)
        assert result.log_likelihood == pytest.approx(logprobs.sum(), rel=1e-13)
        assert (result.n_predictions, result.n_oov, result.n_sentences) == \
            (expected.n_predictions, expected.n_oov, expected.n_sentences)
    assert model.perplexity(with_oov).n_oov > 0
