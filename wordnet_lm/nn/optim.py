"""Optimizers that update a flat params dict in place: SGD (momentum, Nesterov), RMSprop,
Adam (optionally lazy on row-sparse gradients, AMSGrad) and AdamW.

    opt = Adam(lr=1e-3)
    state = opt.init(params)
    opt.update(params, grads, state)   # params changed in place; opt.lr may change between steps

Gradients are arrays or :class:`~wordnet_lm.autodiff.sparse.RowSparse` (the gradient of an
embedding lookup).  A row-sparse gradient is applied to the used rows only where that is
exact (plain SGD) or where the optimizer is asked to be lazy (``Adam(lazy=True)``); elsewhere
it is scattered into a dense buffer and the dense update (the textbook one) is applied.

The state (:class:`OptimizerState`) is a step count and named buffers: it saves to and loads
from a dict of arrays plus JSON scalars, for checkpoints and exact resumption.  Updates work in
preallocated buffers with ``out=`` arguments: no parameter-sized allocation per step.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.nn.flat_slots import packed
from wordnet_lm.parallel import elementwise

Params = Mapping[str, np.ndarray]
Grads = Mapping[str, "np.ndarray | RowSparse | None"]


def _with_gradients(params: Params, grads: Grads) -> Iterator[tuple[str, np.ndarray, Any]]:
    """``(name, parameter, gradient)`` for every gradient that is not None, checked against
    its parameter (an unknown name or another shape is an error, not a silent skip)."""
    for name, g in grads.items():
        if g is None:
            continue
        p = params.get(name)
        if p is None:
            raise KeyError(f"gradient for unknown parameter {name!r}")
        if tuple(g.shape) != p.shape:
            raise ValueError(f"gradient of {name!r} has shape {tuple(g.shape)}, parameter has {p.shape}")
        yield name, p, g



def _adam_direction(g: np.ndarray, m: np.ndarray, v: np.ndarray, tmp: np.ndarray, v_max: np.ndarray | None,
                    b1: Any, one_minus_b1: Any, b2: Any, one_minus_b2: Any, eps_root: Any) -> None:
    """Adam's moments updated in place (``m``, ``v``, and ``v_max`` for AMSGrad) and its
    direction ``m / (sqrt(v) + eps_root)`` written to ``tmp``; no temporaries.

    With ``eps_root = eps * sqrt(1 - b2^t)`` this is ``m / (sqrt(v) / sqrt(1 - b2^t) + eps)``
    (the textbook bias-corrected denominator) divided by ``sqrt(1 - b2^t)``: the caller folds
    that factor into the step size, one pass over the arrays fewer (:func:`_adam_scales`)."""
    m *= b1
    np.multiply(g, one_minus_b1, out=tmp)
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp *= one_minus_b2
    v *= b2
    v += tmp
    if v_max is not None:
        v = np.maximum(v_max, v, out=v_max)
    np.sqrt(v, out=tmp)
    tmp += eps_root
    np.divide(m, tmp, out=tmp)


def _adam_scales(lr: float, betas: tuple[float, float], eps: float, t: int) -> tuple[float, float]:
    """``(step, eps_root)`` of Adam's step ``t``: ``p -= step * m / (sqrt(v) + eps_root)`` is
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``."""
    b1, b2 = betas
    root_c2 = math.sqrt(1.0 - b2 ** t)
    return lr / (1.0 - b1 ** t) * root_c2, eps * root_c2


class OptimizerState:
    """An optimizer's state: ``step`` (updates done) and ``slots`` (slot name -> param name ->
    array, e.g. Adam's ``"m"`` and ``"v"``)."""

    SEPARATOR = "/"

    def __init__(self, step: int = 0, slots: dict[str, dict[str, np.ndarray]] | None = None) -> None:
        self.step = int(step)
        self.slots = slots if slots is not None else {}

    def to_arrays(self, prefix: str = "opt/") -> dict[str, np.ndarray]:
        """The buffers as one flat dict ``{"<prefix><slot>/<param>": array}``."""
        return {f"{prefix}{slot}{self.SEPARATOR}{name}": arr
                for slot, buffers in self.slots.items() for name, arr in buffers.items()}

    def scalars(self) -> dict[str, Any]:
        """The JSON-able part of the state."""
        return {"step": self.step}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], scalars: Mapping[str, Any],
                    prefix: str = "opt/") -> "OptimizerState":
        """Rebuild a state from :meth:`to_arrays` / :meth:`scalars` (other keys are ignored)."""
        slots: dict[str, dict[str, np.ndarray]] = {}
        for key, arr in arrays.items():
            if key.startswith(prefix):
                slot, _, name = key[len(prefix):].partition(cls.SEPARATOR)
                slots.setdefault(slot, {})[name] = np.array(arr)  # own, writable copy
        return cls(int(scalars["step"]), slots)

    def __repr__(self) -> str:
        return f"OptimizerState(step={self.step}, slots={sorted(self.slots)})"


