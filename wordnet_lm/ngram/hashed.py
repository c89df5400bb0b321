"""N-gram tables as open-addressing hash tables, the layout of the binary model file.

:class:`~wordnet_lm.ngram.index.NgramIndex` finds an n-gram by binary search over sorted keys
(``log2(size)`` random reads per lookup).  :class:`HashedIndex` stores each order ``n >= 2``
in a table of slots (KenLM's "probing" structure): an n-gram's key is
``context slot * vocab_size + word``, its home slot a multiplicative hash of the key, and
collisions move on to the next slot (linear probing, load factor at most ``LOAD``).  An
n-gram's *slot* is its number in its order, so its probabilities sit at the same position of
arrays of the table's length and the next order's keys use it as the context.  A batch of
lookups is vectorised: every query reads its home slot, and only the few that found another
key read on.
"""

from __future__ import annotations

import math

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.ngram.index import NgramIndex, RowLookup
from wordnet_lm.ngram.tables import BackoffTables

LOAD = 0.6
EMPTY = -1
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
_SHIFT = np.uint64(32)
TAIL = 1024  # keys still probing below this many: windows of slots a round (_read_on_windows)
WINDOW = 16  # the first window's width (doubling)


def table_size(n_entries: int, load: float = LOAD) -> int:
    """Slots for ``n_entries`` keys at ``load`` (at least one empty slot, so that probing stops)."""
    return max(int(math.ceil(n_entries / load)), n_entries + 1)


def home_slots(keys: np.ndarray, n_slots: int) -> np.ndarray:
    """The home slot of each key: the high 32 bits of ``key * multiplier`` scaled to ``n_slots``."""
    mixed = (np.asarray(keys, np.int64).view(np.uint64) * _MULTIPLIER) >> _SHIFT
    mixed *= np.uint64(n_slots)
    mixed >>= _SHIFT
    return mixed.view(np.int64)  # below n_slots: the same bits as int64 (no copy)


def place(keys: np.ndarray, n_slots: int) -> np.ndarray:
    """The slot each (distinct, non-negative) key gets by linear probing, all at once: the keys
    sorted by home slot, each takes the first slot from its home on not taken by an earlier
    one (a running maximum), and those that run past the end wrap round to the start."""
    keys = np.asarray(keys, np.int64)
    if len(keys) >= n_slots:
        raise ValueError(f"{len(keys)} keys do not fit {n_slots} slots with one left free")
    home = home_slots(keys, n_slots)
    if n_slots < 1 << 31:  # sort (home, position) packed in one integer: several times faster than argsort
        packed = np.sort((home << 32) | np.arange(len(keys), dtype=np.int64))
        order, home = packed & 0xFFFFFFFF, packed >> 32
    else:
        order = np.argsort(home, kind="stable")
        home = home[order]
    wrapped = 0  # how many keys of the end of the order ran past the last slot
    while True:
        start = np.concatenate([np.zeros(wrapped, np.int64), home[:len(home) - wrapped]])  # wrapped keys first, from slot 0
        rank = np.arange(len(start))
        slot = np.maximum.accumulate(start - rank) + rank if len(start) else start
        over = int(np.count_nonzero(slot >= n_slots))
        if over == 0:
            break
        wrapped += over
    out = np.empty(len(keys), np.int64)
    out[np.roll(order, wrapped)] = slot
    return out


