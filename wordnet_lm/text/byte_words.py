"""Words found in raw bytes without a Python object per token.

Token spans (runs of non-whitespace bytes) are found with NumPy; a token is identified by its
length and its bytes read 8 at a time as little-endian ``uint64`` words (an unaligned view of
the buffer), which is exact.  :class:`WordTable` maps tokens to the ids of a word list through
an open-addressing table of 64-bit mixes of those words, then compares every found token word
for word with the vocabulary entry, so a hash collision can never give a wrong id.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

PAD = 8  # zero bytes after a buffer, so that an 8-byte read at any byte stays inside it

# bytes.split's whitespace, plus the separators str.split adds in ASCII (\x1c-\x1f)
ASCII_WHITESPACE = np.zeros(256, bool)
ASCII_WHITESPACE[[9, 10, 11, 12, 13, 32]] = True
STR_WHITESPACE = ASCII_WHITESPACE.copy()
STR_WHITESPACE[28:32] = True

LOW_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], np.uint64)  # [k]: the low k bytes
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_FIB = np.uint64(0x9E3779B97F4A7C15)
_S32, _S64 = np.uint64(32), np.uint64(64)


def padded(data: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """``data`` as a fresh uint8 array followed by ``PAD`` zero bytes."""
    raw = np.frombuffer(data, np.uint8) if not isinstance(data, np.ndarray) else data.view(np.uint8)
    out = np.zeros(len(raw) + PAD, np.uint8)
    out[:len(raw)] = raw
    return out


# non-ASCII characters str.split splits at, as UTF-8: U+0085, U+00A0, U+1680, U+2000-200A,
# U+2028, U+2029, U+202F, U+205F, U+3000
_FIXED_SPACES = (b"\xc2\x85", b"\xc2\xa0", b"\xe1\x9a\x80", b"\xe2\x81\x9f", b"\xe3\x80\x80")
_E2_80_SPACES = np.zeros(256, bool)
_E2_80_SPACES[[*range(0x80, 0x8B), 0xA8, 0xA9, 0xAF]] = True


def has_unicode_whitespace(raw: bytes) -> bool:
    """Whether the UTF-8 bytes ``raw`` hold a non-ASCII character ``str.split`` splits at (the
    byte-level tokenisers, which split at ASCII whitespace only, leave such text to Python)."""
    data = np.frombuffer(raw, np.uint8)
    if not (data >= 0x80).any():
        return False
    if any(space in raw for space in _FIXED_SPACES):
        return True
    lead = np.flatnonzero((data[:-2] == 0xE2) & (data[1:-1] == 0x80))
    return bool(_E2_80_SPACES[data[lead + 2]].any())


def u64_view(buffer: np.ndarray) -> np.ndarray:
    """``view[i]``: the 8 bytes of the (padded) uint8 ``buffer`` starting at byte ``i``, little-endian."""
    return np.ndarray(shape=(max(len(buffer) - 7, 0),), dtype="<u8", buffer=buffer, strides=(1,))


def spans(data: np.ndarray, whitespace: np.ndarray = ASCII_WHITESPACE) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of every run of non-whitespace bytes of the uint8 ``data``."""
    # bytes <= 32 are whitespace but for rare control bytes: then the exact (slower) table
    space = whitespace[data] if _has_controls(data, whitespace) else data <= 32
    change = np.flatnonzero(space[1:] != space[:-1]) + 1
    if len(data) and not space[0]:
        change = np.concatenate([[0], change])
    if len(data) and not space[-1]:
        change = np.concatenate([change, [len(data)]])
    return change[0::2], change[1::2]


def _has_controls(data: np.ndarray, whitespace: np.ndarray) -> bool:
    """Whether ``data`` holds a byte <= 32 that ``whitespace`` does not count."""
    top = 28 if whitespace[28] else 32  # \x1c-\x1f: whitespace for str.split, not for bytes.split
    return bool(np.any(data < 9) or np.any((data > 13) & (data < top)))


