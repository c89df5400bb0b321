"""The VJP/JVP registries and the two modes of differentiation.

Reverse mode records, per primitive call, ``(primitive, args, kwargs, ans, parents)`` on the
trace's tape.  Tape order is creation order, which is a topological order of the graph, so the
backward pass walks the tape from the output down and sums the cotangents reaching each node.

Forward mode pushes a tangent through each primitive call as it runs.
"""

from __future__ import annotations

from typing import Any, Callable

from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.autodiff.tracer import Box, Trace

# ---------------------------------------------------------------------------- registries


def defvjp(prim: Callable, *vjps: Callable | None, argnums: tuple[int, ...] | None = None) -> None:
    """Register the vector-Jacobian products of ``prim``, one per argument.

    Each rule is called as ``rule(g, ans, *args, **kwargs)`` and returns the cotangent of that
    argument (already summed over broadcast axes).  ``None`` marks an argument with no gradient.
    """
    for argnum, rule in zip(argnums or range(len(vjps)), vjps):
        if rule is not None:
            prim.vjps[argnum] = rule


def defjvp(prim: Callable, *jvps: Callable | None, argnums: tuple[int, ...] | None = None) -> None:
    """Register the Jacobian-vector products of ``prim``, one per argument.

    Each rule is called as ``rule(tangent, ans, *args, **kwargs)`` and returns that argument's
    contribution to the output tangent.
    """
    for argnum, rule in zip(argnums or range(len(jvps)), jvps):
        if rule is not None:
            prim.jvps[argnum] = rule


def def_linear(prim: Callable, *argnums: int) -> None:
    """Forward rule for a primitive linear in the given arguments: ``jvp(t) = prim(..t..)``."""
    for argnum in argnums or (0,):
        def rule(t: Any, ans: Any, *args: Any, _i: int = argnum, **kwargs: Any) -> Any:
            return prim(*args[:_i], t, *args[_i + 1:], **kwargs)
        prim.jvps[argnum] = rule


class DifferentiationError(TypeError):
    """A primitive was differentiated where it has no rule."""


def _missing(prim: Callable, argnum: int, kind: str) -> DifferentiationError:
    return DifferentiationError(
        f"no {kind} rule registered for primitive '{prim.__name__}' with respect to argument {argnum}"
    )


# ---------------------------------------------------------------------------- gradients
# Cotangents are usually arrays; a VJP may also return an object with ``add_to`` / ``__add__``
# (the row-sparse gradient of an embedding lookup), which ``accumulate`` respects.


def accumulate(old: Any, new: Any) -> Any:
    """Sum two cotangents of the same node (never in place: VJPs may return aliases)."""
    if old is None:
        return new
    return old + new


# ---------------------------------------------------------------------------- reverse mode


class ReverseTrace(Trace):
    """Records primitive calls on a tape for one reverse-mode differentiation."""

    __slots__ = ("tape",)

    def __init__(self) -> None:
        super().__init__()
        self.tape: list[tuple] = []

    def new_input(self, value: Any) -> Box:
        self.tape.append((None, (), None, value, ()))
        return Box(value, self, len(self.tape) - 1)

    def process(self, prim: Callable, ans: Any, args: tuple, raw: tuple, kwargs: dict,
                residual: Any = None) -> Box:
        parents = tuple((i, a.node) for i, a in enumerate(args) if type(a) is Box and a.trace is self)
        self.tape.append((prim, raw, kwargs, ans if residual is None else residual, parents))
        return Box(ans, self, len(self.tape) - 1)


def backward(trace: ReverseTrace, output: int, cotangent: Any, inputs: list[int]) -> list[Any]:
    """Propagate ``cotangent`` from tape node ``output`` back to the ``inputs`` nodes.

    Returns one cotangent per input (``None`` where the output does not depend on it).
    """
    tape = trace.tape
    grads: list[Any] = [None] * (output + 1)
    grads[output] = cotangent
    for k in range(output, -1, -1):
        g = grads[k]
        if g is None:
            continue
        prim, raw, kwargs, ans, parents = tape[k]
        if not parents:
            continue
        grads[k] = None  # free memory as we go; inputs have no parents and keep theirs
        if type(g) is RowSparse:  # sparse only on the way to an input
            g = g.to_dense()
        vjps = prim.vjps
        for argnum, p in parents:
            try:
                rule = vjps[argnum]
            except KeyError:
                raise _missing(prim, argnum, "VJP") from None
            grads[p] = accumulate(grads[p], rule(g, ans, *raw, **kwargs))
    return [grads[i] if i <= output else None for i in inputs]


# ---------------------------------------------------------------------------- forward mode


class ForwardTrace(Trace):
    """Pushes tangents through primitive calls as they run (one JVP)."""

    __slots__ = ()

    def new_input(self, value: Any, tangent: Any) -> Box:
        return Box(value, self, tangent)

    def process(self, prim: Callable, ans: Any, args: tuple, raw: tuple, kwargs: dict,
                residual: Any = None) -> Box:
        tangent = None
        jvps = prim.jvps
        for i, a in enumerate(args):
            if type(a) is Box and a.trace is self:
                rule = jvps.get(i)
                if rule is None:
                    raise _missing(prim, i, "JVP")
                tangent = accumulate(tangent, rule(a.node, ans if residual is None else residual, *raw, **kwargs))
        return Box(ans, self, tangent)
