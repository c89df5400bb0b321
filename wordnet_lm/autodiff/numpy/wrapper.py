"""The wrapped primitives of the NumPy-like namespace ``wordnet_lm.autodiff.numpy`` (``anp``).

Only the wrapping and the operators of traced arrays: the derivative rules live in
:mod:`.vjps` and :mod:`.jvps`, registered when the package is imported.

Differentiable functions are primitives (their derivatives live in :mod:`vjps` and
:mod:`jvps`); the helpers at the end carry no gradient (shapes, argmax, constructors).
Importing this module registers the derivative rules and gives :class:`Box` its operators and
NumPy-like methods, so traced code reads like NumPy.
"""

from __future__ import annotations

import builtins

import numpy as _np
import scipy.special as _special

from wordnet_lm.autodiff.tracer import Box, DifferentiationError, getvalue, nondifferentiable, primitive

# ---------------------------------------------------------------------------- arithmetic
add = primitive(_np.add)
subtract = primitive(_np.subtract)
multiply = primitive(_np.multiply)
divide = true_divide = primitive(_np.true_divide, "divide")
negative = primitive(_np.negative)
power = primitive(_np.power)
square = primitive(_np.square)
absolute = abs = primitive(_np.absolute, "absolute")  # noqa: A001  (NumPy's name)
maximum = primitive(_np.maximum)
minimum = primitive(_np.minimum)

# ---------------------------------------------------------------------------- elementwise functions
exp = primitive(_np.exp)
expm1 = primitive(_np.expm1)
log = primitive(_np.log)
log1p = primitive(_np.log1p)
sqrt = primitive(_np.sqrt)
sin = primitive(_np.sin)
cos = primitive(_np.cos)
tanh = primitive(_np.tanh)
sigmoid = primitive(_special.expit, "sigmoid")
erf = primitive(_special.erf, "erf")


@primitive
def relu(x):
    """``max(x, 0)``."""
    return _np.maximum(x, 0)


@primitive
def softplus(x):
    """``log(1 + exp(x))``, stable for large ``|x|``."""
    return _np.logaddexp(x, 0)


@primitive
def leaky_relu(x, negative_slope=0.01):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return _np.where(x > 0, x, x * negative_slope)


@primitive
def elu(x, alpha=1.0):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return _np.where(x > 0, x, alpha * _np.expm1(_np.minimum(x, 0)))


_SQRT_HALF = 0.7071067811865476


@primitive
def gelu(x):
    """Gaussian error linear unit ``x * Phi(x)`` (the exact form, with ``erf``)."""
    return 0.5 * x * (1.0 + _special.erf(x * _SQRT_HALF))


_where = primitive(_np.where, "where")


def where(condition, x, y):
    """``x`` where ``condition`` holds, else ``y`` (differentiable in ``x`` and ``y``)."""
    return _where(getvalue(condition), x, y)


@primitive
def clip(x, a_min=None, a_max=None):
    """``x`` limited to ``[a_min, a_max]`` (either may be ``None``)."""
    return _np.clip(x, a_min, a_max)


@primitive
def astype(x, dtype):
    """``x`` converted to ``dtype`` (differentiable: the cotangent converts back)."""
    return _np.asarray(x).astype(dtype, copy=False)


# ---------------------------------------------------------------------------- reductions


@primitive
def sum(x, axis=None, keepdims=False):  # noqa: A001  (NumPy's name)
    """Sum over ``axis`` (all axes by default)."""
    return _np.sum(x, axis=axis, keepdims=keepdims)


@primitive
def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes by default)."""
    return _np.mean(x, axis=axis, keepdims=keepdims)


@primitive
def max(x, axis=None, keepdims=False):  # noqa: A001
    """Maximum over ``axis``; ties share the gradient equally."""
    return _np.max(x, axis=axis, keepdims=keepdims)


@primitive
def min(x, axis=None, keepdims=False):  # noqa: A001
    """Minimum over ``axis``; ties share the gradient equally."""
    return _np.min(x, axis=axis, keepdims=keepdims)


amax, amin = max, min


def _finite_max(x, axis):
    m = _np.max(x, axis=axis, keepdims=True)
    return _np.where(_np.isfinite(m), m, 0) if m.size else m


@primitive
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, stable for large values."""
    m = _finite_max(x, axis)
    out = _np.log(_np.sum(_np.exp(x - m), axis=axis, keepdims=True))
    out += m
    return out if keepdims else _np.squeeze(out, axis=axis)


