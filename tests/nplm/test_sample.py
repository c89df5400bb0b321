"""Next-word predictions and sampled text from a trained model."""

import numpy as np
import pytest

from wordnet_lm.errors import UnknownWordError, WordnetLMError
from wordnet_lm.nplm import generate, next_word_probs, top_next_words
from wordnet_lm.text.vocab import BOS, UNK

from .nplm_helpers import small_config, small_model


@pytest.fixture(scope="module")
def trained():
    from .nplm_helpers import tiny_data_triple

    train, valid, vocab = tiny_data_triple()
    return small_model().fit(train, vocab, valid, small_config(max_epochs=15, patience=20), progress=False)


def test_next_word_probabilities(trained):
    p = next_word_probs(trained, ["the", "cat"])
    assert p.shape == (len(trained.vocab_),)
    assert p.sum() == pytest.approx(1.0)
    assert p[trained.vocab_.id(BOS)] == 0.0
    best = top_next_words(trained, ["the", "cat"], k=3)
    assert best[0][0] == "sat" and best[0][1] > 0.5  # always 'the cat sat' in training
    assert [q for _, q in best] == sorted((q for _, q in best), reverse=True)
    assert best[0][1] == pytest.approx(p[trained.vocab_.id("sat")])
    assert top_next_words(trained, [], k=1)[0][0] in ("the", "a")  # sentence starts


def test_next_rejects_unknown_words_and_bad_k(trained):
    with pytest.raises(UnknownWordError, match="zebra"):
        top_next_words(trained, ["the", "zebra"])
    with pytest.raises(WordnetLMError):
        top_next_words(trained, ["the"], k=0)


def test_generate_is_seeded_and_follows_the_model(trained):
    a = generate(trained, ["a", "dog"], 12, seed=3)
    b = generate(trained, ["a", "dog"], 12, seed=3)
    assert a == b and len(a) == 12
    assert all(w in trained.vocab_ and w not in (BOS, UNK) for w in a)
    cold = generate(trained, ["a", "dog"], 4, temperature=0.01, seed=1)
    assert cold == ["ran", "to", "the", "park"]
    greedy = generate(trained, ["the", "bird"], 3, top_k=1, seed=9)
    assert greedy == ["sang", "in", "a"]


def test_generate_bad_arguments(trained):
    with pytest.raises(WordnetLMError):
        generate(trained, [], 3, temperature=0)
    with pytest.raises(UnknownWordError):
        generate(trained, ["zebra"], 3)
