"""AdaGrad steps against their formulas, and the GloVe estimator end to end on small data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.glove import GloVe, RowAdaGrad, cooccurrence_matrix, weighting
from wordnet_lm.glove.train import auto_batch_size, auto_epochs
from wordnet_lm.text import Corpus, Vocab


# ---------------------------------------------------------------------------- AdaGrad
@pytest.mark.parametrize("variant", ["paper", "stanford"])
def test_row_adagrad_matches_formulas(variant):
    rng = np.random.default_rng(0)
    param = rng.standard_normal((6, 3)).astype(np.float32)
    accumulator = rng.uniform(1, 2, (6, 3)).astype(np.float32)
    rows = np.array([1, 4, 5])
    grad = rng.standard_normal((3, 3)).astype(np.float32)
    lr = 0.05
    expected_param, expected_acc = param.astype(np.float64), accumulator.astype(np.float64)
    g = grad.astype(np.float64)
    if variant == "paper":
        expected_acc[rows] += g ** 2
        expected_param[rows] -= lr * g / np.sqrt(expected_acc[rows])
    else:
        expected_acc[rows] += (lr * g) ** 2
        expected_param[rows] -= lr * g / np.sqrt(expected_acc[rows])
    RowAdaGrad(lr, variant=variant).update_rows(param, accumulator, rows, param[rows], grad.copy())
    np.testing.assert_allclose(param, expected_param, rtol=1e-6)
    np.testing.assert_allclose(accumulator, expected_acc, rtol=1e-6)


def test_row_adagrad_options():
    assert np.all(RowAdaGrad(0.1, initial_accumulator=0.5).accumulator(np.zeros((2, 2), np.float32)) == 0.5)
    for bad in [dict(lr=0), dict(lr=float("nan")), dict(initial_accumulator=0), dict(variant="adam")]:
        with pytest.raises(TrainingError):
            RowAdaGrad(**{"lr": 0.05, **bad})


# ---------------------------------------------------------------------------- one step by hand
def small_matrix(seed=0, n=12, density=0.4):
    rng = np.random.default_rng(seed)
    X = scipy.sparse.random(n, n, density=density, random_state=seed, data_rvs=lambda k: rng.uniform(0.2, 300, k))
    return (X + X.T).tocsr()


def full_gradient(params, X, x_max, alpha):
    """The whole-matrix gradient of 1/2 sum f (w.w~ + b + b~ - log x)^2, in float64, by hand."""
    W, Wt, b, bt = (p.astype(np.float64) for p in params)
    coo = X.tocoo()
    i, j, x = coo.row, coo.col, coo.data
    f = np.minimum(1, (x / x_max) ** alpha)
    diff = np.sum(W[i] * Wt[j], axis=1) + b[i] + bt[j] - np.log(x)
    g = f * diff
    grads = [np.zeros_like(W), np.zeros_like(Wt), np.zeros_like(b), np.zeros_like(bt)]
    for k in range(len(x)):  # repeated rows accumulate, one pair at a time
        grads[0][i[k]] += g[k] * Wt[j[k]]
        grads[1][j[k]] += g[k] * W[i[k]]
        grads[2][i[k]] += g[k]
        grads[3][j[k]] += g[k]
    return 0.5 * np.sum(f * diff ** 2), grads


@pytest.mark.parametrize("variant,bias_lr,expected_bias_lr", [("paper", None, 0.05), ("stanford", None, 1.0),
                                                              ("stanford", 0.05, 0.05), ("paper", 0.3, 0.3)])
def test_one_full_batch_epoch_is_one_adagrad_step(variant, bias_lr, expected_bias_lr):
    """Vectors step with lr 0.05; biases with ``bias_lr``, by default 1.0 for "stanford" (glove.c
    does not scale its bias step by eta) and ``lr`` for "paper"."""
    X = small_matrix()
    options = dict(dim=4, x_max=50.0, alpha=0.75, lr=0.05, batch_size=10 ** 6, adagrad=variant, seed=3,
                   bias_lr=bias_lr)
    start = GloVe(epochs=0, **options).fit(X)
    stepped = GloVe(epochs=1, **options).fit(X)
    assert stepped.bias_lr_ == expected_bias_lr
    params = [start.W_, start.W_tilde_, start.b_, start.b_tilde_]
    loss, grads = full_gradient(params, X, 50.0, 0.75)
    assert stepped.loss_history_[0] == pytest.approx(loss / X.nnz, rel=1e-5)
    after = [stepped.W_, stepped.W_tilde_, stepped.b_, stepped.b_tilde_]
    for k, (before, new, g) in enumerate(zip(params, after, grads)):
        lr = 0.05 if k < 2 else expected_bias_lr
        if variant == "paper":
            expected = before - lr * g / np.sqrt(1 + g ** 2)
        else:
            expected = before - lr * g / np.sqrt(1 + (lr * g) ** 2)
        np.testing.assert_allclose(new, expected, rtol=2e-5, atol=1e-7)


# ---------------------------------------------------------------------------- training
def clustered_corpus(seed=0, n_sentences=600):
    """Two topics, words 3..10 and 11..18: a sentence has 6 words of one topic, 2 of the other.

    Words of different topics co-occur too, less often: the topics are in the nonzero counts
    GloVe fits (with disjoint topics they would be only in the zeros, which GloVe ignores)."""
    rng = np.random.default_rng(seed)
    topics = [np.arange(3, 11), np.arange(11, 19)]
    sentences = [rng.permutation(np.concatenate([rng.choice(topics[k % 2], size=6),
                                                 rng.choice(topics[1 - k % 2], size=2)]))
                 for k in range(n_sentences)]
    ids = np.concatenate(sentences).astype(np.int32)
    return Corpus(ids, np.arange(0, len(ids) + 1, 8, dtype=np.int64))


def test_training_reduces_the_loss_and_recovers_topics():
    X = cooccurrence_matrix(clustered_corpus(), 19, window=3)
    model = GloVe(dim=8, x_max=10, epochs=30, batch_size=64, seed=0).fit(X)
    losses = model.loss_history_
    assert len(losses) == 30 and losses[-1] < 0.2 * losses[0]
    assert all(b <= a * 1.05 for a, b in zip(losses, losses[1:]))
    V = model.vectors("sum")[3:]
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    cos = V @ V.T
    same = np.equal.outer(np.arange(16) < 8, np.arange(16) < 8)
    off_diagonal = ~np.eye(16, dtype=bool)
    assert cos[same & off_diagonal].min() > cos[~same].max()


def test_seeded_and_deterministic():
    X = small_matrix(1, n=30)
    a = GloVe(dim=5, epochs=3, batch_size=16, seed=4).fit(X)
    b = GloVe(dim=5, epochs=3, batch_size=16, seed=4).fit(X)
    c = GloVe(dim=5, epochs=3, batch_size=16, seed=5).fit(X)
    threaded = GloVe(dim=5, epochs=3, batch_size=16, seed=4, n_threads=3).fit(X)
    single = GloVe(dim=5, epochs=3, batch_size=16, seed=4, n_threads=1).fit(X)
    for name in ("W_", "W_tilde_", "b_", "b_tilde_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        np.testing.assert_array_equal(getattr(threaded, name), getattr(single, name))
        assert getattr(a, name).dtype == np.float32
    assert a.loss_history_ == b.loss_history_
    assert not np.array_equal(a.W_, c.W_)


def test_vectors_and_keyed_vectors():
    X = small_matrix(2, n=7)
    vocab = Vocab(["w3", "w4", "w5", "w6"], [0, 0, 0, 9, 8, 7, 6])
    model = GloVe(dim=3, epochs=2, seed=0).fit(X)
    np.testing.assert_array_equal(model.vectors("sum"), model.W_ + model.W_tilde_)
    np.testing.assert_array_equal(model.vectors("w"), model.W_)
    np.testing.assert_array_equal(model.vectors("w_tilde"), model.W_tilde_)
    kv = model.to_keyed_vectors(vocab)
    assert kv.index_to_key == ["w3", "w4", "w5", "w6"]
    np.testing.assert_array_equal(kv["w4"], model.W_[4] + model.W_tilde_[4])
    np.testing.assert_array_equal(model.to_keyed_vectors(vocab, combine="w")["w4"], model.W_[4])
    with pytest.raises(WordnetLMError, match="combine"):
        model.vectors("mean")
    with pytest.raises(WordnetLMError, match="8 entries but the model 7 rows"):
        model.to_keyed_vectors(Vocab(["a", "b", "c", "d", "e"]))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("matrix, message", [
    (scipy.sparse.csr_matrix((5, 5)), "no nonzero entries"),
    (scipy.sparse.csr_matrix(np.ones((2, 3))), "must be square"),
    (scipy.sparse.csr_matrix(np.array([[1.0, -2.0], [0.0, 1.0]])), "non-negative"),
    (scipy.sparse.csr_matrix(np.array([[1.0, np.nan], [0.0, 1.0]])), "finite"),
])
def test_bad_matrices(matrix, message):
    with pytest.raises(TrainingError, match=message):
        GloVe(epochs=1).fit(matrix)


@pytest.mark.parametrize("options", [dict(dim=0), dict(x_max=0), dict(alpha=-1), dict(epochs=-1),
                                     dict(batch_size=0), dict(adagrad="adam"), dict(lr=-0.1), dict(epochs="Auto"),
                                     dict(epochs=2.5), dict(epochs=True), dict(batch_size="max"),
                                     dict(batch_size=1024.0)])
def test_bad_hyper_parameters(options):
    with pytest.raises(TrainingError):
        GloVe(**options).fit(small_matrix())


def test_auto_epochs_and_batch_size_follow_the_nonzeros():
    assert [auto_epochs(n) for n in (10, 100_000, 105_898, 1_000_000, 12_044_400, 10 ** 9)] == [15, 15, 15, 12, 10, 10]
    sizes = np.unique(np.geomspace(1, 10 ** 9, 200).astype(np.int64))
    epochs = [auto_epochs(int(n)) for n in sizes]
    assert all(b <= a for a, b in zip(epochs, epochs[1:]))  # never more epochs for more data
    for n in sizes.tolist():
        batch = auto_batch_size(n)
        assert 1 <= batch <= 65536 and (batch == 65536 or -(-n // batch) >= min(32, n))
    assert auto_batch_size(105_898) == 3309 and auto_batch_size(12_044_400) == 65536


def test_auto_is_stored_as_given_and_resolved_when_fitted():
    X = small_matrix(1, n=30)
    model = GloVe(dim=4, seed=0)
    assert model.epochs == "auto" and model.batch_size == "auto"
    model.fit(X)
    assert model.epochs == "auto" and model.batch_size == "auto"  # constructor arguments untouched
    assert model.epochs_ == auto_epochs(X.nnz) == len(model.loss_history_)
    assert model.batch_size_ == auto_batch_size(X.nnz)
    assert model.resolved_params(X.nnz) == {"epochs": model.epochs_, "batch_size": model.batch_size_}
    fixed = GloVe(dim=4, epochs=np.int64(2), batch_size=7, seed=0).fit(X)
    assert (fixed.epochs_, fixed.batch_size_, len(fixed.loss_history_)) == (2, 7, 2)
    explicit = GloVe(dim=4, epochs=model.epochs_, batch_size=model.batch_size_, seed=0).fit(X)
    np.testing.assert_array_equal(explicit.W_, model.W_)  # "auto" is exactly its resolved values
    assert "epochs='auto'" in repr(model)


def test_diverging_loss_is_reported():
    with pytest.raises(TrainingError, match="loss became .* in epoch"):
        GloVe(dim=4, epochs=5, lr=1e25, batch_size=8, adagrad="paper").fit(small_matrix())


def test_not_fitted():
    with pytest.raises(WordnetLMError, match="not fitted"):
        GloVe().vectors()


def test_dense_input_and_weighting_consistency():
    X = small_matrix(3).toarray()
    model = GloVe(dim=2, epochs=1, x_max=7.0, alpha=0.5).fit(X)
    assert model.n_nonzeros_ == np.count_nonzero(X)
    np.testing.assert_allclose(weighting(np.array([7.0, 1.75]), 7.0, 0.5), [1.0, 0.5])


def test_callback_sees_every_epoch():
    seen = []
    model = GloVe(dim=3, epochs=4, seed=0).fit(small_matrix(), callback=lambda m, epoch: seen.append(
        (epoch, len(m.loss_history_), m.W_.copy())))
    assert [e for e, _, _ in seen] == [1, 2, 3, 4] and [n for _, n, _ in seen] == [1, 2, 3, 4]
    np.testing.assert_array_equal(seen[-1][2], model.W_)
    assert not np.array_equal(seen[0][2], seen[-1][2])


def test_parallel_helpers():
    from wordnet_lm.parallel import run_tasks, split_range

    assert split_range(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert split_range(2, 4) == [(0, 1), (1, 2)] and split_range(0, 2) == [(0, 0)]
    assert run_tasks([lambda k=k: k * k for k in range(5)], 3) == [0, 1, 4, 9, 16]
    with np.errstate(over="ignore"):  # the caller's error state reaches the worker threads
        run_tasks([lambda: np.float32(1e38) * np.float32(10)] * 3, 3)
