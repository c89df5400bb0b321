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

_DIGITS = 8
_WIDTH = 16  # widest text: sign, "0.", three zeros, 8 digits / the fallback's "-1.2345678e-05"
_TIE_BAND = 1e-6  # scaled values this close to a rounding tie are formatted by Python
_POWER_RANGE = 40
_POWERS = 10.0 ** np.arange(-2 * _POWER_RANGE, 2 * _POWER_RANGE + 1)[_POWER_RANGE:]  # _POWERS[k + 40] = 10**k


class WordBytes:
    """The vocabulary's words as one UTF-8 buffer, each word followed by a space."""

    def __init__(self, words: Sequence[str]) -> None:
        encoded = [w.encode("utf-8") for w in words]
        self.lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        self.starts = np.cumsum(self.lengths + 1) - (self.lengths + 1)
        self.buffer = np.frombuffer(b" ".join(encoded) + b" ", np.uint8)


def format_g8(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``format(v, ".8g")`` of every value, as one byte buffer with each text's start and length.

    Values with a decimal exponent in ``-4..7`` (fixed notation) are rounded and laid out with
    NumPy, one group of rows per (exponent, sign); zeros, other exponents, non-finite values and
    the rare values within ``1e-6`` of a rounding tie (where float arithmetic could round the
    other way) go through Python's own formatting, so every text is exactly Python's.
    """
    v = np.asarray(values, np.float64)
    m = len(v)
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
    mantissa = np.where(python, 10.0 ** (_DIGITS - 1), mantissa).astype(np.int64)

    digits = np.empty((m, _DIGITS), np.uint8)  # ASCII digits of the mantissa, most significant first
    trailing = np.zeros(m, np.int64)  # trailing zeros of the mantissa
    still_zero = np.ones(m, bool)
    for k in range(_DIGITS - 1, -1, -1):
        digit = mantissa % 10  # division by a scalar: libdivide, fast
        mantissa //= 10
        digits[:, k] = digit + ord("0")
        still_zero &= digit == 0
        trailing += still_zero

    negative = v < 0
    group = np.where(python, 99, np.where(zero, 98, (exponent + 4) * 2 + negative)).astype(np.uint8)
    order = np.argsort(group, kind="stable")  # radix sort (uint8); a group's rows contiguous: slices
    sorted_group = group[order]
    digits, trailing = digits[order], trailing[order]
    chars = np.zeros((m, _WIDTH), np.uint8)  # in sorted order
    lengths = np.zeros(m, np.int64)
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(sorted_group)) + 1, [m]]).tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        key = int(sorted_group[lo])
        if key >= 98:
            if key == 98:
                chars[lo:hi, 0] = ord("0")
                lengths[lo:hi] = 1
            continue
        x, base = key // 2 - 4, key % 2  # decimal exponent; 1 column for the sign
        d = digits[lo:hi]
        block = chars[lo:hi]
        if base:
            block[:, 0] = ord("-")
        kept = _DIGITS - trailing[lo:hi]  # significant digits without trailing zeros
        if x >= 0:  # d0..dx [. d(x+1)..]
            block[:, base:base + x + 1] = d[:, :x + 1]
            block[:, base + x + 1] = ord(".")
            block[:, base + x + 2:base + _DIGITS + 1] = d[:, x + 1:]
            fraction = np.maximum(kept - (x + 1), 0)
            lengths[lo:hi] = base + x + 1 + np.where(fraction > 0, fraction + 1, 0)
        else:  # 0.000d0d1...
            block[:, base:base + 2] = np.frombuffer(b"0.", np.uint8)
            block[:, base + 2:base + 1 - x] = ord("0")
            block[:, base + 1 - x:base + 1 - x + _DIGITS] = d
            lengths[lo:hi] = base + 1 - x + kept
    rare = np.flatnonzero(sorted_group == 99)
    if len(rare):  # Python's own text
        texts = [format(x, ".8g").encode("ascii") for x in v[order[rare]].tolist()]
        padded = np.frombuffer(b"".join(t.ljust(_WIDTH, b"\0") for t in texts), np.uint8).reshape(-1, _WIDTH)
        chars[rare] = padded
        lengths[rare] = [len(t) for t in texts]
    unsorted_chars = np.empty_like(chars)
    unsorted_chars[order] = chars
    unsorted_lengths = np.empty_like(lengths)
    unsorted_lengths[order] = lengths
    valid = np.arange(_WIDTH)[None, :] < unsorted_lengths[:, None]
    return unsorted_chars[valid], np.cumsum(unsorted_lengths) - unsorted_lengths, unsorted_lengths


def arpa_lines(log10_probs: Sequence[float], rows: np.ndarray, words: WordBytes,
               log10_backoffs: Sequence[float] | None) -> bytes:
    """The ARPA lines (newline-terminated) of the n-grams ``rows`` (shape ``(m, n)``, word ids)."""
    rows = np.asarray(rows, np.int64)
    m, n = rows.shape
    if m == 0:
        return b""
    probs, prob_starts, prob_lengths = format_g8(log10_probs)
    backoff = log10_backoffs is not None
    tails, tail_starts, tail_lengths = format_g8(log10_backoffs) if backoff else (np.zeros(0, np.uint8), 0, 0)
    separators = np.frombuffer(b"\t\n", np.uint8)
    source = np.concatenate([separators, probs, words.buffer, tails])
    prob_base, word_base = 2, 2 + len(probs)
    tail_base = word_base + len(words.buffer)
    width = n + (5 if backoff else 3)  # prob, TAB, words, [TAB, backoff], NEWLINE
    seg_start = np.empty((m, width), np.int64)  # where each segment of each line starts in `source`
    seg_length = np.ones((m, width), np.int64)
    seg_start[:, 0], seg_length[:, 0] = prob_starts + prob_base, prob_lengths
    seg_start[:, 1] = 0
    seg_start[:, 2:n + 2] = words.starts[rows] + word_base
    seg_length[:, 2:n + 2] = words.lengths[rows] + 1  # with the space after the word ...
    seg_length[:, n + 1] -= 1  # ... except after the last one
    if backoff:
        seg_start[:, n + 2] = 0
        seg_start[:, n + 3], seg_length[:, n + 3] = tail_starts + tail_base, tail_lengths
    seg_start[:, -1] = 1
    seg_start, seg_length = seg_start.ravel(), seg_length.ravel()
    out_start = np.cumsum(seg_length) - seg_length
    index = np.repeat(seg_start - out_start, seg_length)
    index += np.arange(len(index), dtype=np.int64)
    return source[index].tobytes()
