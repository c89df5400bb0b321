"""Model files, perplexity conventions, token order, sampling."""

import math
import numpy as np
import pytest

from .conftest import corpus_of, fitted, vocab_of
from wordnet_lm.errors import ModelFileError, WordnetLMError
from wordnet_lm.io import save_npz
from wordnet_lm.ngram import (BackoffModel, JelinekMercer, ModifiedKneserNey, load_model, make_model,
                              perplexity_from_logprobs, prediction_targets, save_model)
from wordnet_lm.ngram.smoothing import SMOOTHING
from wordnet_lm.text.vocab import EOS_ID, UNK_ID


@pytest.mark.parametrize("name", list(SMOOTHING))
def test_npz_round_trip_keeps_class_parameters_and_scores(name, small, tmp_path):
    _, test, _ = small
    model = fitted(name, 3, small)
    model.save(tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")

    def params(m):  # tuples come back from JSON as lists
        return {k: list(v) if isinstance(v, tuple) else v for k, v in m.get_params().items()}

    assert type(loaded) is type(model) and params(loaded) == params(model)
    np.testing.assert_array_equal(loaded.token_logprobs(corpus_of(test)), model.token_logprobs(corpus_of(test)))
    for learned in ("discounts_", "lambdas_"):
        if hasattr(model, learned):
            np.testing.assert_array_equal(getattr(loaded, learned), getattr(model, learned))
    np.testing.assert_array_equal(loaded.vocab_.counts, model.vocab_.counts)


def test_npz_extra_metadata_and_arpa_models_are_backoff_models(small, tmp_path):
    model = fitted("kn", 2, small)
    save_model(model, tmp_path / "m.npz", extra={"reading": {"lowercase": True}})
    assert load_model(tmp_path / "m.npz").extra_ == {"reading": {"lowercase": True}}
    model.to_arpa(tmp_path / "m.arpa")
    assert isinstance(load_model(tmp_path / "m.arpa"), BackoffModel)
    with pytest.raises(WordnetLMError, match="cannot be fitted"):
        load_model(tmp_path / "m.arpa").fit(corpus_of([[3]]), model.vocab_)


def test_foreign_and_corrupt_model_files(small, tmp_path):
    save_npz(tmp_path / "other.npz", {"w": np.zeros(2)}, {"kind": "nplm"})
    with pytest.raises(ModelFileError, match="'nplm' model, expected 'ngram'"):
        load_model(tmp_path / "other.npz")
    model = fitted("mkn", 2, small)
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        arrays = {k: data[k] for k in data.files}
    arrays["context_2"] = arrays["context_2"][::-1].copy()  # no longer sorted
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match="corrupt n-gram model file"):
        load_model(tmp_path / "bad.npz")
    (tmp_path / "trunc.npz").write_bytes((tmp_path / "m.npz").read_bytes()[:200])
    with pytest.raises(ModelFileError, match="trunc.npz"):
        load_model(tmp_path / "trunc.npz")


def test_token_logprobs_follow_the_documented_order(small):
    _, test, _ = small
    model = fitted("mkn", 3, small)
    corpus = corpus_of(test)
    expected = []
    for sentence in test:
        words = ["<s>"] + [f"w{i}" for i in sentence] + ["</s>"]
        expected += [model.logprob(words[:i], words[i]) for i in range(1, len(words))]
    np.testing.assert_allclose(model.token_logprobs(corpus), expected, rtol=1e-12)
    targets = prediction_targets(corpus)
    assert len(targets) == corpus.n_tokens + corpus.n_sentences
    assert targets[len(test[0])] == EOS_ID and targets[-1] == EOS_ID
    np.testing.assert_allclose(model.sentence_logprobs(corpus),
                               [sum(expected[:len(test[0]) + 1])] + list(model.sentence_logprobs(corpus)[1:]))
    assert math.isclose(model.sentence_logprobs(corpus).sum(), sum(expected), rel_tol=1e-12)


def test_perplexity_with_and_without_oovs():
    logprobs = np.log([0.5, 0.25, 0.1, 0.5])
    targets = np.array([5, UNK_ID, 7, EOS_ID])
    result = perplexity_from_logprobs(logprobs, targets, n_sentences=1)
    assert math.isclose(result.perplexity, (0.5 * 0.25 * 0.1 * 0.5) ** -0.25)
    assert math.isclose(result.perplexity_excl_oov, (0.5 * 0.1 * 0.5) ** (-1 / 3))
    assert (result.n_predictions, result.n_oov, result.n_sentences) == (4, 1, 1)
    assert "Perplexity including OOVs:" in str(result)
    with pytest.raises(ValueError):
        perplexity_from_logprobs(np.zeros(0))


def test_model_perplexity_counts_oovs(small):
    _, test, _ = small
    model = fitted("mkn", 3, small)
    corpus = corpus_of(test)  # w63 never occurred in training, but is in the vocabulary
    corpus = type(corpus)(np.where(corpus.ids == 63, UNK_ID, corpus.ids).astype(np.int32), corpus.offsets)
    result = model.perplexity(corpus)
    n_unk = int((corpus.ids == UNK_ID).sum())
    assert n_unk > 0 and result.n_oov == n_unk
    logprobs = model.token_logprobs(corpus)
    oov = prediction_targets(corpus) == UNK_ID
    assert math.isclose(result.perplexity_excl_oov, math.exp(-logprobs[~oov].mean()), rel_tol=1e-12)
    with pytest.raises(WordnetLMError, match="empty"):
        model.perplexity(corpus_of([]))
    with pytest.raises(WordnetLMError, match="outside this model's vocabulary"):
        model.perplexity(corpus_of([[3, 900]]))


def test_sampling_is_seeded_and_follows_the_model(small):
    model = fitted("mkn", 3, small)
    first = model.sample(4, seed=7)
    assert first == model.sample(4, seed=7) and first != model.sample(4, seed=8)
    assert all(w in model.vocab_ and w not in ("<s>", "</s>") for s in first for w in s)
    assert all(len(s) <= 5 for s in model.sample(20, seed=1, max_length=5))
    assert all(s[:2] == ["w3", "w4"] for s in model.sample(3, seed=2, context=["w3", "w4"]))
    assert all("<unk>" not in s for s in model.sample(30, seed=3, allow_unk=False))
    # a deterministic model reproduces its only sentence
    vocab = vocab_of(3)
    only = make_model("mle", 3).fit(corpus_of([[3, 4, 5]]), vocab)
    assert only.sample(3, seed=0) == [["w3", "w4", "w5"]] * 3


def test_words_are_looked_up_and_context_starts_at_the_last_bos(small):
    model = fitted("mkn", 3, small)
    assert model.logprob(["w9", "<s>"], "w3") == model.logprob(["<s>"], "w3")
    assert model.logprob(["nonsense"], "zzz") == model.logprob(["<unk>"], "<unk>")
    assert model.logprob([3, 4], 5) == model.logprob(["w3", "w4"], "w5") == model.logprob("w3 w4", "w5")
    with pytest.raises(WordnetLMError, match="outside the vocabulary"):
        model.logprob([10_000], "w3")
    assert model.logprob(["w3"], "<s>") == -math.inf


def test_jelinek_mercer_needs_enough_sentences():
    with pytest.raises(WordnetLMError, match="at least 2"):
        JelinekMercer(2).fit(corpus_of([[3, 4]]), vocab_of(3))
    assert isinstance(ModifiedKneserNey(2, discounts=[0.5, 1, 1.5]).fit(corpus_of([[3, 4]]), vocab_of(3)),
                      ModifiedKneserNey)