class Optimizer:
    """Base class: hyper-parameters, weight decay, scratch buffers and the update loop.

    Parameters
    ----------
    lr : float
        Learning rate (an attribute: change it between steps for schedules).
    weight_decay : float, default 0.0
        L2 weight decay: ``weight_decay * p`` is added to the gradient (decoupled in AdamW).
    decay : "matrices", "all" or a list of parameter names, default "matrices"
        Which parameters decay: by default those with ``ndim >= 2`` (weights, embeddings),
        not biases.
    """

    slot_names: tuple[str, ...] = ()

    def __init__(self, lr: float, weight_decay: float = 0.0, decay: str | Sequence[str] = "matrices") -> None:
        if lr < 0 or not math.isfinite(lr):
            raise ValueError(f"learning rate must be a finite number >= 0, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        if isinstance(decay, str) and decay not in ("matrices", "all"):
            raise ValueError(f"decay must be 'matrices', 'all' or a list of parameter names, got {decay!r}")
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.decay = decay if isinstance(decay, str) else list(decay)
        self._scratch: dict[tuple[str, str], np.ndarray] = {}

    # ------------------------------------------------------------------ public
    def init(self, params: Params) -> OptimizerState:
        """A fresh state (zeroed buffers) for ``params``."""
        return OptimizerState(0, {slot: {k: np.zeros_like(p) for k, p in params.items()}
                                  for slot in self.active_slots()})

    def update(self, params: Params, grads: Grads, state: OptimizerState) -> None:
        """One step: update every parameter that has a gradient, in place."""
        state.step += 1
        for name, p, g in _with_gradients(params, grads):
            self._update(name, p, g, state)

    def sync(self, params: Params, state: OptimizerState, rows: Mapping[str, np.ndarray] | None = None) -> None:
        """Apply updates this optimizer deferred (lazy weight decay) to ``rows`` of the named
        parameters (ids, repeats allowed), or to every row of every parameter: call it before
        reading rows a lazy update skipped.  Nothing to do for most optimizers."""

    def config(self) -> dict[str, Any]:
        """JSON-able hyper-parameters; :func:`optimizer_from_config` rebuilds the optimizer."""
        return {"optimizer": type(self).__name__, **self._hyper()}

    def active_slots(self) -> tuple[str, ...]:
        """The state buffers this configuration keeps."""
        return self.slot_names

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._hyper().items())})"

    # ------------------------------------------------------------------ for subclasses
    def _hyper(self) -> dict[str, Any]:
        return {"lr": self.lr, "weight_decay": self.weight_decay, "decay": self.decay}

    def _update(self, name: str, p: np.ndarray, g: Any, state: OptimizerState) -> None:
        raise NotImplementedError

    def decays(self, name: str, p: np.ndarray) -> bool:
        """Whether parameter ``name`` gets weight decay."""
        if not self.weight_decay:
            return False
        if self.decay == "all":
            return True
        if self.decay == "matrices":
            return p.ndim >= 2
        return name in self.decay

    def _buffer(self, name: Any, p: np.ndarray, kind: str = "tmp") -> np.ndarray:
        """A scratch array shaped like ``p``, allocated once per parameter (or group of them) and kind."""
        buf = self._scratch.get((name, kind))
        if buf is None or buf.shape != p.shape or buf.dtype != p.dtype:
            buf = self._scratch[(name, kind)] = np.empty_like(p)
        return buf

    def _dense_grad(self, name: str, p: np.ndarray, g: Any, l2: bool = True) -> np.ndarray:
        """``g`` as a dense array (row-sparse scattered into a buffer), plus the coupled L2
        term ``weight_decay * p`` if ``l2``.  Never modifies the caller's array."""
        if isinstance(g, RowSparse):
            buf = self._buffer(name, p, "grad")
            buf.fill(0)
            g.add_to(buf)
            g = buf
        if l2 and self.decays(name, p):
            buf = self._buffer(name, p, "grad")
            if g is not buf:
                np.multiply(p, self.weight_decay, out=buf)
                buf += g
            else:
                tmp = self._buffer(name, p)
                np.multiply(p, self.weight_decay, out=tmp)
                buf += tmp
            g = buf
        return g

    def _apply_step(self, p: np.ndarray, step: np.ndarray, scale: float, tmp: np.ndarray) -> None:
        """``p -= scale * step`` through ``tmp`` (which may be ``step`` itself)."""
        np.multiply(step, -scale, out=tmp)
        p += tmp


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Plain: ``p -= lr * g``.  Momentum (PyTorch's form of Polyak's heavy ball):
    ``buf = momentum * buf + g; p -= lr * buf``.  Nesterov (Sutskever et al. 2013, as
    rewritten by Bengio et al. 2013 and PyTorch): ``p -= lr * (g + momentum * buf)`` with the
    updated ``buf``.  ``g`` includes ``weight_decay * p`` for decayed parameters.

    Plain SGD applies a row-sparse gradient to the used rows only, exactly equal to the dense
    update (weight decay, if any, still shrinks every row).
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, decay: str | Sequence[str] = "matrices") -> None:
        super().__init__(lr, weight_decay, decay)
        if momentum < 0 or momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        if nesterov and not momentum:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def active_slots(self) -> tuple[str, ...]:
        return ("momentum",) if self.momentum else ()

    def _hyper(self) -> dict[str, Any]:
        return {**super()._hyper(), "momentum": self.momentum, "nesterov": self.nesterov}

    def _update(self, name: str, p: np.ndarray, g: Any, state: OptimizerState) -> None:
        lr, mu = self.lr, self.momentum
        if isinstance(g, RowSparse) and not mu:
            if self.decays(name, p):
                p *= 1.0 - lr * self.weight_decay
            rows = g.coalesce()
            p[rows.indices] -= lr * rows.values
            return
        g = self._dense_grad(name, p, g)
        tmp = self._buffer(name, p)
        if not mu:
            self._apply_step(p, g, lr, tmp)
            return
        buf = state.slots["momentum"][name]
        buf *= mu
        buf += g
        if self.nesterov:
            np.multiply(buf, mu, out=tmp)
            tmp += g
            self._apply_step(p, tmp, lr, tmp)
        else:
            self._apply_step(p, buf, lr, tmp)


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton 2012; PyTorch's defaults and form).

    ``v = alpha v + (1 - alpha) g^2``; ``denom = sqrt(v) + eps`` (centered, Graves 2013:
    ``sqrt(v - gbar^2) + eps`` with ``gbar = alpha gbar + (1 - alpha) g``); then
    ``p -= lr * g / denom``, or with momentum ``buf = momentum buf + g / denom; p -= lr buf``.
    """

    def __init__(self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, momentum: float = 0.0,
                 centered: bool = False, weight_decay: float = 0.0, decay: str | Sequence[str] = "matrices") -> None:
        super().__init__(lr, weight_decay, decay)
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"alpha must be in [0, 1), got {alpha}")
        if eps <= 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        if momentum < 0 or momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.alpha, self.eps, self.momentum, self.centered = float(alpha), float(eps), float(momentum), bool(centered)

    def active_slots(self) -> tuple[str, ...]:
        return ("square_avg",) + (("grad_avg",) if self.centered else ()) + (("momentum",) if self.momentum else ())

    def _hyper(self) -> dict[str, Any]:
        return {**super()._hyper(), "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum,
                "centered": self.centered}

    def _update(self, name: str, p: np.ndarray, g: Any, state: OptimizerState) -> None:
        a = self.alpha
        g = self._dense_grad(name, p, g)
        tmp = self._buffer(name, p)
        sq = state.slots["square_avg"][name]
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - a
        sq *= a
        sq += tmp
        if self.centered:
            gbar = state.slots["grad_avg"][name]
            np.multiply(g, 1.0 - a, out=tmp)
            gbar *= a
            gbar += tmp
            np.multiply(gbar, gbar, out=tmp)
            np.subtract(sq, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(sq, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            buf = state.slots["momentum"][name]
            buf *= self.momentum
            buf += tmp
            self._apply_step(p, buf, self.lr, tmp)
        else:
            self._apply_step(p, tmp, self.lr, tmp)


# Adam updates parameters smaller than this together (fewer, longer passes); larger ones (a big
# output layer) alone, in cache-sized blocks: copying their gradients into the group's buffer costs more
GROUP_BELOW = 1 << 17


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), bias-corrected, in PyTorch's form.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``; ``g`` includes
    ``weight_decay * p`` for decayed parameters (coupled L2; see :class:`AdamW` for decoupled).
    ``amsgrad`` uses the running maximum of ``v`` (Reddi et al. 2018).

    ``lazy=True`` applies a row-sparse gradient (an embedding's) to the used rows only: their
    moments are updated and they move; the other rows and their moments stay as they are
    (PyTorch's ``SparseAdam``, TensorFlow's ``LazyAdam``).  That is cheaper, and *not* the same
    as Adam, whose moments of unused rows decay and keep moving them; dense gradients get
    ordinary Adam either way.  With ``lazy=False`` (the default) a row-sparse gradient gets the
    exact dense Adam update.

    Decoupled weight decay (:class:`AdamW`) stays exact under ``lazy=True``: every step adds
    ``log(1 - lr * weight_decay)`` to a running total, each row remembers the total it was last
    decayed to (slots ``"decay_total"`` and ``"decay_clock"``), and a row catches up,
    ``p_row *= exp(total - clock_row)``, when it is next updated or :meth:`sync`-ed.  A caller
    that reads rows between updates (a forward pass) syncs them first; then every row read has
    exactly the dense AdamW decay (the products of ``1 - lr_t * weight_decay`` over all steps,
    whatever the learning-rate schedule).  Only the moments are lazy.
    """

    slot_names = ("m", "v")

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, lazy: bool = False,
                 decay: str | Sequence[str] = "matrices") -> None:
        super().__init__(lr, weight_decay, decay)
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"betas must be in [0, 1), got {tuple(betas)}")
        if eps <= 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.betas, self.eps = (float(b1), float(b2)), float(eps)
        self.amsgrad, self.lazy = bool(amsgrad), bool(lazy)

    decoupled = False  # AdamW: decay the weights directly, not through the gradient

    def active_slots(self) -> tuple[str, ...]:
        return self.slot_names + (("v_max",) if self.amsgrad else ())

    def _hyper(self) -> dict[str, Any]:
        return {**super()._hyper(), "betas": list(self.betas), "eps": self.eps, "amsgrad": self.amsgrad,
                "lazy": self.lazy}

    def update(self, params: Params, grads: Grads, state: OptimizerState) -> None:
        """One step.  The parameters that get the dense update and share one dtype are
        updated together on flat slot buffers (:mod:`wordnet_lm.nn.flat_slots`: a few long
        passes instead of a dozen short ones per parameter; the same numbers); lazy
        row-sparse ones and any others one by one."""
        state.step += 1
        group: list[tuple[str, np.ndarray, Any]] = []
        for name, p, g in _with_gradients(params, grads):
            lazy = isinstance(g, RowSparse) and self.lazy
            if not lazy and p.size < GROUP_BELOW and p.dtype == g.dtype and p.dtype.kind == "f" \
                    and p.flags.c_contiguous and (not group or p.dtype == group[0][1].dtype):
                group.append((name, p, g))
            else:
                self._update(name, p, g, state)
        if group:
            self._group_update(group, state)

    def _group_update(self, group: list[tuple[str, np.ndarray, Any]], state: OptimizerState) -> None:
        """The dense update of several parameters at once: the gradients (with the coupled L2
        term) are gathered into one flat buffer, the moments live in flat slot buffers, the
        step is computed in cache-sized blocks of those, then each parameter decays and moves."""
        b1, b2 = self.betas
        step_size, eps_root = _adam_scales(self.lr, self.betas, self.eps, state.step)
        names = tuple(name for name, _, _ in group)
        packing = packed(state, names, [p for _, p, _ in group], self.active_slots())
        flat_g = self._buffer(names, packing.flats["m"], "grad")
        flat_tmp = self._buffer(names, packing.flats["m"])
        for (name, p, g), (a, b) in zip(group, packing.ranges):
            g_view = flat_g[a:b].reshape(p.shape)
            if isinstance(g, RowSparse):
                g_view.fill(0)
                g.add_to(g_view)
            else:
                np.copyto(g_view, g)
            if not self.decoupled and self.decays(name, p):
                tmp = flat_tmp[a:b].reshape(p.shape)
                np.multiply(p, self.weight_decay, out=tmp)
                g_view += tmp
        # the constants as scalars of the arrays' dtype: the values NumPy would convert the Python
        # floats to, without its buffered casting of a Python float at every call
        f = flat_tmp.dtype.type
        c_b1, c_1b1, c_b2, c_1b2 = f(b1), f(1.0 - b1), f(b2), f(1.0 - b2)
        c_eps, c_step = f(eps_root), f(-step_size)

        def direction(g: np.ndarray, m: np.ndarray, v: np.ndarray, tmp: np.ndarray, v_max: np.ndarray | None) -> None:
            _adam_direction(g, m, v, tmp, v_max, c_b1, c_1b1, c_b2, c_1b2, c_eps)
            tmp *= c_step

        flats = packing.flats
        elementwise(direction, flat_g, flats["m"], flats["v"], flat_tmp, flats.get("v_max"))
        shrink = f(1.0 - self.lr * self.weight_decay)
        for (name, p, _), (a, b) in zip(group, packing.ranges):
            if self.decoupled and self.decays(name, p):
                p *= shrink
            p += flat_tmp[a:b].reshape(p.shape)

    def _update(self, name: str, p: np.ndarray, g: Any, state: OptimizerState) -> None:
        b1, b2 = self.betas
        step_size, eps_root = _adam_scales(self.lr, self.betas, self.eps, state.step)
        decays = self.decays(name, p)
        if isinstance(g, RowSparse) and self.lazy:
            self._lazy_update(name, p, g.coalesce(), state, step_size, eps_root, decays)
            return
        g = self._dense_grad(name, p, g, l2=not self.decoupled)
        shrink = 1.0 - self.lr * self.weight_decay if self.decoupled and decays else None
        slots = state.slots

        def adam(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, tmp: np.ndarray,
                 v_max: np.ndarray | None) -> None:
            if shrink is not None:
                p *= shrink
            _adam_direction(g, m, v, tmp, v_max, b1, 1.0 - b1, b2, 1.0 - b2, eps_root)
            self._apply_step(p, tmp, step_size, tmp)

        elementwise(adam, p, g, slots["m"][name], slots["v"][name], self._buffer(name, p),
                    slots["v_max"][name] if self.amsgrad else None)

    def _lazy_update(self, name: str, p: np.ndarray, g: RowSparse, state: OptimizerState,
                     step_size: float, eps_root: float, decays: bool) -> None:
        """The Adam update on the rows of ``g`` (coalesced: unique rows) only."""
        b1, b2 = self.betas
        rows, grad = g.indices, g.values.astype(p.dtype, copy=False)
        if decays and not self.decoupled:
            grad = grad + self.weight_decay * p[rows]
        row_values = p.take(rows, axis=0)
        if decays and self.decoupled:
            shrink = 1.0 - self.lr * self.weight_decay
            if shrink <= 0:
                raise ValueError(f"lr * weight_decay must be < 1 for a lazy AdamW, got {self.lr * self.weight_decay}")
            total, clock = self._decay_clock(name, p, state)
            total[0] += math.log1p(-self.lr * self.weight_decay)
            row_values *= self._decay_factors(p, rows, total, clock)
        f = p.dtype.type  # constants as scalars of the dtype: what NumPy converts Python floats to, unbuffered
        m = state.slots["m"][name].take(rows, axis=0)
        m *= f(b1)
        tmp = np.multiply(grad, f(1.0 - b1))
        m += tmp
        v = state.slots["v"][name].take(rows, axis=0)
        v *= f(b2)
        np.multiply(grad, grad, out=tmp)
        tmp *= f(1.0 - b2)
        v += tmp
        state.slots["m"][name][rows] = m
        state.slots["v"][name][rows] = v
        if self.amsgrad:
            v = np.maximum(state.slots["v_max"][name][rows], v)
            state.slots["v_max"][name][rows] = v
        denom = np.sqrt(v)
        denom += f(eps_root)
        np.divide(m, denom, out=denom)
        denom *= f(-step_size)
        row_values += denom
        p[rows] = row_values

    def _decay_clock(self, name: str, p: np.ndarray, state: OptimizerState) -> tuple[np.ndarray, np.ndarray]:
        """``(total, clock)`` of a lazily decayed parameter: the running sum of the steps'
        ``log(1 - lr * weight_decay)`` (shape (1,)) and, per row, the total it was decayed to
        (float64; created at the first lazy update, so older states load unchanged)."""
        totals = state.slots.setdefault("decay_total", {})
        clocks = state.slots.setdefault("decay_clock", {})
        if name not in clocks:
            totals[name], clocks[name] = np.zeros(1), np.zeros(len(p))
        return totals[name], clocks[name]

    @staticmethod
    def _decay_factors(p: np.ndarray, rows: np.ndarray | None, total: np.ndarray, clock: np.ndarray) -> np.ndarray:
        """The factors that decay ``rows`` of ``p`` (all with None) from their clock to
        ``total``, shaped to multiply them; the clocks are moved to ``total``."""
        lag = total[0] - (clock if rows is None else clock[rows])
        if rows is None:
            clock[:] = total[0]
        else:
            clock[rows] = total[0]
        return np.exp(lag).astype(p.dtype).reshape((-1,) + (1,) * (p.ndim - 1))

    def sync(self, params: Params, state: OptimizerState, rows: Mapping[str, np.ndarray] | None = None) -> None:
        clocks = state.slots.get("decay_clock", {})
        for name, clock in clocks.items():
            if rows is not None and name not in rows:
                continue
            p = params[name]
            if rows is None:
                p *= self._decay_factors(p, None, state.slots["decay_total"][name], clock)
            else:
                ids = np.asarray(rows[name]).reshape(-1)  # repeats are harmless: each gets the same factor
                total = state.slots["decay_total"][name]
                ids = ids[clock[ids] != total[0]]  # the rows of the last update are up to date
                if len(ids):
                    p[ids] *= self._decay_factors(p, ids, total, clock)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019, PyTorch's form): decayed
    parameters first shrink, ``p *= 1 - lr * weight_decay``, then take the Adam step on the
    plain gradient.  Default ``weight_decay=0.01`` as in PyTorch."""

    decoupled = True

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False, lazy: bool = False,
                 decay: str | Sequence[str] = "matrices") -> None:
        super().__init__(lr, betas, eps, weight_decay, amsgrad, lazy, decay)


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.__name__: cls for cls in (SGD, RMSprop, Adam, AdamW)}


def optimizer_from_config(config: Mapping[str, Any]) -> Optimizer:
    """Rebuild an optimizer from :meth:`Optimizer.config`."""
    config = dict(config)
    name = config.pop("optimizer", None)
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    if "betas" in config:
        config["betas"] = tuple(config["betas"])
    return OPTIMIZERS[name](**config)


def global_norm(grads: Grads) -> float:
    """The L2 norm of all gradients together (row-sparse ones counted as their dense form)."""
    total = 0.0
    for g in grads.values():
        if g is None:
            continue
        values = g.coalesce().values if isinstance(g, RowSparse) else g
        total += float(np.vdot(values, values).real)
    return math.sqrt(total)


def clip_grad_norm(grads: dict[str, Any], max_norm: float) -> float:
    """Scale all gradients in place so that their global norm is at most ``max_norm``.

    Row-sparse gradients are replaced by scaled, coalesced copies.  Returns the norm before
    clipping.
    """
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for name, g in grads.items():
            if isinstance(g, RowSparse):
                c = g.coalesce()
                grads[name] = RowSparse(c.indices, c.values * scale, c.shape)
            elif g is not None:
                g *= scale
    return norm
