"""Vocab: ordering, cut-offs, files, and encode against a naive reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wordnet_lm.errors import InputFileError, UnknownWordError, WordnetLMError
from wordnet_lm.text.vocab import BOS, EOS, SPECIALS, UNK, UNK_ID, Vocab

SENTENCES = [["b", "a", "c"], ["a", "d", "b"], ["c", "a", "e", "b"]]  # a 3, b 3, c 2, d 1, e 1


def test_specials_first_then_count_descending_ties_by_first_occurrence():
    vocab = Vocab.build(SENTENCES)
    assert vocab.words == list(SPECIALS) + ["b", "a", "c", "d", "e"]
    assert vocab.counts.tolist() == [0, 0, 0, 3, 3, 2, 1, 1]


def test_min_count_and_max_size_send_dropped_words_to_unk():
    vocab = Vocab.build(SENTENCES, min_count=2)
    assert vocab.words[3:] == ["b", "a", "c"] and vocab.counts[0] == 2
    vocab = Vocab.build(SENTENCES, max_size=2)
    assert vocab.words[3:] == ["b", "a"] and vocab.counts[0] == 4
    assert len(Vocab.build(SENTENCES, min_count=10)) == 3


def test_special_tokens_in_text_are_counted_as_specials():
    vocab = Vocab.build([["x", UNK, "y", UNK], [BOS, "x", EOS]])
    assert vocab.words == list(SPECIALS) + ["x", "y"]
    assert vocab.counts.tolist() == [2, 1, 1, 2, 1]


def test_lookups():
    vocab = Vocab.build(SENTENCES)
    assert vocab.id("c") == 5 and vocab.word(5) == "c" and "c" in vocab and "z" not in vocab
    assert vocab.lookup(["a", "zzz", "e"]).tolist() == [4, UNK_ID, 7]
    assert vocab.decode([3, 4]) == ["b", "a"]
    with pytest.raises(UnknownWordError, match="'zzz' is not in the vocabulary"):
        vocab.id("zzz")


def test_encode_layout():
    vocab = Vocab.build(SENTENCES, min_count=2)
    corpus = vocab.encode(iter(SENTENCES + [[]]))
    assert corpus.ids.dtype == np.int32 and corpus.offsets.dtype == np.int64
    assert corpus.offsets.tolist() == [0, 3, 6, 10, 10]
    assert vocab.decode(corpus.sentence(1)) == ["a", UNK, "b"]
    assert corpus.sentence_index().tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]


words = st.sampled_from(["the", "cat", "dog", "a", "sat", "<unk>", "é", "x y", ""])


@given(st.lists(st.lists(words, max_size=6), max_size=12), st.integers(1, 3), st.none() | st.integers(0, 5))
def test_build_and_encode_match_a_naive_reference(sentences, min_count, max_size):
    vocab = Vocab.build(sentences, min_count=min_count, max_size=max_size)
    counts, first = {}, {}
    for s in sentences:
        for w in s:
            counts[w] = counts.get(w, 0) + 1
            first.setdefault(w, len(first))
    ordinary = sorted((w for w in counts if w not in SPECIALS), key=lambda w: (-counts[w], first[w]))
    kept = [w for w in ordinary if counts[w] >= min_count][:max_size]
    assert vocab.words[3:] == kept
    assert vocab.counts[0] == sum(counts.values()) - sum(counts[w] for w in kept) - counts.get("<s>", 0) - \
        counts.get("</s>", 0)
    corpus = vocab.encode(sentences)
    index = {w: i for i, w in enumerate(vocab.words)}
    assert corpus.ids.tolist() == [index.get(w, 0) for s in sentences for w in s]
    assert corpus.lengths().tolist() == [len(s) for s in sentences]


def test_save_and_load_round_trip(tmp_path):
    vocab = Vocab.build(SENTENCES + [["naïve", "tab\u00a0word"]], min_count=1)
    vocab.save(tmp_path / "vocab.txt")
    again = Vocab.load(tmp_path / "vocab.txt")
    assert again == vocab and again.counts.tolist() == vocab.counts.tolist()


@pytest.mark.parametrize("content, match", [
    (None, "no such vocabulary file"), (b"\xff\xfe", "not UTF-8"), (b"a\tx\n", "expected 'word<TAB>count'"),
    (b"a\t1\nb\t2\n", "must start with")])
def test_bad_vocabulary_files(tmp_path, content, match):
    path = tmp_path / "v.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError, match=match):
        Vocab.load(path)


def _load_line_by_line(path):
    """The reference reader: one line at a time (what ``Vocab.load`` does for any file)."""
    words, counts = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        word, sep, count = line.rpartition("\t")
        if not sep or not count.strip().isdigit():
            raise InputFileError(f"{path}:{n}: expected 'word<TAB>count'")
        if not count.strip().isascii():  # int('²') fails: a bad file, one line as the others
            raise InputFileError(f"{path}:{n}: expected 'word<TAB>count'")
        words.append(word)
        counts.append(int(count))
    return words, counts


_ODD = st.sampled_from(["\t", " ", "\r", "\x1c", "\u2028", "\u00a0", "7", "", "é"])


@given(words=st.lists(st.text(min_size=0, max_size=4) | _ODD, max_size=12),
       counts=st.lists(st.integers(0, 10**12).map(str) | st.sampled_from(["", " 5", "05", "+5", "²", "1 "]),
                       max_size=12), end=st.sampled_from(["\n", "", "\r\n"]))
def test_fast_vocabulary_reader_equals_the_line_reader(tmp_path_factory, words, counts, end):
    """Whatever the file holds, ``Vocab.load`` gives the line-by-line reader's words and counts, or
    its error (the fast split is taken only for plain files, the others are read line by line)."""
    path = tmp_path_factory.mktemp("v") / "vocab.txt"
    body = "\n".join(f"{w}\t{c}" for w, c in zip(list(SPECIALS) + words, ["1", "2", "3"] + counts))
    path.write_text(body + end, encoding="utf-8", newline="")
    try:
        expected = _load_line_by_line(path)
    except InputFileError as e:
        with pytest.raises(InputFileError, match="expected 'word<TAB>count'"):
            Vocab.load(path)
        assert str(e)
        return
    if expected[0][:3] != list(SPECIALS) or len(set(expected[0])) != len(expected[0]):
        with pytest.raises(WordnetLMError):  # not starting with the specials, or a word twice
            Vocab.load(path)
        return
    got = Vocab.load(path)
    assert got.words == expected[0] and got.counts.tolist() == expected[1]
