"""Vector files: round trips, an independent reader of the word2vec spec, gensim, bad files."""

from __future__ import annotations

import re
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.io import save_npz
from wordnet_lm.vectors import KeyedVectors, detect_format, read_vectors

WORDS = ["the", "été", "naïve", "日本", "a-b's", "🙂", "x" * 40]


@pytest.fixture
def kv() -> KeyedVectors:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(WORDS), 5)).astype(np.float32)
    vectors[0, 0] = 1e-30  # tiny, huge and negative zero survive the text round trip
    vectors[1, 1] = -3.4e38
    vectors[2, 2] = -0.0
    return KeyedVectors(WORDS, vectors, counts=np.arange(len(WORDS))[::-1] + 5)


# --------------------------------------------------------------------------- independent readers
def spec_read_word2vec_text(path, header=True):
    lines = path.read_bytes().decode("utf-8").splitlines()
    if header:
        n, dim = map(int, lines[0].split())
        lines = lines[1:]
        assert len(lines) == n
    words, rows = [], []
    for line in lines:
        parts = line.rstrip().split(" ")
        words.append(parts[0])
        rows.append([float(x) for x in parts[1:]])
    return words, np.array(rows, np.float32)


def spec_read_word2vec_binary(path):
    data = path.read_bytes()
    end = data.index(b"\n")
    n, dim = map(int, data[:end].split())
    pos, words, rows = end + 1, [], []
    for _ in range(n):
        while data[pos:pos + 1] == b"\n":
            pos += 1
        space = data.index(b" ", pos)
        words.append(data[pos:space].decode("utf-8"))
        rows.append(struct.unpack(f"<{dim}f", data[space + 1:space + 1 + 4 * dim]))
        pos = space + 1 + 4 * dim
    assert data[pos:].strip() == b""
    return words, np.array(rows, np.float32)


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("fmt,suffix", [("word2vec", ".txt"), ("word2vec-binary", ".bin"),
                                        ("glove", ".txt"), ("npz", ".npz")])
def test_round_trip_is_exact_and_format_is_detected(kv, tmp_path, fmt, suffix):
    path = tmp_path / f"v{suffix}"
    kv.save(path, fmt)
    assert detect_format(path) == fmt
    back = KeyedVectors.load(path)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert np.signbit(back.vectors[2, 2])
    if fmt == "npz":
        np.testing.assert_array_equal(back.counts, kv.counts)
    else:
        assert back.counts is None
    assert KeyedVectors.load(path, fmt).index_to_key == WORDS


def test_suffix_chooses_the_format(kv, tmp_path):
    for name, fmt in [("a.txt", "word2vec"), ("a.vec", "word2vec"), ("a.bin", "word2vec-binary"), ("a.npz", "npz")]:
        kv.save(tmp_path / name)
        assert detect_format(tmp_path / name) == fmt


def test_files_follow_the_word2vec_spec(kv, tmp_path):
    kv.save_word2vec_format(tmp_path / "t.txt")
    kv.save_word2vec_format(tmp_path / "b.bin", binary=True)
    kv.save(tmp_path / "g.txt", "glove")
    for words, vectors in (spec_read_word2vec_text(tmp_path / "t.txt"), spec_read_word2vec_binary(tmp_path / "b.bin"),
                           spec_read_word2vec_text(tmp_path / "g.txt", header=False)):
        assert words == WORDS
        np.testing.assert_array_equal(vectors, kv.vectors)
    assert (tmp_path / "t.txt").read_bytes().startswith(b"7 5\nthe ")
    assert not (tmp_path / "g.txt").read_bytes().startswith(b"7 5")
    # binary layout: header, then word, space, 5 little-endian float32, newline
    data = (tmp_path / "b.bin").read_bytes()
    first = b"7 5\nthe " + kv.vectors[0].astype("<f4").tobytes() + b"\n"
    assert data.startswith(first)


