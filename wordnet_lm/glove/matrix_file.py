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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import scipy.sparse

from wordnet_lm.errors import ModelFileError, WordnetLMError
from wordnet_lm.scale.spill import read_raw, write_raw
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
        nnz, next_row = 0, 0
        indptr_tail = [np.zeros(1, np.int64)]
        write_raw(work / "indptr.i64", indptr_tail[0])
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
