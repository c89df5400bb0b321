"""Lines of a fixed number of fields, found from their separators alone (the common case of a
machine-written table such as an ARPA file's n-gram lines).

:func:`~wordnet_lm.text.byte_words.spans` finds runs of non-whitespace bytes in any text (six
passes over the bytes and a search for control bytes).  When every line of a block holds exactly
``per_line`` fields separated by one tab or space and ends with a line feed, the separators are
simply the bytes ``<= 32`` and come ``per_line`` to a line: one comparison, one search and a few
checks on the separators find every field.  Anything else (blank lines, doubled or leading
whitespace, ``\\r``, control bytes, a line with another field count, a last line without a line
feed) returns None and the caller takes the general way.
"""

from __future__ import annotations

import numpy as np


def regular_fields(data: np.ndarray, lo: int, hi: int, per_line: int) -> np.ndarray | None:
    """The separators of the lines ``data[lo:hi]`` (uint8) as a ``(lines, per_line)`` array of
    byte positions in ``data`` (the last column: each line's line feed), if every line has exactly
    ``per_line`` non-empty fields separated by single tabs or spaces; else None.  Field ``k > 0``
    of line ``i`` is ``data[seps[i, k - 1] + 1:seps[i, k]]``, field 0 starts where the line does."""
    block = data[lo:hi]
    seps = np.flatnonzero(block <= 32)
    if len(seps) == 0 or len(seps) % per_line or seps[0] == 0 or seps[-1] != len(block) - 1:
        return None
    if len(seps) > 1 and (np.diff(seps) == 1).any():  # an empty field: whitespace doubled, a blank line
        return None
    byte = block[seps].reshape(-1, per_line)
    inside = byte[:, :-1]
    if not ((byte[:, -1] == 10).all() and ((inside == 9) | (inside == 32)).all()):
        return None
    seps += lo
    return seps.reshape(-1, per_line)


def line_starts(seps: np.ndarray, lo: int) -> np.ndarray:
    """Where each line of :func:`regular_fields`' separators ``seps`` starts (the first at ``lo``)."""
    starts = np.empty(len(seps), np.int64)
    if len(seps):
        starts[0] = lo
        starts[1:] = seps[:-1, -1] + 1
    return starts
