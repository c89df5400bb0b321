"""Row-sparse cotangents: the gradient of an embedding lookup touches only the rows looked up.

``RowSparse(indices, values, shape)`` stands for the dense array ``D`` of ``shape`` with
``D[indices[k]] += values[k]`` (indices may repeat; they accumulate).  The backward pass keeps
it sparse only on its way to an input; optimizers that allow it update just those rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class RowSparse:
    __slots__ = ("indices", "values", "shape")

    def __init__(self, indices: np.ndarray, values: np.ndarray, shape: tuple[int, ...]) -> None:
        self.indices = np.asarray(indices).reshape(-1)
        self.values = np.asarray(values).reshape((len(self.indices),) + tuple(shape[1:]))
        self.shape = tuple(shape)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    def to_dense(self) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=self.values.dtype)
        self.add_to(dense)
        return dense

    def add_to(self, dense: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """``dense[indices] += scale * values`` with repeated rows accumulated; returns ``dense``."""
        values = self.values if scale == 1.0 else scale * self.values
        np.add.at(dense, self.indices, values)
        return dense

    def coalesce(self) -> "RowSparse":
        """Equivalent RowSparse with unique, sorted indices (repeated rows summed)."""
        unique, inverse = np.unique(self.indices, return_inverse=True)
        summed = np.zeros((len(unique),) + self.shape[1:], dtype=self.values.dtype)
        np.add.at(summed, inverse, self.values)
        return RowSparse(unique, summed, self.shape)

    def __add__(self, other: Any) -> Any:
        if isinstance(other, RowSparse):
            return RowSparse(np.concatenate([self.indices, other.indices]),
                             np.concatenate([self.values, other.values]), self.shape)
        return self.add_to(np.array(other, dtype=np.result_type(other, self.values), copy=True))

    __radd__ = __add__

    def __repr__(self) -> str:
        return f"RowSparse({len(self.indices)} rows of {self.shape})"
