"""Output paths checked before long work starts, and locks against two runs writing one file.

Every command that writes calls :func:`check_output` on each output while parsing its options,
so a typo in ``--out`` costs a second, not hours of training: the path must be writable, must
not be one of the command's inputs, and an existing file there must be of the kind the command
writes (a model is not silently replaced by vectors, a corpus never by an ARPA file).  While it
works, :func:`locked_outputs` holds an advisory lock beside each output: a second run writing
the same file is refused; the kernel drops the lock when a process dies, so a stale lock file
never blocks the next run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from wordnet_lm.errors import ModelFileError, OutputFileError
from wordnet_lm.io import read_npz_meta

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows: no advisory locks; outputs are still checked)
    fcntl = None  # type: ignore[assignment]

Recognizer = Callable[[Path], bool]


def check_output(path: str | os.PathLike, *, what: str = "output file", inputs: Iterable = (),
                 accepts: Recognizer | None = None, option: str | None = None) -> Path:
    """Raise :class:`OutputFileError` unless ``path`` can be written by this run.

    Parameters
    ----------
    path : path-like
        Where the command will write (atomically, see :func:`wordnet_lm.io.atomic_write`).
    what : str
        What is written there, for messages ("model file", "ARPA file", ...).
    inputs : iterable of path-like or str
        The command's inputs (files, directories or corpus names): the output may not be one of
        them, nor lie inside an input directory's files.
    accepts : callable, optional
        ``accepts(existing_path)`` says whether an existing file there is of the kind written
        (and so may be replaced); without it any existing regular file may be replaced.
    option : str, optional
        The option that named the path (``--out``), for messages.
    """
    path = Path(path).expanduser()
    label = f"{option} {path}" if option else str(path)
    if str(path) in ("", "."):
        raise OutputFileError(f"{label}: empty file name for the {what}")
    if path.is_dir():
        raise OutputFileError(f"{label}: is a directory; give a file name for the {what}")
    for source in inputs:
        if source is None:
            continue
        if _same_file(path, Path(os.fspath(source)).expanduser()):
            raise OutputFileError(f"{label}: is also an input of this command; refusing to overwrite it "
                                  f"with the {what}")
    if path.exists():
        if not path.is_file():
            raise OutputFileError(f"{label}: exists and is not a regular file; not replacing it")
        if accepts is not None and not accepts(path):
            raise OutputFileError(f"{label}: exists and is not {_article(what)} {what}; not replacing it "
                                  "(remove it or choose another name)")
    _check_writable_dir(path, label, what)
    return path


@contextlib.contextmanager
def locked_outputs(paths: Sequence[str | os.PathLike | None]) -> Iterator[None]:
    """Hold an advisory lock (``NAME.lock`` beside it) on each output while the block runs.

    A second run writing one of them is refused with :class:`OutputFileError`.  Leftover
    temporary files of an earlier interrupted write of the same output (``.NAME.*.tmp``) are
    removed once the lock is held.
    """
    with contextlib.ExitStack() as stack:
        for path in dict.fromkeys(Path(p) for p in paths if p is not None):
            stack.enter_context(_lock(path))
            _remove_stale_temporaries(path)
        yield


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file of an output."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


# ---------------------------------------------------------------------------- recognizers


def is_npz_of_kind(*kinds: str) -> Recognizer:
    """A recognizer of our ``.npz`` files holding one of ``kinds`` of model."""
    def accepts(path: Path) -> bool:
        try:
            return read_npz_meta(path).get("kind") in kinds
        except ModelFileError:
            return False
    return accepts


def starts_with(*prefixes: bytes) -> Recognizer:
    """A recognizer of files whose first bytes (after leading blank lines) are one of ``prefixes``."""
    def accepts(path: Path) -> bool:
        try:
            with open(path, "rb") as f:
                head = f.read(4096)
        except OSError:
            return False
        head = head.lstrip(b"\r\n") if not any(p.startswith((b"\r", b"\n")) for p in prefixes) else head
        return head == b"" or any(head.startswith(p) for p in prefixes)
    return accepts


def any_of(*recognizers: Recognizer) -> Recognizer:
    """A recognizer accepting what any of ``recognizers`` accepts."""
    return lambda path: any(r(path) for r in recognizers)


ARPA = starts_with(b"\\data\\", b"\x1f\x8b")  # plain or gzip-compressed ARPA text
PICTURE = starts_with(b"\x89PNG", b"<?xml", b"<svg", b"%PDF")


# ---------------------------------------------------------------------------- helpers


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" or noun.startswith(("ARPA", "n-gram")) else "a"


def _same_file(output: Path, source: Path) -> bool:
    if not source.exists():
        return False
    if output.exists():
        with contextlib.suppress(OSError):
            if os.path.samefile(output, source):
                return True
    return output.resolve() == source.resolve()


def _check_writable_dir(path: Path, label: str, what: str) -> None:
    """The first existing ancestor must be a directory in which a file can be created."""
    directory = path.absolute().parent
    while not directory.exists():
        if directory.is_symlink():
            raise OutputFileError(f"{label}: {directory} is a broken link")
        directory = directory.parent
    if not directory.is_dir():
        raise OutputFileError(f"{label}: {directory} is a file, not a directory")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=directory)
    except OSError as e:
        reason = "permission denied" if e.errno in (errno.EACCES, errno.EPERM) else (e.strerror or str(e)).lower()
        raise OutputFileError(f"{label}: cannot write the {what} in {directory} ({reason})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    if path.exists() and not os.access(path, os.W_OK) and os.geteuid() != 0:
        raise OutputFileError(f"{label}: the existing file is read-only; not replacing it")


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise OutputFileError(f"{path}: another run (process {holder}) is writing it; wait for it "
                                  f"to finish or choose another name (lock: {lock})") from None
        try:  # the lock file may have been removed by its last holder between open and flock
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _remove_stale_temporaries(path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        return
    for stale in directory.glob(f".{_glob_escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
