"""Raw spill files written and read whole or by element range (never memory-mapped, so the
pages read do not stay in the process's resident memory); a full disk while writing is a
one-line :class:`~wordnet_lm.scale.tempdir.DiskFullError` naming the folder."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.scale.tempdir import DiskFullError

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def write_raw(path: Path, array: np.ndarray, append: bool = False) -> None:
    """Write ``array``'s bytes to ``path`` (appending if asked)."""
    try:
        with open(path, "ab" if append else "wb") as f:
            f.write(np.ascontiguousarray(array).data.cast("B"))
    except OSError as e:
        if e.errno in _DISK_FULL:
            raise DiskFullError(f"{path.parent}: no space left ({e.strerror}); free space or choose another "
                                f"folder with --temp") from None
        raise WordnetLMError(f"cannot write {path}: {e.strerror}") from None


def read_raw(path: Path, dtype: np.dtype, start: int, stop: int) -> np.ndarray:
    """Elements ``start:stop`` of a raw file of ``dtype`` values."""
    dtype = np.dtype(dtype)
    count = max(0, stop - start)
    if count == 0:
        return np.empty(0, dtype)
    return np.fromfile(path, dtype=dtype, count=count, offset=start * dtype.itemsize)
