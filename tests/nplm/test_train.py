"""The training loop: learning, determinism, checkpoints and resumption, divergence, early stopping."""

from __future__ import annotations


import numpy as np
import pytest

from wordnet_lm.errors import ModelFileError, TrainingError, WordnetLMError
from wordnet_lm.nplm import NPLM, TrainConfig
from wordnet_lm.nplm import train as train_module

from .nplm_helpers import small_config, small_model


def fit(train, vocab, valid=None, model=None, **kw):
    model = model or small_model()
    options = {k: kw.pop(k) for k in ("checkpoint", "resume", "callback") if k in kw}
    model.fit(train, vocab, valid, small_config(**kw), progress=False, **options)
    return model


def same_params(a, b):
    return set(a) == set(b) and all(np.array_equal(a[k], b[k]) for k in a)


def test_training_lowers_perplexity(tiny_data):
    train, valid, vocab = tiny_data
    model = small_model()
    model.vocab_ = vocab
    fresh = model.perplexity(valid, model.init_params(len(vocab)))
    fit(train, vocab, valid, model=model, max_epochs=8)
    assert model.perplexity(valid) < 0.5 * fresh
    assert model.perplexity(valid) < 12  # 3 templates: the true next-word entropy is low
    assert [r["epoch"] for r in model.history_] == list(range(1, len(model.history_) + 1))


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_same_seed_same_model(tiny_data, optimizer):
    train, valid, vocab = tiny_data
    a = fit(train, vocab, valid, model=small_model(dropout=0.2, seed=5), optimizer=optimizer, weight_decay=1e-3, max_epochs=2)
    b = fit(train, vocab, valid, model=small_model(dropout=0.2, seed=5), optimizer=optimizer, weight_decay=1e-3, max_epochs=2)
    c = fit(train, vocab, valid, model=small_model(dropout=0.2, seed=6), optimizer=optimizer, weight_decay=1e-3, max_epochs=2)
    assert same_params(a.params_, b.params_)
    assert not np.array_equal(a.params_["embed.C"], c.params_["embed.C"])
    assert a.history_ == [{**r, "seconds": r2["seconds"]} for r, r2 in zip(b.history_, a.history_)]


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("evals_per_epoch,stop_after", [(1, 2), (3, 5)])
def test_resume_equals_uninterrupted(tmp_path, tiny_data, evals_per_epoch, stop_after):
    train, valid, vocab = tiny_data
    kw = dict(max_epochs=3, evals_per_epoch=evals_per_epoch, weight_decay=1e-3, lr_decay=0.7, patience=5)
    whole = fit(train, vocab, valid, model=small_model(dropout=0.3, direct=True), **kw)

    ckpt = tmp_path / "run.ckpt.npz"
    seen = []

    def interrupt(record):
        seen.append(record)
        if len(seen) == stop_after:
            raise Interrupt  # after the evaluation, before its checkpoint: that segment is redone

    with pytest.raises(Interrupt):
        fit(train, vocab, valid, model=small_model(dropout=0.3, direct=True), checkpoint=ckpt, callback=interrupt, **kw)
    resumed = fit(train, vocab, valid, model=small_model(dropout=0.3, direct=True), checkpoint=ckpt, resume=True, **kw)
    assert same_params(resumed.params_, whole.params_)
    strip = lambda h: [{k: v for k, v in r.items() if k != "seconds"} for r in h]  # noqa: E731
    assert strip(resumed.history_) == strip(whole.history_)


@pytest.mark.parametrize("output", ["full", "adaptive"])
def test_lazy_embeddings_resume_exactly_and_decay_every_row(tmp_path, tiny_data, output):
    """Lazy AdamW on the embedding rows: a resumed run equals the uninterrupted one (the decay
    clocks are in the checkpoint) and rows never looked up still decay as under dense AdamW."""
    train, valid, vocab = tiny_data
    kw = dict(optimizer="adamw", lazy_embeddings=True, max_epochs=3, evals_per_epoch=2, weight_decay=0.3,
              lr_decay=0.7, patience=9)
    make = lambda: small_model(dropout=0.3, output=output, cutoffs=[4] if output == "adaptive" else None)  # noqa: E731
    whole = fit(train, vocab, valid, model=make(), **kw)
    ckpt = tmp_path / "lazy.ckpt.npz"
    seen = []

    def interrupt(record):
        seen.append(record)
        if len(seen) == 3:
            raise Interrupt

    with pytest.raises(Interrupt):
        fit(train, vocab, valid, model=make(), checkpoint=ckpt, callback=interrupt, **kw)
    resumed = fit(train, vocab, valid, model=make(), checkpoint=ckpt, resume=True, **kw)
    assert same_params(resumed.params_, whole.params_)
    # a word that never occurs in a context only decays: by prod(1 - lr_t * wd) over every step
    model = make()
    model.vocab_ = vocab
    start = model.init_params(len(vocab))["embed.C"]
    used = np.unique(np.concatenate([np.asarray(train.ids), [1]]))  # words of the text and <s>
    unused = np.setdiff1d(np.arange(len(vocab)), used)
    assert len(unused) >= 1  # </s> is predicted, never read in a context
    last = fit(train, vocab, None, model=make(), **{**kw, "max_epochs": 2, "lr_decay": 1.0})
    steps = 2 * -(-(train.n_tokens + train.n_sentences) // 16)  # batches of 16 windows (a token or </s> each)
    expected = start[unused] * (1 - 0.02 * 0.3) ** steps
    np.testing.assert_allclose(last.params_["embed.C"][unused], expected, rtol=1e-5)


def test_resume_extends_a_finished_run(tmp_path, tiny_data):
    train, valid, vocab = tiny_data
    ckpt = tmp_path / "c.npz"
    fit(train, vocab, valid, checkpoint=ckpt, max_epochs=1, patience=9)
    longer = fit(train, vocab, valid, checkpoint=ckpt, resume=True, max_epochs=3, patience=9)
    straight = fit(train, vocab, valid, max_epochs=3, patience=9)
    assert same_params(longer.params_, straight.params_)
    assert len(longer.history_) == 3


def test_checkpoint_is_a_model_file_of_the_best_parameters(tmp_path, tiny_data):
    train, valid, vocab = tiny_data
    ckpt = tmp_path / "c.npz"
    model = fit(train, vocab, valid, checkpoint=ckpt, max_epochs=2)
    loaded = NPLM.load(ckpt)
    assert same_params(loaded.params_, model.params_)


def test_resume_refuses_other_settings(tmp_path, tiny_data):
    train, valid, vocab = tiny_data
    ckpt = tmp_path / "c.npz"
    fit(train, vocab, valid, checkpoint=ckpt, max_epochs=1)
    with pytest.raises(ModelFileError, match="lr"):
        fit(train, vocab, valid, checkpoint=ckpt, resume=True, lr=0.5)
    with pytest.raises(ModelFileError, match="another model"):
        fit(train, vocab, valid, model=small_model(hidden=5), checkpoint=ckpt, resume=True)
    with pytest.raises(ModelFileError, match="data"):
        fit(valid, vocab, train, checkpoint=ckpt, resume=True)


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path, tiny_data, monkeypatch):
    train, valid, vocab = tiny_data
    ckpt = tmp_path / "c.npz"
    fit(train, vocab, valid, checkpoint=ckpt, max_epochs=1)
    good = ckpt.read_bytes()
    real = train_module._batch_loss
    calls = []

    def poisoned(model):
        loss = real(model)

        def batch_loss(params, contexts, targets, rng):
            calls.append(1)
            value = loss(params, contexts, targets, rng)
            return value * np.float32("nan") if len(calls) == 3 else value
        return batch_loss

    monkeypatch.setattr(train_module, "_batch_loss", poisoned)
    with pytest.raises(TrainingError, match="nan") as err:
        fit(train, vocab, valid, checkpoint=ckpt, resume=True, max_epochs=3)
    assert str(ckpt) in str(err.value) and "\n" not in str(err.value)
    assert ckpt.read_bytes() == good


