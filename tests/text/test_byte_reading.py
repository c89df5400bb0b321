"""Reading text as bytes with NumPy: decimal fields exactly as ``float``, tokens to ids exactly as
a dict of the words, a plain text file to score exactly as ``load_corpus``."""

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.text import load_corpus
from wordnet_lm.text.byte_corpus import read_plain_corpus
from wordnet_lm.text.byte_numbers import WIDTH, parse_decimals, parse_rest
from wordnet_lm.text.byte_words import STR_WHITESPACE, WordTable, padded, spans, u64_view
from wordnet_lm.text.vocab import Vocab


def fields_of(texts):
    raw = " ".join(texts).encode()
    buffer = np.zeros(len(raw) + WIDTH, np.uint8)
    buffer[:len(raw)] = np.frombuffer(raw, np.uint8)
    starts, ends = spans(buffer[:len(raw)])
    return buffer, starts, ends - starts


def floats_or_none(texts):
    out = []
    for text in texts:
        try:
            out.append(float(text))
        except ValueError:
            out.append(None)
    return out


NUMBERS = st.one_of(
    st.floats(-1e30, 1e30, allow_nan=False).map(lambda x: f"{x:.8g}"),
    st.floats(-100, 0).map(lambda x: f"{x:.9f}"),
    st.tuples(st.floats(-1e5, 1e5), st.integers(0, 15)).map(lambda t: f"{t[0]:.{t[1]}f}"),
    st.floats(-1e-3, 1e-3).map(lambda x: f"{x:e}"),
    st.from_regex(r"[-+]?[0-9]{0,9}(\.[0-9]{0,9})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[-+.eE0-9a-z_]{1,18}", fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(NUMBERS.filter(lambda t: t.strip() and " " not in t), min_size=1, max_size=40))
def test_decimals_parse_to_the_doubles_float_gives(texts):
    buffer, starts, lengths = fields_of(texts)
    values, parsed = parse_decimals(u64_view(buffer), starts, lengths)
    rest = np.flatnonzero(~parsed)
    values[rest], bad = parse_rest(buffer, starts[rest], lengths[rest])
    expected = floats_or_none(texts)
    if bad >= 0:
        assert expected[rest[bad]] is None
        expected_parsed = [e for e in expected[:rest[bad]] if e is not None]  # fields before the bad one
        assert len(expected_parsed) <= len(expected)
        return
    assert all(e is not None for e in expected)
    for text, value, want in zip(texts, values.tolist(), expected):
        assert value == want or (np.isnan(value) and np.isnan(want)), text
        assert np.signbit(value) == np.signbit(want), text


def test_the_fast_paths_take_the_usual_shapes_and_refuse_junk():
    texts = ["-1.0842931", "-0.039673258", "0", "-99", "-1.5e-05", "2.5E-1", "-.5", "1.",
             "abc", "1.2.3", "-", "1e", "--1", "1_0", "inf", "-1.234567890123456789"]
    buffer, starts, lengths = fields_of(texts)
    values, parsed = parse_decimals(u64_view(buffer), starts, lengths)
    assert parsed.tolist() == [True] * 8 + [False] * 8
    assert values[:8].tolist() == [float(t) for t in texts[:8]]


def test_every_digit_count_of_the_short_path_gives_the_double_float_gives():
    rng = np.random.default_rng(5)
    texts = []
    for n_frac in range(0, 15):  # [-]D.F with 0..14 fraction digits: the two-word path, every split
        for _ in range(40):
            digits = "".join(rng.choice(list("0123456789"), n_frac))
            texts.append(f"{rng.choice(['', '-'])}{rng.integers(10)}.{digits}")
    texts += [str(rng.integers(10 ** k)) for k in range(1, 9) for _ in range(20)]  # integers of 1..8 digits
    texts += ["-0.0", "0", "-0", "9.99999999999999", "-9.99999999999999", "123456789", "-1.000000000000000"]
    buffer, starts, lengths = fields_of(texts)
    values, parsed = parse_decimals(u64_view(buffer), starts, lengths)
    rest = np.flatnonzero(~parsed)
    values[rest], bad = parse_rest(buffer, starts[rest], lengths[rest])
    assert bad < 0
    assert [texts[i] for i in rest] == ["123456789", "-1.000000000000000"]  # 9 digits, 16 significant: general paths
    assert values.tolist() == [float(t) for t in texts]
    assert np.signbit(values).tolist() == [t.startswith("-") for t in texts]


WORDS = ["a", "the", "abcdefgh", "abcdefghi", "abcdefghijklmnopq", "abcdefghijklmnopr", "é", "x" * 30, "<s>", "naïve"]


@settings(max_examples=60, deadline=None)
@given(tokens=st.lists(st.one_of(st.sampled_from(WORDS), st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF),
                                                                  min_size=1, max_size=20)), max_size=60))
