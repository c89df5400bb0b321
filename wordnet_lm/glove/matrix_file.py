"""A co-occurrence matrix on disk, memory-mapped to read: raw CSR arrays + a JSON header.

``DIR/header.json`` (format, shape, nonzeros, counting options), ``DIR/indptr.i64``,
``DIR/indices.i32``, ``DIR/data.f64`` (little-endian) and ``DIR/vocab.txt`` (the
vocabulary, one ``word<TAB>count`` a line).  It is written row block by row block, so a matrix
bigger than memory never has to be held, into a temporary folder renamed over ``DIR`` at the
end; it loads without pickles, as read-only ``numpy.memmap`` views.

Version 2 (what map-reduce counting writes): the nonzeros are in consecutive parts,
``indices.{k}.i32`` and ``data.{k}.f64``, with the header's ``parts`` (their nonzeros), so that
the reduce tasks' row ranges become the folder by renaming, not by copying them into one file;
:meth:`CooccurrenceFile.array` reads them as one array.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import scipy.sparse

from wordnet_lm.errors import ModelFileError, WordnetLMError
from wordnet_lm.scale.disk import DiskArray, PartedArray
from wordnet_lm.scale.spill import move_file, read_raw, write_raw
from wordnet_lm.text.vocab import Vocab

FORMAT = "wordnet-lm-cooccurrences"
VERSION = 1  # one file each for the nonzeros' columns and values
PARTED_VERSION = 2  # the nonzeros in consecutive parts (header "parts")
_ARRAYS = {"indptr": "<i8", "indices": "<i4", "data": "<f8"}
_SUFFIX = {"indptr": ".i64", "indices": ".i32", "data": ".f64"}


@dataclass
class CooccurrenceFile:
    """A memory-mapped co-occurrence matrix (see the module docstring)."""

    path: Path
    n_words: int
    nnz: int
    options: dict[str, Any] = field(default_factory=dict)
    parts: list[int] | None = None  # nonzeros of each part (version 2), None: one file each

    @classmethod
    def open(cls, path: str | os.PathLike) -> "CooccurrenceFile":
        path = Path(path)
        try:
            header = json.loads((path / "header.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelFileError(f"{path}: not a co-occurrence folder (no header.json)") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ModelFileError(f"{path}/header.json: not a JSON header") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a wordnet-lm co-occurrence folder")
        version = header.get("version")
        if version not in (VERSION, PARTED_VERSION):
            raise ModelFileError(f"{path}: co-occurrence format version {version} is not supported")
        parts = header.get("parts") if version == PARTED_VERSION else None
        if version == PARTED_VERSION and not (isinstance(parts, list) and all(
                isinstance(k, int) and k >= 0 for k in parts) and sum(parts) == header.get("nnz")):
            raise ModelFileError(f"{path}/header.json: the parts do not add up to the nonzeros")
        matrix = cls(path, int(header["n_words"]), int(header["nnz"]), dict(header.get("options", {})), parts)
        files = [(matrix._file("indptr"), "indptr", matrix.n_words + 1)]
        for name in ("indices", "data"):
            files += [(file, name, size) for file, size in zip(matrix._files(name), parts or [matrix.nnz])]
        for file, name, size in files:
            actual = file.stat().st_size if file.exists() else -1
            if actual != size * np.dtype(_ARRAYS[name]).itemsize:
                raise ModelFileError(f"{file}: missing or truncated")
        return matrix

    def _file(self, name: str, part: int | None = None) -> Path:
        return self.path / (name + ("" if part is None else f".{part}") + _SUFFIX[name])

    def _files(self, name: str) -> list[Path]:
        """The files of the nonzeros' ``indices`` or ``data``, in order."""
        return [self._file(name)] if self.parts is None else [self._file(name, k) for k in range(len(self.parts))]

    def array(self, name: str) -> np.ndarray | PartedArray:
        """``indptr``, ``indices`` or ``data`` as a read-only memory map (a version 2 folder's
        nonzeros: its parts as one array, sliced as a memory map is)."""
        size = self.n_words + 1 if name == "indptr" else self.nnz
        if size == 0:
            return np.zeros(0, _ARRAYS[name])
        if name != "indptr" and self.parts is not None:
            return PartedArray([DiskArray(file, _ARRAYS[name]) for file in self._files(name)], sizes=self.parts)
        return np.memmap(self._file(name), dtype=_ARRAYS[name], mode="r", shape=(size,))

    def vocab(self) -> Vocab:
        return Vocab.load(self.path / "vocab.txt")

    def to_csr(self) -> scipy.sparse.csr_matrix:
        """The whole matrix in memory (read, not mapped)."""
        arrays = {name: np.asarray(self.array(name)) if self.parts is not None and name != "indptr" else
                  read_raw(self._file(name), np.dtype(_ARRAYS[name]), 0, self.n_words + 1 if name == "indptr"
                           else self.nnz) for name in _ARRAYS}
        if self.n_words == 0:
            arrays["indptr"] = np.zeros(1, np.int64)
        return scipy.sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                       shape=(self.n_words, self.n_words))


def write_cooccurrence_file(path: str | os.PathLike, row_blocks: Iterable[tuple[int, scipy.sparse.csr_matrix]],
                            n_words: int, vocab: Vocab | None, options: dict[str, Any]) -> CooccurrenceFile:
    """Write float64 row blocks (in row order, covering all rows) as a co-occurrence folder.

    The folder appears only when complete (written beside it, then renamed).  ``vocab`` may be
    None for a matrix of ids only.
    """
    return _write_folder(path, lambda work: _write_blocks(work, row_blocks, n_words), n_words, vocab, options)