def word_keys(view: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first 8 bytes, 64-bit key) of each token: a token of up to 8 bytes is its own key (its
    bytes, zero-padded: exact, as a word holds no NUL byte), a longer one a mix of all its bytes."""
    lengths = np.asarray(lengths, np.int64)
    first = view[starts] & LOW_MASKS[np.minimum(lengths, 8)]
    key = first.copy()
    longer = np.flatnonzero(lengths > 8)
    if len(longer):
        mixed = (first[longer] ^ lengths[longer].astype(np.uint64)) * _MIX
        mixed ^= mixed >> _S32
        at, size, k = starts[longer], lengths[longer], 8
        todo = np.arange(len(longer))
        while len(todo):
            part = view[at[todo] + k] & LOW_MASKS[np.minimum(size[todo] - k, 8)]
            step = (mixed[todo] ^ part) * _MIX
            mixed[todo] = step ^ (step >> _S32)
            k += 8
            todo = todo[size[todo] > k]
        key[longer] = mixed
    return first, key


class WordTable:
    """Token bytes -> ids of ``words`` (their position in the list), vectorised.

    Raises
    ------
    ValueError
        Two words share a 64-bit mix (never seen in practice; callers fall back to a dict).
    """

    def __init__(self, words: Sequence[str] | Sequence[bytes]) -> None:
        encoded = [w.encode("utf-8") if isinstance(w, str) else bytes(w) for w in words]
        self.lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        self.starts = np.cumsum(self.lengths) - self.lengths
        self.buffer = padded(b"".join(encoded))
        self._view = u64_view(self.buffer)
        self.first, mixed = word_keys(self._view, self.starts, self.lengths)
        bits = max(int(np.ceil(np.log2(2 * len(encoded) + 2))), 4)
        self._shift = np.uint64(64 - bits)
        hashes = np.zeros(1 << bits, np.uint64)
        ids = np.full(1 << bits, -1, np.int64)
        slots = self._home(mixed)
        pending = np.arange(len(encoded))
        while len(pending):  # insert: one winner per free slot each round, the others move on
            cand = slots[pending]
            free = ids[cand] < 0
            taken = ~free
            if np.any(hashes[cand[taken]] == mixed[pending[taken]]):
                raise ValueError("two words share a hash")
            ids[cand[free]] = pending[free]
            won = np.zeros(len(pending), bool)
            won[free] = ids[cand[free]] == pending[free]
            hashes[cand[won]] = mixed[pending[won]]
            slots[pending[taken]] = (slots[pending[taken]] + 1) & (len(ids) - 1)  # losers of a claim retry
            pending = pending[~won]
        # each slot's mix and id side by side (16 bytes, gathered as one complex128): one cache line per lookup
        records = np.empty((len(ids), 2), np.uint64)
        records[:, 0] = hashes
        records[:, 1] = ids.view(np.uint64)
        self._records = records.view(np.complex128).ravel()

    def _home(self, mixed: np.ndarray) -> np.ndarray:
        home = mixed * _FIB
        home >>= self._shift
        return home.view(np.int64)  # below the table size: the same bits as int64 (no copy)

    def __len__(self) -> int:
        return len(self.lengths)

    def lookup_mixed(self, view: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The id of each token by its 64-bit mix alone (no byte comparison): exact for tokens that
        are words of the table (their mixes are distinct), -1 for other tokens but for one whose
        mix equals a word's (odds ~2**-64 per word).  For files whose every token must be a word
        (an ARPA file's n-grams), where a stray token only has to be caught."""
        return self._find(word_keys(view, starts, lengths)[1])

    def _find(self, mixed: np.ndarray) -> np.ndarray:
        """The id of the word whose mix is each of ``mixed``; -1 if none."""
        slots = self._home(mixed)
        found = self._records[slots].view(np.uint64).reshape(-1, 2)
        ids = found[:, 1].view(np.int64).copy()
        probing = np.flatnonzero((found[:, 0] != mixed) & (ids >= 0))
        mask = len(self._records) - 1
        while len(probing):  # the few whose home slot holds another word: read on
            slots[probing] = (slots[probing] + 1) & mask
            found = self._records[slots[probing]].view(np.uint64).reshape(-1, 2)
            ids[probing] = found[:, 1].view(np.int64)
            probing = probing[(found[:, 0] != mixed[probing]) & (found[:, 1].view(np.int64) >= 0)]
        return ids

    def lookup(self, view: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The id of each token (``view`` from :func:`u64_view` of its buffer); -1 if not a word."""
        lengths = np.asarray(lengths, np.int64)
        first, mixed = word_keys(view, starts, lengths)
        ids = self._find(mixed)
        # the same bytes: the same length and first 8 bytes, then the rest 8 at a time
        known = ids >= 0
        safe = np.where(known, ids, 0)
        known &= (self.lengths[safe] == lengths) & (self.first[safe] == first)
        k = 8
        longer = np.flatnonzero(known & (lengths > k))
        while len(longer):
            rest = np.minimum(lengths[longer] - k, 8)
            mine = view[starts[longer] + k] & LOW_MASKS[rest]
            theirs = self._view[self.starts[ids[longer]] + k] & LOW_MASKS[rest]
            known[longer[mine != theirs]] = False
            k += 8
            longer = longer[lengths[longer] > k]
        return np.where(known, ids, -1)
