"""The smoothing methods, one class each, all sharing :class:`~wordnet_lm.ngram.model.NgramModel`.

=====================  ===========================================================  ==========
name                   p(w | h)                                                     learned
=====================  ===========================================================  ==========
``mle``                c(h w) / c(h .)                                              --
``add-k``              (c(h w) + k) / (c(h .) + k |V|)                              --
``jelinek-mercer``     l_n ML(w | h) + (1 - l_n) p(w | h')                          lambdas_
``absolute``           max(c(h w) - D, 0) / c(h .) + gamma(h) p(w | h')             discounts_
``kn``                 as absolute, on Kneser-Ney adjusted counts                   discounts_
``mkn``                as kn, with three discounts D1, D2, D3+ per order (KenLM)    discounts_
=====================  ===========================================================  ==========

``h'`` is ``h`` without its first word; every recursion ends in the uniform distribution over
the ``|V| = len(vocab) - 1`` predictable words (``<s>`` is never predicted).  A history never
seen as a context falls back to the next shorter one, so every model gives a proper
distribution for every history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.ngram import estimate
from wordnet_lm.ngram.counts import NgramCounts, count_ngrams, padded_stream, prediction_rows
from wordnet_lm.ngram.model import NgramModel
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.vocab import BOS_ID, Corpus, Vocab


class MaximumLikelihood(NgramModel):
    """Relative frequencies, no smoothing: an unseen word after a seen context has
    probability 0 (infinite perplexity).  Histories never seen fall back to shorter ones."""

    smoothing = "mle"

    def _estimate(self, counts: NgramCounts, heldout: Corpus | None) -> BackoffTables:
        probs = [estimate.maximum_likelihood(counts, n) for n in range(1, self.order + 1)]
        backoffs = [np.where(counts.context_totals(n + 1) > 0, 0.0, 1.0) for n in range(1, self.order)]
        return estimate.tables_from_probabilities(counts, probs, backoffs)


class AddK(NgramModel):
    """Add-k (Lidstone; Laplace when ``k = 1``) on the highest order only:
    ``(c(h w) + k) / (c(h .) + k |V|)``, the uniform distribution after an unseen history.

    Parameters
    ----------
    order : int
        The n of n-gram.
    k : float
        Pseudo-count added to every n-gram (> 0; default 1, Laplace).
    """

    smoothing = "add-k"

    def __init__(self, order: int = 3, k: float = 1.0) -> None:
        super().__init__(order)
        self.k = k

    def _check_params(self) -> None:
        super()._check_params()
        if not (isinstance(self.k, (int, float)) and np.isfinite(self.k) and self.k > 0):
            raise TrainingError(f"add-k needs k > 0, got {self.k!r}")

    def _estimate(self, counts: NgramCounts, heldout: Corpus | None) -> BackoffTables:
        index, top = counts.index, self.order
        predictable = index.vocab_size - 1
        probs = [np.full(index.size(n), 1.0 / predictable) for n in range(1, top + 1)]
        backoffs = [np.ones(index.size(n)) for n in range(1, top)]
        pseudo = self.k * predictable
        if top == 1:
            c = estimate.raw_counts(counts)[0]
            probs[0] = (c + self.k) / (c.sum() + pseudo)
        else:
            totals = counts.context_totals(top)
            probs[-1] = (counts.counts[-1] + self.k) / (totals[index.contexts[-1]] + pseudo)
            backoffs[-1] = np.where(totals > 0, pseudo / (totals + pseudo), 1.0)
        probs[0][BOS_ID] = 0.0
        return estimate.tables_from_probabilities(counts, probs, backoffs)


class JelinekMercer(NgramModel):
    """Linear interpolation of the maximum-likelihood estimates of every order, one weight per
    order fitted by EM on held-out data (deleted interpolation by default).

    Parameters
    ----------
    order : int
        The n of n-gram.
    lambdas : sequence of float, optional
        Fixed weights ``l_1 .. l_order`` in (0, 1]; default: fitted on held-out data.
    heldout_fraction : float
        When ``fit`` gets no ``heldout`` corpus: the share of the training sentences (the
        last ones) held out to fit the weights, before counting all of them (default 0.1).

    Attributes
    ----------
    lambdas_ : ndarray
        The weights used, order 1 first.
    """

    smoothing = "jelinek-mercer"

    def __init__(self, order: int = 3, lambdas: Any = None, heldout_fraction: float = 0.1) -> None:
        super().__init__(order)
        self.lambdas = lambdas
        self.heldout_fraction = heldout_fraction

    def _check_params(self) -> None:
        super()._check_params()
        if self.lambdas is not None:
            lambdas = np.asarray(self.lambdas, float)
            if lambdas.shape != (self.order,) or not np.all((lambdas > 0) & (lambdas <= 1)):
                raise TrainingError(f"lambdas must be {self.order} numbers in (0, 1], got {self.lambdas!r}")
        if not 0 < self.heldout_fraction < 1:
            raise TrainingError(f"heldout_fraction must lie in (0, 1), got {self.heldout_fraction!r}")

    def fit(self, corpus, vocab: Vocab, *, heldout: Corpus | None = None, progress: bool = False) -> "JelinekMercer":
        """As :meth:`NgramModel.fit`; without ``heldout`` (and ``lambdas``) the weights are
        fitted on the last ``heldout_fraction`` of the sentences, counted without them."""
        self._check_params()
        if self.lambdas is None and heldout is None:
            if not isinstance(corpus, Corpus):
                raise TrainingError("Jelinek-Mercer on a stream of chunks needs a heldout corpus or lambdas")
            kept, held = _split_last(corpus, self.heldout_fraction)
            part = count_ngrams(kept, self.order, len(vocab))
            lambdas = self._fit_lambdas(part, held)
            counts = count_ngrams(corpus, self.order, len(vocab), progress=progress)
            self.tables_ = self._tables(counts, lambdas)
            self.vocab_ = vocab
            return self
        return super().fit(corpus, vocab, heldout=heldout, progress=progress)

    def _estimate(self, counts: NgramCounts, heldout: Corpus | None) -> BackoffTables:
        if self.lambdas is not None:
            return self._tables(counts, np.asarray(self.lambdas, float))
        if heldout is None:
            raise TrainingError("Jelinek-Mercer needs held-out data to fit its weights: pass heldout= or lambdas=")
        return self._tables(counts, self._fit_lambdas(counts, heldout))

    def _fit_lambdas(self, counts: NgramCounts, heldout: Corpus) -> np.ndarray:
        if heldout.n_sentences == 0:
            raise TrainingError("the held-out corpus for Jelinek-Mercer is empty")
        if heldout.n_tokens and heldout.ids.max() >= counts.vocab_size:
            raise TrainingError("the held-out corpus uses word ids outside the vocabulary")
        stream, history, _ = padded_stream(heldout)
        rows = prediction_rows(stream, history, np.flatnonzero(history > 0), self.order)
        components = estimate.heldout_components(counts, rows)
        return estimate.fit_interpolation_weights(components, 1.0 / (counts.vocab_size - 1))

    def _tables(self, counts: NgramCounts, lambdas: np.ndarray) -> BackoffTables:
        self.lambdas_ = lambdas
        uniform = 1.0 / (counts.vocab_size - 1)
        p = lambdas[0] * estimate.maximum_likelihood(counts, 1) + (1 - lambdas[0]) * uniform
        p[BOS_ID] = 0.0
        probs, backoffs = [p], []
        for n in range(2, self.order + 1):
            lower = probs[-1][counts.index.suffixes(n)]
            probs.append(lambdas[n - 1] * estimate.maximum_likelihood(counts, n) + (1 - lambdas[n - 1]) * lower)
            backoffs.append(np.where(counts.context_totals(n) > 0, 1 - lambdas[n - 1], 1.0))
        return estimate.tables_from_probabilities(counts, probs, backoffs)


class _Discounted(NgramModel):
    """Interpolated discounting on some counts (the shared part of absolute, KN and MKN)."""

    def _counts_to_discount(self, counts: NgramCounts) -> list[np.ndarray]:
        return estimate.adjusted_counts(counts)

    def _discounts(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _estimate(self, counts: NgramCounts, heldout: Corpus | None) -> BackoffTables:
        adjusted = self._counts_to_discount(counts)
        self.count_of_counts_ = estimate.count_of_counts(adjusted)
        self.discounts_ = self._discounts(self.count_of_counts_)
        return estimate.discounted_interpolation(counts, adjusted, self.discounts_)


class AbsoluteDiscounting(_Discounted):
    """Interpolated absolute discounting on raw counts (Ney, Essen & Kneser, 1994).

    Parameters
    ----------
    order : int
        The n of n-gram.
    discount : float or sequence of float, optional
        One discount in [0, 1], or one per order; default ``t1 / (t1 + 2 t2)`` per order from
        the count-of-counts.

    Attributes
    ----------
    discounts_ : ndarray, shape (order, 4)
        Column k: the discount of a count k (0 for k = 0).
    """

    smoothing = "absolute"

    def __init__(self, order: int = 3, discount: Any = None) -> None:
        super().__init__(order)
        self.discount = discount

    def _counts_to_discount(self, counts: NgramCounts) -> list[np.ndarray]:
        return estimate.raw_counts(counts)

    def _discounts(self, t: np.ndarray) -> np.ndarray:
        if self.discount is None:
            return estimate.single_discounts(t)
        d = np.asarray(self.discount, float).reshape(-1, 1)
        return estimate.check_discounts(np.repeat(d, 3, axis=1) if len(d) > 1 else np.repeat(d[0], 3), self.order)


class KneserNey(AbsoluteDiscounting):
    """Interpolated Kneser-Ney: absolute discounting on KenLM's adjusted counts (raw counts
    at the highest order and after ``<s>``, continuation counts below).

    Parameters
    ----------
    order : int
        The n of n-gram.
    discount : float or sequence of float, optional
        One discount in [0, 1], or one per order; default ``t1 / (t1 + 2 t2)`` per order.
    """

    smoothing = "kn"

    def _counts_to_discount(self, counts: NgramCounts) -> list[np.ndarray]:
        return estimate.adjusted_counts(counts)


class ModifiedKneserNey(_Discounted):
    """Interpolated modified Kneser-Ney (Chen & Goodman), as KenLM's ``lmplz`` estimates it.

    Parameters
    ----------
    order : int
        The n of n-gram.
    discounts : array-like, optional
        ``(D1, D2, D3+)``, or one such row per order; default: from the count-of-counts of
        the adjusted counts of each order (Chen & Goodman's equation 26).
    discount_fallback : tuple of 3 floats or None
        Discounts for an order whose count-of-counts cannot give them (small data), with a
        warning; None raises instead.  Default ``(0.5, 1.0, 1.5)``, KenLM's.

    Attributes
    ----------
    discounts_ : ndarray, shape (order, 4)
        Column k: the discount of a count k (column 3 for 3+).
    count_of_counts_ : ndarray, shape (order, 5)
        Number of n-grams with adjusted count 1..4 per order (column 0 unused).
    """

    smoothing = "mkn"

    def __init__(self, order: int = 3, discounts: Any = None,
                 discount_fallback: tuple[float, float, float] | None = estimate.MKN_FALLBACK) -> None:
        super().__init__(order)
        self.discounts = discounts
        self.discount_fallback = discount_fallback

    def _discounts(self, t: np.ndarray) -> np.ndarray:
        if self.discounts is not None:
            return estimate.check_discounts(self.discounts, self.order)
        fallback = None if self.discount_fallback is None else tuple(self.discount_fallback)
        return estimate.modified_kn_discounts(t, fallback)


SMOOTHING: dict[str, type[NgramModel]] = {
    cls.smoothing: cls for cls in (MaximumLikelihood, AddK, JelinekMercer, AbsoluteDiscounting, KneserNey,
                                   ModifiedKneserNey)}
ALIASES = {"ml": "mle", "maximum-likelihood": "mle", "laplace": "add-k", "add-one": "add-k", "addk": "add-k",
           "lidstone": "add-k", "jm": "jelinek-mercer", "interpolation": "jelinek-mercer",
           "absolute-discounting": "absolute", "kneser-ney": "kn", "modified-kneser-ney": "mkn"}


def smoothing_class(name: str) -> type[NgramModel]:
    """The model class of a smoothing method, by name or alias (case-insensitive)."""
    key = str(name).strip().lower().replace("_", "-")
    key = ALIASES.get(key, key)
    if key not in SMOOTHING:
        raise WordnetLMError(f"unknown smoothing {name!r}; choose from {', '.join(SMOOTHING)} "
                             f"(aliases: {', '.join(sorted(ALIASES))})")
    return SMOOTHING[key]


def make_model(smoothing: str = "mkn", order: int = 3, **params: Any) -> NgramModel:
    """A new (unfitted) model: ``make_model("mkn", 5)``, ``make_model("add-k", 3, k=0.1)``."""
    return smoothing_class(smoothing)(order=order, **params)


def _split_last(corpus: Corpus, fraction: float) -> tuple[Corpus, Corpus]:
    """The first sentences and the last ``fraction`` of them (at least one each if possible)."""
    n = corpus.n_sentences
    held = min(max(int(round(n * fraction)), 1), n - 1) if n > 1 else 0
    if held == 0:
        raise TrainingError("Jelinek-Mercer needs at least 2 training sentences to hold some out "
                            "(or pass heldout= or lambdas=)")
    cut = n - held
    first = Corpus(corpus.ids[:corpus.offsets[cut]], corpus.offsets[:cut + 1])
    last_offsets = corpus.offsets[cut:]
    return first, Corpus(corpus.ids[last_offsets[0]:], last_offsets - last_offsets[0])
