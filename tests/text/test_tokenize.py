"""Tokenisers and the sentence splitter."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.tokenize import split_sentences, tokenize, tokenize_lines


def test_whitespace_keeps_tokens_as_they_are():
    assert tokenize("The  jury\tsaid , `` no ''\n") == ["The", "jury", "said", ",", "``", "no", "''"]
    assert tokenize("The Jury", lowercase=True) == ["the", "jury"]


def test_word_tokenizer_lowercases_keeps_contractions_and_hyphens_drops_punctuation():
    line = "Don't stop: the term-end report (12-part) -- isn't it 'great'?  O'Neil's co-op..."
    assert tokenize(line, "word") == ["don't", "stop", "the", "term-end", "report", "12-part", "isn't", "it",
                                      "great", "o'neil's", "co-op"]


def test_word_tokenizer_can_keep_case_and_reads_curly_apostrophes():
    assert tokenize("Don\u2019t Panic", "word", lowercase=False) == ["Don't", "Panic"]


def test_wordpunct_keeps_punctuation_as_tokens():
    assert tokenize('He said: "It costs 3.50 -- no..." (Really?)', "wordpunct") == [
        "He", "said", ":", '"', "It", "costs", "3.50", "--", "no", "...", '"', "(", "Really", "?", ")"]


def test_unknown_tokenizer_is_a_clear_error():
    with pytest.raises(WordnetLMError, match="unknown tokenizer 'spaces'"):
        tokenize("a b", "spaces")


def test_tokenize_lines_drops_empty_lines_only_when_asked():
    assert tokenize_lines(["a b", "  ", "c"]) == [["a", "b"], [], ["c"]]
    assert tokenize_lines(["a b", "  ", "c"], drop_empty=True) == [["a", "b"], ["c"]]


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_tokenizers_agree_with_their_definitions(text):
    assert tokenize(text) == text.split()
    words = tokenize(text, "word")
    assert all(re.fullmatch(r"[^\W_]+(?:['\-][^\W_]+)*", w) for w in words)
    assert words == tokenize(text.lower(), "word", lowercase=False)
    for token in tokenize(text, "wordpunct"):
        assert token and not any(ch.isspace() for ch in token)


@pytest.mark.parametrize("paragraph, expected", [
    ("It rained. We stayed in! Did you? Yes.", ["It rained.", "We stayed in!", "Did you?", "Yes."]),
    ("Mr. Smith met Dr. Jones on Jan. 5. Then they left.", ["Mr. Smith met Dr. Jones on Jan. 5.", "Then they left."]),
    ("J. F. Kennedy spoke. The U.S. listened.", ["J. F. Kennedy spoke.", "The U.S. listened."]),
    ('He said "Stop." Then he ran.', ['He said "Stop."', "Then he ran."]),
    ("Prices fell 3.5 percent. 1990 was worse.", ["Prices fell 3.5 percent.", "1990 was worse."]),
    ("no capital after. so no split", ["no capital after. so no split"]),
    ("  ", []),
])
def test_split_sentences(paragraph, expected):
    assert split_sentences(paragraph) == expected
