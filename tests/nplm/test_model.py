"""The model: gradients against finite differences, perplexity against an independent
computation, model files (round trip and corrupt files)."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import pytest

from wordnet_lm.autodiff import value_and_grad
from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.errors import ModelFileError, UnknownWordError, WordnetLMError
from wordnet_lm.io import save_npz
from wordnet_lm.nplm import NPLM
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Vocab

from .nplm_helpers import small_config, small_model


def dense(g):
    return g.to_dense() if isinstance(g, RowSparse) else np.asarray(g)


def numeric_grads(f, params, eps=1e-6):
    out = {}
    for name, p in params.items():
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = f(params)
            p[i] = old - eps
            down = f(params)
            p[i] = old
            num[i] = (up - down) / (2 * eps)
        out[name] = num
    return out


@pytest.mark.parametrize("hidden,direct", [(4, False), (4, True), (0, True)])
@pytest.mark.parametrize("sparse_rows", [False, True])
def test_gradients_match_finite_differences(hidden, direct, sparse_rows):
    V = 9
    model = NPLM(order=3, embed_dim=3, hidden=hidden, direct=direct, seed=1)
    params = model.init_params(V, dtype=np.float64)
    rng = np.random.default_rng(0)
    contexts = rng.integers(0, V, (7, 2)).astype(np.int32)
    contexts[:3] = [1, 4]  # repeated rows: their embedding gradients must add up
    targets = rng.integers(0, V, 7).astype(np.int32)

    def f(p):
        return model.loss(p, contexts, targets)

    value, grads = value_and_grad(f, sparse_rows=sparse_rows)(params)
    assert abs(value - f(params)) < 1e-12
    num = numeric_grads(lambda p: float(f(p)), {k: v.copy() for k, v in params.items()})
    assert set(grads) == set(params)
    for name in params:
        g = dense(grads[name])
        err = np.abs(g - num[name]).max() / max(np.abs(num[name]).max(), 1e-12)
        assert err < 1e-6, (name, err)
    if sparse_rows:
        assert isinstance(grads["embed.C"], RowSparse)


def naive_perplexity(model: NPLM, sentences_ids: list[list[int]]) -> float:
    """Independent: one example at a time, explicit padding, NumPy forward in float64."""
    P = {k: v.astype(np.float64) for k, v in model.params_.items()}
    total, count = 0.0, 0
    n1 = model.order - 1
    for s in sentences_ids:
        padded = [BOS_ID] * n1 + s + [EOS_ID]
        for t in range(n1, len(padded)):
            e = np.concatenate([P["embed.C"][w] for w in padded[t - n1:t]])
            logits = np.tanh(e @ P["hidden.W"] + P["hidden.b"]) @ P["output.W"] + P["output.b"]
            if model.direct:
                logits = logits + e @ P["direct.W"]
            logp = logits[padded[t]] - np.log(np.sum(np.exp(logits)))
            total += logp
            count += 1
    return math.exp(-total / count)


@pytest.mark.parametrize("direct", [False, True])
def test_perplexity_matches_independent_computation(tiny_data, direct):
    train, valid, vocab = tiny_data
    model = small_model(direct=direct).fit(train, vocab, None, small_config(max_epochs=1), progress=False)
    sentences = [valid.sentence(k).tolist() for k in range(valid.n_sentences)]
    assert UNK_in(sentences)
    assert model.perplexity(valid) == pytest.approx(naive_perplexity(model, sentences), rel=1e-5)
    logprobs = model.token_logprobs(valid)
    assert len(logprobs) == valid.n_tokens + valid.n_sentences


def UNK_in(sentences):
    return any(0 in s for s in sentences)


def test_log_probs_are_distributions(tiny_data):
    train, _, vocab = tiny_data
    model = small_model().fit(train, vocab, None, small_config(max_epochs=1), progress=False)
    lp = model.log_probs(np.array([[1, 1], [1, 5]], np.int32))
    np.testing.assert_allclose(np.exp(lp).sum(axis=1), 1.0, rtol=1e-10)
    assert lp.shape == (2, len(vocab))


def test_init_is_seeded():
    a, b, c = small_model(seed=3), small_model(seed=3), small_model(seed=4)
    pa, pb, pc = a.init_params(20), b.init_params(20), c.init_params(20)
    assert all(np.array_equal(pa[k], pb[k]) for k in pa)
    assert not np.array_equal(pa["embed.C"], pc["embed.C"])
    assert all(v.dtype == np.float32 for v in pa.values())
    assert set(pa) == {"embed.C", "hidden.W", "hidden.b", "output.W", "output.b"}


@pytest.mark.parametrize("kwargs", [dict(order=1), dict(embed_dim=0), dict(hidden=-1),
                                    dict(hidden=0, direct=False), dict(dropout=1.0)])
def test_bad_hyperparameters(kwargs):
    with pytest.raises(WordnetLMError):
        small_model(**kwargs).check_params()


def test_untrained_model_says_so():
    with pytest.raises(WordnetLMError, match="not trained"):
        small_model().logits(np.zeros((1, 2), np.int32))


def test_save_load_round_trip(tmp_path, tiny_data):
    train, valid, vocab = tiny_data
    model = small_model(direct=True).fit(train, vocab, valid, small_config(max_epochs=1), progress=False)
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = NPLM.load(path)
    assert loaded.get_params() == model.get_params()
    assert loaded.vocab_ == vocab
    assert loaded.perplexity(valid) == model.perplexity(valid)
    assert loaded.history_ == model.history_
    with zipfile.ZipFile(path) as z:  # plain arrays only
        assert all(name.endswith(".npy") for name in z.namelist())


def test_context_ids_pad_and_reject_unknown_words(tiny_data):
    train, _, vocab = tiny_data
    model = small_model().fit(train, vocab, None, small_config(max_epochs=1), progress=False)
    np.testing.assert_array_equal(model.context_ids([]), [BOS_ID, BOS_ID])
    np.testing.assert_array_equal(model.context_ids(["the"]), [BOS_ID, vocab.id("the")])
    np.testing.assert_array_equal(model.context_ids(["a", "dog", "ran"]), [vocab.id("dog"), vocab.id("ran")])
    with pytest.raises(UnknownWordError, match="zebra"):
        model.context_ids(["zebra"])


@pytest.fixture
def saved_model(tmp_path, tiny_data):
    train, _, vocab = tiny_data
    model = small_model().fit(train, vocab, None, small_config(max_epochs=1), progress=False)
    path = tmp_path / "m.npz"
    model.save(path)
    return model, path


def test_truncated_model_file(saved_model, tmp_path):
    _, path = saved_model
    bad = tmp_path / "bad.npz"
    bad.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelFileError, match="bad.npz"):
        NPLM.load(bad)


def test_garbage_and_missing_model_files(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"\x00\x01 definitely not a model" * 10)
    with pytest.raises(ModelFileError, match="junk.npz"):
        NPLM.load(junk)
    with pytest.raises(ModelFileError, match="nope.npz"):
        NPLM.load(tmp_path / "nope.npz")


def test_foreign_model_file(tmp_path):
    path = tmp_path / "glove.npz"
    save_npz(path, {"W": np.zeros((3, 2), np.float32)}, {"kind": "glove"})
    with pytest.raises(ModelFileError, match="glove"):
        NPLM.load(path)


def test_inconsistent_model_file(saved_model, tmp_path):
    model, _ = saved_model
    meta = model.metadata()
    arrays = dict(model.params_)
    arrays["output.W"] = arrays["output.W"][:, :-1]
    save_npz(tmp_path / "shape.npz", arrays, meta)
    with pytest.raises(ModelFileError, match="output.W"):
        NPLM.load(tmp_path / "shape.npz")
    arrays = dict(model.params_)
    del arrays["hidden.b"]
    save_npz(tmp_path / "missing.npz", arrays, meta)
    with pytest.raises(ModelFileError, match="hidden.b"):
        NPLM.load(tmp_path / "missing.npz")
    bad_meta = dict(meta, hyperparameters={"order": "five"})
    save_npz(tmp_path / "meta.npz", dict(model.params_), bad_meta)
    with pytest.raises(ModelFileError, match="meta.npz"):
        NPLM.load(tmp_path / "meta.npz")
    save_npz(tmp_path / "version.npz", dict(model.params_), dict(meta, format_version=99))
    with pytest.raises(ModelFileError, match="version"):
        NPLM.load(tmp_path / "version.npz")
