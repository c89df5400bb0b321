"""Memory budgets given as ``2G``, ``512M``, ``1.5G`` or a plain number of bytes."""

from __future__ import annotations

import math

from wordnet_lm.errors import WordnetLMError

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
MIN_BUDGET = 1 << 16  # below 64K nothing useful fits (tests use tiny budgets to force spills)


def parse_memory(text: str | int) -> int:
    """Bytes in a size such as ``"2G"`` (binary units K, M, G, T; an optional trailing ``B``).

    Raises
    ------
    WordnetLMError
        Not a size, or under one megabyte.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        size = text
    else:
        raw = str(text).strip().upper()
        if raw.endswith("B") and len(raw) > 1 and raw[-2] in _UNITS:
            raw = raw[:-1]
        unit = raw[-1:] if raw[-1:] in _UNITS and raw[-1:] != "" else ""
        number = raw[:-1] if unit else raw
        try:
            value = float(number)
        except ValueError:
            raise WordnetLMError(f"memory budget {text!r} is not a size like 2G, 512M or 1.5G") from None
        if not math.isfinite(value):
            raise WordnetLMError(f"memory budget {text!r} is not a size like 2G, 512M or 1.5G")
        size = int(value * _UNITS[unit])
    if size < MIN_BUDGET:
        raise WordnetLMError(f"memory budget {text!r} is under the minimum of 64K")
    return size


def format_bytes(size: int) -> str:
    """``1536 * 2**20`` -> ``"1.5G"``."""
    for unit in ("T", "G", "M", "K"):
        if size >= _UNITS[unit]:
            return f"{size / _UNITS[unit]:.3g}{unit}"
    return f"{size}B"