def test_divergence_without_checkpoint_is_a_clear_error(tiny_data):
    train, valid, vocab = tiny_data
    with pytest.raises(TrainingError, match="diverged"):
        fit(train, vocab, valid, optimizer="sgd", momentum=0.0, lr=1e38, max_epochs=2)


def test_lr_decay_and_early_stopping_keep_the_best(tiny_data):
    train, valid, vocab = tiny_data
    # validation text unlike the training text: valid perplexity soon rises (overfitting)
    other = vocab.encode([["park", "the", "to", "ran", "dog", "a"], ["mat", "sat", "cat"]] * 3)
    model = fit(train, vocab, other, lr=0.05, max_epochs=30, patience=2, lr_decay=0.5)
    hist = model.history_
    assert len(hist) < 30
    ppl = [r["valid_ppl"] for r in hist]
    best = int(np.argmin(ppl))
    assert len(hist) == best + 1 + 2  # stopped after `patience` evaluations without improvement
    assert hist[0]["lr"] == 0.05
    for before, after in zip(hist, hist[1:]):  # the lr halves after each evaluation without improvement
        improved = before["valid_ppl"] == before["best_valid_ppl"]
        assert after["lr"] == before["lr"] * (1.0 if improved else 0.5)
    assert any(r["lr"] < 0.05 for r in hist)
    assert model.perplexity(other) == pytest.approx(min(ppl), rel=1e-12)


def test_max_time_stops(tiny_data):
    train, valid, vocab = tiny_data
    model = fit(train, vocab, valid, max_epochs=50, max_time=1e-9)
    assert len(model.history_) == 1


@pytest.mark.parametrize("field,value", [("optimizer", "adagrad"), ("lr", 0.0), ("batch_size", 0),
                                         ("lr_decay", 0.0), ("patience", 0), ("max_epochs", 0),
                                         ("threads", 0), ("evals_per_epoch", 0), ("max_time", -1.0)])
def test_bad_config(field, value):
    with pytest.raises(WordnetLMError, match=field.split("_")[0]):
        TrainConfig(**{field: value}).check()


def test_empty_training_corpus(tiny_data):
    _, _, vocab = tiny_data
    with pytest.raises(WordnetLMError, match="empty"):
        fit(vocab.encode([]), vocab)


def test_resume_with_a_larger_time_budget_continues(tmp_path, tiny_data):
    train, valid, vocab = tiny_data
    ckpt = tmp_path / "c.npz"
    first = fit(train, vocab, valid, checkpoint=ckpt, max_epochs=4, patience=9, max_time=1e-9)
    assert len(first.history_) == 1
    more = fit(train, vocab, valid, checkpoint=ckpt, resume=True, max_epochs=4, patience=9)
    straight = fit(train, vocab, valid, max_epochs=4, patience=9)
    assert len(more.history_) == 4
    assert same_params(more.params_, straight.params_)


def test_small_gains_keep_the_parameters_but_count_as_stalls(tiny_data):
    train, valid, vocab = tiny_data
    model = fit(train, vocab, valid, max_epochs=6, patience=9, min_improvement=0.95)  # never "enough"
    hist = model.history_
    assert [r["lr"] for r in hist] == [0.02] + [0.02 * 0.5 ** k for k in range(5)]  # the first counts
    best = min(r["valid_ppl"] for r in hist)
    assert best < hist[0]["valid_ppl"]
    assert model.perplexity(valid) == pytest.approx(best, rel=1e-12)