@dataclass(frozen=True)
class RowFiles:
    """Rows ``first..stop-1`` of a float64 matrix as raw native-order files written by another
    process: ``{prefix}.indices`` (int32 columns), ``{prefix}.data`` (float64 values) and
    ``{prefix}.lengths`` (int64 entries of each row)."""

    prefix: str
    first: int
    stop: int
    nnz: int

    def file(self, name: str) -> Path:
        return Path(f"{self.prefix}.{name}")

    def block(self, n_words: int) -> scipy.sparse.csr_matrix:
        lengths = read_raw(self.file("lengths"), np.int64, 0, self.stop - self.first)
        indptr = np.zeros(self.stop - self.first + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return scipy.sparse.csr_matrix((read_raw(self.file("data"), np.float64, 0, self.nnz),
                                        read_raw(self.file("indices"), np.int32, 0, self.nnz), indptr),
                                       shape=(self.stop - self.first, n_words))

    def remove(self) -> None:
        for name in ("indices", "data", "lengths"):
            self.file(name).unlink(missing_ok=True)


def write_cooccurrence_parts(path: str | os.PathLike, parts: list[RowFiles], n_words: int, vocab: Vocab | None,
                             options: dict[str, Any]) -> CooccurrenceFile:
    """:func:`write_cooccurrence_file` from row ranges already on disk (in row order, covering all
    rows; e.g. written by reduce tasks): their columns and values become the folder's parts by
    renaming (copied only across file systems), never read into this process; only the row
    lengths are.  The part files are gone afterwards.  One part with nonzeros: a version 1
    folder; more: version 2."""
    if sys.byteorder != "little":  # pragma: no cover (the files are little-endian)
        return write_cooccurrence_file(path, ((part.first, part.block(n_words)) for part in parts), n_words,
                                       vocab, options)
    return _write_folder(path, lambda work: _move_parts(work, parts, n_words), n_words, vocab, options)


def _write_blocks(work: Path, row_blocks: Iterable[tuple[int, scipy.sparse.csr_matrix]], n_words: int) -> int:
    nnz, next_row = 0, 0
    write_raw(work / "indptr.i64", np.zeros(1, np.int64))
    for first, block in row_blocks:
        if first != next_row:
            raise ValueError(f"row blocks out of order: {first} after {next_row}")
        write_raw(work / "indices.i32", block.indices.astype("<i4", copy=False), append=True)
        write_raw(work / "data.f64", block.data.astype("<f8", copy=False), append=True)
        write_raw(work / "indptr.i64", (block.indptr[1:] + nnz).astype("<i8"), append=True)
        nnz += block.nnz
        next_row = first + block.shape[0]
    if next_row != n_words:
        raise ValueError(f"row blocks cover {next_row} of {n_words} rows")
    return nnz


def _move_parts(work: Path, parts: list[RowFiles], n_words: int) -> tuple[int, list[int] | None]:
    """The row pointers from the parts' row lengths; the parts with nonzeros moved into ``work``
    (one: as the single files).  Returns the nonzeros and each moved part's (None: one part)."""
    nnz, next_row = 0, 0
    indptr = np.zeros(n_words + 1, np.int64)
    for part in parts:
        if part.first != next_row:
            raise ValueError(f"row parts out of order: {part.first} after {next_row}")
        lengths = read_raw(part.file("lengths"), np.int64, 0, part.stop - part.first)
        np.cumsum(lengths, out=indptr[part.first + 1:part.stop + 1])
        indptr[part.first + 1:part.stop + 1] += nnz
        nnz += part.nnz
        next_row = part.stop
    if next_row != n_words:
        raise ValueError(f"row parts cover {next_row} of {n_words} rows")
    if indptr[-1] != nnz:
        raise ValueError(f"row parts hold {indptr[-1]} entries, not {nnz}")
    kept = [part for part in parts if part.nnz]
    for k, part in enumerate(kept):
        for name in ("indices", "data"):
            suffix = _SUFFIX[name] if len(kept) == 1 else f".{k}{_SUFFIX[name]}"
            move_file(part.file(name), work / (name + suffix))
    for part in parts:
        part.remove()
    write_raw(work / "indptr.i64", indptr)
    return nnz, [part.nnz for part in kept] if len(kept) > 1 else None


def _write_folder(path: str | os.PathLike, fill: Callable[[Path], int | tuple[int, list[int] | None]], n_words: int,
                  vocab: Vocab | None, options: dict[str, Any]) -> CooccurrenceFile:
    """A co-occurrence folder whose arrays ``fill(work)`` writes (returning the nonzeros, or the
    nonzeros and those of each part) into a folder beside ``path``, renamed over it when complete."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists() and not (path / "header.json").exists() and (not path.is_dir() or any(path.iterdir())):
        raise WordnetLMError(f"{path}: exists and is not a co-occurrence folder; not overwriting it")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="." + path.name + ".", dir=parent))
    except OSError as e:
        raise WordnetLMError(f"cannot write {path}: {e.strerror}") from None
    try:
        filled = fill(work)
        nnz, parts = filled if isinstance(filled, tuple) else (filled, None)
        if parts is None:
            for name in ("indices", "data"):
                (work / (name + _SUFFIX[name])).touch()
        if vocab is not None:  # no fsync (the folder is renamed into place whole, its arrays unsynced):
            # syncing one file commits the journal, and that waits for gigabytes of part files
            (work / "vocab.txt").write_text(vocab.to_text(), encoding="utf-8")
        header = {"format": FORMAT, "version": VERSION if parts is None else PARTED_VERSION, "n_words": n_words,
                  "nnz": nnz, "options": options}
        if parts is not None:
            header["parts"] = parts
        (work / "header.json").write_text(json.dumps(header, indent=1) + "\n", encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        os.replace(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return CooccurrenceFile.open(path)
