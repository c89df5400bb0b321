"""A co-occurrence matrix on disk, memory-mapped to read: raw CSR arrays + a JSON header.

``DIR/header.json`` (format, shape, nonzeros, counting options), ``DIR/indptr.i64``,
``DIR/indices.i32``, ``DIR/data.f64`` (little-endian) and ``DIR/vocab.txt`` (the
vocabulary, one ``word<TAB>count`` a line).  It is written row block by row block, so a matrix
bigger than memory never has to be held, into a temporary folder renamed over ``DIR`` at the
end; it loads without pickles, as read-only ``numpy.memmap`` views.
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
from wordnet_lm.scale.spill import copy_into, read_raw, write_raw
from wordnet_lm.text.vocab import Vocab

FORMAT = "wordnet-lm-cooccurrences"
VERSION = 1
_ARRAYS = {"indptr": "<i8", "indices": "<i4", "data": "<f8"}
_SUFFIX = {"indptr": ".i64", "indices": ".i32", "data": ".f64"}


@dataclass
class CooccurrenceFile:
    """A memory-mapped co-occurrence matrix (see the module docstring)."""

    path: Path
    n_words: int
    nnz: int
    options: dict[str, Any] = field(default_factory=dict)

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
        if header.get("version") != VERSION:
            raise ModelFileError(f"{path}: co-occurrence format version {header.get('version')} is not supported")
        matrix = cls(path, int(header["n_words"]), int(header["nnz"]), dict(header.get("options", {})))
        sizes = {"indptr": matrix.n_words + 1, "indices": matrix.nnz, "data": matrix.nnz}
        for name, size in sizes.items():
            actual = matrix._file(name).stat().st_size if matrix._file(name).exists() else -1
            if actual != size * np.dtype(_ARRAYS[name]).itemsize:
                raise ModelFileError(f"{matrix._file(name)}: missing or truncated")
        return matrix

    def _file(self, name: str) -> Path:
        return self.path / (name + _SUFFIX[name])

    def array(self, name: str) -> np.ndarray:
        """``indptr``, ``indices`` or ``data`` as a read-only memory map."""
        size = self.n_words + 1 if name == "indptr" else self.nnz
        if size == 0:
            return np.zeros(0, _ARRAYS[name])
        return np.memmap(self._file(name), dtype=_ARRAYS[name], mode="r", shape=(size,))

    def vocab(self) -> Vocab:
        return Vocab.load(self.path / "vocab.txt")

    def to_csr(self) -> scipy.sparse.csr_matrix:
        """The whole matrix in memory (read, not mapped)."""
        arrays = {name: read_raw(self._file(name), np.dtype(_ARRAYS[name]), 0, self.n_words + 1 if name == "indptr"
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
                             options: dict[str, Any], executor: Any = None,
                             garbage: list[str] = ()) -> CooccurrenceFile:
    """:func:`write_cooccurrence_file` from row ranges already on disk (in row order, covering all
    rows; e.g. written by reduce tasks): their columns and values are copied by the kernel
    (``copy_file_range``) into the folder's files at offsets known from the parts' sizes, never
    read into this process; only the row lengths are.  ``executor``: run the copies as its tasks
    (one a part, in parallel; its workers must see ``path``), default here.  The part files are
    removed, and the files ``garbage`` (e.g. the merged runs: freeing their pages is kernel work)
    by the same tasks, shared out."""
    if sys.byteorder != "little":  # pragma: no cover (the files are little-endian)
        return write_cooccurrence_file(path, ((part.first, part.block(n_words)) for part in parts), n_words,
                                       vocab, options)
    return _write_folder(path, lambda work: _copy_parts(work, parts, n_words, executor, garbage), n_words, vocab,
                         options)


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


def _copy_parts(work: Path, parts: list[RowFiles], n_words: int, executor: Any = None, garbage: list[str] = ()) -> int:
    nnz, next_row = 0, 0
    indptr = np.zeros(n_words + 1, np.int64)
    tasks = []
    for k, part in enumerate(parts):
        if part.first != next_row:
            raise ValueError(f"row parts out of order: {part.first} after {next_row}")
        lengths = read_raw(part.file("lengths"), np.int64, 0, part.stop - part.first)
        np.cumsum(lengths, out=indptr[part.first + 1:part.stop + 1])
        indptr[part.first + 1:part.stop + 1] += nnz
        # neighbouring parts (run at once) fill the two files in opposite orders: one writer a file
        tasks.append(_PlaceTask(part, str(work), nnz, ("indices", "data") if k % 2 == 0 else ("data", "indices"),
                                tuple(garbage[k::len(parts)])))
        nnz += part.nnz
        next_row = part.stop
    if next_row != n_words:
        raise ValueError(f"row parts cover {next_row} of {n_words} rows")
    if indptr[-1] != nnz:
        raise ValueError(f"row parts hold {indptr[-1]} entries, not {nnz}")
    for name in ("indices", "data"):
        with open(work / (name + _SUFFIX[name]), "wb") as f:
            f.truncate(nnz * np.dtype(_ARRAYS[name]).itemsize)
    if executor is None or len(tasks) <= 1:
        for task in tasks:
            place_part(task)
    else:
        executor.map(place_part, tasks)
    for part in parts:
        part.remove()
    write_raw(work / "indptr.i64", indptr)
    return nnz


@dataclass(frozen=True)
class _PlaceTask:
    part: RowFiles
    folder: str
    offset: int  # entries of the parts before
    names: tuple[str, ...]
    garbage: tuple[str, ...] = ()  # files to remove


def place_part(task: _PlaceTask) -> None:
    """Copy one part's columns and values into the matrix files at its offset (idempotent: a
    task run again after its worker died copies the same bytes)."""
    for name in task.garbage:
        Path(name).unlink(missing_ok=True)
    for name in task.names:
        copy_into(Path(task.folder, name + _SUFFIX[name]), task.part.file(name),
                  task.offset * np.dtype(_ARRAYS[name]).itemsize)


def _write_folder(path: str | os.PathLike, fill: Callable[[Path], int], n_words: int, vocab: Vocab | None,
                  options: dict[str, Any]) -> CooccurrenceFile:
    """A co-occurrence folder whose arrays ``fill(work)`` writes (returning the nonzeros) into a
    folder beside ``path``, renamed over it when complete."""
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
        nnz = fill(work)
        for name in ("indices", "data"):
            (work / (name + _SUFFIX[name])).touch()
        if vocab is not None:
            vocab.save(work / "vocab.txt")
        header = {"format": FORMAT, "version": VERSION, "n_words": n_words, "nnz": nnz, "options": options}
        (work / "header.json").write_text(json.dumps(header, indent=1) + "\n", encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        os.replace(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return CooccurrenceFile.open(path)