def probe(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The slot of each key in ``table`` (keys per slot, ``EMPTY`` where free); -1 if absent
    (and for negative keys).  Every key reads its home slot; only those that met another key
    read on."""
    n_slots = len(table)
    keys = np.asarray(keys, np.int64)
    slots = home_slots(keys, n_slots)
    found = table[slots]
    valid = keys >= 0
    out = np.where((found == keys) & valid, slots, -1)
    pending = np.flatnonzero((found != keys) & (found != EMPTY) & valid)
    _read_on(table, pending, slots[pending], keys[pending], out)
    return out


def _read_on(table: np.ndarray, pending: np.ndarray, at: np.ndarray, wanted: np.ndarray, out: np.ndarray) -> None:
    """Linear probing for the keys ``wanted`` (positions ``pending`` of ``out``) whose slot
    ``at`` holds another key: read the next slots until the key (its slot goes to ``out``)
    or a free slot (``out`` keeps -1).  One slot a round while many keys read on; the last few
    (runs of up to ~150 taken slots at load 0.75) scan windows of slots (:func:`_read_on_windows`)."""
    n_slots = len(table)
    while len(pending) >= max(TAIL, 1):
        at += 1
        at[at == n_slots] = 0
        found = table[at]
        hit = found == wanted
        out[pending[hit]] = at[hit]
        more = ~hit & (found != EMPTY)
        pending, at, wanted = pending[more], at[more], wanted[more]
    if len(pending):
        _read_on_windows(table, pending, at, wanted, out)


def window_slots(at: np.ndarray, width: int, n_slots: int) -> np.ndarray:
    """The ``width`` slots after each of ``at`` (a row each), wrapping round the end (``width <= n_slots``)."""
    slots = at[:, None] + np.arange(1, width + 1)
    slots[slots >= n_slots] -= n_slots
    return slots


def _read_on_windows(table: np.ndarray, pending: np.ndarray, at: np.ndarray, wanted: np.ndarray,
                     out: np.ndarray) -> None:
    """:func:`_read_on` for a few keys: each round reads a window of the next slots of every key
    (the first of them holding the key or free ends its probe), the windows doubling round by
    round: a handful of NumPy calls instead of one round per slot.  The result is the same."""
    n_slots = len(table)
    width = min(WINDOW, n_slots)
    while len(pending):
        slots = window_slots(at, width, n_slots)
        found = table[slots]
        rows = np.arange(len(pending))
        first = ((found == wanted[:, None]) | (found == EMPTY)).argmax(1)  # 0 where neither: read on
        there = found[rows, first]
        hit = there == wanted
        out[pending[hit]] = slots[rows[hit], first[hit]]
        more = ~hit & (there != EMPTY)
        pending, at, wanted = pending[more], slots[more, -1], wanted[more]
        width = min(2 * width, n_slots)


def probe_stored(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """:func:`probe` for non-negative keys (fewer passes: no validity mask, and the home slots
    become the answer in place).  Built for keys that are expected to be stored, such as the
    contexts of an ARPA file's n-grams, but exact for any non-negative key."""
    n_slots = len(table)
    slots = home_slots(keys, n_slots)
    found = table[slots]
    pending = np.flatnonzero(found != keys)
    if not len(pending):
        return slots
    at, wanted, found = slots[pending], keys[pending], found[pending]
    slots[pending] = -1
    more = found != EMPTY  # a home slot taken by another key: read on (as probe does)
    _read_on(table, pending[more], at[more], wanted[more], slots)
    return slots


class HashedIndex(RowLookup):
    """Lookups of n-grams in per-order hash tables (see the module docstring).

    Parameters
    ----------
    vocab_size : int
    tables : list of ndarray
        For orders ``2..order``: the key of each slot (int64, ``EMPTY`` where free), possibly
        memory-mapped.
    sizes : list of int
        Entries stored per order (order 1: ``vocab_size``).
    """

    def __init__(self, vocab_size: int, tables: list[np.ndarray], sizes: list[int]) -> None:
        self.vocab_size = int(vocab_size)
        self.tables = tables
        self._sizes = list(sizes)

    @property
    def order(self) -> int:
        return len(self.tables) + 1

    def size(self, n: int) -> int:
        return self._sizes[n - 1]

    def sizes(self) -> list[int]:
        return list(self._sizes)

    def find(self, n: int, context: np.ndarray | None, word: np.ndarray) -> np.ndarray:
        """Slots in order ``n`` of the n-grams ``(context slot, word)``; -1 where absent."""
        word = np.asarray(word, np.int64)
        if n == 1:
            return np.where((word >= 0) & (word < self.vocab_size), word, -1)
        context = np.asarray(context, np.int64)
        if context.min(initial=0) >= 0 and word.min(initial=0) >= 0:  # scoring's lookups: no mask needed
            return probe_stored(self.tables[n - 2], context * self.vocab_size + word)
        keys = np.where((context >= 0) & (word >= 0), context * self.vocab_size + word, -1)
        return probe(self.tables[n - 2], keys)

    def context_range(self, n: int, context: int) -> tuple[int, int]:
        raise WordnetLMError("a hashed (binary) n-gram model scores text but cannot list the words after a "
                             "context (distributions, sampling): use the ARPA or .npz model for that")

    def nbytes(self) -> int:
        return sum(t.nbytes for t in self.tables)


def hash_tables(tables: BackoffTables) -> BackoffTables:
    """``tables`` re-laid as hash tables: the same scores, values at the n-grams' slots."""
    index = tables.index
    size = index.vocab_size
    slot_tables, log_prob, log_backoff = [], [tables.log_prob[0]], [tables.log_backoff[0]]
    previous_slot = np.arange(size, dtype=np.int64)  # order 1: the word id
    for n in range(2, tables.order + 1):
        keys = previous_slot[index.contexts[n - 1]] * size + index.words[n - 1]
        n_slots = table_size(len(keys))
        slot = place(keys, n_slots)
        table = np.full(n_slots, EMPTY, np.int64)
        table[slot] = keys
        prob = np.zeros(n_slots)
        prob[slot] = tables.log_prob[n - 1]
        backoff = np.zeros(n_slots)
        backoff[slot] = tables.log_backoff[n - 1]
        slot_tables.append(table)
        log_prob.append(prob)
        log_backoff.append(backoff)
        previous_slot = slot
    return BackoffTables(HashedIndex(size, slot_tables, index.sizes()), log_prob, log_backoff)


def relaid(tables: BackoffTables, load: float = LOAD) -> BackoffTables:
    """Hashed ``tables`` laid out again at ``load`` (e.g. the fuller tables the ARPA reader
    builds, for a binary file: fewer probes per lookup); the same scores.  A key holds the slot
    of its context, so every order's keys are renumbered with the new slots of the order below."""
    index = tables.index
    size = index.vocab_size
    slot_tables, log_prob, log_backoff = [], [tables.log_prob[0]], [tables.log_backoff[0]]
    renumber = None  # old slot -> new slot, of the order below (order 1: word ids stay)
    for n in range(2, tables.order + 1):
        old = index.tables[n - 2]
        stored = np.flatnonzero(old != EMPTY)
        keys = old[stored]
        if renumber is not None:
            keys = renumber[keys // size] * size + keys % size
        n_slots = table_size(len(keys), load)
        slot = place(keys, n_slots)
        table = np.full(n_slots, EMPTY, np.int64)
        table[slot] = keys
        prob = np.zeros(n_slots, tables.log_prob[n - 1].dtype)
        prob[slot] = tables.log_prob[n - 1][stored]
        backoff = np.zeros(n_slots, tables.log_backoff[n - 1].dtype)
        backoff[slot] = tables.log_backoff[n - 1][stored]
        slot_tables.append(table)
        log_prob.append(prob)
        log_backoff.append(backoff)
        renumber = np.full(len(old), -1, np.int64)
        renumber[stored] = slot
    return BackoffTables(HashedIndex(size, slot_tables, index.sizes()), log_prob, log_backoff)


__all__ = ["HashedIndex", "hash_tables", "place", "probe", "probe_stored", "relaid", "NgramIndex"]
