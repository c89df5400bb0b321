"""Layers: small objects holding hyper-parameters, with ``init(rng) -> params`` and
``apply(params, x)``.

A model's parameters are one flat dict ``{"embed.C": ..., "hidden.W": ..., "hidden.b": ...}``
keyed ``"<layer name>.<parameter>"``: the same dict is differentiated (``grad`` over a dict),
updated by the optimizers and saved in checkpoints.  Layers hold no arrays themselves.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.nn import init as initializers
from wordnet_lm.nn.functional import activation, dropout
from wordnet_lm.nn.fused_softmax import linear_softmax_cross_entropy

Params = dict[str, np.ndarray]


class Module:
    """Base class.  Subclasses define :meth:`init` and :meth:`apply`."""

    name: str = ""

    def init(self, rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> Params:
        """Fresh parameters of this layer, drawn from ``rng`` (a Generator or a seed)."""
        return {}

    def apply(self, params: Mapping[str, Any], x: Any, *, training: bool = False,
              rng: np.random.Generator | None = None) -> Any:
        """The layer's output for input ``x``; ``training``/``rng`` matter to dropout only."""
        raise NotImplementedError

    def __call__(self, params: Mapping[str, Any], x: Any, **kwargs: Any) -> Any:
        return self.apply(params, x, **kwargs)

    def key(self, param: str) -> str:
        """The params-dict key of this layer's parameter ``param`` (``"<name>.<param>"``)."""
        return f"{self.name}.{param}"

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


