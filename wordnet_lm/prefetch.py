"""Running a producer one step ahead of its consumer, on a second thread.

A reader that parses blocks of a file (NumPy, which releases the GIL) and a consumer that
stores them (NumPy too) overlap on two cores: :func:`prefetched` runs the iterator on a thread
and hands its items over through a bounded queue, in order, with its exceptions.
"""

from __future__ import annotations

import queue
import threading
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")
_DONE = object()


def prefetched(items: Iterable[T], depth: int = 2, *, threaded: bool = True) -> Iterator[T]:
    """The items of ``items``, produced on another thread up to ``depth`` ahead of the caller.

    An exception in the producer is raised in the caller at the item where it happened; if the
    caller stops early, the producer stops at its next item.  ``threaded=False``: plain iteration.
    """
    if not threaded:
        yield from items
        return
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                handoff.put((item, None))
            handoff.put((_DONE, None))
        except BaseException as error:  # handed to the caller, raised there
            handoff.put((_DONE, error))

    worker = threading.Thread(target=produce, name="wordnet_lm-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                handoff.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()
