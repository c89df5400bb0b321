"""The neural LM's output layer: a full softmax, the adaptive softmax, or a class-factored one.

- ``"full"``: ``softmax(t U + b)`` over the whole vocabulary (Bengio et al. 2003).
- ``"adaptive"``: Grave et al. (2017): a head softmax over the ``cutoffs[0]`` (default 1,000) most frequent
  words plus one token per tail cluster (ids ``cutoffs[i-1] .. cutoffs[i]-1``, then the
  rest); cluster ``i`` (from 1) first projects the hidden layer to ``h / 4^i`` dimensions.
- ``"class"``: Goodman (2001), Mikolov et al. (2011): ``p(w) = p(class(w)) p(w | class(w))``,
  classes by frequency binning (each holds about the same share of the training tokens).
- ``"auto"``: full below :data:`ADAPTIVE_FROM` words, adaptive from there on.

Vocabulary ids are in frequency order (specials first), so shortlist and clusters are id ranges.
All three give exactly normalised probabilities; the factorised ones are the fused primitive
of :mod:`wordnet_lm.nn.adaptive_softmax`.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.nplm.config import ADAPTIVE_FROM, OUTPUTS
from wordnet_lm.nn import Linear, linear_softmax_cross_entropy
from wordnet_lm.nn.adaptive_softmax import (
    Cluster,
    Layout,
    cluster_log_probs,
    head_log_probs,
    two_level_cross_entropy,
    two_level_log_probs,
)

# Default layouts (docs/nplm.md, "Per-cluster projection widths": measured on Brown and nltk-mix).
# Below WIDE_FROM words, Grave et al.'s: a head of 1,000 words, clusters growing 5x, cluster i
# projecting to h / 4^i.  From WIDE_FROM on, a smaller head and more, narrower clusters, each
# projecting to h * FULL_WIDTH_RANK / (its last word's rank), at most h (no projection).
WIDE_FROM = 20000
HEAD_WORDS, CLUSTER_GROWTH, PROJECTION_FACTOR = 1000, 5, 4
WIDE_HEAD_WORDS, WIDE_GROWTH, FULL_WIDTH_RANK = 250, 2, 1000
LAST_CLUSTER_MIN = 0.5  # a last cluster smaller than this fraction of the one before it joins that one


def resolve_output(output: str, vocab_size: int, direct: bool = False) -> str:
    """The output kind ``"auto"`` stands for at this vocabulary size (direct connections: full)."""
    if output != "auto":
        return output
    return "full" if direct or vocab_size < ADAPTIVE_FROM else "adaptive"


def geometric_cutoffs(vocab_size: int, head: int, growth: int, last_share: float = 0.0) -> tuple[int, ...]:
    """``head, head * growth, ...`` below the vocabulary size (a quarter of it for tiny ones);
    with ``last_share``, a cutoff that would leave a last cluster smaller than ``last_share``
    times the one before it is dropped (that cluster takes its words: no tiny cluster at the end)."""
    cutoffs = []
    edge = head
    while edge < vocab_size:
        cutoffs.append(edge)
        edge *= growth
    while len(cutoffs) > 1 and vocab_size - cutoffs[-1] < last_share * (cutoffs[-1] - cutoffs[-2]):
        cutoffs.pop()
    return tuple(cutoffs) or (max(1, vocab_size // 4),)


def default_cutoffs(vocab_size: int) -> tuple[int, ...]:
    """``1000, 5000, 25000, ...`` below :data:`WIDE_FROM` words, else ``250, 500, 1000, ...``."""
    if vocab_size < WIDE_FROM:
        return geometric_cutoffs(vocab_size, HEAD_WORDS, CLUSTER_GROWTH)
    return geometric_cutoffs(vocab_size, WIDE_HEAD_WORDS, WIDE_GROWTH, LAST_CLUSTER_MIN)


def factor4_projections(features: int, n_clusters: int) -> tuple[int, ...]:
    """Grave et al.'s widths: cluster ``i`` (from 1) projects to ``features / 4^i`` (at least 1)."""
    return tuple(max(1, features // PROJECTION_FACTOR ** i) for i in range(1, n_clusters + 1))


def default_projections(features: int, cutoffs: Sequence[int], vocab_size: int) -> tuple[int, ...]:
    """Below :data:`WIDE_FROM` words the factor-4 widths; from there each cluster's width is
    ``features * FULL_WIDTH_RANK / rank of its last word`` (from 1 to ``features``): the
    clusters of words ranked up to 1,000 read the hidden layer itself, and the width halves
    as the ranks double (h = 100, cutoffs 250, 500, ..., 16000, V 28,734: 100, 100, 50, 25, 12, 6, 3)."""
    if vocab_size < WIDE_FROM:
        return factor4_projections(features, len(cutoffs))
    ends = [*cutoffs[1:], vocab_size]
    return tuple(max(1, min(features, features * FULL_WIDTH_RANK // end)) for end in ends)


def legacy_layout(features: int, vocab_size: int, cutoffs: Sequence[int] | None = None
                  ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(cutoffs, projections)`` of the adaptive softmax's defaults before 2026-12-02 (model
    files of then record neither): cutoffs ``1000, 5000, 25000, ...``, widths ``h / 4^i``."""
    cutoffs = tuple(cutoffs) if cutoffs is not None else geometric_cutoffs(vocab_size, HEAD_WORDS, CLUSTER_GROWTH)
    return cutoffs, factor4_projections(features, len(cutoffs))


def default_classes(vocab_size: int) -> int:
    """``sqrt(V) / 3`` classes.  ``sqrt(V)`` balances the multiply-adds of the class and word
    softmaxes (Mikolov), but on a CPU each class in a batch costs a few small NumPy calls,
    and fewer, larger classes train faster (Brown, docs/nplm.md: 44 classes 1.3x 131's speed)."""
    return max(1, round(math.sqrt(vocab_size) / 3))


def frequency_bins(counts: np.ndarray, n_classes: int) -> list[int]:
    """Class boundaries (first id of each class, then ``V``) by frequency binning: ids in order,
    a new class whenever the running share of the tokens passes the next ``1 / n_classes``
    (Mikolov's rnnlm); a word with many tokens may fill several shares, so there can be fewer
    classes than asked.  Counts are +1 so that never-seen specials have a place."""
    mass = np.asarray(counts, np.float64) + 1.0
    before = (np.cumsum(mass) - mass) / mass.sum()
    labels = np.minimum((before * n_classes).astype(np.int64), n_classes - 1)
    firsts = np.flatnonzero(np.diff(labels, prepend=-1))
    return [int(i) for i in firsts] + [len(mass)]


def zipf_counts(vocab_size: int) -> np.ndarray:
    """Stand-in counts ``1e6 / rank`` when only a vocabulary size is known."""
    return 1e6 / np.arange(1, vocab_size + 1)


class OutputLayer:
    """One output kind for ``features`` inputs and a vocabulary of ``vocab_size`` words."""

    kind = "full"
    layout: Layout | None = None

    def __init__(self, features: int, vocab_size: int) -> None:
        self.features, self.vocab_size = features, vocab_size

    def layers(self) -> list[Linear]:
        """The layers whose parameters make this output, in initialisation order."""
        return [Linear(self.features, self.vocab_size, name="output")]

    def loss(self, params: Mapping[str, Any], x: Any, targets: np.ndarray, reduction: str = "mean",
             extra: Sequence[tuple[Any, Any]] = ()) -> Any:
        """Cross-entropy of ``targets`` given the inputs ``x`` (B, features); differentiable."""
        return linear_softmax_cross_entropy(x, params["output.W"], params["output.b"], targets, reduction, extra)

    def log_probs(self, params: Mapping[str, np.ndarray], x: np.ndarray,
                  extra: Sequence[tuple[Any, Any]] = ()) -> np.ndarray:
        """Every word's log-probability (B, V), float64."""
        z = x @ params["output.W"]
        z += params["output.b"]
        for x2, W2 in extra:
            z += x2 @ W2
        z = z.astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
        return z

    def describe(self) -> str:
        return "full softmax"

    def logits_width(self) -> int:
        """At most this many logits per row of a batch (for memory estimates)."""
        return self.vocab_size


class TwoLevelOutput(OutputLayer):
    """A factorised softmax: ``head`` over shortlist + clusters, tail arrays named ``tail_names``."""

    def __init__(self, features: int, vocab_size: int, layout: Layout, tail_layers: list[Linear]) -> None:
        super().__init__(features, vocab_size)
        self.layout, self.tail_layers = layout, tail_layers
        self.tail_names = [layer.key(p) for layer in tail_layers for p in ("W", "b")[:1 + layer.bias]]

    def layers(self) -> list[Linear]:
        return [Linear(self.features, self.layout.head_size, name="head"), *self.tail_layers]

    def logits_width(self) -> int:
        return self.layout.head_size + max(c.size for c in self.layout.clusters)

    def tail(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[name] for name in self.tail_names]

    def loss(self, params: Mapping[str, Any], x: Any, targets: np.ndarray, reduction: str = "mean",
             extra: Sequence[tuple[Any, Any]] = ()) -> Any:
        if extra:
            raise WordnetLMError(f"direct connections need the full softmax, not the {self.kind} one")
        return two_level_cross_entropy(x, params["head.W"], params["head.b"], self.tail(params), targets,
                                       self.layout, reduction)

    def log_probs(self, params: Mapping[str, np.ndarray], x: np.ndarray,
                  extra: Sequence[tuple[Any, Any]] = ()) -> np.ndarray:
        return two_level_log_probs(x, params["head.W"], params["head.b"], self.tail(params), self.layout)

    def head_log_probs(self, params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
        """(B, shortlist + clusters): shortlist words, then whole clusters."""
        return head_log_probs(x, params["head.W"], params["head.b"])

    def cluster_log_probs(self, params: Mapping[str, np.ndarray], x: np.ndarray, index: int) -> np.ndarray:
        """(B, size of cluster ``index``): ``log p(w | cluster)`` of its words."""
        return cluster_log_probs(x, self.tail(params), self.layout, index)


class AdaptiveOutput(TwoLevelOutput):
    kind = "adaptive"

    def __init__(self, features: int, vocab_size: int, cutoffs: Sequence[int] | None = None,
                 projections: Sequence[int] | None = None) -> None:
        cutoffs = tuple(default_cutoffs(vocab_size) if cutoffs is None else cutoffs)
        check_cutoffs(cutoffs, vocab_size)
        widths = tuple(default_projections(features, cutoffs, vocab_size) if projections is None else projections)
        check_projections(widths, features, len(cutoffs))
        edges = [*cutoffs, vocab_size]
        clusters, layers, k = [], [], 0  # k: index of the cluster's first array among the tail arrays
        for i in range(1, len(edges)):
            width = widths[i - 1]
            proj = -1
            if width < features:  # project to fewer dimensions first (Grave et al.); else read x itself
                layers.append(Linear(features, width, bias=False, name=f"tail{i}.proj"))
                proj, k = k, k + 1
            layers.append(Linear(width, edges[i] - edges[i - 1], name=f"tail{i}"))
            clusters.append(Cluster(edges[i - 1], edges[i], weight=k, bias=k + 1, proj=proj))
            k += 2
        self.cutoffs, self.projections = cutoffs, widths
        super().__init__(features, vocab_size, Layout(cutoffs[0], tuple(clusters)), layers)

    def describe(self) -> str:
        return (f"adaptive softmax, cutoffs {','.join(map(str, self.cutoffs))}, "
                f"projections {','.join(map(str, self.projections))}")


class ClassOutput(TwoLevelOutput):
    kind = "class"

    def __init__(self, features: int, vocab_size: int, counts: np.ndarray, n_classes: int | None = None) -> None:
        n_classes = default_classes(vocab_size) if n_classes is None else n_classes
        bounds = frequency_bins(counts, n_classes)
        clusters = tuple(Cluster(a, b, weight=0, bias=1, offset=a) for a, b in zip(bounds[:-1], bounds[1:]))
        super().__init__(features, vocab_size, Layout(0, clusters), [Linear(features, vocab_size, name="words")])

    def describe(self) -> str:
        return f"class-factored softmax, {len(self.layout.clusters)} classes"


def check_cutoffs(cutoffs: Sequence[int], vocab_size: int) -> None:
    """:class:`WordnetLMError` unless ``0 < c1 < c2 < ... < vocab_size``."""
    values = list(cutoffs)
    if not values or any(int(c) != c for c in values) or values[0] < 1 or values[-1] >= vocab_size \
            or any(b <= a for a, b in zip(values, values[1:])):
        raise WordnetLMError(f"cutoffs must increase from >= 1 to below the vocabulary size {vocab_size:,}, "
                             f"got {','.join(map(str, values))}")


def check_projections(widths: Sequence[int], features: int, n_clusters: int) -> None:
    """:class:`WordnetLMError` unless there is one width ``1 .. features`` per tail cluster."""
    values = list(widths)
    if len(values) != n_clusters or any(int(w) != w or not 1 <= w <= features for w in values):
        raise WordnetLMError(f"projections must be {n_clusters} widths from 1 to the hidden size {features} "
                             f"(one per tail cluster), got {','.join(map(str, values))}")


def make_output(kind: str, features: int, vocab_size: int, counts: np.ndarray | None = None,
                cutoffs: Sequence[int] | None = None, classes: int | None = None,
                projections: Sequence[int] | None = None) -> OutputLayer:
    """The output layer ``kind`` (not ``"auto"``) for a vocabulary with training ``counts``."""
    if kind == "full":
        return OutputLayer(features, vocab_size)
    if kind == "adaptive":
        return AdaptiveOutput(features, vocab_size, cutoffs, projections)
    if kind == "class":
        return ClassOutput(features, vocab_size, zipf_counts(vocab_size) if counts is None else counts, classes)
    raise WordnetLMError(f"output must be one of {', '.join(OUTPUTS)}, got {kind!r}")
