"""Pytrees: nested dicts, lists and tuples of arrays (parameters as named arrays).

Differential operators take and return pytrees: ``grad(loss)({"W": W, "b": b})`` is a dict
with the same keys.  ``None`` is an empty subtree; anything else that is not a dict, list or
tuple is a leaf.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from wordnet_lm.autodiff.numpy import wrapper as anp

_LEAF = None  # the treedef of a leaf


def tree_flatten(tree: Any) -> tuple[list, Any]:
    """The leaves of ``tree`` (depth first, dicts in key order) and its structure."""
    leaves: list = []

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return (type(node), tuple(node.keys()), tuple(walk(v) for v in node.values()))
        if isinstance(node, (list, tuple)):
            return (type(node), None, tuple(walk(v) for v in node))
        if node is None:
            return ("none",)
        leaves.append(node)
        return _LEAF

    return leaves, walk(tree)


def tree_unflatten(treedef: Any, leaves: list) -> Any:
    """The tree of structure ``treedef`` (from :func:`tree_flatten`) holding ``leaves``."""
    it = iter(leaves)

    def build(node: Any) -> Any:
        if node is _LEAF:
            return next(it)
        if node == ("none",):
            return None
        kind, keys, children = node
        values = [build(c) for c in children]
        if keys is not None:
            return kind(zip(keys, values))
        if kind in (list, tuple):
            return kind(values)
        return kind(*values)  # a namedtuple

    return build(treedef)


def tree_map(fun: Callable, tree: Any, *rest: Any) -> Any:
    """``fun`` applied leafwise to ``tree`` (and to the matching leaves of ``rest``)."""
    leaves, treedef = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(treedef, [fun(*xs) for xs in zip(leaves, *others)])


def ravel_pytree(tree: Any) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """All leaves of ``tree`` concatenated into one 1-D array, and the (differentiable) function
    undoing it: each piece reshaped and cast back to its leaf's dtype."""
    leaves, treedef = tree_flatten(tree)
    arrays = [np.asarray(leaf) for leaf in leaves]
    shapes = [a.shape for a in arrays]
    dtypes = [a.dtype for a in arrays]
    sizes = [a.size for a in arrays]
    flat = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)

    starts = np.cumsum([0] + sizes)

    def unravel(vector: Any) -> Any:
        return tree_unflatten(treedef, [anp.astype(anp.reshape(vector[start:start + size], shape), dtype)
                                        for start, size, shape, dtype in zip(starts, sizes, shapes, dtypes)])

    return flat, unravel
