"""Whitespace tokenising on the raw bytes (text.byte_tokens) gives exactly the ids, sentences
and first-seen numbering of str.split on universal-newline lines, or declines the batch."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.text import byte_tokens
from wordnet_lm.text.encode import encode_corpus
from wordnet_lm.text.loading import _FirstSeenIds
from wordnet_lm.text.vocab import encode_with

ASCII_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
UNICODE_SPACES = "\x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
PIECES = ["a", "the", "a\x00", "\x00", "é", "’", "—", "\u2019s", "x" * 15, "y" * 16, "z" * 17, "αβγδεζηθικλμνξοπ",
          "internationalisation", "\ufeff", "\u200b"]


def python_path(text: str, seen: _FirstSeenIds):
    lines = io.StringIO(text, newline=None).readlines()
    tokens = [t for t in map(str.split, lines) if t]
    return encode_with(seen, tokens) if tokens else None


def assert_same(raw: bytes, seen_fast: _FirstSeenIds, seen_slow: _FirstSeenIds,
                known: byte_tokens.KnownWords | None = None) -> bool:
    fast = byte_tokens.encode_lines(raw, seen_fast, known)
    slow = python_path(raw.decode("utf-8"), seen_slow)
    if fast is None:
        return False
    if slow is None:
        assert fast.n_tokens == 0
    else:
        np.testing.assert_array_equal(fast.ids, slow.ids)
        np.testing.assert_array_equal(fast.offsets, slow.offsets)
    assert list(seen_fast.items()) == list(seen_slow.items())  # the same first-seen numbering
    return True


text_of = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(list(ASCII_SPACES)),
                             st.text(min_size=1, max_size=20)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(text_of, min_size=1, max_size=3))
def test_equals_str_split_on_universal_newline_lines(batches):
    seen_fast, seen_slow, known = _FirstSeenIds(), _FirstSeenIds(), byte_tokens.KnownWords()
    for text in batches:  # several batches share the numbering and the known words
        if not assert_same(text.encode("utf-8"), seen_fast, seen_slow, known):
            assert any(ch in text for ch in UNICODE_SPACES)  # declined only for non-ASCII whitespace
            seen_fast, seen_slow, known = _FirstSeenIds(), _FirstSeenIds(), byte_tokens.KnownWords()


def test_every_unicode_whitespace_is_declined_and_other_characters_are_not():
    for ch in UNICODE_SPACES:
        assert ch.split() == []
        assert byte_tokens.encode_lines(f"a{ch}b\n".encode(), _FirstSeenIds()) is None
    for ch in "é’—\u2019\u200b\u2030\u2060\u3001\ufeff":  # not whitespace for str.split
        assert ch.split() == [ch]
        assert assert_same(f"a{ch}b {ch}\n".encode(), _FirstSeenIds(), _FirstSeenIds())


def test_a_hash_collision_declines_the_batch(monkeypatch):
    raw = b"one two three one\nfour\n"
    assert assert_same(raw, _FirstSeenIds(), _FirstSeenIds())
    for name in ("_K1", "_K2", "_K3"):
        monkeypatch.setattr(byte_tokens, name, np.uint64(0))  # every token gets the same hash
    assert byte_tokens.encode_lines(raw, _FirstSeenIds()) is None
    assert assert_same(b"same same\nsame\n", _FirstSeenIds(), _FirstSeenIds())  # one word: no collision
    seen_fast, seen_slow, known = _FirstSeenIds(), _FirstSeenIds(), byte_tokens.KnownWords()
    for batch in (b"a a\n", b"b\n", b"b b\n", b"a\n"):  # "b" meets a known word's hash: numbered in Python
        assert assert_same(batch, seen_fast, seen_slow, known)
    assert list(seen_fast) == ["a", "b"] and len(known.hash) == 1


def test_encoded_file_is_the_same_on_bytes_and_in_python(tmp_path, monkeypatch):
    lines = ["the cat\r\n", "sat  on\tthe\x1cmat\r", "\n", "a\u00a0b c\n", "internationalisation x" * 3 + "\n",
             "’tis odd\x0bx\n"] * 50
    source = tmp_path / "t.txt"
    source.write_bytes(("\ufeff" + "".join(lines)).encode("utf-8"))  # a byte-order mark first
    fast = encode_corpus(source, tmp_path / "fast", workers=2)
    monkeypatch.setattr(byte_tokens, "encode_lines", lambda raw, seen, known=None: None)
    slow = encode_corpus(source, tmp_path / "slow", workers=2)
    np.testing.assert_array_equal(fast.ids, slow.ids)
    np.testing.assert_array_equal(fast.offsets, slow.offsets)
    assert fast.vocab.words == slow.vocab.words and fast.header["content_sha256"] == slow.header["content_sha256"]
    assert "the" in fast.vocab.words and "\ufeffthe" not in fast.vocab.words  # the mark is not part of a word
    assert fast.ids[0] == fast.vocab.index["the"]


def test_unicode_whitespace_is_what_str_split_splits_at():
    from wordnet_lm.text.byte_words import has_unicode_whitespace

    for code in [*range(0x80, 0x3100), 0xFEFF, 0x1F600, 0x10FFFF]:
        char = chr(code)
        for text in (char, f"a{char}", f"{char}b", f"word {char} word\n"):
            assert has_unicode_whitespace(text.encode("utf-8")) == char.isspace(), hex(code)
    assert not has_unicode_whitespace(b"plain ascii\t text\r\n")
