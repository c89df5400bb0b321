"""One temporary folder per job, removed on success, on error and on Ctrl-C; a full disk is a
one-line error naming the folder."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from wordnet_lm.errors import WordnetLMError

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class DiskFullError(WordnetLMError):
    """Temporary files could not be written: the file system is full."""


class TempFolder:
    """``with TempFolder(parent) as folder:`` a fresh folder under ``parent`` (default: the
    system's temporary directory), deleted with everything in it when the block ends however it
    ends; SIGTERM ends the block like Ctrl-C.  ``OSError`` for a full disk inside the block
    becomes :class:`DiskFullError`.
    """

    def __init__(self, parent: str | os.PathLike | None = None, prefix: str = "wordnet-lm-") -> None:
        self.parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        self.prefix = prefix
        self.path: Path | None = None
        self._previous_handler = None

    def __enter__(self) -> Path:
        check_temp_parent(self.parent)
        self.path = Path(tempfile.mkdtemp(prefix=self.prefix, dir=self.parent))
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGTERM, _raise_interrupt)
        return self.path

    def __exit__(self, kind, error, traceback) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)
            self._previous_handler = None
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None
        if isinstance(error, OSError) and error.errno in _DISK_FULL:
            raise DiskFullError(f"{self.parent}: no space left for temporary files ({error.strerror}); "
                                f"free space or choose another folder with --temp") from None


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def check_temp_parent(parent: str | os.PathLike) -> Path:
    """``parent`` must be an existing, writable folder (checked before long work starts)."""
    parent = Path(parent)
    if not parent.is_dir():
        raise WordnetLMError(f"{parent}: temporary folder does not exist (or is not a folder)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WordnetLMError(f"{parent}: temporary folder is not writable")
    return parent
