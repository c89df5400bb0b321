"""Next words from a factorised softmax a level at a time: the head, then only the clusters
that matter (never the whole vocabulary unless a caller needs every word's probability).

A word of a cluster has ``p(w) = p(cluster) p(w | cluster) <= p(cluster)``: the ``k`` most
probable words are found by opening clusters in order of their head probability until the
next cluster's total cannot beat the ``k``-th best word so far; a draw picks a head entry,
then a word inside that cluster only.  Banned words (``<s>``, ``<unk>``) are removed exactly
(their cluster is opened to know their share).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from wordnet_lm.nplm.outputs import TwoLevelOutput


def _cluster_of(output: TwoLevelOutput, word: int) -> int:
    return int(np.searchsorted(output.layout.starts(), word, side="right") - 1)


def top_words(model: Any, output: TwoLevelOutput, context: np.ndarray, k: int,
              banned: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most probable next words after one ``context`` (n-1 ids) and their
    probabilities (renormalised without ``banned``), best first, ties by id."""
    params, layout = model.params_, output.layout
    x = model.hidden_states(context[None, :])
    head = output.head_log_probs(params, x)[0]
    short = layout.shortlist
    ids, logps = [np.arange(short)], [head[:short]]
    opened: set[int] = set()

    def open_cluster(index: int) -> None:
        c = layout.clusters[index]
        ids.append(np.arange(c.first, c.stop))
        logps.append(head[short + index] + output.cluster_log_probs(params, x, index)[0])
        opened.add(index)

    for word in banned:
        if word >= short and _cluster_of(output, word) not in opened:
            open_cluster(_cluster_of(output, word))
    banned_ids = np.asarray(list(banned), np.int64)
    for index in np.argsort(-head[short:], kind="stable"):
        if index in opened:
            continue
        candidates = np.concatenate(logps)[~np.isin(np.concatenate(ids), banned_ids)]
        if len(candidates) >= k and head[short + index] < np.partition(candidates, len(candidates) - k)[-k]:
            break  # no word of this cluster (nor of any later one) can enter the k best
        open_cluster(int(index))
    all_ids, all_logp = np.concatenate(ids), np.concatenate(logps)
    p = np.exp(all_logp)
    keep = ~np.isin(all_ids, banned_ids)
    p_banned = float(p[~keep].sum())
    all_ids, p = all_ids[keep], p[keep] / (1.0 - p_banned)
    k = min(k, len(p))
    best = np.lexsort((all_ids, -p))[:k]
    return all_ids[best], p[best]


def sample_word(model: Any, output: TwoLevelOutput, context: np.ndarray, banned: Sequence[int],
                rng: np.random.Generator) -> int:
    """Draw the next word after one ``context`` from ``p(w)`` renormalised without ``banned``."""
    params, layout = model.params_, output.layout
    x = model.hidden_states(context[None, :])
    head = np.exp(output.head_log_probs(params, x)[0])
    short = layout.shortlist
    inside: dict[int, np.ndarray] = {}  # clusters opened to remove a banned word
    for word in banned:
        if word < short:
            head[word] = 0.0
            continue
        index = _cluster_of(output, word)
        q = inside.get(index)
        if q is None:
            q = np.exp(output.cluster_log_probs(params, x, index)[0])
        q[word - layout.clusters[index].first] = 0.0
        inside[index] = q
    for index, q in inside.items():
        head[short + index] *= q.sum()
    entry = int(rng.choice(len(head), p=head / head.sum()))
    if entry < short:
        return entry
    index = entry - short
    q = inside.get(index)
    if q is None:
        q = np.exp(output.cluster_log_probs(params, x, index)[0])
    return layout.clusters[index].first + int(rng.choice(len(q), p=q / q.sum()))
