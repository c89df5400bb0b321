"""Memory a job will need, checked against what the machine has free before the job starts.

A typo such as ``--dim 100000000`` should cost a one-line error naming the figure, not minutes
of swapping followed by the kernel's OOM killer.
"""

from __future__ import annotations

import os

from wordnet_lm.errors import OptionError

GiB = 1 << 30


def available_bytes() -> int | None:
    """Memory available to a new allocation (``MemAvailable`` on Linux), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # pragma: no cover  (non-POSIX)
        return None


def format_bytes(n: float) -> str:
    """``1.5 GiB``, ``320 MiB``, ``12 KiB``."""
    for unit, size in (("TiB", 1 << 40), ("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def check_fits(needed: float, what: str, *, available: int | None = None) -> None:
    """Raise :class:`OptionError` if ``needed`` bytes exceed the memory available.

    ``what`` names the job and the sizes that decide it, e.g. ``"GloVe with --dim 100000000
    over 30,281 words"``.
    """
    free = available_bytes() if available is None else available
    if free is not None and needed > free:
        raise OptionError(f"{what} needs {format_bytes(needed)} of memory, more than the "
                          f"{format_bytes(free)} available; choose smaller sizes")
