"""Decimal numbers parsed from raw bytes with NumPy, exactly as Python's ``float`` parses them.

A field ``[-]digits[.digits][e[+-]digits]`` of at most 16 bytes is read as 16 bytes (two
unaligned 8-byte words), checked column by column, and its integer, fraction and exponent
digits are each turned into an integer with the 8-digits-at-once SWAR trick (three multiply,
shift and mask steps on a ``uint64``).  With at most 15 significant digits the mantissa ``M``
is an exact double and so is ``10**k`` for ``|k| <= 22``, so the one division (or
multiplication) ``M / 10**k`` is correctly rounded: the same double ``float(text)`` gives.
Anything else (longer fields, ``inf``, ``1_0``, more digits) is parsed by ``float``, one at a
time: such fields are rare in ARPA files.
"""

from __future__ import annotations

import numpy as np

from wordnet_lm.text.byte_words import LOW_MASKS

WIDTH = 16  # bytes read per field (the buffer needs this many bytes of padding)

_ZEROS = np.uint64(0x3030303030303030)
_FILL = np.array([0x3030303030303030 & ((1 << (8 * (8 - k))) - 1) for k in range(9)], np.uint64)  # 8-k '0's
_POW10 = 10.0 ** np.arange(23)
_M1, _M2, _M3 = np.uint64(10), np.uint64(100), np.uint64(10000)
_K1, _K2, _K3 = np.uint64(0x00FF00FF00FF00FF), np.uint64(0x0000FFFF0000FFFF), np.uint64(0xFFFFFFFF)
_S8, _S16, _S32 = np.uint64(8), np.uint64(16), np.uint64(32)


