"""Estimation stages shared by the smoothing methods, each a vectorised function of whole tables.

Kneser-Ney follows KenLM's ``lmplz`` pipeline (Heafield et al., 2013):
:func:`adjusted_counts` -> :func:`count_of_counts` -> :func:`modified_kn_discounts` ->
:func:`discounted_interpolation` (initial probabilities and interpolation with the lower order,
down to the uniform distribution).  Absolute discounting is the same pipeline on raw counts.

Conventions: ``<s>`` is never predicted (its unigram probability is 0); the uniform
distribution at the bottom is over the ``vocab_size - 1`` predictable words (``<unk>`` and
``</s>`` included, ``<s>`` excluded), as in KenLM.
"""

from __future__ import annotations

import warnings

import numpy as np

from wordnet_lm.errors import TrainingError
from wordnet_lm.ngram.counts import NgramCounts
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.vocab import BOS_ID

MKN_FALLBACK = (0.5, 1.0, 1.5)  # KenLM's --discount_fallback default
KN_FALLBACK = 0.75


def adjusted_counts(counts: NgramCounts) -> list[np.ndarray]:
    """Kneser-Ney adjusted counts, as KenLM's ``adjust_counts`` defines them.

    Highest order and n-grams starting with ``<s>``: the raw count.  Other n-grams of lower
    orders: the continuation count, the number of distinct words seen before them (``<s>``
    included).  The unigram ``<s>`` gets 0.
    """
    index = counts.index
    adjusted = []
    for n in range(1, counts.order + 1):
        if n == counts.order:
            adjusted.append(counts.counts[n - 1].copy())
            continue
        continuation = np.bincount(index.suffixes(n + 1), minlength=index.size(n)).astype(np.int64)
        starts_with_bos = index.first_words(n) == BOS_ID
        adjusted.append(np.where(starts_with_bos, counts.counts[n - 1], continuation))
    adjusted[0][BOS_ID] = 0
    return adjusted


def raw_counts(counts: NgramCounts) -> list[np.ndarray]:
    """The raw counts, with the unigram ``<s>`` (never predicted) set to 0."""
    out = [c.copy() for c in counts.counts]
    out[0][BOS_ID] = 0
    return out


def count_of_counts(adjusted: list[np.ndarray], max_count: int = 4) -> np.ndarray:
    """``t[n-1, k]``: the number of order ``n`` n-grams whose count is exactly ``k``
    (``k = 0..max_count``; column 0 is unused)."""
    return np.stack([np.bincount(np.minimum(a, max_count + 1), minlength=max_count + 2)[:max_count + 1]
                     for a in adjusted])


def modified_kn_discounts(t: np.ndarray, fallback: tuple[float, float, float] | None = MKN_FALLBACK) -> np.ndarray:
    """Chen & Goodman's three discounts per order from count-of-counts ``t`` (equation 26).

    ``D(k) = k - (k + 1) Y t[k+1] / t[k]`` for ``k = 1, 2, 3`` with ``Y = t1 / (t1 + 2 t2)``.

    Returns
    -------
    ndarray, shape (order, 4)
        Column ``k`` is the discount of a count ``k`` (column 0 is 0, column 3 serves 3+).

    Raises
    ------
    TrainingError
        A discount is undefined or out of ``[0, k]`` (too little or artificial data) and
        ``fallback`` is None; otherwise ``fallback`` is used for that order, with a warning.
    """
    discounts = np.zeros((len(t), 4))
    for n, row in enumerate(t, start=1):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = row[1] / (row[1] + 2.0 * row[2])
            d = np.array([k - (k + 1) * y * row[k + 1] / row[k] for k in (1, 2, 3)])
        if np.all(row[1:5] > 0) and np.all((d >= 0) & (d <= [1, 2, 3])):
            discounts[n - 1, 1:] = d
            continue
        why = (f"cannot compute modified Kneser-Ney discounts for {n}-grams from count-of-counts "
               f"t1..t4 = {', '.join(str(int(x)) for x in row[1:5])} (too little or artificial data)")
        if fallback is None:
            raise TrainingError(why + "; give discounts explicitly")
        warnings.warn(f"{why}; using the fallback discounts {tuple(fallback)}", stacklevel=3)
        discounts[n - 1, 1:] = fallback
    return discounts


