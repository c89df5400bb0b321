"""One flat buffer per optimizer slot for a group of parameters, so that an element-wise
update is a few long vectorised passes instead of a dozen short ones per parameter.

An optimizer's state keeps a buffer per slot and parameter (``state.slots["m"]["head.W"]``).
:func:`packed` re-houses a group of them as views of one contiguous array per slot (values
copied once; the state's dict then holds the views, so checkpoints and readers see the same
arrays as before) and returns the flat arrays with each parameter's range.  The packing is
remembered on the state and reused while the state still holds those views; a state loaded
from a checkpoint or built by ``init`` is packed at its first update.

Element-wise arithmetic does not depend on how the elements are grouped, so an update on the
flat buffers gives bit for bit the numbers of the per-parameter update.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


class Packing:
    """Flat slot buffers of one parameter group: ``flats[slot]`` (1-D), ``ranges[i]`` the
    ``(start, stop)`` of parameter ``names[i]`` in them, ``views[slot][i]`` its array view."""

    __slots__ = ("names", "ranges", "flats", "views", "size")

    def __init__(self, names: tuple[str, ...], shapes: Sequence[tuple[int, ...]], dtype: np.dtype,
                 slots: Sequence[str]) -> None:
        sizes = [int(np.prod(s)) for s in shapes]
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.names, self.size = names, int(bounds[-1])
        self.ranges = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
        self.flats = {slot: np.zeros(self.size, dtype) for slot in slots}
        self.views = {slot: [flat[a:b].reshape(shape) for (a, b), shape in zip(self.ranges, shapes)]
                      for slot, flat in self.flats.items()}

    def held_by(self, slots: dict[str, dict[str, np.ndarray]]) -> bool:
        """Whether ``slots`` still hold this packing's views (nobody replaced a buffer)."""
        return all(slots.get(slot, {}).get(name) is view
                   for slot, views in self.views.items() for name, view in zip(self.names, views))


def packed(state: Any, names: tuple[str, ...], params: Sequence[np.ndarray], slots: Sequence[str]) -> Packing:
    """The packing of ``state``'s buffers of ``slots`` for the parameters ``names`` (arrays
    ``params``, one dtype), made (values copied into flat buffers, the state's entries
    replaced by views) unless the state already holds it."""
    cache = getattr(state, "_packings", None)
    if cache is None:
        cache = state._packings = {}
    key = (names, tuple(slots))
    packing = cache.get(key)
    if packing is not None and packing.held_by(state.slots):
        return packing
    packing = Packing(names, [p.shape for p in params], params[0].dtype, slots)
    for slot in slots:
        buffers = state.slots.setdefault(slot, {})
        for name, view in zip(names, packing.views[slot]):
            old = buffers.get(name)
            if old is not None:
                view[...] = old
            buffers[name] = view
    cache[key] = packing
    return packing
