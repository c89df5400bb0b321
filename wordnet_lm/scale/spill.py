"""The folder of temporary (spill) files: one per job, removed on success, error and Ctrl-C.

Writes into it go through :func:`write_raw`, which turns a full disk into a one-line
:class:`SpillError` naming the folder instead of a traceback from deep inside NumPy.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np

from wordnet_lm.errors import WordnetLMError

_DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class SpillError(WordnetLMError):
    """The temporary folder cannot be created or written (missing, read-only, disk full)."""


@contextlib.contextmanager
def spill_folder(parent: str | os.PathLike | None = None, prefix: str = "wordnet-lm-") -> Iterator[Path]:
    """A fresh folder under ``parent`` (default: the system's temporary folder) for spill files.

    The folder and everything in it are removed when the block ends, however it ends
    (normally, by an exception or by ``KeyboardInterrupt``).
    """
    parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    try:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except FileNotFoundError:
        raise SpillError(f"temporary folder {parent} does not exist") from None
    except OSError as e:
        raise SpillError(f"cannot create a temporary folder in {parent}: {e.strerror}") from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write_raw(path: Path, array: np.ndarray, append: bool = False) -> None:
    """Write ``array``'s bytes to ``path`` (appending if asked); a full disk is a :class:`SpillError`."""
    try:
        with open(path, "ab" if append else "wb") as f:
            f.write(np.ascontiguousarray(array).data.cast("B"))
    except OSError as e:
        if e.errno in _DISK_FULL:
            raise SpillError(f"no space left on the device of {path.parent} (choose another folder with --temp)") \
                from None
        raise SpillError(f"cannot write {path}: {e.strerror}") from None


def read_raw(path: Path, dtype: np.dtype, start: int, stop: int) -> np.ndarray:
    """Elements ``start:stop`` of a raw file of ``dtype`` values, read (not mapped: the pages do
    not stay in the process's resident memory)."""
    dtype = np.dtype(dtype)
    count = max(0, stop - start)
    if count == 0:
        return np.empty(0, dtype)
    return np.fromfile(path, dtype=dtype, count=count, offset=start * dtype.itemsize)