def test_reads_hand_written_variants(tmp_path):
    # CRLF, trailing spaces, trailing blank lines
    (tmp_path / "crlf.txt").write_bytes(b"2 2\r\nab 1 2 \r\ncd -0.5 3e-2\r\n\r\n")
    kv = KeyedVectors.load(tmp_path / "crlf.txt")
    np.testing.assert_array_equal(kv.vectors, np.array([[1, 2], [-0.5, 0.03]], np.float32))
    # binary as gensim 4 writes it: no newline between records
    body = b"".join(w.encode() + b" " + np.array(v, "<f4").tobytes() for w, v in [("ab", [1, 2]), ("cd", [3, 4])])
    (tmp_path / "g.bin").write_bytes(b"2 2\n" + body)
    kv = KeyedVectors.load(tmp_path / "g.bin")
    assert kv.index_to_key == ["ab", "cd"]
    np.testing.assert_array_equal(kv.vectors, [[1, 2], [3, 4]])
    # GloVe with a single dimension, and an empty word2vec file of zero words
    (tmp_path / "one.txt").write_text("ab 0.5\ncd 1.5\n")
    assert KeyedVectors.load(tmp_path / "one.txt").vectors.shape == (2, 1)
    (tmp_path / "zero.txt").write_text("0 3\n")
    assert KeyedVectors.load(tmp_path / "zero.txt").vectors.shape == (0, 3)


def test_repeated_words_keep_the_first_vector(tmp_path):
    (tmp_path / "dup.txt").write_text("ab 1 2\ncd 3 4\nab 5 6\n")
    with pytest.warns(UserWarning, match="1 repeated"):
        kv = KeyedVectors.load(tmp_path / "dup.txt")
    assert kv.index_to_key == ["ab", "cd"]
    np.testing.assert_array_equal(kv["ab"], [1, 2])


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove"])
@pytest.mark.parametrize("word", ["new york", "tab\tword", "nl\nword", "", "nbsp\u00a0word", "ctrl\x01",
                                  "del\x7f", "lone\ud800"])
def test_words_with_whitespace_are_refused_by_text_formats(tmp_path, fmt, word):
    kv = KeyedVectors(["ok", word], np.ones((2, 2)))
    with pytest.raises(WordnetLMError, match="no whitespace"):
        kv.save(tmp_path / "v.txt", fmt)
    assert not (tmp_path / "v.txt").exists()


WRITABLE = re.compile(r"^[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]+$")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=6, unique=True),
       dim=st.integers(2, 4), fmt=st.sampled_from(["word2vec", "word2vec-binary", "glove", "npz"]),
       seed=st.integers(0, 1000))
def test_any_unicode_word_round_trips_or_is_refused(tmp_path, words, dim, fmt, seed):
    vectors = np.random.default_rng(seed).standard_normal((len(words), dim)).astype(np.float32)
    kv = KeyedVectors(words, vectors)
    path = tmp_path / f"v-{fmt}"
    if fmt != "npz" and not all(WRITABLE.match(w) for w in words):
        with pytest.raises(WordnetLMError, match="cannot write word"):
            kv.save(path, fmt)
        return
    kv.save(path, fmt)
    back = KeyedVectors.load(path, fmt)
    assert back.index_to_key == words
    np.testing.assert_array_equal(back.vectors, vectors)


def test_npz_keeps_any_word(tmp_path):
    kv = KeyedVectors(["new york", ""], np.ones((2, 2)))
    kv.save(tmp_path / "v.npz")
    assert KeyedVectors.load(tmp_path / "v.npz").index_to_key == ["new york", ""]


def test_unknown_format_names(kv, tmp_path):
    with pytest.raises(WordnetLMError, match="unknown vectors format"):
        kv.save(tmp_path / "v.txt", "fasttext")
    kv.save(tmp_path / "v.txt")
    with pytest.raises(WordnetLMError, match="unknown vectors format"):
        read_vectors(tmp_path / "v.txt", "fasttext")


