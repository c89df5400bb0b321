"""Raw spill files written and read whole or by element range (never memory-mapped, so the
pages read do not stay in the process's resident memory); a full disk while writing is a
one-line :class:`~wordnet_lm.scale.tempdir.DiskFullError` naming the folder."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import BinaryIO

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.heap import phase_task
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


def _kernel_copy(src: int, out: int, size: int, offset: int | None) -> int:
    """Bytes of ``src`` copied to ``out`` by ``copy_file_range`` (at ``out``'s position, or at
    byte ``offset`` of it reading ``src`` from its start); fewer than ``size`` where the kernel
    cannot (another file system, not Linux): the caller copies the rest.  A full disk raises."""
    copied = 0
    try:
        while copied < size:
            if offset is None:
                done = os.copy_file_range(src, out, size - copied)
            else:
                done = os.copy_file_range(src, out, size - copied, copied, offset + copied)
            if done == 0:
                break
            copied += done
    except OSError as e:
        if e.errno in _DISK_FULL:
            raise
    except AttributeError:  # pragma: no cover (not Linux)
        pass
    return copied


def append_file(out: BinaryIO, source: Path) -> None:
    """Append the file ``source`` to the open file ``out``, in the kernel (``copy_file_range``)
    where it can, else through a buffer."""
    out.flush()
    try:
        with open(source, "rb") as src:
            size = os.fstat(src.fileno()).st_size
            copied = _kernel_copy(src.fileno(), out.fileno(), size, None)
            if copied < size:
                src.seek(copied)
                out.seek(0, os.SEEK_END)
                shutil.copyfileobj(src, out, 1 << 20)
        out.seek(0, os.SEEK_END)
    except OSError as e:
        if e.errno in _DISK_FULL:
            raise DiskFullError(f"{Path(out.name).parent}: no space left ({e.strerror}); free space or choose "
                                f"another folder with --temp") from None
        raise WordnetLMError(f"cannot copy {source} into {out.name}: {e.strerror}") from None


def copy_into(target: Path, source: Path, offset: int) -> None:
    """Copy the whole file ``source`` into the existing file ``target`` at byte ``offset``, in the
    kernel (``copy_file_range``) where it can, else through a buffer.  Tasks in several processes
    may fill disjoint ranges of one file at once (each opens it itself)."""
    try:
        with open(source, "rb") as src, open(target, "r+b") as out:
            size = os.fstat(src.fileno()).st_size
            copied = _kernel_copy(src.fileno(), out.fileno(), size, offset)
            while copied < size:
                block = os.pread(src.fileno(), min(1 << 20, size - copied), copied)
                if not block:
                    raise OSError(errno.EIO, f"{source} ended early")
                copied += os.pwrite(out.fileno(), block, offset + copied)
    except OSError as e:
        if e.errno in _DISK_FULL:
            raise DiskFullError(f"{Path(target).parent}: no space left ({e.strerror}); free space or choose "
                                f"another folder with --temp") from None
        raise WordnetLMError(f"cannot copy {source} into {target}: {e.strerror}") from None


def move_file(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``: a rename, or a copy (then the source removed) across file
    systems."""
    try:
        os.replace(source, target)
        return
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise WordnetLMError(f"cannot move {source} to {target}: {e.strerror}") from None
    try:
        Path(target).write_bytes(b"")
    except OSError as e:
        raise WordnetLMError(f"cannot write {target}: {e.strerror}") from None
    copy_into(Path(target), Path(source), 0)
    Path(source).unlink()


@phase_task()
def remove_files(names: tuple[str, ...]) -> None:
    """Remove the files ``names`` (e.g. merged runs: as tasks, so that freeing their pages, kernel
    work, is shared out rather than the driver's alone between two phases)."""
    for name in names:
        Path(name).unlink(missing_ok=True)


def read_raw(path: Path, dtype: np.dtype, start: int, stop: int) -> np.ndarray:
    """Elements ``start:stop`` of a raw file of ``dtype`` values."""
    dtype = np.dtype(dtype)
    count = max(0, stop - start)
    if count == 0:
        return np.empty(0, dtype)
    return np.fromfile(path, dtype=dtype, count=count, offset=start * dtype.itemsize)
