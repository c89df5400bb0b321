"""Word-vector files: word2vec text and binary, GloVe text, and wordnet_lm's own ``.npz``.

* ``word2vec``: a header line ``"<n_words> <dim>"``, then one ``"word v1 ... vdim"`` line per word.
* ``word2vec-binary``: the same header, then per word the UTF-8 word, one space and ``dim``
  little-endian float32 values (written with a newline after each vector, as word2vec.c does;
  readers accept it with or without).
* ``glove``: like ``word2vec`` without the header line.
* ``npz``: float32 vectors, int64 counts and the word list (:func:`wordnet_lm.io.save_npz`).

All three text formats are readable by gensim's ``KeyedVectors.load_word2vec_format``
(``glove`` with ``no_header=True``).  Rows are stored in the given order (the frequency order
when the vectors came from a :class:`~wordnet_lm.text.Vocab`).
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from wordnet_lm.errors import InputFileError, ModelFileError, WordnetLMError
from wordnet_lm.io import atomic_write, load_npz, read_npz_meta, save_npz

FORMATS = ("word2vec", "word2vec-binary", "glove", "npz")
NPZ_KIND = "keyed_vectors"
_NPZ_MAGIC = b"PK\x03\x04"
_FLOAT_LE = np.dtype("<f4")
_WHITESPACE = re.compile(r"\s")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in a text vectors file
_TEXT_BLOCK = 20_000  # lines parsed per NumPy call when reading text files


# --------------------------------------------------------------------------- format choice
def format_from_suffix(path: str | os.PathLike) -> str:
    """The format :func:`write_vectors` uses for ``path`` when none is given:
    ``.bin`` -> word2vec-binary, ``.npz`` -> npz, anything else -> word2vec text."""
    suffix = Path(path).suffix.lower()
    return {".bin": "word2vec-binary", ".npz": "npz"}.get(suffix, "word2vec")


def detect_format(path: str | os.PathLike) -> str:
    """Guess the format of a vectors file from its content.

    A zip archive is ``npz``; a first line of two integers is a word2vec header, followed by
    text rows (``word2vec``) or raw floats (``word2vec-binary``); anything else is ``glove``.
    """
    path = Path(path)
    with open_binary(path) as f:
        head = f.read(4)
        if head == _NPZ_MAGIC:
            return "npz"
        f.seek(0)
        first = f.readline()
        if not first.strip():
            raise InputFileError(f"{path}: empty file" if not first else f"{path}:1: empty first line")
        header = _parse_header(first)
        if header is None:
            return "glove"
        n_words, dim = header
        if n_words == 0:
            return "word2vec"
        return "word2vec" if _is_text_row(f.readline(), dim) else "word2vec-binary"


def looks_like_vectors(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds word vectors in one of :data:`FORMATS` (read from its first lines
    only): what a command writing vectors may replace."""
    try:
        fmt = detect_format(path)
        if fmt == "npz":
            return read_npz_meta(path).get("kind") == NPZ_KIND
        if fmt != "glove":
            return True
        with open_binary(Path(path)) as f:
            first = f.readline(1 << 20)
        word, _, values = first.decode("utf-8").strip().partition(" ")
        return bool(word) and len(np.fromstring(values, dtype=np.float32, sep=" ")) >= 1
    except (WordnetLMError, OSError, UnicodeDecodeError, ValueError, DeprecationWarning):
        return False


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _is_text_row(line: bytes, dim: int) -> bool:
    try:
        parts = line.decode("utf-8").rstrip().split(" ")
        if len(parts) != dim + 1:
            return False
        [float(p) for p in parts[1:]]
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def open_binary(path: Path, what: str = "vectors"):
    """``open(path, "rb")`` with one-line :class:`InputFileError` s naming the file."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, expected a {what} file") from None
    except PermissionError:
        raise InputFileError(f"{path}: permission denied") from None


# --------------------------------------------------------------------------- reading
def read_vectors(path: str | os.PathLike, format: str = "auto") -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Read a vectors file.

    Parameters
    ----------
    path : path-like
        The file.
    format : {"auto", "word2vec", "word2vec-binary", "glove", "npz"}
        ``"auto"`` detects it (:func:`detect_format`).

    Returns
    -------
    words : list of str
    vectors : ndarray of float32, shape (len(words), dim)
    counts : ndarray of int64 or None
        Only ``npz`` files store counts.

    Raises
    ------
    InputFileError
        Missing, empty, non-UTF-8 or malformed file (the message names the file and line).
    """
    path = Path(path)
    if format == "auto":
        format = detect_format(path)
    if format == "npz":
        return _read_npz(path)
    if format == "word2vec-binary":
        return _read_word2vec_binary(path)
    if format in ("word2vec", "glove"):
        return _read_text(path, header=format == "word2vec")
    raise WordnetLMError(f"unknown vectors format {format!r}; choose one of auto, {', '.join(FORMATS)}")