def single_discounts(t: np.ndarray, fallback: float | None = KN_FALLBACK) -> np.ndarray:
    """One discount per order, ``D = t1 / (t1 + 2 t2)`` (Ney et al.), in the layout of
    :func:`modified_kn_discounts` (the same ``D`` for counts 1, 2 and 3+)."""
    discounts = np.zeros((len(t), 4))
    for n, row in enumerate(t, start=1):
        if row[1] > 0:
            discounts[n - 1, 1:] = row[1] / (row[1] + 2.0 * row[2])
            continue
        why = f"cannot compute the discount of the {n}-grams: none occurs exactly once"
        if fallback is None:
            raise TrainingError(why + "; give the discount explicitly")
        warnings.warn(f"{why}; using the fallback discount {fallback}", stacklevel=3)
        discounts[n - 1, 1:] = fallback
    return discounts


def check_discounts(discounts: np.ndarray, order: int) -> np.ndarray:
    """Validate user discounts (shape (4,) or (order, 4), or (3,)/(order, 3) without column 0)."""
    d = np.array(discounts, dtype=float, ndmin=1)
    if d.ndim == 1:
        d = np.broadcast_to(d, (order, len(d)))
    if d.shape[1] == 3:
        d = np.concatenate([np.zeros((len(d), 1)), d], axis=1)
    if d.shape != (order, 4) or not np.all(np.isfinite(d)):
        raise TrainingError(f"discounts must be 1 or 3 numbers, or one such row per order (order {order})")
    if np.any(d[:, 1:] < 0) or np.any(d[:, 1:] > [1, 2, 3]):
        raise TrainingError("discounts must satisfy 0 <= D(k) <= k")
    d = d.copy()
    d[:, 0] = 0.0
    return d


def discounted_interpolation(counts: NgramCounts, adjusted: list[np.ndarray], discounts: np.ndarray) -> BackoffTables:
    """Interpolated discounting (KenLM's ``initial_probabilities`` then ``interpolate``).

    For an n-gram ``h w`` with adjusted count ``a``::

        p(w | h) = (a - D(a)) / sum_v a(h v)  +  gamma(h) p(w | h')
        gamma(h) = sum_v D(a(h v)) / sum_v a(h v)

    where ``h'`` drops the first word of ``h``; the unigrams interpolate with the uniform
    distribution over the predictable words.  ``gamma(h)`` is the backoff weight of ``h``.
    """
    index = counts.index
    vocab_size = index.vocab_size
    prob, gamma = _initial_probabilities(adjusted[0], discounts[0])
    p = prob + gamma / (vocab_size - 1)
    p[BOS_ID] = 0.0
    probs = [p]
    backoffs = []
    for n in range(2, counts.order + 1):
        context = index.contexts[n - 1]
        a = adjusted[n - 1]
        d = discounts[n - 1][np.minimum(a, 3)]
        total = np.bincount(context, weights=a, minlength=index.size(n - 1))
        mass = np.bincount(context, weights=d, minlength=index.size(n - 1))
        is_context = total > 0
        weight = np.ones(index.size(n - 1))
        weight[is_context] = mass[is_context] / total[is_context]
        probs.append((a - d) / total[context] + weight[context] * probs[-1][index.suffixes(n)])
        backoffs.append(weight)
    return tables_from_probabilities(counts, probs, backoffs)


def _initial_probabilities(adjusted: np.ndarray, discounts: np.ndarray) -> tuple[np.ndarray, float]:
    """Discounted unigram probabilities and the mass left for the uniform distribution."""
    total = adjusted.sum()
    d = discounts[np.minimum(adjusted, 3)]
    return (adjusted - d) / total, float(d.sum() / total)