def test_word_table_finds_exactly_the_words(tokens):
    table = WordTable(WORDS)
    buffer = padded(" ".join(tokens).encode())
    starts, ends = spans(buffer[:-8], STR_WHITESPACE)
    ids = table.lookup(u64_view(buffer), starts, ends - starts)
    index = {w: i for i, w in enumerate(WORDS)}
    expected = [index.get(piece, -1) for piece in " ".join(tokens).split()]
    assert ids.tolist() == expected


def test_word_table_refuses_a_repeated_word():
    with pytest.raises(ValueError):
        WordTable(["a", "b", "a"])


@pytest.fixture(scope="module")
def vocab():
    return Vocab(["the", "cat", "sat", "on", "mat", "naïve", "café", "x" * 20, "<s>x"])


TEXTS = {
    "plain": b"the cat sat\non the mat\n",
    "crlf and blank lines": b"the cat\r\n\r\nsat  on\r\n  \r\nthe mat\r\n",
    "old mac": b"the cat\rsat on\r",
    "no final newline": b"the cat sat",
    "ascii separators": b"\tthe\x0bcat\x1csat\x0c on\x1f\n",
    "utf-8": "naïve café “quoted” the\n".encode(),
    "long tokens": b"xxxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxxxxxxy <s>x <s> </s> <unk>\n",
}


@pytest.mark.parametrize("name", list(TEXTS))
def test_plain_text_reads_as_load_corpus(name, vocab, tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(TEXTS[name])
    fast = read_plain_corpus(path, vocab)
    slow, _ = load_corpus(path, vocab=vocab)
    assert fast is not None
    np.testing.assert_array_equal(fast.ids, slow.ids)
    np.testing.assert_array_equal(fast.offsets, slow.offsets)


@settings(max_examples=60, deadline=None)
@given(pieces=st.lists(st.sampled_from(list("the cat\n\r\t ") + ["naïve", " x", "\x1c", "é", "\x0b"]), min_size=1,
                      max_size=60))
def test_random_text_reads_as_load_corpus_or_is_left_to_it(pieces, vocab, tmp_path_factory):
    text = "".join(pieces)
    path = tmp_path_factory.mktemp("text") / "t.txt"
    path.write_bytes(text.encode())
    fast = read_plain_corpus(path, vocab)
    if not text.split():
        assert fast is None  # no text: load_corpus gives the error
        return
    slow, _ = load_corpus(path, vocab=vocab)
    np.testing.assert_array_equal(fast.ids, slow.ids)
    np.testing.assert_array_equal(fast.offsets, slow.offsets)


@pytest.mark.parametrize("content", [b"\xef\xbb\xbfthe cat\n", "a\u00a0b\n".encode(), "a\u2003b\n".encode(),
                                     b"the \xff cat\n", b"the\0cat\n", gzip.compress(b"the cat\n"), b""],
                         ids=["bom", "nbsp", "em space", "invalid utf-8", "nul", "gzip", "empty"])
def test_what_the_byte_path_would_read_differently_is_left_to_load_corpus(content, vocab, tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    assert read_plain_corpus(path, vocab) is None


def test_options_other_than_plain_lines_take_the_general_reader(vocab, tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"The Cat\n")
    assert read_plain_corpus(path, vocab, {"lowercase": True}) is None
    assert read_plain_corpus(path, vocab, {"tokenizer": "wordpunct"}) is None
    assert read_plain_corpus(path, vocab, {"sentences": "split"}) is None
    assert read_plain_corpus(path, vocab, {"tokenizer": "whitespace", "progress": False}) is not None
    assert read_plain_corpus("-", vocab) is None and read_plain_corpus(tmp_path, vocab) is None