class Linear(Module):
    """``x @ W + b`` with ``W`` of shape ``(in_features, out_features)``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool, default True
    init : str, default "fan_in_uniform"
        Weight initialiser (:data:`wordnet_lm.nn.init.WEIGHT_INITIALIZERS`).  With
        ``"fan_in_uniform"`` (PyTorch's ``nn.Linear``) the bias is drawn from the same range;
        with the others it starts at zero.
    name : str, default "linear"
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 init: str = "fan_in_uniform", name: str = "linear") -> None:
        initializers.weight_initializer(init)  # fail early on a bad name
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.bias, self.init_name, self.name = bias, init, name

    def init(self, rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> Params:
        rng = initializers.as_generator(rng)
        params = {self.key("W"): initializers.weight_initializer(self.init_name)(
            rng, (self.in_features, self.out_features), dtype)}
        if self.bias:
            if self.init_name == "fan_in_uniform":
                bound = 1.0 / np.sqrt(self.in_features)
                params[self.key("b")] = initializers.uniform(rng, (self.out_features,), bound, dtype)
            else:
                params[self.key("b")] = initializers.zeros(rng, (self.out_features,), dtype)
        return params

    def apply(self, params: Mapping[str, Any], x: Any, *, training: bool = False,
              rng: np.random.Generator | None = None) -> Any:
        y = x @ params[self.key("W")]
        return y + params[self.key("b")] if self.bias else y

    def softmax_cross_entropy(self, params: Mapping[str, Any], x: Any, targets: Any,
                              reduction: str = "mean", extra: Sequence[tuple[Any, Any]] = ()) -> Any:
        """The softmax cross-entropy of ``targets`` under this layer's logits, fused (see
        :func:`wordnet_lm.nn.fused_softmax.linear_softmax_cross_entropy`)."""
        b = params[self.key("b")] if self.bias else None
        return linear_softmax_cross_entropy(x, params[self.key("W")], b, targets, reduction, extra)


class Embedding(Module):
    """A lookup table ``C`` of shape ``(num_embeddings, dim)``, shared by every position.

    ``apply(params, ids)`` looks up integer ``ids``: a 1-D batch gives ``(B, dim)``; ids of
    shape ``(B, n)`` (n context words) give their vectors concatenated, ``(B, n * dim)`` —
    the tied first layer of a Bengio language model.  With ``concat=False`` the result keeps
    the ids' shape plus a trailing ``dim`` axis.  The gradient of ``C`` is row-sparse: only
    the rows looked up.

    Parameters
    ----------
    num_embeddings, dim : int
    std : float, default 1.0
        Initial entries are ``N(0, std^2)`` (PyTorch's default for ``nn.Embedding``).
    concat : bool, default True
    name : str, default "embed"
    """

    def __init__(self, num_embeddings: int, dim: int, std: float = 1.0, concat: bool = True,
                 name: str = "embed") -> None:
        self.num_embeddings, self.dim = int(num_embeddings), int(dim)
        self.std, self.concat, self.name = float(std), concat, name

    def init(self, rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> Params:
        rng = initializers.as_generator(rng)
        return {self.key("C"): initializers.normal(rng, (self.num_embeddings, self.dim), self.std, dtype)}

    def apply(self, params: Mapping[str, Any], ids: Any, *, training: bool = False,
              rng: np.random.Generator | None = None) -> Any:
        ids = np.asarray(ids)
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"embedding ids must be integers, got {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise ValueError(f"id {bad} out of range for an embedding of {self.num_embeddings} rows")
        vectors = params[self.key("C")][ids.reshape(-1)]
        if self.concat and ids.ndim >= 2:
            shape = ids.shape[:-1] + (ids.shape[-1] * self.dim,)
        else:
            shape = ids.shape + (self.dim,)
        return anp.reshape(vectors, shape)


class Activation(Module):
    """An elementwise activation by name (:data:`wordnet_lm.nn.functional.ACTIVATIONS`)."""

    def __init__(self, kind: str = "tanh") -> None:
        self._fn = activation(kind)
        self.kind, self.name = kind, kind

    def apply(self, params: Mapping[str, Any], x: Any, *, training: bool = False,
              rng: np.random.Generator | None = None) -> Any:
        return self._fn(x)


class Dropout(Module):
    """Inverted dropout with probability ``rate`` while ``training`` (needs ``rng`` then)."""

    def __init__(self, rate: float) -> None:
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate, self.name = float(rate), "dropout"

    def apply(self, params: Mapping[str, Any], x: Any, *, training: bool = False,
              rng: np.random.Generator | None = None) -> Any:
        return dropout(x, self.rate, rng, training)


class Sequential(Module):
    """Layers applied in order; their parameters share one flat dict (names must differ)."""

    def __init__(self, layers: Sequence[Module], name: str = "") -> None:
        self.layers, self.name = list(layers), name

    def init(self, rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> Params:
        rng = initializers.as_generator(rng)
        params: Params = {}
        for layer in self.layers:
            new = layer.init(rng, dtype)
            clash = params.keys() & new.keys()
            if clash:
                raise ValueError(f"two layers define parameter {sorted(clash)[0]!r}: give them different names")
            params.update(new)
        return params

    def apply(self, params: Mapping[str, Any], x: Any, *, training: bool = False,
              rng: np.random.Generator | None = None) -> Any:
        for layer in self.layers:
            x = layer.apply(params, x, training=training, rng=rng)
        return x


class MLP(Sequential):
    """A multilayer perceptron: ``Linear`` layers of the given ``sizes`` with an activation
    (and optional dropout) between them.

    Parameters
    ----------
    sizes : sequence of int
        ``[in, hidden_1, ..., out]``; layer ``i`` is named ``"<name>.<i>"`` (params
        ``"<name>.<i>.W"``, ``"<name>.<i>.b"``).
    activation : str, default "tanh"
    output_activation : str, default "identity" (logits)
    dropout : float, default 0.0
        Dropout rate after each hidden activation (training only).
    init : str, default "fan_in_uniform"
    name : str, default "mlp"
    """

    def __init__(self, sizes: Sequence[int], activation: str = "tanh", output_activation: str = "identity",
                 dropout: float = 0.0, init: str = "fan_in_uniform", name: str = "mlp") -> None:
        if len(sizes) < 2:
            raise ValueError(f"an MLP needs at least input and output sizes, got {list(sizes)}")
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, init=init, name=f"{name}.{i}"))
            last = i == len(sizes) - 2
            layers.append(Activation(output_activation if last else activation))
            if dropout and not last:
                layers.append(Dropout(dropout))
        super().__init__(layers, name)
        self.sizes = list(sizes)


def cast_params(params: Mapping[str, np.ndarray], dtype: Any) -> Params:
    """A copy of ``params`` with every array cast to ``dtype`` (float64 for gradient checks)."""
    return {k: np.array(v, dtype=dtype) for k, v in params.items()}


def count_params(params: Mapping[str, np.ndarray]) -> int:
    """The total number of scalars in ``params``."""
    return int(sum(np.size(v) for v in params.values()))
