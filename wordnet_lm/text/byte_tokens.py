"""Whitespace tokenising and numbering of UTF-8 lines with NumPy on the raw bytes.

The encoder's hot path (:mod:`wordnet_lm.text.encode`) used to split every line into Python
strings and look each token up in a dict (about 0.5 us a token).  Here a batch of lines stays
bytes: tokens are the runs of non-whitespace bytes, a token of up to 16 bytes is read as two
little-endian words (``w0``, ``w1``, masked to its length) and grouped with equal tokens by a
sort of ``hash(w0, w1, length)`` with the token's position in the low bits; each group is then
checked token by token against its first member (words and length, exact), so a hash
collision can never merge two words (the batch goes the general way instead).  Only one string
per word type and batch is made in Python, in order of first occurrence, so the ids are those
``encode_with(seen, str.split lines)`` gives.

Equivalent to ``str.split`` on lines read with universal newlines, empty lines dropped, for
batches without the non-ASCII whitespace ``str.split`` also splits at (U+0085, U+00A0,
U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000): :func:`encode_lines` returns
None for those, and the caller tokenises them in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import MutableMapping

import numpy as np

from wordnet_lm.text.byte_words import LOW_MASKS, STR_WHITESPACE, has_unicode_whitespace, spans
from wordnet_lm.text.vocab import Corpus

MAX_FAST_BYTES = 16  # longer tokens (under 0.1% of English text) are numbered one by one in Python
_POSITION_BITS = 24  # a batch holds fewer tokens than this (checked)
_K1, _K2, _K3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)


class KnownWords:
    """The short words numbered in earlier batches, as sorted NumPy arrays (hash, the two
    words and the length, id): a batch looks its word types up here with one ``searchsorted``
    and makes Python strings only for words it sees for the first time."""

    def __init__(self) -> None:
        self.hash = np.zeros(0, np.uint64)
        self.w0 = np.zeros(0, np.uint64)
        self.w1 = np.zeros(0, np.uint64)
        self.size = np.zeros(0, np.int64)
        self.id = np.zeros(0, np.int64)

    def find(self, types: "_Types") -> tuple[np.ndarray, np.ndarray]:
        """Ids of the ``types`` (-1 if unknown) and whether their hash is taken by another word."""
        at = np.minimum(np.searchsorted(self.hash, types.hash), max(len(self.hash) - 1, 0))
        if len(self.hash) == 0:
            return np.full(len(types.hash), -1, np.int64), np.zeros(len(types.hash), bool)
        taken = self.hash[at] == types.hash
        same = taken & (self.w0[at] == types.w0) & (self.w1[at] == types.w1) & (self.size[at] == types.size)
        return np.where(same, self.id[at], -1), taken & ~same

    def add(self, types: "_Types", ids: np.ndarray, new: np.ndarray) -> None:
        """Remember the ``new`` types (sorted by hash, hashes not yet taken) with their ``ids``."""
        at = np.searchsorted(self.hash, types.hash[new])
        self.hash = np.insert(self.hash, at, types.hash[new])
        self.w0 = np.insert(self.w0, at, types.w0[new])
        self.w1 = np.insert(self.w1, at, types.w1[new])
        self.size = np.insert(self.size, at, types.size[new])
        self.id = np.insert(self.id, at, ids[new])


@dataclass
class _Types:
    """The distinct short tokens of a batch, in hash order: where each first occurs (index
    among the short tokens), its hash, words and length."""

    first: np.ndarray
    hash: np.ndarray
    w0: np.ndarray
    w1: np.ndarray
    size: np.ndarray


def encode_lines(raw: bytes, seen: MutableMapping[str, int], known: KnownWords | None = None) -> Corpus | None:
    """The tokens of the UTF-8 lines ``raw`` (already checked to decode) numbered by ``seen``
    (new words get ids as first seen, like :func:`~wordnet_lm.text.vocab.encode_with`), one
    sentence per non-empty line; None if the batch needs the general tokeniser.  ``known``
    (kept across the batches that share ``seen``) saves making strings for words seen before."""
    data = np.frombuffer(raw, np.uint8)
    if len(data) == 0:
        return Corpus(np.zeros(0, np.int32), np.zeros(1, np.int64))
    if has_unicode_whitespace(raw):
        return None
    starts, ends = spans(data, STR_WHITESPACE)
    n = len(starts)
    if n >= (1 << _POSITION_BITS):
        return None
    if n == 0:
        return Corpus(np.zeros(0, np.int32), np.zeros(1, np.int64))
    breaks = np.flatnonzero((data == 10) | (data == 13))  # universal newlines: \n, \r, \r\n
    line = np.searchsorted(breaks, starts)  # the line of every token
    bounds = np.concatenate([[0], np.flatnonzero(line[1:] != line[:-1]) + 1, [n]])
    sizes = ends - starts
    short = sizes <= MAX_FAST_BYTES
    ids = np.empty(n, np.int64)
    groups = _group_short_tokens(data, starts[short], sizes[short])
    if groups is None:
        return None
    types, inverse = groups
    short_at = np.flatnonzero(short)
    known = known if known is not None else KnownWords()
    type_ids, taken = known.find(types)
    unknown = np.flatnonzero(type_ids < 0)
    # words not numbered before, in order of first occurrence: unknown types and every long token
    long_at = np.flatnonzero(~short)
    firsts = np.concatenate([short_at[types.first[unknown]], long_at])
    order = np.argsort(firsts, kind="stable")
    at = firsts[order]
    words = [raw[a:b].decode("utf-8") for a, b in zip(starts[at].tolist(), ends[at].tolist())]
    numbered = np.empty(len(firsts), np.int64)
    numbered[order] = np.fromiter(map(seen.__getitem__, words), np.int64, len(words))
    type_ids[unknown] = numbered[:len(unknown)]
    new = np.zeros(len(type_ids), bool)
    new[unknown] = True
    known.add(types, type_ids, new & ~taken)  # a hash taken by another word: that type stays unknown
    ids[short_at] = type_ids[inverse]
    ids[long_at] = numbered[len(unknown):]
    return Corpus(ids.astype(np.int32), bounds.astype(np.int64))


def _group_short_tokens(data: np.ndarray, starts: np.ndarray, sizes: np.ndarray
                        ) -> tuple[_Types, np.ndarray] | None:
    """Group equal tokens (each at most 16 bytes): the types (in hash order) and every token's
    type; None on a hash collision inside the batch."""
    n = len(starts)
    if n == 0:
        empty = np.zeros(0, np.uint64)
        return _Types(np.zeros(0, np.int64), empty, empty, empty, np.zeros(0, np.int64)), np.zeros(0, np.int64)
    padded = np.zeros(len(data) + 24, np.uint8)
    padded[:len(data)] = data
    words = np.ndarray((len(padded) - 7,), "<u8", padded, 0, (1,))  # the 8 bytes at every offset
    w0 = words[starts] & LOW_MASKS[np.minimum(sizes, 8)]
    w1 = words[starts + 8] & LOW_MASKS[np.clip(sizes - 8, 0, 8)]
    length = sizes.astype(np.uint64)
    with np.errstate(over="ignore"):  # multiplication carries every bit of a word into the high bits kept
        h = w0 * _K1
        h += w1 * _K2
        h += length * _K3
    position_mask = np.uint64((1 << _POSITION_BITS) - 1)
    h &= ~position_mask
    h |= np.arange(n, dtype=np.uint64)
    packed = h
    packed.sort()
    position = (packed & position_mask).astype(np.int64)
    key = packed & ~position_mask
    new = np.empty(n, bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    group_sorted = np.cumsum(new) - 1  # group of each sorted token, groups in hash order
    first = position[new]  # the smallest position of each group: its first occurrence
    group = np.empty(n, np.int64)
    group[position] = group_sorted
    leader = first[group]
    if not (np.array_equal(w0, w0[leader]) and np.array_equal(w1, w1[leader])
            and np.array_equal(sizes, sizes[leader])):
        return None  # two words with one hash: let the general path number this batch
    return _Types(first, key[new], w0[first], w1[first], sizes[first]), group