@primitive
def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``, stable for large values."""
    e = _np.exp(x - _finite_max(x, axis))
    e /= _np.sum(e, axis=axis, keepdims=True)
    return e


@primitive
def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``."""
    shifted = x - _finite_max(x, axis)
    shifted -= _np.log(_np.sum(_np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def var(x, axis=None, keepdims=False, ddof=0):
    """Variance over ``axis`` (a composite of primitives: differentiable to any order)."""
    centered = x - mean(x, axis=axis, keepdims=True)
    n = _np.size(getvalue(x)) if axis is None else _np.prod(
        [_np.shape(getvalue(x))[a] for a in _np.atleast_1d(axis)], dtype=int)
    return sum(centered * centered, axis=axis, keepdims=keepdims) / builtins.max(int(n) - ddof, 1)


def std(x, axis=None, keepdims=False, ddof=0):
    """Standard deviation over ``axis`` (composite)."""
    return sqrt(var(x, axis=axis, keepdims=keepdims, ddof=ddof))


# ---------------------------------------------------------------------------- linear algebra
matmul = primitive(_np.matmul)
dot = primitive(_np.dot)


def outer(a, b):
    """Outer product of two vectors (composite)."""
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


# ---------------------------------------------------------------------------- shapes
reshape = primitive(_np.reshape)
transpose = primitive(_np.transpose)
swapaxes = primitive(_np.swapaxes)
moveaxis = primitive(_np.moveaxis)
expand_dims = primitive(_np.expand_dims)
squeeze = primitive(_np.squeeze)
broadcast_to = primitive(_np.broadcast_to)


def ravel(x):
    """``x`` flattened (a view where NumPy can)."""
    return reshape(x, (-1,))


@primitive
def _concatenate(axis, *arrays):
    return _np.concatenate(arrays, axis=axis)


@primitive
def _stack(axis, *arrays):
    return _np.stack(arrays, axis=axis)


def concatenate(arrays, axis=0):
    """Join arrays along an existing ``axis`` (differentiable in each array)."""
    return _concatenate(axis, *arrays)


def stack(arrays, axis=0):
    """Join arrays along a new ``axis`` (differentiable in each array)."""
    return _stack(axis, *arrays)


def array(obj, dtype=None):
    """``np.array``, except that a (nested) list of boxes becomes a differentiable ``stack``."""
    if type(obj) is Box:
        return obj if dtype is None else astype(obj, dtype)
    if isinstance(obj, (list, tuple)) and _contains_box(obj):
        out = stack([array(o) for o in obj])
        return out if dtype is None else astype(out, dtype)
    return _np.array(obj, dtype=dtype)


def asarray(obj, dtype=None):
    """``np.asarray``, except that boxes (and lists of them) stay differentiable."""
    if type(obj) is Box or (isinstance(obj, (list, tuple)) and _contains_box(obj)):
        return array(obj, dtype)
    return _np.asarray(obj, dtype=dtype)


def _contains_box(obj) -> bool:
    return builtins.any(type(o) is Box or (isinstance(o, (list, tuple)) and _contains_box(o)) for o in obj)


# ---------------------------------------------------------------------------- indexing
getitem = primitive(lambda x, index: x[index], "getitem")
take = primitive(_np.take)


@primitive
def scatter_add(values, index, shape):
    """The array of ``shape`` that is zero except ``out[index] += values`` (repeats accumulate).

    The adjoint of ``x[index]``; its own derivative is ``getitem``.
    """
    out = _np.zeros(shape, dtype=_np.result_type(values))
    if _is_basic_index(index):
        out[index] = values
    else:
        _np.add.at(out, index, values)
    return out


def _is_basic_index(index) -> bool:
    """True when ``x[index]`` selects each element at most once (no integer arrays)."""
    parts = index if type(index) is tuple else (index,)
    return builtins.all(
        isinstance(p, (int, _np.integer, slice)) or p is None or p is Ellipsis
        or (isinstance(p, _np.ndarray) and p.dtype == bool)
        for p in parts
    )


# ---------------------------------------------------------------------------- no gradient
# (their results are constants: a gradient never flows through them)
shape = nondifferentiable(_np.shape)
ndim = nondifferentiable(_np.ndim)
size = nondifferentiable(_np.size)
result_type = nondifferentiable(_np.result_type)
argmax = nondifferentiable(_np.argmax)
argmin = nondifferentiable(_np.argmin)
argsort = nondifferentiable(_np.argsort)
argpartition = nondifferentiable(_np.argpartition)
sign = nondifferentiable(_np.sign)
floor = nondifferentiable(_np.floor)
ceil = nondifferentiable(_np.ceil)
round = nondifferentiable(_np.round)  # noqa: A001
isfinite = nondifferentiable(_np.isfinite)
isnan = nondifferentiable(_np.isnan)
isinf = nondifferentiable(_np.isinf)
equal = nondifferentiable(_np.equal)
not_equal = nondifferentiable(_np.not_equal)
less = nondifferentiable(_np.less)
less_equal = nondifferentiable(_np.less_equal)
greater = nondifferentiable(_np.greater)
greater_equal = nondifferentiable(_np.greater_equal)
logical_and = nondifferentiable(_np.logical_and)
logical_or = nondifferentiable(_np.logical_or)
logical_not = nondifferentiable(_np.logical_not)
all = nondifferentiable(_np.all)  # noqa: A001
any = nondifferentiable(_np.any)  # noqa: A001
allclose = nondifferentiable(_np.allclose)
isclose = nondifferentiable(_np.isclose)
nonzero = nondifferentiable(_np.nonzero)
flatnonzero = nondifferentiable(_np.flatnonzero)
count_nonzero = nondifferentiable(_np.count_nonzero)
unique = nondifferentiable(_np.unique)
bincount = nondifferentiable(_np.bincount)
searchsorted = nondifferentiable(_np.searchsorted)
zeros_like = nondifferentiable(_np.zeros_like)
ones_like = nondifferentiable(_np.ones_like)
empty_like = nondifferentiable(_np.empty_like)
full_like = nondifferentiable(_np.full_like)
zeros, ones, empty, full, eye, identity, arange, linspace = (
    _np.zeros, _np.ones, _np.empty, _np.full, _np.eye, _np.identity, _np.arange, _np.linspace)
issubdtype, iinfo, finfo, dtype, random = _np.issubdtype, _np.iinfo, _np.finfo, _np.dtype, _np.random
float16, float32, float64, int8, int16, int32, int64, uint8, bool_ = (
    _np.float16, _np.float32, _np.float64, _np.int8, _np.int16, _np.int32, _np.int64, _np.uint8, _np.bool_)
integer, floating, ndarray = _np.integer, _np.floating, _np.ndarray
newaxis, pi, e, inf, nan = _np.newaxis, _np.pi, _np.e, _np.inf, _np.nan


# ---------------------------------------------------------------------------- Box operators
def _install_box_methods() -> None:
    def binary(op):
        return lambda self, other: op(self, other)

    def reflected(op):
        return lambda self, other: op(other, self)

    for name, op in [("add", add), ("sub", subtract), ("mul", multiply), ("truediv", divide),
                     ("pow", power), ("matmul", matmul)]:
        setattr(Box, f"__{name}__", binary(op))
        setattr(Box, f"__r{name}__", reflected(op))
    for name, op in [("lt", less), ("le", less_equal), ("gt", greater), ("ge", greater_equal),
                     ("eq", equal), ("ne", not_equal)]:
        setattr(Box, f"__{name}__", binary(op))

    def setitem(self, index, value):
        raise TypeError("assignment into a traced array is not differentiable: build the array "
                        "with anp.where, anp.concatenate or anp.scatter_add instead")

    def reshape_method(self, *shape, order="C"):
        return reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose_method(self, *axes):
        return transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    methods = dict(
        __neg__=negative, __pos__=lambda self: self, __abs__=absolute,
        __getitem__=getitem, __setitem__=setitem,
        T=property(transpose), reshape=reshape_method, transpose=transpose_method,
        ravel=ravel, flatten=ravel, squeeze=squeeze, swapaxes=swapaxes, astype=astype,
        dot=dot, clip=clip, take=take, var=var, std=std,
        sum=_reduction_method(sum, True), mean=_reduction_method(mean, True),
        max=_reduction_method(max, False), min=_reduction_method(min, False),
        argmax=argmax, argmin=argmin, all=all, any=any,
    )
    for name, method in methods.items():
        setattr(Box, name, method)
    Box.__hash__ = lambda self: id(self)  # defining __eq__ would otherwise unset it
    Box.__array_ufunc__ = _box_array_ufunc


# NumPy ufuncs called on boxes (``np.exp(x)``, ``ndarray * x``) run as the matching primitive.
_UFUNC_PRIMITIVES = {
    _np.add: add, _np.subtract: subtract, _np.multiply: multiply, _np.true_divide: divide,
    _np.negative: negative, _np.power: power, _np.square: square, _np.absolute: absolute,
    _np.maximum: maximum, _np.minimum: minimum, _np.exp: exp, _np.expm1: expm1, _np.log: log,
    _np.log1p: log1p, _np.sqrt: sqrt, _np.sin: sin, _np.cos: cos, _np.tanh: tanh, _np.matmul: matmul,
    _special.expit: sigmoid, _special.erf: erf, _np.positive: lambda x: x,
    _np.less: less, _np.less_equal: less_equal, _np.greater: greater, _np.greater_equal: greater_equal,
    _np.equal: equal, _np.not_equal: not_equal, _np.sign: sign, _np.isfinite: isfinite, _np.isnan: isnan,
}


def _box_array_ufunc(self, ufunc, method, *inputs, **kwargs):
    prim = _UFUNC_PRIMITIVES.get(ufunc) if method == "__call__" and not kwargs else None
    if prim is None:
        call = ufunc.__name__ + ("" if method == "__call__" else "." + method)
        raise DifferentiationError(f"numpy.{call} cannot differentiate a traced value: use "
                                   "the functions of wordnet_lm.autodiff.numpy (anp)")
    return prim(*inputs)


def _reduction_method(reduction, with_dtype: bool):
    """``Box.sum``-style method with NumPy's signature (so ``np.sum(box)`` works too)."""
    def method(self, axis=None, *args, keepdims=False, **kwargs):
        names = ("dtype", "out") if with_dtype else ("out",)
        options = dict(zip(names, args), **kwargs)
        if options.get("out") is not None:
            raise DifferentiationError("out= cannot be used on a traced value")
        out = reduction(self, axis=axis, keepdims=keepdims)
        return out if options.get("dtype") is None else astype(out, options["dtype"])
    return method


_install_box_methods()
