"""The hidden layer of a Bengio language model as one primitive: ``tanh(x W + b)`` with
dropout masks on its input and output, and a hand-written, in-place backward.

Composed from the engine's ops the layer is seven tape records (input mask, product, bias,
tanh, output mask and their VJPs), each allocating its result.  Fused, the forward pass
writes the product into one buffer and adds the bias and takes the tanh in place; the
backward pass makes the cotangent of the pre-activation once and from it the three
gradients.  The arithmetic is the composition's, operation for operation, so the numbers are
bit for bit those of ``dropout(tanh(dropout(x) @ W + b))``.  First order (reverse or forward
mode), as the fused softmaxes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wordnet_lm.autodiff.extend import defjvp_argnum, defvjp_argnum, primitive_with_residual


class _Hidden:
    """Residual: the (masked) input, the activations ``tanh`` (before the output mask), and
    the pre-activation's cotangent, made once per backward pass and shared by the three VJPs."""

    __slots__ = ("x", "t", "out_mask", "_cotangent", "_da")

    def __init__(self, x: np.ndarray, t: np.ndarray, out_mask: np.ndarray | None) -> None:
        self.x, self.t, self.out_mask = x, t, out_mask
        self._cotangent: Any = None
        self._da: np.ndarray | None = None

    def d_preactivation(self, g: np.ndarray) -> np.ndarray:
        """``d loss / d (x W + b)`` for the output's cotangent ``g``: the output mask's VJP
        ``g m``, then the tanh VJP's own operations ``g - (t t) g`` (read only by the VJPs)."""
        if self._da is None or g is not self._cotangent:
            gm = g if self.out_mask is None else np.multiply(g, self.out_mask)
            d = np.multiply(self.t, self.t)
            d *= gm
            self._cotangent, self._da = g, np.subtract(gm, d, out=d)
        return self._da


def _forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, in_mask: np.ndarray | None = None,
             out_mask: np.ndarray | None = None) -> tuple[np.ndarray, _Hidden]:
    if in_mask is not None:
        x = np.multiply(x, in_mask)
    t = np.matmul(x, W)
    t += b
    np.tanh(t, out=t)
    y = t if out_mask is None else np.multiply(t, out_mask)
    return y, _Hidden(x, t, out_mask)


_tanh_layer_p = primitive_with_residual(_forward, "tanh_layer")


def _vjp(argnum: int, g: Any, res: _Hidden, x: Any, W: Any, b: Any, in_mask: Any = None, out_mask: Any = None):
    da = res.d_preactivation(g)
    if argnum == 0:
        dx = np.matmul(da, np.swapaxes(W, -1, -2))
        return dx if in_mask is None else np.multiply(dx, in_mask, out=dx)
    if argnum == 1:
        return np.matmul(np.transpose(res.x), da)
    if argnum == 2:
        return np.sum(da, axis=(0,))
    raise TypeError("dropout masks are constants, not differentiable")


def _jvp(argnum: int, t: Any, res: _Hidden, x: Any, W: Any, b: Any, in_mask: Any = None, out_mask: Any = None):
    if argnum == 0:
        da = (t if in_mask is None else t * in_mask) @ W
    elif argnum == 1:
        da = res.x @ t
    elif argnum == 2:
        da = np.broadcast_to(t, res.t.shape)
    else:
        raise TypeError("dropout masks are constants, not differentiable")
    dy = da * (1 - res.t * res.t)
    return dy if out_mask is None else dy * out_mask


defvjp_argnum(_tanh_layer_p, _vjp)
defjvp_argnum(_tanh_layer_p, _jvp)


def tanh_layer(x: Any, W: Any, b: Any, in_mask: np.ndarray | None = None, out_mask: np.ndarray | None = None) -> Any:
    """``out_mask * tanh((in_mask * x) @ W + b)``, fused (see the module's docstring).

    Parameters
    ----------
    x : array (B, F); W : array (F, H); b : array (H,)
    in_mask, out_mask : optional constant arrays (B, F) and (B, H) multiplied in (dropout's
        scaled keep masks, :func:`wordnet_lm.nn.functional.dropout_mask`)

    Returns
    -------
    array (B, H), differentiable in ``x``, ``W`` and ``b`` (first order).
    """
    if np.ndim(x) != 2 or np.ndim(W) != 2 or np.shape(x)[1] != np.shape(W)[0] or np.shape(b) != np.shape(W)[1:]:
        raise ValueError(f"shapes {np.shape(x)} @ {np.shape(W)} + {np.shape(b)} do not make a layer")
    for mask, shape in ((in_mask, np.shape(x)), (out_mask, (np.shape(x)[0], np.shape(W)[1]))):
        if mask is not None and np.shape(mask) != shape:
            raise ValueError(f"a dropout mask of shape {np.shape(mask)} for values of shape {shape}")
    return _tanh_layer_p(x, W, b, in_mask, out_mask)
