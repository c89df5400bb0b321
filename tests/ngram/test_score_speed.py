"""The faster scoring paths (issue 11 part 5): hash-table placement by one sort, binary tables
relaid at the usual load, texts scored and tokenised on threads, ARPA words found by their mix,
section headers found by their backslash; each checked against the plain computation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import corpus_of, fitted
from wordnet_lm.ngram import BackoffModel, load_model, read_arpa
from wordnet_lm.ngram import model as model_module
from wordnet_lm.ngram.arpa_hashed import _section_line, read_arpa_hashed
from wordnet_lm.ngram.binary import read_binary, write_binary
from wordnet_lm.ngram.hashed import EMPTY, LOAD, HashedIndex, hash_tables, home_slots, place, probe, relaid, table_size
from wordnet_lm.text import byte_corpus, load_corpus
from wordnet_lm.text.byte_words import WordTable, padded, spans, u64_view
from wordnet_lm.text.vocab import Vocab


# ---------------------------------------------------------------------- placement
@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.integers(0, 10 ** 15), unique=True, max_size=200), spare=st.integers(1, 5))
def test_place_fills_almost_full_tables_as_linear_probing_does(keys, spare):
    """Every key gets its own slot, every slot from its home to it (round the end) is taken,
    so probing finds each key; nearly full tables make keys wrap round the end."""
    keys = np.array(keys, np.int64)
    n_slots = len(keys) + spare
    slots = place(keys, n_slots)
    assert len(set(slots.tolist())) == len(keys) and ((slots >= 0) & (slots < n_slots)).all()
    table = np.full(n_slots, EMPTY, np.int64)
    table[slots] = keys
    for home, slot in zip(home_slots(keys, n_slots).tolist(), slots.tolist()):
        run = range(home, slot + 1) if slot >= home else [*range(home, n_slots), *range(slot + 1)]
        assert all(table[s] != EMPTY for s in run)
    np.testing.assert_array_equal(probe(table, keys), slots)


def test_place_wraps_keys_past_the_last_slot():
    n_slots = 8
    candidates = np.arange(10_000, dtype=np.int64)
    keys = candidates[home_slots(candidates, n_slots) == n_slots - 1][:4]  # four keys whose home is the last slot
    slots = place(keys, n_slots)
    assert sorted(slots.tolist()) == [0, 1, 2, 7]
    table = np.full(n_slots, EMPTY, np.int64)
    table[slots] = keys
    np.testing.assert_array_equal(probe(table, keys), slots)


def test_place_refuses_a_full_table():
    with pytest.raises(ValueError):
        place(np.arange(4, dtype=np.int64), 4)


# ---------------------------------------------------------------------- relaid tables, binary files
@pytest.fixture(scope="module")
def arpa_model(small, tmp_path_factory):
    path = tmp_path_factory.mktemp("score_speed") / "m.arpa"
    fitted("mkn", 4, small).to_arpa(path)
    return path


def test_relaid_tables_score_exactly_as_the_tables_read(arpa_model, small):
    _, test, _ = small
    tables, vocab = read_arpa_hashed(arpa_model)
    again = relaid(tables)
    assert isinstance(again.index, HashedIndex)
    for n in range(2, tables.order + 1):
        assert len(again.index.tables[n - 1 - 1]) == table_size(tables.index.size(n), LOAD)
    corpus = corpus_of(test)
    np.testing.assert_array_equal(BackoffModel.from_tables(again, vocab).token_logprobs(corpus),
                                  BackoffModel.from_tables(tables, vocab).token_logprobs(corpus))


def test_binary_from_arpa_scores_exactly_as_read_arpa(arpa_model, small, tmp_path):
    _, test, _ = small
    tables, vocab = read_arpa_hashed(arpa_model)
    write_binary(tmp_path / "m.bin", tables, vocab, dtype=np.float64)
    binary, binary_vocab = read_binary(tmp_path / "m.bin")
    assert binary_vocab.words == vocab.words
    assert len(binary.index.tables[-1]) == table_size(tables.index.size(tables.order), LOAD)
    ref_tables, ref_vocab = read_arpa(arpa_model)
    corpus = corpus_of(test)
    np.testing.assert_array_equal(BackoffModel.from_tables(binary, binary_vocab).token_logprobs(corpus),
                                  BackoffModel.from_tables(ref_tables, ref_vocab).token_logprobs(corpus))


# ---------------------------------------------------------------------- scoring on threads
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_texts_scored_on_threads_score_as_on_one(arpa_model, small, monkeypatch, threads):
    _, test, _ = small
    model = load_model(arpa_model, scoring=True)
    corpus = corpus_of(test * 7)
    alone = model.token_logprobs(corpus)  # small: one thread, one chunk
    monkeypatch.setattr(model_module, "SCORE_BATCH", 13)  # many chunks, a sentence cut at none
    monkeypatch.setattr(model_module, "kernel_threads", lambda n: threads)
    np.testing.assert_array_equal(model.token_logprobs(corpus), alone)
    assert model.perplexity(corpus) == load_model(arpa_model, scoring=True).perplexity(corpus)


def test_an_empty_text_gives_no_scores_on_threads(arpa_model, monkeypatch):
    monkeypatch.setattr(model_module, "kernel_threads", lambda n: 2)
    assert len(load_model(arpa_model, scoring=True).token_logprobs(corpus_of([]))) == 0


# ---------------------------------------------------------------------- text read on threads
WORDS = ["a", "b", "ccc", "long_word_over_16_bytes", "é"]


@settings(max_examples=25, deadline=None)
@given(lines=st.lists(st.lists(st.sampled_from(WORDS + ["zz", "ünknown"]), max_size=6), min_size=1, max_size=40),
       block=st.integers(4, 64), threads=st.integers(1, 3))
def test_plain_text_read_in_blocks_on_threads_equals_load_corpus(lines, block, threads, tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "t.txt"
    path.write_text("\n".join(" ".join(line) for line in lines) + "\n", encoding="utf-8")
    vocab = Vocab(WORDS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(byte_corpus, "BLOCK", block)
        patch.setattr(byte_corpus, "kernel_threads", lambda n, least: threads)
        corpus = byte_corpus.read_plain_corpus(path, vocab)
    if not any(lines):  # no token: left to load_corpus, which says so
        assert corpus is None
        return
    expected, _ = load_corpus(path, vocab=vocab)
    np.testing.assert_array_equal(corpus.ids, expected.ids)
    np.testing.assert_array_equal(corpus.offsets, expected.offsets)


def test_a_block_the_byte_reader_cannot_take_sends_the_whole_file_to_load_corpus(tmp_path, monkeypatch):
    path = tmp_path / "t.txt"
    path.write_bytes(b"a b\n" * 50 + b"a\0b\n" + b"ccc a\n" * 50)  # a NUL byte in a middle block
    monkeypatch.setattr(byte_corpus, "BLOCK", 16)
    monkeypatch.setattr(byte_corpus, "kernel_threads", lambda n, least: 2)
    assert byte_corpus.read_plain_corpus(path, Vocab(WORDS)) is None


# ---------------------------------------------------------------------- ARPA words by their mix
@settings(max_examples=40, deadline=None)
@given(words=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=20),
                      unique=True, min_size=1, max_size=30),
       others=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=20),
                       max_size=10))
def test_lookup_by_mix_finds_the_words_and_rejects_the_rest(words, others):
    words = [w for w in words if w.split() == [w]]
    others = [w for w in others if w.split() == [w] and w not in words]
    if not words:
        return
    table = WordTable(words)
    tokens = words + others
    buffer = padded((" ".join(tokens)).encode("utf-8") + b"\0" * 8)
    starts, ends = spans(buffer[:len(" ".join(tokens).encode("utf-8"))])
    ids = table.lookup_mixed(u64_view(buffer), starts, ends - starts)
    np.testing.assert_array_equal(ids, list(range(len(words))) + [-1] * len(others))
    np.testing.assert_array_equal(ids, table.lookup(u64_view(buffer), starts, ends - starts))


# ---------------------------------------------------------------------- section headers
@settings(max_examples=200, deadline=None)
@given(block=st.lists(st.sampled_from([b"\n", b"\\", b"a", b" ", b"\t"]), max_size=40).map(b"".join),
       pos=st.integers(0, 40))
def test_section_lines_found_as_bytes_find_finds_them(block, pos):
    pos = min(pos, len(block))
    assert _section_line(block, pos) == block.find(b"\n\\", pos)


# ---------------------------------------------------------------------- the stream and the rows agree
@settings(max_examples=25, deadline=None)
@given(sentences=st.lists(st.lists(st.integers(0, 9), max_size=7), min_size=1, max_size=8),
       order=st.integers(1, 4), name=st.sampled_from(["mkn", "kn", "add-k", "jelinek-mercer"]))
def test_scores_of_a_stream_equal_those_of_each_prediction_alone(sentences, order, name, small):
    """token_logprobs (n-grams ending at every position, at once) against score_rows (each
    prediction's own history), exactly, on sorted and hashed tables."""
    model = fitted(name, order, small)
    words = [[w + 3 for w in s] for s in sentences]
    corpus = corpus_of(words)
    for tables in (model.tables_, hash_tables(model.tables_)):
        expected = tables.score_rows(_with_bos(words))
        np.testing.assert_array_equal(BackoffModel.from_tables(tables, model.vocab_).token_logprobs(corpus), expected)


def _with_bos(sentences):
    """One row per prediction: <s> (id 1) and the sentence's words before it, then the word
    predicted (</s>, id 2, at the end), -1 padded on the left."""
    rows = []
    for s in sentences:
        full = [1] + s + [2]
        for k in range(1, len(full)):
            row = full[:k + 1][-6:]
            rows.append([-1] * (6 - len(row)) + row)
    return np.array(rows, np.int64)