def _read_npz(path: Path) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    try:
        arrays, meta = load_npz(path, kind=NPZ_KIND)
    except ModelFileError as e:
        raise InputFileError(str(e)) from None
    words, vectors = meta.get("words"), arrays.get("vectors")
    if not isinstance(words, list) or vectors is None or vectors.ndim != 2 or len(words) != len(vectors):
        raise InputFileError(f"{path}: corrupt vectors file (words and vectors do not match)")
    counts = arrays.get("counts")
    return words, vectors.astype(np.float32, copy=False), counts


def _read_text(path: Path, header: bool) -> tuple[list[str], np.ndarray, None]:
    """word2vec text (``header=True``) or GloVe text: parsed in blocks of lines by NumPy."""
    words: list[str] = []
    blocks: list[np.ndarray] = []
    n_words = dim = None
    pending: list[tuple[int, str]] = []  # (line number, the values part of the line)
    with open_binary(path) as f:
        line_no = 0
        for line_no, raw in enumerate(f, 1):
            text = _decode_line(path, line_no, raw).rstrip()
            if header and line_no == 1:
                parsed = _parse_header(raw)
                if parsed is None:
                    raise InputFileError(f"{path}:1: expected a word2vec header '<n_words> <dim>', got {text[:60]!r}")
                n_words, dim = parsed
                continue
            if not text:
                if _rest_is_blank(f):
                    break
                raise InputFileError(f"{path}:{line_no}: empty line")
            word, _, values = text.partition(" ")
            if not word:
                raise InputFileError(f"{path}:{line_no}: line starts with a space (empty word)")
            if dim is None:
                dim = values.count(" ") + 1 if values else 0
                if dim == 0:
                    raise InputFileError(f"{path}:{line_no}: expected 'word v1 v2 ...', got only {word[:60]!r}")
            n_values = values.count(" ") + 1 if values else 0
            if n_values != dim:
                raise InputFileError(f"{path}:{line_no}: expected {dim} numbers after the word, found {n_values}")
            words.append(word)
            pending.append((line_no, values))
            if len(pending) == _TEXT_BLOCK:
                blocks.append(_parse_block(path, pending, dim))
                pending = []
        if pending:
            blocks.append(_parse_block(path, pending, dim))
    if line_no == 0:
        raise InputFileError(f"{path}: empty file")
    if header and n_words != len(words):
        raise InputFileError(f"{path}: header says {n_words} words but the file has {len(words)}")
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, dim or 0), np.float32)
    _check_finite(path, vectors, first_line=2 if header else 1)
    return _drop_duplicates(path, words, vectors) + (None,)