def eight_digits(words: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The integer written by the first ``count`` (0..8) ASCII digits of each little-endian word."""
    count = np.asarray(count, np.int64)
    x = (words & LOW_MASKS[count]) << ((8 - count) * 8).astype(np.uint64)  # right-align: digits at the top
    x = (x | _FILL[count]) - _ZEROS  # leading '0's, then digit values
    x = (x * _M1 + (x >> _S8)) & _K1
    x = (x * _M2 + (x >> _S16)) & _K2
    return ((x * _M3 + (x >> _S32)) & _K3).astype(np.int64)


_HIGH_NIBBLES, _PLUS6 = np.uint64(0xF0F0F0F0F0F0F0F0), np.uint64(0x0606060606060606)


_BYTE, _S56, _E7 = np.uint64(0xFF), np.uint64(56), np.uint64(10 ** 7)
_SCALE = 10.0 ** np.arange(16)


def _padded(words: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The first ``count`` bytes of each word, then ASCII '0's."""
    mask = LOW_MASKS[count]
    return (words & mask) | (_ZEROS & ~mask)


def _digits(words: np.ndarray) -> np.ndarray:
    """Whether all 8 bytes of each word are ASCII digits."""
    return ((words & _HIGH_NIBBLES) == _ZEROS) & (((words + _PLUS6) & _HIGH_NIBBLES) == _ZEROS)


def _swar(words: np.ndarray) -> np.ndarray:
    """The integer written by 8 ASCII digits (the first in the low byte)."""
    x = words - _ZEROS
    x = (x * _M1 + (x >> _S8)) & _K1
    x = (x * _M2 + (x >> _S16)) & _K2
    return (x * _M3 + (x >> _S32)) & _K3


def parse_decimals(view: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, parsed) of the fields ``buffer[start:start + length]``; ``view`` is the buffer's
    unaligned 8-byte view (:func:`wordnet_lm.text.byte_words.u64_view`, ``WIDTH`` bytes of padding).
    ``parsed`` is False where neither fast path applies (the value is then 0): parse those with
    :func:`parse_rest`.

    The common shapes ``[-]D.DDDDDDDDDDDDDD`` and ``[-]DDDDDDDD`` (what ARPA writers print) take
    a short path: the digits without the dot, padded with '0's to 15, as one integer ``M`` (two
    8-digit SWAR steps), and the value ``M / 10**14`` (``M / 10**(15 - digits)`` without a dot),
    one correctly rounded division of exact doubles.  Other fields with an exponent, a sign or up
    to 15 digits take the general one.
    """
    starts = np.asarray(starts, np.int64)
    lengths = np.asarray(lengths, np.int64)
    neg = (view[starts] & _BYTE) == np.uint64(45)
    first = starts + neg
    head = view[first]  # D . F1..F6 (or up to 8 digits)
    tail = view[first + 8]  # F7..F14
    rest = lengths - neg  # bytes after the sign
    dotted = ((head >> _S8) & _BYTE) == np.uint64(46)
    simple = np.where(dotted, (rest >= 2) & (rest <= 16), (rest >= 1) & (rest <= 8))
    n_digits = np.where(simple, rest - dotted, 0)
    # the digits without the dot: D F1..F7 in one word, F8..F14 in the next
    high = _padded(np.where(dotted, (head & _BYTE) | ((head >> _S8) & ~_BYTE) | (tail << _S56), head),
                   np.minimum(n_digits, 8))
    low = _padded(np.where(dotted, tail >> _S8, np.uint64(0)), np.clip(n_digits - 8, 0, 8))
    simple &= _digits(high) & _digits(low)
    mantissa = (_swar(high) * _E7 + _swar(low) // _M1).astype(np.int64)  # 15 digits (the last 8th: a pad '0')
    value = mantissa / _SCALE[np.where(dotted, 14, 15 - n_digits)]
    out = np.where(neg, -value, value)
    other = np.flatnonzero(~simple)
    parsed = simple
    if len(other):
        out[other], parsed[other] = _parse_general(view, starts[other], lengths[other])
    return out, parsed


def _parse_general(view: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, parsed) of the fields ``buffer[start:start + length]``; ``view`` is the buffer's
    unaligned 8-byte view (:func:`wordnet_lm.text.byte_words.u64_view`, ``WIDTH`` bytes of padding).
    ``parsed`` is False where the fast path does not apply (the value is then 0): parse those with
    :func:`parse_rest`."""
    starts = np.asarray(starts, np.int64)
    lengths = np.asarray(lengths, np.int64)
    m = len(starts)
    window = np.empty((m, 2), np.uint64)
    window[:, 0] = view[starts]
    window[:, 1] = view[starts + 8]
    cells = window.view(np.uint8)  # (m, 16): the field's bytes, then whatever follows
    inside = np.arange(WIDTH, dtype=np.uint8)[None, :] < np.minimum(lengths, WIDTH).astype(np.uint8)[:, None]
    digit = ((cells - np.uint8(48)) < 10) & inside
    dot = (cells == 46) & inside
    exp = ((cells | np.uint8(32)) == 101) & inside
    neg = cells[:, 0] == 45
    sign = neg | (cells[:, 0] == 43)
    has_dot, has_exp = dot.any(1), exp.any(1)
    exp_at = np.where(has_exp, exp.argmax(1), lengths)
    dot_at = np.where(has_dot, dot.argmax(1), exp_at)
    after_exp = np.minimum(exp_at + 1, WIDTH - 1)
    exp_sign_byte = cells[np.arange(m), after_exp]
    exp_sign = has_exp & ((exp_sign_byte == 45) | (exp_sign_byte == 43))
    n_int = dot_at - sign
    n_frac = np.where(has_dot, exp_at - dot_at - 1, 0)
    n_exp = np.where(has_exp, lengths - exp_at - 1 - exp_sign, 0)
    parsed = ((lengths <= WIDTH) & (digit.sum(1) + sign + has_dot + has_exp + exp_sign == lengths)
              & (dot.sum(1) <= 1) & (exp.sum(1) <= 1) & (dot_at <= exp_at) & (n_int >= 0)
              & (n_int + n_frac >= 1) & (n_int <= 8) & (n_frac <= 8) & (n_int + n_frac <= 15)
              & (~has_exp | ((n_exp >= 1) & (n_exp <= 3))))
    ok = np.flatnonzero(parsed)
    s = starts[ok]
    whole = eight_digits(view[s + sign[ok]], n_int[ok])
    frac = eight_digits(view[s + dot_at[ok] + 1], n_frac[ok])
    mantissa = whole * (10 ** n_frac[ok]) + frac
    power = n_frac[ok].copy()  # value = mantissa / 10**power
    if has_exp.any():
        e = np.flatnonzero(has_exp[ok])
        exponent = eight_digits(view[s[e] + exp_at[ok][e] + 1 + exp_sign[ok][e]], n_exp[ok][e])
        exponent[exp_sign_byte[ok][e] == 45] *= -1
        power[e] -= exponent
    exact = np.abs(power) <= 22
    parsed[ok[~exact]] = False
    ok, mantissa, power = ok[exact], mantissa[exact], power[exact]
    value = np.where(power >= 0, mantissa / _POW10[np.maximum(power, 0)], mantissa * _POW10[np.maximum(-power, 0)])
    out = np.zeros(m)
    out[ok] = np.where(neg[ok], -value, value)
    return out, parsed


def parse_rest(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, int]:
    """``float`` of each field (the few the fast path leaves); (values, index of the first field
    that is not a number or -1)."""
    out = np.zeros(len(starts))
    for i, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist())):
        try:
            out[i] = float(buffer[start:start + length].tobytes())
        except ValueError:
            return out, i
    return out, -1
