"""KeyedVectors queries against brute-force cosines (and gensim where installed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import UnknownWordError, WordnetLMError
from wordnet_lm.text.vocab import Vocab
from wordnet_lm.vectors import KeyedVectors


def random_kv(n: int = 30, dim: int = 6, seed: int = 0) -> KeyedVectors:
    rng = np.random.default_rng(seed)
    return KeyedVectors([f"w{i}" for i in range(n)], rng.standard_normal((n, dim)))


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    u, v = np.asarray(u, np.float64), np.asarray(v, np.float64)
    return float(u @ v / np.sqrt((u @ u) * (v @ v)))


def brute_most_similar(kv, positive, negative, topn, restrict=None, cosmul=False):
    limit = len(kv) if restrict is None else restrict
    vecs = kv.vectors.astype(np.float64)
    unit = lambda v: v / np.linalg.norm(v)
    pos = [unit(kv[w].astype(np.float64)) for w in positive]
    neg = [unit(kv[w].astype(np.float64)) for w in negative]
    scored = []
    for j in range(limit):
        if kv.index_to_key[j] in positive + negative:
            continue
        if cosmul:
            num = np.prod([(1 + cosine(vecs[j], p)) / 2 for p in pos])
            den = np.prod([(1 + cosine(vecs[j], q)) / 2 for q in neg]) + 1e-6
            score = num / den
        else:
            score = cosine(vecs[j], sum(pos) - sum(neg) if neg else sum(pos))
        scored.append((score, kv.index_to_key[j]))
    scored.sort(key=lambda t: -t[0])
    return scored[:topn]


def assert_ranked_equal(got, expected, rtol=1e-5):
    assert [w for w, _ in got] == [w for _, w in expected]
    np.testing.assert_allclose([s for _, s in got], [s for s, _ in expected], rtol=rtol, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(6, 40), dim=st.integers(2, 9),
       n_pos=st.integers(1, 3), n_neg=st.integers(0, 2), topn=st.integers(1, 8),
       cosmul=st.booleans(), restrict=st.one_of(st.none(), st.integers(5, 40)))
def test_most_similar_matches_brute_force(seed, n, dim, n_pos, n_neg, topn, cosmul, restrict):
    kv = random_kv(n, dim, seed)
    rng = np.random.default_rng(seed + 1)
    query = [kv.index_to_key[i] for i in rng.choice(n, n_pos + n_neg, replace=False)]
    positive, negative = query[:n_pos], query[n_pos:]
    restrict = None if restrict is None else min(restrict, n)
    method = kv.most_similar_cosmul if cosmul else kv.most_similar
    got = method(positive=positive, negative=negative, topn=topn, restrict_vocab=restrict)
    if cosmul:  # float32 cosines: dividing by (1 + cos) / 2 + 1e-6 amplifies rounding near cos = -1
        shifted = (1 + kv.normed_vectors.astype(np.float64) @ kv[negative].T.astype(np.float64)
                   / np.linalg.norm(kv[negative].astype(np.float64), axis=1)) / 2
        assume(shifted.size == 0 or shifted.min() > 1e-3)
    assert_ranked_equal(got, brute_most_similar(kv, positive, negative, topn, restrict, cosmul),
                        rtol=1e-4 if cosmul else 1e-5)


def test_most_similar_accepts_a_word_a_vector_and_topn_none():
    kv = random_kv()
    by_word = kv.most_similar("w3", topn=5)
    assert [w for w, _ in by_word] == [w for w, _ in kv.most_similar(positive=["w3"], topn=5)]
    by_vector = kv.most_similar(kv["w3"] * 7.0, topn=6)  # length does not matter
    assert by_vector[0][0] == "w3" and by_vector[0][1] == pytest.approx(1.0, abs=1e-6)
    assert [w for w, _ in by_vector[1:]] == [w for w, _ in by_word]
    everything = kv.most_similar("w3", topn=None)
    assert everything.shape == (len(kv),)
    np.testing.assert_allclose(everything, [cosine(kv["w3"], v) for v in kv.vectors], atol=1e-6)
    assert kv.most_similar("w3", topn=0) == []
    assert kv.similar_by_word("w3", topn=5) == by_word
    assert [w for w, _ in kv.similar_by_vector(kv["w3"], topn=2)] == ["w3", by_word[0][0]]


def test_most_similar_without_terms_or_bad_restrict_is_an_error():
    kv = random_kv()
    with pytest.raises(WordnetLMError):
        kv.most_similar()
    with pytest.raises(WordnetLMError):
        kv.most_similar_cosmul(negative=["w1"])
    with pytest.raises(WordnetLMError):
        kv.most_similar("w1", restrict_vocab=0)
    with pytest.raises(WordnetLMError, match="shape"):
        kv.most_similar(np.ones(3))


def test_similarity_distances_and_friends():
    kv = random_kv()
    assert kv.similarity("w1", "w2") == pytest.approx(cosine(kv["w1"], kv["w2"]), abs=1e-6)
    assert kv.distance("w1", "w2") == pytest.approx(1 - cosine(kv["w1"], kv["w2"]), abs=1e-6)
    np.testing.assert_allclose(kv.distances("w1", ["w2", "w5"]),
                               [1 - cosine(kv["w1"], kv["w2"]), 1 - cosine(kv["w1"], kv["w5"])], atol=1e-6)
    all_distances = kv.distances(kv["w1"])
    assert all_distances.shape == (len(kv),) and all_distances[1] == pytest.approx(0, abs=1e-6)
    mean1, mean2 = kv[["w1", "w2"]].mean(axis=0), kv[["w3", "w4", "w5"]].mean(axis=0)
    assert kv.n_similarity(["w1", "w2"], ["w3", "w4", "w5"]) == pytest.approx(cosine(mean1, mean2), abs=1e-6)
    np.testing.assert_allclose(np.linalg.norm(kv.normed_vectors, axis=1), 1, rtol=1e-6)
    assert kv.get_normed_vectors() is kv.normed_vectors


def test_doesnt_match_picks_the_outlier():
    words = ["cat", "dog", "mouse", "car"]
    vectors = np.array([[1, 0.1, 0], [1, 0.2, 0.1], [0.9, 0, 0.2], [0, 0, 1]], np.float32)
    kv = KeyedVectors(words, vectors)
    assert kv.doesnt_match(["cat", "dog", "car", "mouse"]) == "car"
    with pytest.raises(UnknownWordError):
        kv.doesnt_match(["cat", "zebra"])


def test_lookups_and_unknown_words():
    kv = KeyedVectors(["the", "Paris", "paris", "été"], np.eye(4))
    assert "été" in kv and "Été" not in kv and len(kv) == 4 and kv.vector_size == 4
    assert kv.key_to_index["paris"] == 2 and kv.index_to_key[1] == "Paris"
    np.testing.assert_array_equal(kv["paris"], [0, 0, 1, 0])
    assert kv[["the", "été"]].shape == (2, 4) and list(kv) == ["the", "Paris", "paris", "été"]
    assert kv.vectors.dtype == np.float32
    with pytest.raises(UnknownWordError) as e:
        kv["london"]
    assert str(e.value) == "word 'london' is not in the vectors' vocabulary (4 words)"
    assert isinstance(e.value, KeyError)
    assert kv.resolve("PARIS") == "Paris"  # the first (most frequent) case variant
    assert kv.resolve("paris") == "paris" and kv.resolve("ÉTÉ") == "été"
    with pytest.raises(UnknownWordError):
        kv.resolve("rome")
    with pytest.raises(UnknownWordError):
        kv.most_similar(positive=["the"], negative=["rome"])


def test_zero_vector_has_zero_similarity_not_nan():
    kv = KeyedVectors(["a", "b", "zero"], [[1, 0], [0, 1], [0, 0]])
    assert kv.similarity("a", "zero") == 0.0
    assert np.isfinite(kv.most_similar("a", topn=None)).all()


def test_constructor_checks():
    with pytest.raises(WordnetLMError, match="one vector per word"):
        KeyedVectors(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(WordnetLMError, match="repeated"):
        KeyedVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(WordnetLMError, match="count"):
        KeyedVectors(["a", "b"], np.zeros((2, 2)), counts=[1])


def test_from_vocab_drops_specials_and_keeps_counts():
    vocab = Vocab.build([["b", "a", "b"], ["c", "b", "a"]])
    vectors = np.arange(len(vocab) * 2, dtype=np.float32).reshape(-1, 2)
    kv = KeyedVectors.from_vocab(vocab, vectors)
    assert kv.index_to_key == ["b", "a", "c"]
    np.testing.assert_array_equal(kv["b"], vectors[3])
    np.testing.assert_array_equal(kv.counts, [3, 2, 1])
    assert KeyedVectors.from_vocab(vocab, vectors, keep_specials=True).index_to_key[:3] == ["<unk>", "<s>", "</s>"]
    with pytest.raises(WordnetLMError):
        KeyedVectors.from_vocab(vocab, vectors[:-1])


def test_fill_norms_force_after_in_place_change():
    kv = random_kv()
    _ = kv.normed_vectors  # computes and caches the norms
    kv.vectors[0] = kv.vectors[1] * 3
    kv.fill_norms(force=True)
    assert kv.similarity("w0", "w1") == pytest.approx(1.0, abs=1e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_same_answers_as_gensim():
    gensim_models = pytest.importorskip("gensim.models")
    kv = random_kv(60, 10, seed=3)
    g = gensim_models.KeyedVectors(10)
    g.add_vectors(kv.index_to_key, kv.vectors)
    for pos, neg in ([["w1"], []], [["w1", "w2"], ["w3"]], [["w4", "w9", "w10"], ["w5", "w6"]]):
        for restrict in (None, 40):
            ours = kv.most_similar(positive=pos, negative=neg, topn=7, restrict_vocab=restrict)
            theirs = g.most_similar(positive=pos, negative=neg, topn=7, restrict_vocab=restrict)
            assert [w for w, _ in ours] == [w for w, _ in theirs]
            np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
        ours = kv.most_similar_cosmul(positive=pos, negative=neg, topn=7)
        theirs = g.most_similar_cosmul(positive=pos, negative=neg, topn=7)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)
    assert kv.doesnt_match(["w1", "w2", "w3", "w4"]) == g.doesnt_match(["w1", "w2", "w3", "w4"])
    assert kv.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(g.n_similarity(["w1", "w2"], ["w3"]), abs=1e-6)