def _decode_line(path: Path, line_no: int, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or _CONTROL.search(text):
        raise InputFileError(f"{path}:{line_no}: not UTF-8 text (a binary word2vec file? "
                             "try --format word2vec-binary)")
    return text


def _rest_is_blank(f) -> bool:
    return all(not line.strip() for line in f)


def _parse_block(path: Path, rows: list[tuple[int, str]], dim: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            flat = np.fromstring(" ".join(v for _, v in rows), dtype=np.float32, sep=" ")
        except (ValueError, DeprecationWarning):
            flat = None
    if flat is None or flat.size != len(rows) * dim:
        for line_no, values in rows:  # find the culprit for the message
            for token in values.split(" "):
                try:
                    float(token)
                except ValueError:
                    raise InputFileError(f"{path}:{line_no}: {token[:40]!r} is not a number") from None
        raise InputFileError(f"{path}:{rows[0][0]}-{rows[-1][0]}: cannot parse the numbers")
    return flat.reshape(len(rows), dim)


def _check_finite(path: Path, vectors: np.ndarray, first_line: int) -> None:
    bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
    if bad.size:
        raise InputFileError(f"{path}:{first_line + bad[0]}: vector holds NaN or infinity")


def _drop_duplicates(path: Path, words: list[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Keep the first row of a repeated word (as gensim does), with a warning."""
    if len(set(words)) == len(words):
        return words, vectors
    seen: set[str] = set()
    keep = [i for i, w in enumerate(words) if not (w in seen or seen.add(w))]
    warnings.warn(f"{path}: {len(words) - len(keep)} repeated words; kept the first vector of each", stacklevel=3)
    return [words[i] for i in keep], vectors[keep]


def _read_word2vec_binary(path: Path) -> tuple[list[str], np.ndarray, None]:
    with open_binary(path) as f:
        data = f.read()
    if not data:
        raise InputFileError(f"{path}: empty file")
    end = data.find(b"\n")
    header = _parse_header(data[: end if end >= 0 else len(data)])
    if header is None:
        raise InputFileError(f"{path}:1: expected a word2vec header '<n_words> <dim>'")
    n_words, dim = header
    row_bytes = 4 * dim
    if dim < 1 or n_words * (row_bytes + 2) > len(data) - end:  # each row: a word, a space, the floats
        raise InputFileError(f"{path}:1: header announces {n_words:,} words of dimension {dim:,}, more "
                             f"than the file's {len(data):,} bytes can hold")
    words: list[str] = []
    starts = np.empty(n_words, np.int64)
    pos = end + 1
    for i in range(n_words):
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + row_bytes > len(data):
            raise InputFileError(f"{path}: file ends after {i} of the {n_words} words its header announces")
        try:
            words.append(data[pos:space].lstrip(b"\n").decode("utf-8"))
        except UnicodeDecodeError:
            raise InputFileError(f"{path}: word {i + 1} (byte {pos}) is not UTF-8") from None
        starts[i] = space + 1
        pos = space + 1 + row_bytes
    if data[pos:].strip():
        raise InputFileError(f"{path}: data after the {n_words} words its header announces (wrong header count?)")
    vectors = np.empty((n_words, dim), np.float32)
    for i, start in enumerate(starts.tolist()):
        vectors[i] = np.frombuffer(data, _FLOAT_LE, dim, start)
    bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
    if bad.size:
        raise InputFileError(f"{path}: vector of word {bad[0] + 1} ({words[bad[0]]!r}) holds NaN or infinity")
    return _drop_duplicates(path, words, vectors) + (None,)


# --------------------------------------------------------------------------- writing
def write_vectors(
    path: str | os.PathLike,
    words: Sequence[str],
    vectors: np.ndarray,
    counts: np.ndarray | None = None,
    format: str | None = None,
) -> None:
    """Write vectors atomically.

    Parameters
    ----------
    path : path-like
    words : sequence of str
        One per row; for the text formats no word may be empty or hold whitespace.
    vectors : ndarray, shape (len(words), dim)
        Written as float32 (text formats: 9 significant digits, which round-trips float32).
    counts : ndarray, optional
        Stored by ``npz`` only.
    format : {"word2vec", "word2vec-binary", "glove", "npz"}, optional
        Default: from the suffix (:func:`format_from_suffix`).
    """
    format = format or format_from_suffix(path)
    vectors = np.asarray(vectors, np.float32)
    if format == "npz":
        arrays = {"vectors": vectors}
        if counts is not None:
            arrays["counts"] = np.asarray(counts, np.int64)
        save_npz(path, arrays, {"kind": NPZ_KIND, "version": 1, "words": list(words)})
        return
    if format not in FORMATS:
        raise WordnetLMError(f"unknown vectors format {format!r}; choose one of {', '.join(FORMATS)}")
    _check_words_writable(words, format)
    n_words, dim = vectors.shape
    with atomic_write(path, "wb") as f:
        if format != "glove":
            f.write(f"{n_words} {dim}\n".encode())
        if format == "word2vec-binary":
            little = vectors.astype(_FLOAT_LE, copy=False)
            for word, row in zip(words, little):
                f.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            row_format = " ".join(["%.9g"] * dim)
            for start in range(0, n_words, _TEXT_BLOCK):
                block = vectors[start:start + _TEXT_BLOCK].tolist()
                lines = (f"{w} {row_format % tuple(row)}\n" for w, row in zip(words[start:start + _TEXT_BLOCK], block))
                f.write("".join(lines).encode("utf-8"))


def _check_words_writable(words: Sequence[str], format: str) -> None:
    for word in words:
        if not word or _WHITESPACE.search(word) or _CONTROL.search(word) or not _encodable(word):
            raise WordnetLMError(f"cannot write word {word!r} in {format} format: words must be non-empty "
                                 "and hold no whitespace, control characters or lone surrogates (use .npz)")


def _encodable(word: str) -> bool:
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
