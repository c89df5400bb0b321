"""Renumbering a corpus between two vocabularies of the same words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.recode import check_same_words, recode
from wordnet_lm.text.vocab import Vocab

words = st.lists(st.sampled_from("a b c d e f g h".split()), min_size=1, max_size=8)


@settings(max_examples=50, deadline=None)
@given(st.lists(words, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_recode_keeps_every_word(sentences, random):
    vocab = Vocab.build(sentences)
    shuffled = vocab.words[3:]
    random.shuffle(shuffled)
    other = Vocab(shuffled)
    corpus = vocab.encode(sentences)
    moved = recode(corpus, vocab, other)
    assert (moved.offsets == corpus.offsets).all()
    assert other.decode(moved.ids) == vocab.decode(corpus.ids)
    assert (moved.ids == other.encode(sentences).ids).all()


def test_vocabularies_with_other_words_are_refused():
    vocab, other = Vocab(["a", "b"]), Vocab(["a", "c"])
    with pytest.raises(WordnetLMError, match=r"m\.arpa: its vocabulary \(5 words\) is not the table's .*2 differ"):
        check_same_words(vocab, other, "m.arpa")
    with pytest.raises(WordnetLMError):
        recode(vocab.encode([["a", "b"]]), vocab, other)
    check_same_words(vocab, Vocab(["b", "a"]), "m.arpa")  # same words, other numbering: fine
