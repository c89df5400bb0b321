"""Memory budgets given as text (``2G``, ``512M``, ``100000``): parsed once, checked early."""

from __future__ import annotations

import re

from wordnet_lm.errors import WordnetLMError

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_MEMORY = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)
MIN_MEMORY = 1 << 16  # below this no block of work fits: an error, not a crawl


def parse_memory(text: str | int | float) -> int:
    """Bytes from ``"2G"``, ``"512M"``, ``"64K"``, ``"1.5G"`` or a plain number of bytes (binary units).

    Raises :class:`WordnetLMError` for anything else, or a budget under 64 KiB.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        match = _MEMORY.fullmatch(str(text))
        if match is None:
            raise WordnetLMError(f"--memory {text!r}: expected a size such as 2G, 512M or 100000 (bytes)")
        value = float(match[1]) * _UNITS[match[2].upper()]
    if not value >= MIN_MEMORY or value > (1 << 50):
        raise WordnetLMError(f"--memory {text!r}: a memory budget must lie between 64K and 1P")
    return int(value)


def format_bytes(n: float) -> str:
    """``1.5G``-style text for a number of bytes."""
    for unit in ("B", "K", "M", "G", "T"):
        if abs(n) < 1024 or unit == "T":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}T"  # pragma: no cover