def maximum_likelihood(counts: NgramCounts, n: int) -> np.ndarray:
    """``c(h w) / sum_v c(h v)`` for every order ``n`` entry (unigrams: ``<s>`` excluded)."""
    if n == 1:
        c = raw_counts(counts)[0]
        return c / c.sum()
    return counts.counts[n - 1] / counts.context_totals(n)[counts.index.contexts[n - 1]]


def heldout_components(counts: NgramCounts, rows: np.ndarray) -> np.ndarray:
    """For each row (history then word, ``-1`` padded, width = order) the maximum-likelihood
    probability of the word at each order, NaN where that order's context was never seen.

    Returns
    -------
    ndarray, shape (m, order): column ``n - 1`` for order ``n``.
    """
    index = counts.index
    order = counts.order
    ml = np.full((len(rows), order), np.nan)
    ml[:, 0] = maximum_likelihood(counts, 1)[rows[:, -1]]
    for n in range(2, order + 1):
        context = index.find_rows(rows[:, order - n:order - 1])
        seen = context >= 0
        totals = counts.context_totals(n)
        seen[seen] = totals[context[seen]] > 0
        found = index.find(n, np.where(seen, context, -1), rows[:, -1])
        column = np.where(seen, 0.0, np.nan)
        column[found >= 0] = counts.counts[n - 1][found[found >= 0]] / totals[context[found >= 0]]
        ml[:, n - 1] = column
    return ml


def fit_interpolation_weights(components: np.ndarray, uniform: float) -> np.ndarray:
    """Jelinek-Mercer weights ``lambda_n`` maximising the held-out log-likelihood.

    The model of a prediction whose contexts are seen up to order ``m`` is
    ``q_m`` with ``q_0 = uniform`` and ``q_n = l_n ML_n + (1 - l_n) q_{n-1}`` (orders whose
    context is unseen are skipped).  The log-likelihood is maximised by L-BFGS-B with its
    exact gradient, each ``l_n`` in ``[1e-6, 1 - 1e-6]``.

    Parameters
    ----------
    components : ndarray, shape (m, order)
        Maximum-likelihood probabilities per order, NaN where the context is unseen
        (from :func:`heldout_components`).
    uniform : float
        The probability of the bottom (uniform) distribution.

    Returns
    -------
    ndarray, shape (order,)
        ``lambda_1 .. lambda_order``.
    """
    available = ~np.isnan(components)
    ml = np.nan_to_num(components)
    order = components.shape[1]

    def negative_loglik(lambdas: np.ndarray) -> tuple[float, np.ndarray]:
        lam = np.where(available, lambdas, 0.0)
        q = np.empty((len(ml), order + 1))  # q[:, n]: the model of orders <= n
        q[:, 0] = uniform
        for n in range(order):
            q[:, n + 1] = lam[:, n] * ml[:, n] + (1 - lam[:, n]) * q[:, n]
        p = q[:, -1]
        above = np.cumprod((1 - lam)[:, ::-1], axis=1)[:, ::-1]  # prod over orders >= n of (1 - l)
        passed = np.concatenate([above[:, 1:], np.ones((len(ml), 1))], axis=1)  # orders > n
        dp = np.where(available, (ml - q[:, :-1]) * passed, 0.0)
        return -float(np.log(p).sum()), -(dp / p[:, None]).sum(axis=0)

    from scipy.optimize import minimize  # 2 s to import: only Jelinek-Mercer pays for it

    bounds = [(1e-6, 1 - 1e-6)] * order
    result = minimize(negative_loglik, np.full(order, 0.5), jac=True, method="L-BFGS-B",
                                     bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000})
    return np.clip(result.x, 1e-6, 1 - 1e-6)


def tables_from_probabilities(counts: NgramCounts, probs: list[np.ndarray], backoffs: list[np.ndarray]) -> BackoffTables:
    """Backoff tables from the probability of every n-gram and the backoff weight of every
    context of orders ``1..order - 1`` (natural logs taken here; log 0 = -inf)."""
    backoffs = list(backoffs) + [np.ones(counts.index.size(counts.order))]
    with np.errstate(divide="ignore"):
        return BackoffTables(counts.index, [np.log(p) for p in probs], [np.log(b) for b in backoffs])
