"""Atomic file writes and safe model files (``.npz`` arrays + JSON metadata, no pickles)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any, Iterator, Mapping

import numpy as np

from wordnet_lm.errors import ModelFileError

_META_KEY = "__meta__"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    A crash or an exception half-way leaves any earlier file at ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> None:
    """Write ``arrays`` and JSON-serialisable ``meta`` to ``path`` atomically (no pickles)."""
    if _META_KEY in arrays:
        raise ValueError(f"array name {_META_KEY!r} is reserved")
    payload = {k: np.asarray(v) for k, v in arrays.items()}
    for k, v in payload.items():
        if v.dtype == object:
            raise TypeError(f"array {k!r} has dtype object; model files hold numeric arrays only")
    payload[_META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with atomic_write(path, "wb") as f:
        np.savez(f, **payload)


def load_npz(path: str | os.PathLike, kind: str | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a file written by :func:`save_npz`; return ``(arrays, meta)``.

    ``kind``, if given, must equal ``meta["kind"]``.  Any corrupt or foreign file raises
    :class:`ModelFileError` naming the file.
    """
    path = _existing(path)
    try:
        with open(path, "rb") as f, _npz(np.load(f, allow_pickle=False)) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: not a wordnet_lm model file ({e.__class__.__name__}: {e})") from None
    return arrays, _parse_meta(path, arrays.pop(_META_KEY, None), kind)


def read_npz_meta(path: str | os.PathLike, kind: str | None = None) -> dict[str, Any]:
    """Only the JSON metadata of a file written by :func:`save_npz` (its arrays are not read);
    errors as :func:`load_npz`."""
    path = _existing(path)
    try:
        with open(path, "rb") as f, _npz(np.load(f, allow_pickle=False)) as data:
            raw = data[_META_KEY] if _META_KEY in data.files else None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: not a wordnet_lm model file ({e.__class__.__name__}: {e})") from None
    return _parse_meta(path, raw, kind)


def fingerprint(*parts: np.ndarray | bytes | None) -> str:
    """A short hash of arrays (their bytes in C order) or bytes: what a checkpoint or a cache was
    made from, so that a resume or a cache hit on other data is refused.  ``None`` parts count
    as absent (distinct from an empty array)."""
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        if part is None:
            digest.update(b"\x00none")
        else:
            data = part if isinstance(part, bytes) else np.ascontiguousarray(part).data
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
    return digest.hexdigest()


def check_same_settings(path: str | os.PathLike, saved: Mapping[str, Any], wanted: Mapping[str, Any]) -> None:
    """Raise :class:`ModelFileError` naming the first of ``wanted``'s settings that a checkpoint
    at ``path`` (whose settings are ``saved``) was made with a different value of."""
    for key, value in wanted.items():
        if saved.get(key) != value:
            raise ModelFileError(f"{path}: checkpoint made with {key}={saved.get(key)!r}, not {value!r}")


def _check_member_sizes(path: Path) -> None:
    """Every array's header must claim no more bytes than its zip member holds: a corrupt or
    crafted file is refused before NumPy allocates what the header claims."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with archive.open(info) as member:
                    major, _ = np.lib.format.read_magic(member)
                    read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
                    shape, _, dtype = read_header(member)
                    header = member.tell()
                if dtype.hasobject:
                    continue  # np.load refuses it below (no pickles)
                claimed = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                if claimed > info.file_size - header:
                    raise ModelFileError(f"{path}: array {info.filename[:-4]!r} claims shape {tuple(shape)} "
                                         f"({claimed:,} bytes) but the file holds {info.file_size - header:,}")
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise ModelFileError(f"{path}: not a wordnet_lm model file ({e.__class__.__name__}: {e})") from None


def _npz(loaded: Any) -> Any:
    """What ``np.load`` read, if it is an ``.npz`` archive (a ``.npy`` array is not a model file)."""
    if not hasattr(loaded, "files"):
        raise ValueError("a single .npy array, not an .npz archive")
    return loaded


def _existing(path: str | os.PathLike) -> Path:
    """``path`` if it exists and starts as a zip archive (an ``.npz``); else one line saying what it is."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such model file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a model file")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":
        what = "an empty file" if not magic else "not an .npz archive"
        raise ModelFileError(f"{path}: not a wordnet_lm model file ({what})")
    _check_member_sizes(path)
    return path


def _parse_meta(path: Path, raw: np.ndarray | None, kind: str | None) -> dict[str, Any]:
    if raw is None:
        raise ModelFileError(f"{path}: not a wordnet_lm model file (no metadata)")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path}: corrupt metadata") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: corrupt metadata")
    if kind is not None and meta.get("kind") != kind:
        raise ModelFileError(f"{path}: holds a {meta.get('kind', 'unknown')!r} model, expected {kind!r}")
    return meta
