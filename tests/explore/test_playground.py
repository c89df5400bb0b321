"""The playground's questions in Python (no HTTP): splitting, scoring, a neural LM alone."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wordnet_lm.errors import UnknownWordError, WordnetLMError
from wordnet_lm.nplm import NPLM
from wordnet_lm.serve import Playground, split_text


def test_split_text():
    assert split_text("the king \n\n  of  france\r\nparis") == [["the", "king"], ["of", "france"], ["paris"]]
    assert split_text(" \n ") == []


def test_neural_lm_alone(model_files):
    pg = Playground(NPLM.load(model_files[0]))
    answer = pg.score("the king")
    assert answer["ngram"] is None and answer["words"] == ["the", "king", "</s>"]
    assert answer["neural"]["perplexity"] == pytest.approx(math.exp(-np.mean(answer["neural"]["logprob"])))
    assert pg.next_words("the", 3)["ngram"] is None and len(pg.next_words("the", 3)["neural"]) == 3
    assert pg.sample("the", 4, seed=0)["ngram"] is None
    assert pg.info()["ngram"] is None and pg.info()["vectors"]["words"] == len(pg.model.vocab_) - 3


def test_nothing_to_score_and_unknown_neighbour(playground):
    with pytest.raises(WordnetLMError, match="no words"):
        playground.score("\n  \n")
    with pytest.raises(UnknownWordError):
        playground.neighbors("qwertyuiop")


def test_next_words_start_a_new_sentence_after_a_line_break(playground):
    assert playground.next_words("the king\n", 5) == playground.next_words("", 5)
    assert playground.next_words("x y\nthe king", 5)["context"] == ["the", "king"]


def test_ngram_sentence_sample_continues_the_context(playground):
    sample = playground.sample("the king", 10, seed=1)
    assert sample["ngram"][-1] == "</s>" and len(sample["ngram"]) <= 11
    assert len(sample["neural"]) == 10


def test_models_of_lower_cased_text_see_lower_cased_words(playground):
    from wordnet_lm.serve.playground import lowercased
    from wordnet_lm.text.vocab import Vocab

    assert lowercased(playground.model.vocab_) and lowercased(playground.ngram.vocab_)  # the demo corpus
    assert not lowercased(Vocab(["the", "Paris"]))
    upper, lower = playground.score("The King of FRANCE"), playground.score("the king of france")
    assert upper["words"] == ["The", "King", "of", "FRANCE", "</s>"]
    for model in ("neural", "ngram"):
        assert upper[model]["logprob"] == lower[model]["logprob"] and not any(upper[model]["oov"])
    assert playground.next_words("The King", 5)["neural"] == playground.next_words("the king", 5)["neural"]


def test_bad_model_files_are_refused_before_serving(model_files, tmp_path):
    """What ``serve`` loads first: a truncated, foreign or NaN model file is a one-line error naming it."""
    from wordnet_lm.io import load_npz, save_npz

    truncated, text, nan = tmp_path / "truncated.npz", tmp_path / "text.npz", tmp_path / "nan.npz"
    data = model_files[0].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    text.write_text("the king\n", "utf-8")
    arrays, meta = load_npz(model_files[0])
    arrays["embed.C"] = arrays["embed.C"].copy()
    arrays["embed.C"][0, 0] = np.nan
    save_npz(nan, arrays, meta)
    for path in (truncated, text, nan):
        with pytest.raises(WordnetLMError, match=path.name):
            Playground.load(path)
    with pytest.raises(WordnetLMError, match="text.npz"):
        Playground.load(model_files[0], ngram=text)
