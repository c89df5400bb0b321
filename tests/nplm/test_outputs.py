"""The neural LM with every output layer: training, scoring, next words, sampling, files."""

from __future__ import annotations

import numpy as np
import pytest

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.nplm import NPLM, generate, next_word_probs, top_next_words
from wordnet_lm.nplm import outputs as O
from wordnet_lm.nplm.levels import sample_word
from wordnet_lm.text.vocab import BOS_ID, UNK_ID

from .nplm_helpers import small_config, small_model, tiny_data_triple

FACTORISED = [dict(output="adaptive", cutoffs=[4, 9]), dict(output="class", classes=4)]
ALL_OUTPUTS = [dict(output="full")] + FACTORISED


@pytest.fixture(scope="module", params=ALL_OUTPUTS, ids=lambda p: p["output"])
def trained(request):
    train, valid, vocab = tiny_data_triple()
    model = small_model(**request.param)
    return model.fit(train, vocab, valid, small_config(max_epochs=15, patience=20), progress=False), valid


def test_every_output_learns_the_patterns(trained):
    model, valid = trained
    assert model.perplexity(valid) < 6.0  # uniform over the 20 words would be 20
    assert top_next_words(model, ["the", "cat"], k=1)[0][0] == "sat"


def test_log_probs_are_normalised_and_agree_with_scoring(trained):
    model, valid = trained
    from wordnet_lm.nplm import context_windows

    contexts, targets = context_windows(valid, model.order)
    full = model.log_probs(contexts)
    np.testing.assert_allclose(np.exp(full).sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(model.target_logprobs(contexts, targets), full[np.arange(len(targets)), targets],
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("words", [[], ["the"], ["a", "dog"], ["the", "bird", "sang"]])
def test_top_words_by_levels_equal_the_full_distribution(trained, words):
    model, _ = trained
    p = next_word_probs(model, words)  # every word, <s> removed: the reference
    ranked = [i for i in np.lexsort((np.arange(len(p)), -p)) if i != BOS_ID]
    for k in (1, 3, len(p) - 1):
        best = top_next_words(model, words, k)
        order = ranked[:k]
        assert [w for w, _ in best] == [model.vocab_.word(int(i)) for i in order]
        np.testing.assert_allclose([q for _, q in best], p[order], rtol=1e-9)


def test_sampling_by_levels_follows_the_distribution():
    train, valid, vocab = tiny_data_triple()
    model = small_model(output="class", classes=4).fit(train, vocab, valid, small_config(max_epochs=2), progress=False)
    context = model.context_ids(["the"])
    p = np.exp(model.log_probs(context[None, :])[0])
    p[[BOS_ID, UNK_ID]] = 0
    p /= p.sum()
    rng = np.random.default_rng(0)
    draws = np.bincount([sample_word(model, model.output_layer(), context, [BOS_ID, UNK_ID], rng)
                         for _ in range(6000)], minlength=len(p)) / 6000
    assert draws[[BOS_ID, UNK_ID]].sum() == 0
    assert np.abs(draws - p).max() < 0.025


def test_generate_with_every_output(trained):
    model, _ = trained
    a = generate(model, ["the"], 15, seed=1)
    assert a == generate(model, ["the"], 15, seed=1) and len(a) == 15
    assert "<s>" not in a and "<unk>" not in a
    assert len(generate(model, ["the"], 5, temperature=0.7, top_k=3, seed=2)) == 5


def test_model_files_and_checkpoints_keep_the_output(trained, tmp_path):
    model, valid = trained
    model.save(tmp_path / "m.npz")
    back = NPLM.load(tmp_path / "m.npz")
    assert back.get_params() == model.get_params()
    assert back.output_layer().kind == model.output_layer().kind
    assert back.perplexity(valid) == model.perplexity(valid)
    arrays = np.load(tmp_path / "m.npz", allow_pickle=False)
    names = set(arrays.files)
    expected = {"full": "output.W", "adaptive": "tail1.proj.W", "class": "words.W"}[model.output_layer().kind]
    assert expected in names


@pytest.mark.parametrize("options", FACTORISED, ids=lambda p: p["output"])
def test_resume_is_bit_for_bit(options, tmp_path):
    train, valid, vocab = tiny_data_triple()
    config = small_config(max_epochs=2, evals_per_epoch=2)
    whole = small_model(**options).fit(train, vocab, valid, config, progress=False)
    ckpt = tmp_path / "c.npz"
    small_model(**options).fit(train, vocab, valid, small_config(max_epochs=1, evals_per_epoch=2),
                               checkpoint=ckpt, progress=False)
    resumed = small_model(**options).fit(train, vocab, valid, config, checkpoint=ckpt, resume=True, progress=False)
    for name, value in whole.params_.items():
        assert np.array_equal(value, resumed.params_[name]), name
    with pytest.raises(WordnetLMError, match="another model"):
        other = dict(options, output="full", cutoffs=None, classes=None)
        small_model(**other).fit(train, vocab, valid, config, checkpoint=ckpt, resume=True, progress=False)


def test_old_model_files_load_as_full_softmax(trained, tmp_path):
    from wordnet_lm.io import load_npz, save_npz

    model, valid = trained
    if model.output != "full":
        pytest.skip("only the full softmax existed before")
    model.save(tmp_path / "m.npz")
    arrays, meta = load_npz(tmp_path / "m.npz", kind="nplm")
    for key in ("output", "cutoffs", "classes"):
        del meta["hyperparameters"][key]
    save_npz(tmp_path / "old.npz", dict(arrays), meta)
    assert NPLM.load(tmp_path / "old.npz").perplexity(valid) == model.perplexity(valid)


def test_defaults_and_bad_settings():
    assert O.resolve_output("auto", O.ADAPTIVE_FROM - 1) == "full"
    assert O.resolve_output("auto", O.ADAPTIVE_FROM) == "adaptive"
    assert O.resolve_output("auto", 10**6, direct=True) == "full"
    assert O.default_cutoffs(17130) == (1000, 5000)  # below WIDE_FROM: Grave et al.'s layout (Brown)
    assert O.default_cutoffs(12) == (3,)
    layer = O.AdaptiveOutput(100, 17130, [2000, 10000])
    assert [layer.tail_layers[k].out_features for k in (0, 2)] == [25, 6]  # h / 4, h / 16
    # from WIDE_FROM: head 250, clusters doubling, widths h * 1000 / last rank (nltk-mix: 28,734 words)
    assert O.default_cutoffs(28734) == (250, 500, 1000, 2000, 4000, 8000, 16000)
    assert O.default_projections(100, O.default_cutoffs(28734), 28734) == (100, 100, 50, 25, 12, 6, 3)
    assert O.default_projections(100, (250, 500, 1000, 2000), 20000) == (100, 100, 50, 5)
    assert O.default_projections(100, (1000, 5000), 17130) == (25, 6)
    assert O.default_cutoffs(40000)[-1] == 32000  # 32000..40000 is not less than half of 16000..32000
    assert O.default_cutoffs(34000)[-1] == 16000  # 32000..34000 would be: it joins the cluster before
    assert O.legacy_layout(100, 300_000) == ((1000, 5000, 25000, 125000), (25, 6, 1, 1))
    with pytest.raises(WordnetLMError, match="projections must be 2 widths"):
        O.AdaptiveOutput(100, 17130, [1000, 5000], [25])
    with pytest.raises(WordnetLMError, match="from 1 to the hidden size 100"):
        O.AdaptiveOutput(100, 17130, [1000, 5000], [101, 6])
    with pytest.raises(WordnetLMError, match="projections are widths"):
        NPLM(output="class", projections=[4]).check_params()
    with pytest.raises(WordnetLMError, match="cutoffs"):
        O.check_cutoffs([5, 5], 20)
    with pytest.raises(WordnetLMError, match="cutoffs"):
        O.check_cutoffs([5, 20], 20)
    with pytest.raises(WordnetLMError, match="hidden layer"):
        NPLM(output="adaptive", direct=True).check_params()
    with pytest.raises(WordnetLMError, match="output must be"):
        NPLM(output="hierarchical").check_params()
    with pytest.raises(WordnetLMError, match="classes"):
        NPLM(output="class", classes=0).check_params()


def test_frequency_bins_hold_equal_shares():
    counts = np.array([0, 0, 0, 500, 200, 100, 50, 50, 40, 30, 20, 10])
    bounds = O.frequency_bins(counts, 4)
    assert bounds[0] == 0 and bounds[-1] == len(counts) and bounds == sorted(set(bounds))
    mass = counts + 1.0
    shares = [mass[a:b].sum() / mass.sum() for a, b in zip(bounds[:-1], bounds[1:])]
    # a class starts where the running share passes k/4: Mikolov's rule, checked independently
    before = np.concatenate([[0], np.cumsum(mass)[:-1]]) / mass.sum()
    expected = [0] + [i for i in range(1, len(mass)) if int(before[i] * 4) != int(before[i - 1] * 4)] + [len(mass)]
    assert bounds == expected and len(shares) <= 4


@pytest.mark.parametrize("options", ALL_OUTPUTS + [dict(output="full", direct=True)], ids=str)
def test_parameter_count_and_memory_estimate_follow_the_output(options):
    from wordnet_lm.nplm.train import training_bytes

    model = small_model(**options)
    params = model.init_params(20)
    assert model.n_params(20) == sum(p.size for p in params.values())
    if options["output"] == "full":
        width = 20
    elif options["output"] == "adaptive":  # head: 4 words + 2 clusters; the largest cluster: ids 9..19
        width = 6 + 11
    else:
        bounds = O.frequency_bins(O.zipf_counts(20), 4)
        width = len(bounds) - 1 + max(b - a for a, b in zip(bounds[:-1], bounds[1:]))
    # the context windows are built per batch (BatchWindows): order x batch ids, not order x examples
    assert training_bytes(model, 20, 8, 100) == 4 * (6 * model.n_params(20) + 3 * 8 * width + 3 * 8)


def test_projection_widths_shape_the_clusters():
    """One width per cluster; the hidden size itself means no projection (the cluster reads x)."""
    layer = O.AdaptiveOutput(8, 20, [4, 9, 14], [8, 3, 1])
    assert layer.projections == (8, 3, 1)
    assert [(lay.name, lay.in_features, lay.out_features) for lay in layer.tail_layers] == [
        ("tail1", 8, 5), ("tail2.proj", 8, 3), ("tail2", 3, 5), ("tail3.proj", 8, 1), ("tail3", 1, 6)]
    assert [c.proj for c in layer.layout.clusters] == [-1, 2, 5]
    names = layer.tail_names
    for c in layer.layout.clusters:  # the layout's indices point at the right arrays
        assert names[c.weight].endswith(".W") and names[c.bias].endswith(".b")
        assert c.proj < 0 or names[c.proj].endswith("proj.W")
    assert "projections 8,3,1" in layer.describe()


@pytest.mark.parametrize("widths", [(5, 5, 5), (5, 2, 1), (1, 5, 3)])
def test_mixed_widths_are_exact_and_gradient_checked(widths):
    """The layer's loss in float64 against central differences and against log-probabilities
    written out with plain NumPy (no projection where the width is the input size)."""
    from wordnet_lm.autodiff import check_grad

    layer = O.AdaptiveOutput(5, 16, [3, 7, 11], list(widths))
    rng = np.random.default_rng(sum(widths))
    params = {}
    for lay in layer.layers():
        params.update(lay.init(rng, np.float64))
    x = rng.standard_normal((9, 5))
    targets = rng.integers(0, 16, 9)
    names = sorted(params)

    def loss(x, *arrays):
        return layer.loss(dict(zip(names, arrays)), x, targets, "sum")

    assert check_grad(loss, x, *(params[n] for n in names)) < 1e-6

    def log_softmax(z):
        return z - z.max(axis=1, keepdims=True) - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(1, keepdims=True))

    head = log_softmax(x @ params["head.W"] + params["head.b"])
    expected = [head[:, :3]]
    for i in (1, 2, 3):  # clusters 3-6, 7-10, 11-15
        z = x @ params[f"tail{i}.proj.W"] if widths[i - 1] < 5 else x
        assert (f"tail{i}.proj.W" in params) == (widths[i - 1] < 5)
        expected.append(log_softmax(z @ params[f"tail{i}.W"] + params[f"tail{i}.b"]) + head[:, [2 + i]])
    expected = np.concatenate(expected, axis=1)
    np.testing.assert_allclose(layer.log_probs(params, x), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.loss(params, x, targets, "none"), -expected[np.arange(9), targets], rtol=1e-10)


def _strip_layout(path, new_path, keys=("projections",)):
    """A copy of a model file as written before per-cluster widths (2026-12-02): no
    ``projections`` setting, no recorded layout."""
    from wordnet_lm.io import load_npz, save_npz

    arrays, meta = load_npz(path, kind="nplm")
    for key in keys:
        del meta["hyperparameters"][key]
    del meta["adaptive_layout"]
    save_npz(new_path, dict(arrays), meta)


def test_files_keep_their_layout_when_the_defaults_change(tmp_path, monkeypatch):
    """A file records the layout it was trained with; files from before (no record) are read
    with the defaults of then (1000, 5000, ... and h / 4^i), whatever today's defaults."""
    train, valid, vocab = tiny_data_triple()
    monkeypatch.setattr(O, "HEAD_WORDS", 4)  # the old rule at the tiny vocabulary's scale: cutoffs 4, 8
    monkeypatch.setattr(O, "CLUSTER_GROWTH", 2)
    old = small_model(output="adaptive").fit(train, vocab, valid, small_config(max_epochs=1), progress=False)
    assert old.output_layer().cutoffs == (4, 8, 16) and old.output_layer().projections == (2, 1, 1)
    old.save(tmp_path / "m.npz")
    _strip_layout(tmp_path / "m.npz", tmp_path / "old.npz")
    monkeypatch.setattr(O, "WIDE_FROM", 10)  # today's defaults differ at this size
    assert small_model(output="adaptive").output_layer(len(vocab)).cutoffs != (4, 8, 16)
    for name in ("m.npz", "old.npz"):
        back = NPLM.load(tmp_path / name)
        assert (back.cutoffs, back.projections) == ([4, 8, 16], [2, 1, 1])
        assert back.perplexity(valid) == old.perplexity(valid)
    # a file whose layout today's defaults still build keeps its settings as written
    monkeypatch.setattr(O, "WIDE_FROM", 10**6)
    same = NPLM.load(tmp_path / "m.npz")
    assert same.get_params() == old.get_params()


def test_old_checkpoints_resume_or_name_the_settings(tmp_path, monkeypatch):
    """A checkpoint from before per-cluster widths resumes when today's defaults build its
    layout, else a one-line error shows the settings it was made with."""
    train, valid, vocab = tiny_data_triple()
    ckpt, old_ckpt = tmp_path / "c.npz", tmp_path / "old.npz"
    config = small_config(max_epochs=2, evals_per_epoch=2)
    small_model(output="adaptive").fit(train, vocab, valid, small_config(max_epochs=1, evals_per_epoch=2),
                                       checkpoint=ckpt, progress=False)
    _strip_layout(ckpt, old_ckpt)
    resumed = small_model(output="adaptive").fit(train, vocab, valid, config, checkpoint=old_ckpt, resume=True,
                                                 progress=False)
    assert len(resumed.history_) == 4
    _strip_layout(ckpt, old_ckpt)
    monkeypatch.setattr(O, "WIDE_FROM", 10)
    with pytest.raises(WordnetLMError, match=r"another model .*projections=\[2\]"):
        small_model(output="adaptive").fit(train, vocab, valid, config, checkpoint=old_ckpt, resume=True,
                                           progress=False)
