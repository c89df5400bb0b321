"""Our binary n-gram model file: hash tables (:mod:`~wordnet_lm.ngram.hashed`) as raw arrays,
loaded by memory-mapping (no parsing, no pickles; pages are read as scoring touches them).

Layout: the magic ``b"WNLMBIN\\x01"``, the JSON header's length (8 bytes, little-endian), the
JSON header (format version, order, vocabulary, per-order sizes, and for every array its
dtype, length and byte offset), then the arrays, each aligned to 64 bytes::

    log_prob_1, log_backoff_1              float32 (or float64), one per word
    keys_n, log_prob_n, log_backoff_n      int64 / float32 (or float64), one per slot (n = 2..order)

Values are float32 by default, as in KenLM's binary files (half the pages to touch; an ARPA
file's 8 digits fit, scores differ from the float64 tables by ~1e-7 relative); ``dtype=np.float64``
keeps the tables' values exactly.

``wordnet-lm build-binary lm.arpa lm.bin`` writes one; :func:`~wordnet_lm.ngram.files.load_model`
(hence ``wordnet-lm perplexity --model lm.bin``) reads it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import atomic_write
from wordnet_lm.ngram.hashed import HashedIndex, hash_tables, relaid
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.vocab import SPECIALS, Vocab

MAGIC = b"WNLMBIN\x01"
VERSION = 1
ALIGN = 64
_VALUE_DTYPES = (np.dtype("<f4"), np.dtype("<f8"))


def write_binary(path: str | os.PathLike, tables: BackoffTables, vocab: Vocab, *,
                 dtype: np.dtype | type = np.float32) -> None:
    """Write ``tables`` over ``vocab`` as a binary model file (atomically), values as ``dtype``
    (float32 or float64)."""
    dtype = np.dtype(dtype)
    if dtype not in _VALUE_DTYPES:
        raise ValueError(f"binary model values are float32 or float64, not {dtype}")
    # tables read from ARPA text are fuller (memory): relaid at the usual load, lookups probe less
    hashed = relaid(tables) if isinstance(tables.index, HashedIndex) else hash_tables(tables)
    arrays = {"log_prob_1": hashed.log_prob[0].astype(dtype, copy=False),
              "log_backoff_1": hashed.log_backoff[0].astype(dtype, copy=False)}
    for n in range(2, hashed.order + 1):
        arrays[f"keys_{n}"] = hashed.index.tables[n - 2]
        arrays[f"log_prob_{n}"] = hashed.log_prob[n - 1].astype(dtype, copy=False)
        arrays[f"log_backoff_{n}"] = hashed.log_backoff[n - 1].astype(dtype, copy=False)
    layout, offset = {}, 0
    for name, array in arrays.items():
        layout[name] = {"dtype": np.dtype(array.dtype).str, "length": int(len(array)), "offset": offset}
        offset += _aligned(array.nbytes)
    header = {"format": "wordnet-lm-ngram-binary", "version": VERSION, "order": hashed.order,
              "sizes": hashed.index.sizes(), "words": list(vocab.words), "arrays": layout}
    text = json.dumps(header).encode("utf-8")
    start = _aligned(len(MAGIC) + 8 + len(text))
    with atomic_write(path, "wb") as f:
        f.write(MAGIC + len(text).to_bytes(8, "little") + text)
        f.write(b"\0" * (start - len(MAGIC) - 8 - len(text)))
        for array in arrays.values():
            data = np.ascontiguousarray(array).data.cast("B")
            f.write(data)
            f.write(b"\0" * (_aligned(array.nbytes) - array.nbytes))


def _aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def is_binary_model(path: str | os.PathLike) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def read_binary(path: str | os.PathLike) -> tuple[BackoffTables, Vocab]:
    """The tables (memory-mapped, read-only) and vocabulary of a binary model file.

    Raises
    ------
    ModelFileError
        Not such a file, another version, a corrupt header, or truncated arrays.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            magic = f.read(len(MAGIC))
            length = int.from_bytes(f.read(8), "little")
            if magic != MAGIC or not 0 < length <= path.stat().st_size:
                raise ModelFileError(f"{path}: not a wordnet-lm binary n-gram model")
            header = json.loads(f.read(length).decode("utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path}: corrupt binary model header") from None
    if not isinstance(header, dict) or header.get("version") != VERSION:
        raise ModelFileError(f"{path}: binary model version {header.get('version') if isinstance(header, dict) else '?'}"
                             f" is not supported (this wordnet_lm reads version {VERSION})")
    try:
        order, words, sizes, layout = int(header["order"]), list(header["words"]), list(header["sizes"]), \
            dict(header["arrays"])
        if words[:3] != list(SPECIALS) or order < 1 or len(sizes) != order:
            raise ValueError("bad vocabulary or order")
        start = _aligned(len(MAGIC) + 8 + length)
        arrays = {name: _map(path, start, spec) for name, spec in layout.items()}
        vocab = Vocab(words[3:])
        size = len(vocab)
        log_prob = [arrays["log_prob_1"]] + [arrays[f"log_prob_{n}"] for n in range(2, order + 1)]
        log_backoff = [arrays["log_backoff_1"]] + [arrays[f"log_backoff_{n}"] for n in range(2, order + 1)]
        tables = [arrays[f"keys_{n}"] for n in range(2, order + 1)]
        if len(log_prob[0]) != size or any(len(p) != len(t) or len(b) != len(t)
                                           for p, b, t in zip(log_prob[1:], log_backoff[1:], tables)):
            raise ValueError("array lengths disagree")
    except (KeyError, ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: corrupt binary n-gram model ({e})") from None
    return BackoffTables(HashedIndex(size, tables, sizes), log_prob, log_backoff), vocab


def _map(path: Path, start: int, spec: dict) -> np.ndarray:
    dtype, length, offset = np.dtype(spec["dtype"]), int(spec["length"]), start + int(spec["offset"])
    if dtype not in (*_VALUE_DTYPES, np.dtype("<i8")) or length < 0:
        raise ValueError(f"unexpected array {spec}")
    if offset + length * dtype.itemsize > path.stat().st_size:
        raise ValueError("truncated file")
    if length == 0:
        return np.zeros(0, dtype)
    # a plain ndarray view of the map: indexing a np.memmap subclass costs a Python call per access
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(length,)).view(np.ndarray)
