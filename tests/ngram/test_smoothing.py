"""Every smoothing method: proper distributions, and values equal to naive implementations."""

import math
import warnings

import numpy as np
import pytest

from .conftest import corpus_of, fitted, vocab_of
from .ngram_reference import (InterpolatedDiscounting, JelinekMercerReference, kenlm_adjusted, mkn_discounts,
                             ngram_counts, raw_adjusted, token_probs)
from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.ngram import (AbsoluteDiscounting, AddK, JelinekMercer, KneserNey, MaximumLikelihood,
                              ModifiedKneserNey, make_model, smoothing_class)
from wordnet_lm.ngram.smoothing import SMOOTHING

CONTEXTS = [["<s>"], ["<s>", "w3"], ["w3", "w4"], ["w4", "w3", "w5", "w3"], ["w63", "w3"], ["w3", "nonsense"],
            [], ["w3", "<s>", "w4"]]


@pytest.mark.parametrize("name", list(SMOOTHING))
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_probabilities_sum_to_one(name, order, small):
    model = fitted(name, order, small)
    for context in CONTEXTS:
        p = model.distribution(context)
        assert p[1] == 0  # <s> is never predicted
        assert abs(p.sum() - 1) < 1e-12, (context, p.sum())
        for word in ("w3", "w7", "</s>", "<unk>"):
            expected = p[model.vocab_.index[word]]
            assert math.isclose(model.logprob(context, word), math.log(expected) if expected else -math.inf,
                                rel_tol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_modified_kneser_ney_equals_naive_kenlm_recursion(order, small):
    train, test, vocab = small
    counts = ngram_counts(train, order)
    adjusted = kenlm_adjusted(counts)
    reference = InterpolatedDiscounting(adjusted, mkn_discounts(adjusted), len(vocab))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the count-of-counts must give the discounts here
        model = ModifiedKneserNey(order).fit(corpus_of(train), vocab)
    np.testing.assert_allclose(model.discounts_, mkn_discounts(adjusted), rtol=1e-12)
    expected = np.log(token_probs(reference, test))
    np.testing.assert_allclose(model.token_logprobs(corpus_of(test)), expected, rtol=1e-10)


@pytest.mark.parametrize("cls, adjust", [(KneserNey, kenlm_adjusted), (AbsoluteDiscounting, raw_adjusted)])
def test_single_discount_methods_equal_naive_recursion(cls, adjust, small):
    train, test, vocab = small
    adjusted = adjust(ngram_counts(train, 3))
    discounts = []
    for level in adjusted:
        t1 = sum(1 for v in level.values() if v == 1)
        t2 = sum(1 for v in level.values() if v == 2)
        discounts.append([0.0] + [t1 / (t1 + 2 * t2)] * 3)
    reference = InterpolatedDiscounting(adjusted, discounts, len(vocab))
    model = cls(3).fit(corpus_of(train), vocab)
    np.testing.assert_allclose(model.token_logprobs(corpus_of(test)), np.log(token_probs(reference, test)),
                               rtol=1e-10)


def test_kneser_ney_by_hand():
    """Bigram KN, D = 0.5, on  'a b' / 'a c' / 'b a'  (a=w3, b=w4, c=w5; 5 predictable words).

    Continuation counts: a 2 (<s>, b), b 2 (a, <s>), c 1 (a), </s> 3 (b, c, a); total 8, four
    types discounted: gamma = 0.5 * 4 / 8 = 1/4, so p(a) = 1.5/8 + (1/4)/5 = 19/80,
    p(c) = 0.5/8 + 1/20 = 9/80, p(</s>) = 2.5/8 + 1/20 = 29/80, p(<unk>) = 1/20.
    After <s>: c(<s> a) = 2, c(<s> b) = 1, gamma(<s>) = 0.5 * 2 / 3 = 1/3.
    After a: a b, a c, a </s> once each, gamma(a) = 0.5 * 3 / 3 = 1/2.
    After b: b </s>, b a once each, gamma(b) = 1/2.
    """
    vocab = vocab_of(3)
    model = KneserNey(2, discount=0.5).fit(corpus_of([[3, 4], [3, 5], [4, 3]]), vocab)
    expected = {
        (("<s>",), "w3"): 1.5 / 3 + (1 / 3) * 19 / 80,
        (("<s>",), "w5"): (1 / 3) * 9 / 80,
        (("w3",), "w4"): 0.5 / 3 + 0.5 * 19 / 80,
        (("w3",), "w3"): 0.5 * 19 / 80,
        (("w4",), "</s>"): 0.5 / 2 + 0.5 * 29 / 80,
        (("w5",), "<unk>"): 0.5 * 1 / 20,  # after c: only c </s>, gamma(c) = 0.5 * 1 / 1
        ((), "</s>"): 29 / 80,
        ((), "<unk>"): 1 / 20,
        (("w9",), "w5"): 9 / 80,  # unknown context: the unigram distribution
    }
    for (context, word), p in expected.items():
        assert math.isclose(model.logprob(list(context), word), math.log(p), rel_tol=1e-12), (context, word)
    sentence = math.log(1.5 / 3 + 19 / 240) + math.log(0.5 / 3 + 0.5 * 19 / 80) + math.log(0.5 / 2 + 0.5 * 29 / 80)
    assert math.isclose(model.sentence_logprobs(corpus_of([[3, 4]]))[0], sentence, rel_tol=1e-12)


def test_jelinek_mercer_with_given_weights_equals_naive(small):
    train, test, vocab = small
    lambdas = [0.7, 0.6, 0.5]
    model = JelinekMercer(3, lambdas=lambdas).fit(corpus_of(train), vocab)
    reference = JelinekMercerReference(ngram_counts(train, 3), lambdas, len(vocab))
    np.testing.assert_allclose(model.token_logprobs(corpus_of(test)), np.log(token_probs(reference, test)),
                               rtol=1e-10)


def test_jelinek_mercer_em_maximises_heldout_likelihood(small):
    train, test, vocab = small
    model = JelinekMercer(3).fit(corpus_of(train), vocab, heldout=corpus_of(test))
    counts = ngram_counts(train, 3)

    def heldout_loglik(lambdas):
        reference = JelinekMercerReference(counts, lambdas, len(vocab))
        return sum(np.log(token_probs(reference, test)))

    best = heldout_loglik(model.lambdas_)
    assert math.isclose(best, model.token_logprobs(corpus_of(test)).sum(), rel_tol=1e-10)
    for n in range(3):
        for step in (-0.02, 0.02):
            moved = np.clip(model.lambdas_ + step * (np.arange(3) == n), 1e-6, 1 - 1e-6)
            assert heldout_loglik(moved) <= best + 1e-9


def test_jelinek_mercer_holds_out_the_last_sentences_by_default(small):
    train, _, vocab = small
    model = JelinekMercer(2, heldout_fraction=0.2).fit(corpus_of(train), vocab)
    cut = len(train) - round(0.2 * len(train))
    alone = JelinekMercer(2).fit(corpus_of(train[:cut]), vocab, heldout=corpus_of(train[cut:]))
    np.testing.assert_allclose(model.lambdas_, alone.lambdas_)
    assert model.n_ngrams() == [len(vocab), len(ngram_counts(train, 2)[1])]  # counted on all sentences


def test_add_k_and_mle_closed_forms(small):
    train, test, vocab = small
    counts = ngram_counts(train, 2)
    predictable = len(vocab) - 1
    add = AddK(2, k=0.5).fit(corpus_of(train), vocab)
    mle = MaximumLikelihood(2).fit(corpus_of(train), vocab)
    totals = {}
    for (h, _w), c in counts[1].items():
        totals[h] = totals.get(h, 0) + c
    for h in [3, 4, 11, 63, 1]:
        for w in [3, 5, 2, 63]:
            c, total = counts[1].get((h, w), 0), totals.get(h, 0)
            expected = (c + 0.5) / (total + 0.5 * predictable)
            assert math.isclose(add.logprob([h], w), math.log(expected), rel_tol=1e-12)
            if total:
                assert mle.logprob([h], w) == (math.log(c / total) if c else -math.inf)
    unigram = MaximumLikelihood(1).fit(corpus_of(train), vocab)
    n_predictions = sum(len(s) + 1 for s in train)
    assert math.isclose(unigram.logprob([], 3), math.log(counts[0][(3,)] / n_predictions), rel_tol=1e-12)
    assert math.isclose(AddK(1, k=2).fit(corpus_of(train), vocab).logprob([], 63),
                        math.log(2 / (n_predictions + 2 * predictable)), rel_tol=1e-12)


def test_unigram_mkn_discounts_and_unk_as_zeroton(small):
    train, _, vocab = small
    model = fitted("mkn", 2, small)
    # w63 never occurs in training: like KenLM's <unk>, it only gets the uniform share
    assert math.isclose(model.logprob([], "w63"), model.logprob([], "<unk>"), rel_tol=1e-12)
    assert model.logprob(["<s>"], "w63") < model.logprob(["<s>"], "w3")


def test_bad_hyper_parameters(small):
    train, _, vocab = small
    corpus = corpus_of(train)
    with pytest.raises(WordnetLMError, match="unknown smoothing 'kneser'"):
        make_model("kneser", 3)
    assert smoothing_class("Laplace") is AddK and smoothing_class("JM") is JelinekMercer
    for model, match in [(AddK(2, k=0), "k > 0"), (AddK(0), "order"), (MaximumLikelihood(2.5), "order"),
                         (JelinekMercer(2, lambdas=[0.5]), "lambdas"), (JelinekMercer(2, lambdas=[0.5, 1.5]), "lambdas"),
                         (ModifiedKneserNey(2, discounts=[0.5, 2.5, 1]), "D\\(k\\) <= k"),
                         (KneserNey(2, discount=1.5), "D\\(k\\) <= k"), (ModifiedKneserNey(2, discounts=[1, 2]), "discounts")]:
        with pytest.raises(TrainingError, match=match):
            model.fit(corpus, vocab)
    with pytest.raises(TrainingError, match="held-out"):
        from wordnet_lm.ngram.counts import count_ngrams
        JelinekMercer(2).fit_counts(count_ngrams(corpus, 2, len(vocab)), vocab)
    with pytest.raises(WordnetLMError, match="not fitted"):
        ModifiedKneserNey(3).logprob(["a"], "b")
    with pytest.raises(TrainingError, match="empty corpus"):
        ModifiedKneserNey(3).fit(corpus_of([]), vocab)


def test_discount_fallback_warns_or_raises():
    vocab = vocab_of(3)
    corpus = corpus_of([[3, 4, 5]])
    with pytest.warns(UserWarning, match="fallback"):
        model = ModifiedKneserNey(2).fit(corpus, vocab)
    np.testing.assert_allclose(model.discounts_[:, 1:], [[0.5, 1.0, 1.5]] * 2)
    with pytest.raises(TrainingError, match="cannot compute modified Kneser-Ney discounts"):
        ModifiedKneserNey(2, discount_fallback=None).fit(corpus, vocab)
    fixed = ModifiedKneserNey(2, discounts=[0.4, 0.8, 1.2]).fit(corpus, vocab)
    np.testing.assert_allclose(fixed.discounts_[:, 1:], [[0.4, 0.8, 1.2]] * 2)
