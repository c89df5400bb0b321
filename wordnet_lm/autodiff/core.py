"""The VJP/JVP registries and the two modes of differentiation.

Reverse mode records, per primitive call, ``(primitive, args, kwargs, saved, parents)`` on the
trace's tape.  Tape order is creation order, which is a topological order of the graph, so the
backward pass walks the tape from the output down and sums the cotangents reaching each node.

Forward mode pushes a tangent through each primitive call as it runs.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.autodiff.tracer import Box, DifferentiationError, Trace

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
    contribution to the output tangent (of the output's shape).
    """
    for argnum, rule in zip(argnums or range(len(jvps)), jvps):
        if rule is not None:
            prim.jvps[argnum] = rule


class _EveryArgnum(dict):
    """A rule table answering for any argument number with ``rule(argnum, ...)``."""

    def __init__(self, rule: Callable) -> None:
        super().__init__()
        self.rule = rule

    def __missing__(self, argnum: int) -> Callable:
        bound = self[argnum] = functools.partial(self.rule, argnum)
        return bound


def defvjp_argnum(prim: Callable, rule: Callable) -> None:
    """Register one VJP for every argument of a variadic ``prim``: ``rule(argnum, g, ans, *args, **kwargs)``."""
    prim.vjps = _EveryArgnum(rule)


def defjvp_argnum(prim: Callable, rule: Callable) -> None:
    """Register one JVP for every argument of a variadic ``prim``: ``rule(argnum, t, ans, *args, **kwargs)``."""
    prim.jvps = _EveryArgnum(rule)


def def_linear(prim: Callable, *argnums: int) -> None:
    """Forward rules of a primitive linear in each given argument: ``jvp(t) = prim(.., t, ..)``."""
    for argnum in argnums or (0,):
        def rule(t: Any, ans: Any, *args: Any, _i: int = argnum, **kwargs: Any) -> Any:
            return prim(*args[:_i], t, *args[_i + 1:], **kwargs)
        prim.jvps[argnum] = rule


def _missing(prim: Callable, argnum: int, kind: str) -> DifferentiationError:
    return DifferentiationError(
        f"no {kind} rule registered for primitive '{prim.__name__}' with respect to argument {argnum}"
    )


# ---------------------------------------------------------------------------- reverse mode

_INPUT = (None, (), None, None, ())  # the tape record of an input: no parents


class ReverseTrace(Trace):
    """Records primitive calls on a tape for one reverse-mode differentiation."""

    __slots__ = ("tape",)

    def __init__(self) -> None:
        super().__init__()
        self.tape: list[tuple] = []

    def new_input(self, value: Any) -> Box:
        self.tape.append(_INPUT)
        return Box(value, self, len(self.tape) - 1)

    def process(self, prim: Callable, ans: Any, saved: Any, raw: list, kwargs: dict,
                parents: list) -> Box:
        tape = self.tape
        tape.append((prim, raw, kwargs, saved, parents))
        return Box(ans, self, len(tape) - 1)


def _add_into(total: np.ndarray, new: Any) -> Any:
    """``total + new``, written into ``total`` (an array this backward pass allocated)."""
    if type(new) is RowSparse:
        return new.add_to(total)
    if type(new) is Box:
        return total + new
    total += new
    return total


def backward(trace: ReverseTrace, output: int, cotangent: Any, inputs: list[int],
             release: bool = False) -> list[Any]:
    """Propagate ``cotangent`` from tape node ``output`` back to the ``inputs`` nodes.

    Returns one cotangent per input (``None`` where the output does not depend on it).  A
    :class:`RowSparse` cotangent stays sparse only if it reaches an input.  ``release`` drops
    each tape record once used (a one-shot backward pass: forward values are freed early).
    """
    tape = trace.tape
    grads: list[Any] = [None] * (output + 1)
    owned = bytearray(output + 1)  # 1 where grads[k] is a sum this pass allocated: add in place
    grads[output] = cotangent
    for k in range(output, -1, -1):
        g = grads[k]
        if g is None:
            continue
        prim, raw, kwargs, saved, parents = tape[k]
        if not parents:
            continue
        grads[k] = None  # free memory as we go; inputs have no parents and keep theirs
        if release:
            tape[k] = None
        if type(g) is RowSparse:
            g = g.to_dense()
        vjps = prim.vjps
        for argnum, p in parents:
            try:
                rule = vjps[argnum]
            except KeyError:
                raise _missing(prim, argnum, "VJP") from None
            new = rule(g, saved, *raw, **kwargs)
            old = grads[p]
            if old is None:
                grads[p] = new
            elif owned[p]:
                grads[p] = _add_into(old, new)
            else:
                grads[p] = total = old + new
                owned[p] = type(total) is np.ndarray
    return [grads[i] if i <= output else None for i in inputs]


# ---------------------------------------------------------------------------- forward mode


class ForwardTrace(Trace):
    """Pushes tangents through primitive calls as they run (one JVP)."""

    __slots__ = ()

    def new_input(self, value: Any, tangent: Any) -> Box:
        return Box(value, self, tangent)

    def process(self, prim: Callable, ans: Any, saved: Any, raw: list, kwargs: dict,
                parents: list) -> Box:
        jvps = prim.jvps
        tangent = None
        for argnum, t in parents:
            try:
                rule = jvps[argnum]
            except KeyError:
                raise _missing(prim, argnum, "JVP") from None
            new = rule(t, saved, *raw, **kwargs)
            tangent = new if tangent is None else tangent + new
        return Box(ans, self, tangent)
