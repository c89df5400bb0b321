"""Weight initialisers that break symmetry, all drawn from a seeded ``numpy.random.Generator``.

Every initialiser is ``init(rng, shape, dtype=np.float32) -> ndarray``.  Weight matrices are
stored ``(fan_in, fan_out)`` (a layer computes ``x @ W``), so ``fan_in = shape[0]`` and
``fan_out = shape[1]``; for other ranks the fans follow the same rule as PyTorch (the first
two axes swapped: ``fan_in = shape[0] * receptive``, ``fan_out = shape[1] * receptive``).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

Shape = tuple[int, ...]
Initializer = Callable[..., np.ndarray]


def fans(shape: Shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape`` stored as ``(in, out, ...)``."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


def uniform(rng: np.random.Generator, shape: Shape, bound: float, dtype=np.float32) -> np.ndarray:
    """Draw from ``U(-bound, bound)``."""
    return rng.uniform(-bound, bound, shape).astype(dtype, copy=False)


def normal(rng: np.random.Generator, shape: Shape, std: float = 1.0, dtype=np.float32) -> np.ndarray:
    """Draw from ``N(0, std^2)`` (the default of an embedding table, as in PyTorch)."""
    return (std * rng.standard_normal(shape)).astype(dtype, copy=False)


def zeros(rng: np.random.Generator, shape: Shape, dtype=np.float32) -> np.ndarray:
    """All zeros (biases); ``rng`` is accepted for a uniform signature and not used."""
    return np.zeros(shape, dtype=dtype)


def fan_in_uniform(rng: np.random.Generator, shape: Shape, dtype=np.float32) -> np.ndarray:
    """``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: PyTorch's ``nn.Linear`` default (weights and bias)."""
    return uniform(rng, shape, 1.0 / math.sqrt(fans(shape)[0]), dtype)


def glorot_uniform(rng: np.random.Generator, shape: Shape, dtype=np.float32) -> np.ndarray:
    """Glorot & Bengio (2010): ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))`` (tanh, sigmoid)."""
    fan_in, fan_out = fans(shape)
    return uniform(rng, shape, math.sqrt(6.0 / (fan_in + fan_out)), dtype)


def glorot_normal(rng: np.random.Generator, shape: Shape, dtype=np.float32) -> np.ndarray:
    """Glorot & Bengio (2010): ``N(0, 2 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(shape)
    return normal(rng, shape, math.sqrt(2.0 / (fan_in + fan_out)), dtype)


def he_uniform(rng: np.random.Generator, shape: Shape, dtype=np.float32) -> np.ndarray:
    """He et al. (2015): ``U(-a, a)`` with ``a = sqrt(6 / fan_in)`` (ReLU family)."""
    return uniform(rng, shape, math.sqrt(6.0 / fans(shape)[0]), dtype)


def he_normal(rng: np.random.Generator, shape: Shape, dtype=np.float32) -> np.ndarray:
    """He et al. (2015): ``N(0, 2 / fan_in)``."""
    return normal(rng, shape, math.sqrt(2.0 / fans(shape)[0]), dtype)


WEIGHT_INITIALIZERS: dict[str, Initializer] = {
    "fan_in_uniform": fan_in_uniform,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}


def weight_initializer(name: str) -> Initializer:
    """The weight initialiser called ``name`` (one of :data:`WEIGHT_INITIALIZERS`)."""
    try:
        return WEIGHT_INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initialiser {name!r}; choose from {', '.join(WEIGHT_INITIALIZERS)}") from None


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """``rng`` itself, or a new Generator seeded with the integer ``rng`` (``None``: seed 0)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(0 if rng is None else int(rng))
    raise TypeError(f"expected a numpy Generator or an integer seed, got {type(rng).__name__}")
