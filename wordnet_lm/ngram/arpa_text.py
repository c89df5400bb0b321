"""ARPA lines for many n-grams at once, assembled as bytes with NumPy.

A line is ``log10 p`` ``TAB`` the words separated by spaces, then ``TAB`` ``log10 backoff`` for
orders below the highest, then a newline; numbers as Python's ``{:.8g}``.  Numbers are
formatted by :func:`format_g8` (vectorised, byte-identical to ``format(x, ".8g")``); every line
is then a list of segments (number text, each word, separators) copied from one source buffer
into the output by a single ``np.repeat`` / fancy-index pass.  No Python code runs per line.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from wordnet_lm.ngram.byte_columns import join_columns

_DIGITS = 8
_WIDTH = 16  # widest text: sign, "0.", three zeros, 8 digits / the fallback's "-1.2345678e-05"
_TIE_BAND = 1e-6  # scaled values this close to a rounding tie are formatted by Python
_POWER_RANGE = 40
_SEPARATORS = np.frombuffer(b"\t\n", np.uint8)
_POWERS = 10.0 ** np.arange(-2 * _POWER_RANGE, 2 * _POWER_RANGE + 1)[_POWER_RANGE:]  # _POWERS[k + 40] = 10**k


_COPY_WORDS = 1 << 16  # words laid out at once by WordBytes.chunks (bounds its temporaries)


class WordBytes:
    """The vocabulary's words as one UTF-8 buffer, each word followed by a space."""

    def __init__(self, words: Sequence[str]) -> None:
        encoded = [w.encode("utf-8") for w in words]
        self.lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        self.starts = np.cumsum(self.lengths + 1) - (self.lengths + 1)
        self.buffer = np.frombuffer(b" ".join(encoded) + b" ", np.uint8)

    def chunks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each word and its space as little-endian uint64 words, NUL padded: the first word of
        every vocabulary word (``head``), and all of them (``chunks``, word ``i`` from
        ``chunk_start[i]``).  Built once, with NumPy."""
        cached = getattr(self, "_chunks", None)
        if cached is None:
            padded = (self.lengths + 1 + 7) // 8 * 8
            chunk_start = np.cumsum(padded) - padded
            flat = np.zeros(int(padded.sum()) + 8, np.uint8)
            size = self.lengths + 1
            for lo in range(0, len(size), _COPY_WORDS):  # blocks of words: the index arrays cost 8 bytes a byte
                block = slice(lo, lo + _COPY_WORDS)
                n = size[block]
                within = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
                flat[np.repeat(chunk_start[block], n) + within] = self.buffer[np.repeat(self.starts[block], n) + within]
            chunks = flat.view(np.uint64)
            chunk_start //= 8
            head = np.stack([chunks[chunk_start], chunks[chunk_start + 1]], axis=1)  # the flat tail pads by 8
            cached = self._chunks = (head, chunk_start, chunks)
        return cached

    @classmethod
    def from_lines(cls, text: bytes) -> "WordBytes":
        """From UTF-8 text of one word per line (each line ending in a newline), with NumPy:
        no Python object per word (a 1M-word vocabulary in every worker process)."""
        self = cls.__new__(cls)
        buffer = np.frombuffer(text, np.uint8).copy()
        ends = np.flatnonzero(buffer == ord("\n"))
        buffer[ends] = ord(" ")
        self.starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
        self.lengths = ends - self.starts
        self.buffer = buffer
        return self


def _layout_templates() -> np.ndarray:
    """For each exponent ``-4..7`` and sign, where each of the 16 bytes of the fixed-notation
    text comes from in a row ``d0..d7 - 0 .`` (indices 0-7 the digits, 8-10 the characters)."""
    minus, zero, dot = 8, 9, 10
    table = np.full((12, 2, _WIDTH), zero, np.int32)
    for x in range(-4, _DIGITS):
        if x >= 0:
            body = list(range(x + 1)) + [dot] + list(range(x + 1, _DIGITS))
        else:
            body = [zero, dot] + [zero] * (-x - 1) + list(range(_DIGITS))
        for negative in (0, 1):
            text = [minus] * negative + body
            table[x + 4, negative, :len(text)] = text
    return table.reshape(24, _WIDTH)


_TEMPLATES = _layout_templates()
_ROW = 11  # bytes of a row the templates read


def _layout(digits: np.ndarray, exponent: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """The fixed-notation text of each row as ``(m, 16)`` bytes: ``[-]d0..dx.d(x+1)..d7`` for
    exponents ``x >= 0``, ``[-]0.`` then ``-x-1`` zeros then ``d0..d7`` below; trailing bytes
    (cut by the lengths) are left over.  One gather per byte through a template per exponent
    and sign (exponents must be in ``-4..7``)."""
    m = len(digits)
    rows = np.empty((m, _ROW), np.uint8)
    rows[:, :_DIGITS] = digits.view(np.uint8).reshape(m, _DIGITS)
    rows[:, _DIGITS:] = np.frombuffer(b"-0.", np.uint8)
    index = np.take(_TEMPLATES, (exponent + 4) * 2 + negative, axis=0)
    index += np.arange(0, m * _ROW, _ROW, dtype=np.int32)[:, None]
    return np.take(rows.reshape(-1), index)


_QUAD_TEXT = np.array([int.from_bytes(f"{k:04d}".encode(), "little") for k in range(10_000)], np.uint64)
_QUAD_TRAILING = np.array([len(f"{k:04d}") - len(f"{k:04d}".rstrip("0")) for k in range(10_000)], np.int64)


def format_g8_fixed(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``format(v, ".8g")`` of every value as a ``(m, 16)`` matrix of bytes (row ``i`` holds the
    text of ``values[i]``, NUL padded) and the lengths.

    Values with a decimal exponent in ``-4..7`` (fixed notation) are rounded with NumPy and laid
    out by a per-(exponent, sign) column template (one gather, no sort); zeros, other exponents,
    non-finite values and the rare values within ``1e-6`` of a rounding tie (where float
    arithmetic could round the other way) go through Python's own formatting, so every text is
    exactly Python's.
    """
    v = np.asarray(values, np.float64)
    size = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        exponent = np.floor(np.log10(size))
        exponent = np.clip(np.where(np.isfinite(exponent), exponent, 0), -_POWER_RANGE, _POWER_RANGE).astype(np.int64)
        for _ in range(2):  # log10 may be one off near powers of ten
            scaled = size * _POWERS[_DIGITS - 1 - exponent + _POWER_RANGE]
            exponent += (scaled >= 10.0 ** _DIGITS).astype(np.int64) - (scaled < 10.0 ** (_DIGITS - 1)).astype(np.int64)
            np.clip(exponent, -_POWER_RANGE, _POWER_RANGE, out=exponent)
        scaled = size * _POWERS[_DIGITS - 1 - exponent + _POWER_RANGE]
        mantissa = np.floor(scaled + 0.5)
        tie = np.abs(scaled - np.floor(scaled) - 0.5) < _TIE_BAND
    carry = mantissa >= 10.0 ** _DIGITS  # 99999999.5 -> 1.0000000e(x+1)
    mantissa[carry] = 10.0 ** (_DIGITS - 1)
    exponent[carry] += 1
    zero = (v == 0) & ~np.signbit(v)  # written "0" (backoffs of n-grams that are no context)
    python = ~np.isfinite(v) | (v == 0) | (exponent < -4) | (exponent >= _DIGITS) | tie
    python &= ~zero
    special = python | zero
    mantissa = np.where(special, 10.0 ** (_DIGITS - 1), mantissa).astype(np.int64)
    exponent[special] = 0

    high, low = np.divmod(mantissa, 10_000)  # four digits each: one table lookup
    digits = _QUAD_TEXT[high] | (_QUAD_TEXT[low] << np.uint64(32))  # ASCII d0..d7, d0 in the lowest byte
    trailing = np.where(low == 0, 4 + _QUAD_TRAILING[high], _QUAD_TRAILING[low])  # trailing zeros of the mantissa
    negative = (v < 0).astype(np.int64)
    chars = _layout(digits, exponent, negative)
    kept = _DIGITS - trailing  # significant digits without trailing zeros
    fraction = np.maximum(kept - (exponent + 1), 0)
    lengths = np.where(exponent >= 0, exponent + 1 + np.where(fraction > 0, fraction + 1, 0), 1 - exponent + kept)
    lengths += negative
    if zero.any():
        chars[zero] = 0
        chars[zero, 0] = ord("0")
        lengths[zero] = 1
    rare = np.flatnonzero(python)
    if len(rare):  # Python's own text
        texts = [format(x, ".8g").encode("ascii") for x in v[rare].tolist()]
        chars[rare] = np.frombuffer(b"".join(t.ljust(_WIDTH, b"\0") for t in texts), np.uint8).reshape(-1, _WIDTH)
        lengths[rare] = [len(t) for t in texts]
    return chars, lengths


