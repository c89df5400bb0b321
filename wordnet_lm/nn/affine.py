"""``x @ W + b`` in one BLAS call: the output starts as the bias and GEMM adds the product to it
(``beta = 1``), so BLAS neither zeroes the output first nor is a second pass needed for the
bias.  The layers' forward passes (the hidden layer, the adaptive softmax's head and
clusters) spend a sizeable share of a training step writing and re-reading their outputs.

BLAS sums a product over the inner dimension ``K`` in one register pass when ``K`` is at
most its blocking depth (320 for OpenBLAS's single-precision kernels on x86-64), and then
adds that sum to the output once: the result is bit for bit ``np.matmul(x, W) + b``, which
the tests check.  Larger ``K`` (BLAS would add partial sums to the bias, rounding otherwise),
other dtypes than float32, shapes NumPy hands to other BLAS routines (a single row or
column) and strided arrays take ``np.matmul`` and an add.  So do calls outside a one-thread
limit (:func:`wordnet_lm.parallel.thread_limit`, set with BLAS's by the training loop's
``--threads 1``): the BLAS behind SciPy and the one behind NumPy split a product over their
threads differently, and how the columns are split changes the rounding of a few of them.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from wordnet_lm.parallel import single_threaded

MAX_DEPTH = 256  # the inner dimension up to which one GEMM pass computes each output (see above)


@functools.cache
def _sgemm() -> Any:
    try:
        from scipy.linalg.blas import sgemm
    except ImportError:  # pragma: no cover (scipy is a dependency)
        return None
    return sgemm


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``x @ W + b`` (x: (M, K), W: (K, N), b: (N,)) written into ``out`` (M, N) if given."""
    (m, k), n = x.shape, W.shape[1]
    if out is None:
        out = np.empty((m, n), np.result_type(x, W, b))
    gemm = _sgemm() if out.dtype == np.float32 and single_threaded() else None
    if (gemm is None or m < 2 or n < 2 or k > MAX_DEPTH or x.dtype != out.dtype or W.dtype != out.dtype
            or not (x.flags.c_contiguous and W.flags.c_contiguous and out.flags.c_contiguous)):
        np.matmul(x, W, out=out)
        out += b
        return out
    out[...] = b
    result = gemm(1.0, W.T, x.T, beta=1.0, c=out.T, overwrite_c=True)  # column-major: out^T = W^T x^T + out^T
    if result.ctypes.data != out.ctypes.data:  # pragma: no cover (the wrapper copied instead of writing in place)
        out[...] = result.T
    return out