# --------------------------------------------------------------------------- bad files
def _error(path, fmt="auto") -> str:
    with pytest.raises(InputFileError) as e:
        KeyedVectors.load(path, fmt)
    message = str(e.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize("content,fmt,expected", [
    (b"", "auto", ":.*empty file"),
    (b"", "word2vec", "empty file"),
    (b"", "word2vec-binary", "empty file"),
    (b"\n\n", "auto", ":1: empty first line"),
    (b"3 2\nab 1 2\ncd 3 4\n", "auto", "header says 3 words but the file has 2"),
    (b"1 2\nab 1 2\ncd 3 4\n", "auto", "header says 1 words but the file has 2"),
    (b"2 2\nab 1 2\ncd 3\n", "auto", ":3: expected 2 numbers after the word, found 1"),
    (b"2 3\nab 1 2\ncd 3 4\n", "word2vec", ":2: expected 3 numbers after the word, found 2"),
    (b"ab 1 2\ncd 3 4 5\n", "auto", ":2: expected 2 numbers after the word, found 3"),
    (b"ab 1 2\ncd 3 x4\n", "auto", ":2: 'x4' is not a number"),
    (b"ab 1 2\n\ncd 3 4\n", "auto", ":2: empty line"),
    (b"ab 1 2\ncd nan 4\n", "auto", ":2: vector holds NaN"),
    (b"2 2\nab 1 2\ncd 3 inf\n", "auto", ":3: vector holds NaN"),
    (b"ab\n", "glove", ":1: expected 'word v1 v2 ...'"),
    (b"ab 1 2\n 3 4\n", "auto", ":2: line starts with a space"),
    (b"ab 1 2\n", "word2vec", ":1: expected a word2vec header"),
    (b"ab 1 2\n\xff\xfe 3 4\n", "auto", ":2: not UTF-8 text"),
    (b"2 2\nab " + np.ones(2, "<f4").tobytes(), "word2vec-binary", "more than the file's 15 bytes can hold"),
    (b"2 2\nab " + np.ones(2, "<f4").tobytes() + b"\ncd " + b"\x00" * 6, "word2vec-binary",
     "file ends after 1 of the 2 words"),
    (b"99999999999 300\nab " + np.ones(2, "<f4").tobytes(), "word2vec-binary", "header announces 99,999,999,999 words"),
    (b"1 2\nab " + np.ones(2, "<f4").tobytes() + b"\ncd " + np.ones(2, "<f4").tobytes(), "word2vec-binary",
     "data after the 1 words"),
    (b"1 2\n\xff\xfe " + np.ones(2, "<f4").tobytes(), "word2vec-binary", "word 1 .* is not UTF-8"),
    (b"1 2\nab " + np.array([1, np.nan], "<f4").tobytes(), "word2vec-binary", "word 1 \\('ab'\\) holds NaN"),
    (b"hello world\n", "word2vec-binary", ":1: expected a word2vec header"),
])
def test_bad_files_give_one_line_errors(tmp_path, content, fmt, expected):
    path = tmp_path / "bad.vec"
    path.write_bytes(content)
    assert __import__("re").search(expected, _error(path, fmt))


def test_binary_file_read_as_text_says_so(kv, tmp_path):
    path = tmp_path / "v.bin"
    kv.save(path, "word2vec-binary")
    assert ":2: not UTF-8 text (a binary word2vec file?" in _error(path, "word2vec")
    assert ":2: not UTF-8 text" in _error(path, "glove")


def test_missing_directory_and_foreign_npz(tmp_path):
    assert "no such vectors file" in _error(tmp_path / "missing.txt")
    assert "is a directory" in _error(tmp_path)
    save_npz(tmp_path / "m.npz", {"w": np.ones(2)}, {"kind": "ngram"})
    assert "expected 'keyed_vectors'" in _error(tmp_path / "m.npz")
    (tmp_path / "fake.npz").write_bytes(b"PK\x03\x04 not a zip")
    assert "not a wordnet_lm model file" in _error(tmp_path / "fake.npz")


# --------------------------------------------------------------------------- gensim
@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files_and_we_read_theirs(kv, tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    ours = tmp_path / "ours.vec"
    kv.save_word2vec_format(ours, binary=binary)
    g = gensim_models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert g.index_to_key == WORDS
    np.testing.assert_array_equal(g.vectors, kv.vectors)
    theirs = tmp_path / "theirs.vec"
    g.save_word2vec_format(str(theirs), binary=binary)
    back = KeyedVectors.load(theirs)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, kv.vectors)


def test_gensim_reads_our_glove_files(kv, tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    kv.save(tmp_path / "g.txt", "glove")
    g = gensim_models.KeyedVectors.load_word2vec_format(str(tmp_path / "g.txt"), no_header=True)
    assert g.index_to_key == WORDS
    np.testing.assert_array_equal(g.vectors, kv.vectors)