def format_few_values(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`format_g8_fixed` of values with few distinct ones (backoffs: mostly 0, the rest
    repeating): each distinct bit pattern formatted once, then gathered."""
    v = np.ascontiguousarray(values, np.float64)
    bits = v.view(np.int64)  # bits: -0.0 is not 0.0
    ordered = np.sort(bits)
    first = np.empty(len(ordered), bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    distinct = ordered[first]
    if len(distinct) * 2 > len(v):
        return format_g8_fixed(v)
    chars, lengths = format_g8_fixed(distinct.view(np.float64))
    inverse = np.searchsorted(distinct, bits)  # a value sort and a search: twice as fast as np.unique's argsort
    return np.take(chars, inverse, axis=0), lengths[inverse]


def format_g8(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``format(v, ".8g")`` of every value, as one byte buffer with each text's start and length."""
    chars, lengths = format_g8_fixed(values)
    valid = np.arange(_WIDTH)[None, :] < lengths[:, None]
    return chars[valid], np.cumsum(lengths) - lengths, lengths


def arpa_lines(log10_probs: Sequence[float], rows: np.ndarray, words: WordBytes,
               log10_backoffs: Sequence[float] | None) -> bytes:
    """The ARPA lines (newline-terminated) of the n-grams ``rows`` (shape ``(m, n)``, word ids).

    Assembled column by column (:func:`wordnet_lm.ngram.byte_columns.join_columns`), each a
    16-byte store per line: the probability and a tab, each word with the space, tab or
    newline after it, and for orders with backoffs the backoff and a newline."""
    rows = np.asarray(rows, np.int64)
    m, n = rows.shape
    if m == 0:
        return b""
    probs, prob_lengths = format_g8_fixed(log10_probs)
    _put_byte(probs, prob_lengths, _TAB)  # <= 15 characters: the tab fits
    columns = [(probs.view(np.uint64), prob_lengths + 1)]
    head, chunk_start, chunks = words.chunks()
    backoff = log10_backoffs is not None
    for k in range(n):
        ids = rows[:, k]
        lengths = words.lengths[ids]
        text = np.take(head, ids, axis=0)
        end = _SPACE if k < n - 1 else (_TAB if backoff else _NEWLINE)
        if end != _SPACE:
            _put_byte(text.view(np.uint8), lengths, end)  # where it falls in the first 16 bytes
        columns.append((text, lengths + 1, _ExtraWords(chunks, chunk_start, ids, lengths, end)))
    if backoff:
        columns.append(_line_end(*format_few_values(log10_backoffs)))
    return join_columns(columns)


_SPACE, _TAB, _NEWLINE = ord(" "), ord("\t"), ord("\n")


def _put_byte(chars: np.ndarray, at: np.ndarray, byte: int) -> None:
    """``chars[i, at[i]] = byte`` for the rows where ``at[i]`` is within the row."""
    rows, width = chars.shape
    inside = at < width
    flat_at = np.arange(0, rows * width, width, dtype=np.int64) + at
    chars.reshape(-1)[flat_at if inside.all() else flat_at[inside]] = byte


def _line_end(chars: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Text and newline: ``(m, 2)`` uint64 words and lengths (texts of at most 15 bytes)."""
    _put_byte(chars, lengths, _NEWLINE)
    return chars.view(np.uint64), lengths + 1


class _ExtraWords:
    """The ``j``-th uint64 word of the texts of words ``ids[rows]`` followed by ``end`` (for
    words whose text and end take more than 16 bytes)."""

    def __init__(self, chunks: np.ndarray, chunk_start: np.ndarray, ids: np.ndarray, lengths: np.ndarray,
                 end: int) -> None:
        self.chunks, self.chunk_start, self.ids, self.lengths, self.end = chunks, chunk_start, ids, lengths, end

    def __call__(self, rows: np.ndarray, j: int) -> np.ndarray:
        words = self.chunks[self.chunk_start[self.ids[rows]] + j]
        if self.end != _SPACE:
            words = words.copy()
            _put_byte(words.view(np.uint8).reshape(-1, 8), self.lengths[rows] - 8 * j, self.end)
        return words
