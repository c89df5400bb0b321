"""Reading an ARPA file for scoring: straight into hash tables, block by block, vectorised.

:func:`~wordnet_lm.ngram.arpa.read_arpa` builds sorted tables a model can also sample from;
scoring only needs lookups, so :func:`read_arpa_hashed` fills the hash tables of
:mod:`~wordnet_lm.ngram.hashed` directly.  The file is read in blocks of whole lines
(``BLOCK`` bytes); in each block the fields are found with NumPy (:func:`~wordnet_lm.text.byte_words.spans`),
the numbers parsed by :func:`~wordnet_lm.text.byte_numbers.parse_decimals` (the doubles
``float`` gives), the words mapped to ids by a :class:`~wordnet_lm.text.byte_words.WordTable`
of the 1-grams, and the n-grams inserted into their order's table.  No Python object is made
per n-gram or per word token, and memory stays near the size of the final tables.

The tables score exactly like ``hash_tables(read_arpa(path)[0])``.  Files this path does not
handle are read by :func:`~wordnet_lm.ngram.arpa.read_arpa` instead (same result, slower):
gzip-compressed files, and n-grams whose context is missing from the order below (ARPA
allows it; the context must then be added with the probability the backoff rule gives it).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from wordnet_lm.errors import ModelFileError
from wordnet_lm.heap import keep_freed_memory, release_freed_memory
from wordnet_lm.prefetch import prefetched
from wordnet_lm.ngram.arpa import LOG10_ZERO, _header, read_arpa
from wordnet_lm.ngram.hashed import (EMPTY, TAIL, WINDOW, HashedIndex, hash_tables, home_slots, probe_stored,
                                     table_size, window_slots)
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.byte_numbers import WIDTH, parse_decimals, parse_rest
from wordnet_lm.text.byte_corpus import word_table
from wordnet_lm.text.byte_fields import line_starts, regular_fields
from wordnet_lm.text.byte_words import spans, u64_view
from wordnet_lm.text.vocab import BOS, BOS_ID, EOS, SPECIALS, Vocab

BLOCK = 1 << 20  # bytes of lines handled at once: their temporaries stay in the CPU caches (512 KB: ~10% more CPU)
_HEAD = 1 << 20  # the \data\ header must start within this many bytes (else: the general reader)
_LN10 = np.log(10.0)
LOAD = 0.75  # fuller tables than hashed.LOAD: the float64 values of a big model fit in twice KenLM's memory
THREADED = True  # parse the next blocks while the last one is stored (two cores)
PARSERS = 2  # threads parsing blocks


class _UseGeneralReader(Exception):
    """This file needs :func:`read_arpa` (gzip, missing contexts, a hash clash among the words, an
    n-gram twice in one batch: read_arpa's message names it)."""


def read_arpa_hashed(path: str | os.PathLike, *,
                     on_vocabulary: Callable[[Vocab], None] | None = None) -> tuple[BackoffTables, Vocab]:
    """The tables (hashed, for scoring: no sampling or distributions) and vocabulary of an ARPA
    file; the same scores as :func:`~wordnet_lm.ngram.arpa.read_arpa`.  ``on_vocabulary(vocab)``
    is called (on a reading thread) once the 1-grams are read, e.g. to start reading a text.

    Raises
    ------
    ModelFileError
        As :func:`~wordnet_lm.ngram.arpa.read_arpa`: a one-line message naming the file (and
        the line, for a malformed line).
    """
    path = Path(path)
    keep_freed_memory()
    try:
        read = _Reader(path, on_vocabulary).read()
        release_freed_memory()
        return read
    except _UseGeneralReader:
        tables, vocab = read_arpa(path)
        return hash_tables(tables), vocab


class _Reader:
    """One pass over the file: the header, then the sections' lines block by block."""

    def __init__(self, path: Path, on_vocabulary: Callable[[Vocab], None] | None = None) -> None:
        self.path = path
        self.on_vocabulary = on_vocabulary

    # ------------------------------------------------------------------ the pass
    def read(self) -> tuple[BackoffTables, Vocab]:
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            raise ModelFileError(f"{self.path}: no such ARPA file") from None
        except IsADirectoryError:
            raise ModelFileError(f"{self.path}: is a directory, not an ARPA file") from None
        with f:
            head = f.read(_HEAD)
            if head[:2] == b"\x1f\x8b":
                raise _UseGeneralReader
            try:
                self.counts, at, _ = _header(self.path, head)
            except ModelFileError:
                if len(head) == _HEAD:
                    raise _UseGeneralReader from None
                raise
            self.order = len(self.counts)
            self.section = 0  # the order whose lines come, 0 before the first section
            self.seen = 0  # its lines so far
            self.section_offsets = {0: at}  # where each section's header line starts (for messages)
            self.finished = False
            self.unigrams: list[tuple[np.ndarray, list[bytes], np.ndarray]] = []
            self.keys, self.log_prob, self.log_backoff = [], [], []
            stored = [0] * (self.order + 1)  # lines stored per order
            self.complete = {n: threading.Event() for n in range(1, self.order + 1)}  # all lines of order n stored
            with ThreadPoolExecutor(PARSERS if THREADED else 1, thread_name_prefix="arpa") as self.pool:
                try:
                    for n, piece in prefetched(self._pieces(f, at), depth=2 * PARSERS, threaded=THREADED):
                        if piece is None:  # the end of section n: all its lines are stored
                            if stored[n] != self.counts[n - 1]:
                                self._fail_count(n, stored[n])
                            self._allocate(n)
                            if np.count_nonzero(self.keys[n - 2] != EMPTY) != stored[n]:
                                raise _UseGeneralReader  # an n-gram twice in one batch (_insert): read_arpa names it
                            self.complete[n].set()
                            continue
                        ids, keys, probs, backoffs = piece.result()
                        stored[n] += len(keys)
                        if stored[n] > self.counts[n - 1]:
                            self._fail_count(n, stored[n])
                        self._store(n, ids, keys, probs, backoffs)
                finally:
                    for event in self.complete.values():  # parsers waiting for a section go on (and end)
                        event.set()
        return self._tables()

    def _pieces(self, f, at: int) -> Iterator[tuple[int, Future | None]]:
        """(order, future of (word ids, keys, log probabilities, log backoffs)) for runs of n-gram
        lines of orders >= 2, parsed and checked on the pool's threads; (order, None) at the end
        of a section.  The 1-grams are parsed here and become the vocabulary."""
        f.seek(at)
        offset, carry = at, b""
        while not self.finished:
            data = bytearray(len(carry) + BLOCK + WIDTH)  # read in place; the zeros after the lines: the parsers' padding
            data[:len(carry)] = carry
            got = f.readinto(memoryview(data)[len(carry):len(carry) + BLOCK])
            size = len(carry) + got
            if not size:
                break
            cut = data.rfind(b"\n", 0, size) + 1 if got else size
            if cut == 0:
                carry = bytes(data[:size])
                continue
            carry = bytes(data[cut:size])
            data[cut:cut + WIDTH] = bytes(WIDTH)
            yield from self._block(data, cut, offset)
            offset += cut
        if not self.finished:
            self._end_of_section()
            if self.section >= 2:
                yield self.section, None
            if self.section < self.order:
                self.section_offsets[self.section + 1] = offset
                self._fail_count(self.section + 1, 0)
            raise ModelFileError(f"{self.path}:{self._line_of(offset)}: expected \\end\\ after the {self.order}-grams")

    def _block(self, block: bytearray, size: int, offset: int) -> Iterator[tuple[int, Future | None]]:
        """Header lines (checked as text) and runs of n-gram lines (vectorised) of the first ``size``
        bytes of ``block`` (whole lines, then at least ``WIDTH`` zero bytes)."""
        buffer = np.frombuffer(block, np.uint8)
        pos = 0
        while pos < size and not self.finished:
            if block[pos] == 92 or self.section == 0:  # a section header (or blank lines before one)
                end = block.find(b"\n", pos, size)
                end = size if end < 0 else end
                text = bytes(block[pos:end]).strip()
                if text:
                    if self.section >= 2:
                        yield self.section, None
                    self._header_line(text, offset + pos)
                pos = end + 1
                continue
            found = _section_line(block, pos, size)
            stop = size if found < 0 else found + 1
            if self.section == 1:
                self._lines(buffer, pos, stop, offset)
            else:
                yield self.section, self.pool.submit(self._lines, buffer, pos, stop, offset, self.section)
            pos = stop

    def _header_line(self, text: bytes, at: int) -> None:
        self._end_of_section()
        if self.section == self.order:
            if text != b"\\end\\":
                raise ModelFileError(f"{self.path}:{self._line_of(at)}: expected \\end\\ after the "
                                     f"{self.order}-grams")
            self.finished = True
            return
        expected = f"\\{self.section + 1}-grams:"
        if text != expected.encode():
            raise ModelFileError(f"{self.path}:{self._line_of(at)}: expected the {expected} section")
        self.section += 1
        self.seen = 0
        self.section_offsets[self.section] = at

    def _end_of_section(self) -> None:
        """The 1-grams, counted, become the vocabulary (later sections are counted as stored)."""
        if self.section == 1 and not hasattr(self, "vocab"):
            if self.seen != self.counts[0]:
                self._fail_count(1, self.seen)
            self._vocabulary()

    def _fail_count(self, n: int, seen: int) -> None:
        raise ModelFileError(f"{self.path}:{self._line_of(self.section_offsets[n]) + 1 if n in self.section_offsets else '?'}: "
                             f"the \\{n}-grams: section has {seen} lines where \\data\\ announced "
                             f"{self.counts[n - 1]} (truncated or edited file?)")

    # ------------------------------------------------------------------ n-gram lines
    def _lines(self, buffer: np.ndarray, lo: int, hi: int, offset: int,
               n: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None] | None:
        """The lines ``buffer[lo:hi]`` of order ``n``, parsed: (word ids, one row per position in
        the n-gram and one column per line; keys; natural-log
        probabilities, natural-log backoffs or None for the highest order); the 1-grams are kept
        and counted here instead."""
        last = n == self.order
        end = hi
        while end - lo >= 2 and buffer[end - 2] == 10:  # blank lines before the next section: ignored
            end -= 1
        seps = regular_fields(buffer, lo, end, n + 1 if last else n + 2)
        layout = self._regular_layout(seps, lo, n, last) if seps is not None else \
            self._general_layout(buffer, lo, hi, offset, n, last)
        if layout is None:  # blank lines only
            return np.zeros((n, 0), np.int64), np.zeros(0, np.int64), np.zeros(0), None if last else np.zeros(0)
        number_starts, number_lengths, line, with_backoff, word_starts, word_lengths = layout
        n_lines = word_starts.shape[1]  # word j of every line: row j (columns read contiguously)
        if n == 1 and self.seen + n_lines > self.counts[0]:
            self._fail_count(1, self.seen + n_lines)
        view = u64_view(buffer)
        values = self._numbers(buffer, view, number_starts, number_lengths, n_lines, line, with_backoff, lo, offset)
        probs = values[:n_lines]
        invalid = ~np.isfinite(values)
        invalid[:n_lines] |= probs > 1e-6
        if invalid.any():
            k = _line_of_number(int(np.flatnonzero(invalid)[0]), n_lines, line, with_backoff)
            raise ModelFileError(f"{self._where(buffer, lo, k, offset)}: log10 probability must be finite and <= 0: "
                                 f"{self._text(buffer, lo, k)!r}")
        if with_backoff is None:  # regular lines: every line has a backoff, or (the highest order) none
            backoffs = values[n_lines:] if not last else np.zeros(n_lines)
        else:
            backoffs = np.zeros(n_lines)
            backoffs[with_backoff] = values[n_lines:]
        if n == 1:
            self.seen += n_lines
            self.unigrams.append((probs, [bytes(buffer[s:s + k]) for s, k in zip(word_starts[0].tolist(),
                                                                                word_lengths[0].tolist())], backoffs))
            return None
        # every word of a valid file is a 1-gram: the words' 64-bit mixes identify them exactly
        ids = self.words.lookup_mixed(view, word_starts.ravel(), word_lengths.ravel()).reshape(word_starts.shape)
        if (ids < 0).any():
            line_k = np.flatnonzero((ids < 0).any(0))[0]  # the first line with a stray word, its first one
            j = np.flatnonzero(ids[:, line_k] < 0)[0]
            start = word_starts[j, line_k]
            token = buffer[start:start + word_lengths[j, line_k]].tobytes().decode("utf-8", "replace")
            raise ModelFileError(f"{self.path}: the {n}-grams use the word {token!r}, absent from the 1-grams")
        return ids, self._keys(n, ids), _natural_log(probs), None if last else _natural_log(backoffs)

    @staticmethod
    def _regular_layout(seps: np.ndarray, lo: int, n: int, last: bool) -> tuple:
        """Fields of lines that all have the usual field count (``regular_fields``' separators)."""
        starts = line_starts(seps, lo)
        if last:
            number_starts, number_lengths = starts, seps[:, 0] - starts
        else:
            number_starts = np.concatenate([starts, seps[:, n] + 1])
            number_lengths = np.concatenate([seps[:, 0] - starts, seps[:, n + 1] - seps[:, n] - 1])
        word_starts = seps.T[:n] + 1
        return number_starts, number_lengths, None, None, word_starts, seps.T[1:n + 1] - word_starts

    def _general_layout(self, buffer: np.ndarray, lo: int, hi: int, offset: int, n: int, last: bool) -> tuple | None:
        """Fields of any lines (blank lines, CRLF, odd whitespace, missing backoffs), field counts checked."""
        starts, ends = spans(buffer[lo:hi])
        if len(starts) == 0:
            return None
        starts += lo
        ends += lo
        first, fields, line = self._line_fields(buffer, lo, hi, starts, n + 1 if last else n + 2)
        bad = np.flatnonzero((fields != n + 1) & ((fields != n + 2) | last))
        if len(bad):
            k = line[bad[0]]
            raise ModelFileError(f"{self._where(buffer, lo, k, offset)}: expected log10 probability, {n} word(s)"
                                 f"{'' if last else ' and an optional backoff'}, got "
                                 f"{self._text(buffer, lo, k)!r}")
        with_backoff = np.flatnonzero(fields == n + 2)
        number_fields = np.concatenate([first, first[with_backoff] + n + 1])
        words = first + np.arange(1, n + 1)[:, None]  # (n, lines)
        word_starts = starts[words]
        return (starts[number_fields], ends[number_fields] - starts[number_fields], line, with_backoff,
                word_starts, ends[words] - word_starts)

    def _line_fields(self, buffer: np.ndarray, lo: int, hi: int, starts: np.ndarray,
                     usual: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first field, number of fields, line within ``buffer[lo:hi]``) of each non-blank line."""
        line_ends = np.flatnonzero(buffer[lo:hi] == 10) + lo
        if len(line_ends) == 0 or line_ends[-1] != hi - 1:
            line_ends = np.append(line_ends, hi)
        n_lines = len(line_ends)
        if len(starts) == n_lines * usual and (n_lines == 0 or (
                starts[usual - 1::usual] < line_ends).all() and (starts[usual::usual] > line_ends[:-1]).all()):
            return np.arange(0, len(starts), usual), np.full(n_lines, usual), np.arange(n_lines)
        line = np.searchsorted(line_ends, starts)  # the line of every field
        fields = np.bincount(line, minlength=n_lines)
        nonblank = np.flatnonzero(fields)
        fields = fields[nonblank]
        return np.cumsum(fields) - fields, fields, nonblank

    def _numbers(self, buffer: np.ndarray, view: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                 n_lines: int, line: np.ndarray | None, with_backoff: np.ndarray | None, lo: int,
                 offset: int) -> np.ndarray:
        values, parsed = parse_decimals(view, starts, lengths)
        rest = np.flatnonzero(~parsed)
        if len(rest):
            values[rest], bad = parse_rest(buffer, starts[rest], lengths[rest])
            if bad >= 0:
                k = _line_of_number(int(rest[bad]), n_lines, line, with_backoff)
                raise ModelFileError(f"{self._where(buffer, lo, k, offset)}: not a number in "
                                     f"{self._text(buffer, lo, k)!r}")
        return values

    def _keys(self, n: int, ids: np.ndarray) -> np.ndarray:
        """The hash-table keys of order-``n`` n-grams (word ids, one column each): their contexts are
        looked up in the tables below, once those are complete (this runs on a parsing thread)."""
        size = self.vocab_size
        context = ids[0]
        if n > 2:
            self.complete[n - 1].wait()
        for j in range(1, n - 1):
            context = probe_stored(self.keys[j - 1], context * size + ids[j])
            if (context < 0).any():
                raise _UseGeneralReader  # a context absent from the order below: read_arpa adds it
        return context * size + ids[-1]

    def _store(self, n: int, ids: np.ndarray, keys: np.ndarray, log_probs: np.ndarray,
               log_backoffs: np.ndarray | None) -> None:
        """Insert order-``n`` n-grams (word ids, one column each, and keys) into their hash table."""
        self._allocate(n)
        slots = _insert(self.keys[n - 2], keys)
        if (slots < 0).any():
            row = ids[:, np.flatnonzero(slots < 0)[0]]
            raise ModelFileError(f"{self.path}: the {n}-gram {' '.join(self.vocab.decode(row))!r} occurs twice")
        self.log_prob[n - 1][slots] = log_probs
        if log_backoffs is not None:
            self.log_backoff[n - 1][slots] = log_backoffs

    def _allocate(self, n: int) -> None:
        """The (empty) tables of orders up to ``n``."""
        if not self.log_prob:
            self.log_prob.append(self.unigram_log_prob)
            self.log_backoff.append(self.unigram_log_backoff)
        while len(self.log_prob) < n:
            n_slots = table_size(self.counts[len(self.log_prob)], LOAD)
            self.keys.append(np.full(n_slots, EMPTY, np.int64))
            self.log_prob.append(np.zeros(n_slots))
            self.log_backoff.append(np.zeros(n_slots))

    # ------------------------------------------------------------------ the 1-grams
    def _vocabulary(self) -> None:
        probs = np.concatenate([p for p, _, _ in self.unigrams])
        backoffs = np.concatenate([b for _, _, b in self.unigrams])
        try:
            words = [w.decode("utf-8") for _, block, _ in self.unigrams for w in block]
        except UnicodeDecodeError:
            raise ModelFileError(f"{self.path}: not an ARPA file (not UTF-8 text)") from None
        self.unigrams = []
        if len(set(words)) != len(words):
            raise ModelFileError(f"{self.path}: a word occurs twice among the 1-grams")
        for special in (BOS, EOS):
            if special not in words:
                raise ModelFileError(f"{self.path}: the 1-grams lack {special}")
        self.vocab = Vocab([w for w in words if w not in SPECIALS])
        self.vocab_size = size = len(self.vocab)
        ids = np.array([self.vocab.index[w] for w in words], np.int64)
        log_prob = np.full(size, -np.inf)
        log_backoff = np.zeros(size)
        log_prob[ids] = _natural_log(probs)
        log_backoff[ids] = _natural_log(backoffs)
        log_prob[BOS_ID] = -np.inf
        self.unigram_log_prob, self.unigram_log_backoff = log_prob, log_backoff
        try:
            self.words = word_table(self.vocab)  # kept with the vocabulary: the text to score uses it too
        except ValueError:
            raise _UseGeneralReader from None
        if self.on_vocabulary is not None:
            self.on_vocabulary(self.vocab)

    def _tables(self) -> tuple[BackoffTables, Vocab]:
        self._allocate(self.order)
        self.log_backoff[-1] = np.zeros(len(self.log_backoff[-1]))  # the highest order is no context
        index = HashedIndex(self.vocab_size, self.keys, [self.vocab_size] + self.counts[1:])
        return BackoffTables(index, self.log_prob, self.log_backoff), self.vocab

    # ------------------------------------------------------------------ messages
    def _line_of(self, at: int) -> int:
        """The line number of byte ``at`` of the file (counted again: only for messages)."""
        lines, done = 1, 0
        with open(self.path, "rb") as f:
            while done < at:
                chunk = f.read(min(1 << 24, at - done))
                if not chunk:
                    break
                lines += chunk.count(b"\n")
                done += len(chunk)
        return lines

    def _where(self, buffer: np.ndarray, lo: int, k: int, offset: int) -> str:
        return f"{self.path}:{self._line_of(offset + _line_start(buffer, lo, k))}"

    def _text(self, buffer: np.ndarray, lo: int, k: int) -> str:
        start = _line_start(buffer, lo, k)
        end = start + int(np.argmax(np.append(buffer[start:] == 10, True)[:len(buffer) - start]))
        return buffer[start:end].tobytes().rstrip(b"\0").decode("utf-8", "replace")


def _section_line(block: bytes | bytearray, pos: int, end: int | None = None) -> int:
    """Where ``b"\\n\\"`` (a line starting with a backslash: a section header) first occurs
    in ``block[:end]`` from ``pos``; -1 if nowhere.  Backslashes are rare in ARPA files, line feeds
    are not: searching for the backslash alone is several times faster."""
    while True:
        found = block.find(b"\\", pos + 1, end)
        if found < 0 or block[found - 1] == 10:
            return found - 1 if found >= 0 else -1
        pos = found


def _line_of_number(i: int, n_lines: int, line: np.ndarray | None, with_backoff: np.ndarray | None) -> int:
    """The line (within its block) of number ``i`` of a block's numbers: the probabilities of its
    ``n_lines`` lines, then the backoffs of the lines ``with_backoff`` (None: of every line);
    ``line``: the block line of each of those lines (None: they are the block's lines in order)."""
    k = i if i < n_lines else (i - n_lines if with_backoff is None else int(with_backoff[i - n_lines]))
    return k if line is None else int(line[k])


def _line_start(buffer: np.ndarray, lo: int, k: int) -> int:
    """The byte where line ``k`` (0-based) after ``lo`` starts."""
    if k == 0:
        return lo
    return int(np.flatnonzero(buffer[lo:] == 10)[k - 1]) + lo + 1


def _natural_log(log10: np.ndarray) -> np.ndarray:
    out = log10 * _LN10
    out[log10 <= LOG10_ZERO] = -np.inf
    return out


def _insert(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Insert ``keys`` into ``table`` by linear probing and return their slots; if a key is
    already there (a duplicate), only that key's entry is meaningful: -1.  Contenders for a free
    slot all write their key there and read it back: the one whose key stays wins (the slot's
    cache line was just read, so the claim costs no other memory).  Two equal keys of one batch
    claiming one slot both "win": the caller counts the table's keys at the end (a duplicate
    leaves one key fewer than were inserted).  One slot a round while many keys are pending,
    then windows of slots for the last few (:func:`_insert_windows`)."""
    n_slots = len(table)
    out = np.full(len(keys), -1, np.int64)
    pending = np.arange(len(keys))
    slots = home_slots(keys, n_slots)
    wanted = keys
    while len(pending) >= max(TAIL, 1):
        current = table[slots]
        again = np.flatnonzero(current == wanted)
        if len(again):  # a key met again: a duplicate n-gram
            return _duplicate(out, pending[again[0]])
        free = np.flatnonzero(current == EMPTY)
        claim, claimant = slots[free], wanted[free]
        table[claim] = claimant
        won = free[table[claim] == claimant]
        out[pending[won]] = slots[won]
        keep = np.ones(len(pending), bool)
        keep[won] = False
        step = (current != EMPTY).astype(np.int64)  # a slot taken by another key: read on; lost a claim: retry
        pending, slots, wanted = pending[keep], slots[keep] + step[keep], wanted[keep]
        slots[slots == n_slots] = 0
    if len(pending):
        _insert_windows(table, wanted, pending, slots, out)
    return out


def _insert_windows(table: np.ndarray, wanted: np.ndarray, pending: np.ndarray, slots: np.ndarray,
                    out: np.ndarray) -> np.ndarray:
    """:func:`_insert` for the last few keys ``wanted`` (positions ``pending`` of ``out``), each
    reading on from its slot in ``slots``: every round reads a window of slots per key (doubling
    round by round) and claims the first free one as ``_insert`` does (the losers go on from
    there); the key itself in its window is a duplicate."""
    n_slots = len(table)
    width = min(WINDOW, n_slots)
    while len(pending):
        window = window_slots(slots - 1, width, n_slots)  # from the key's slot on
        found = table[window]
        again = np.flatnonzero((found == wanted[:, None]).any(1))
        if len(again):  # met again before any free slot (a stored key has none between its home and it)
            return _duplicate(out, pending[again[0]])
        empty = found == EMPTY
        rows = np.flatnonzero(empty.any(1))
        claim = window[rows, empty[rows].argmax(1)]
        table[claim] = wanted[rows]
        wins = table[claim] == wanted[rows]
        won = rows[wins]
        out[pending[won]] = claim[wins]
        keep = np.ones(len(pending), bool)
        keep[won] = False
        next_slot = window[:, -1] + 1  # no free slot in the window: on after it
        next_slot[rows] = claim  # lost a claim: from that slot (now taken) on
        next_slot[next_slot == n_slots] = 0
        pending, slots, wanted = pending[keep], next_slot[keep], wanted[keep]
        width = min(2 * width, n_slots)
    return out


def _duplicate(out: np.ndarray, at: int) -> np.ndarray:
    """``_insert``'s answer when the key at position ``at`` is already in the table."""
    out[:] = 0
    out[at] = -1
    return out
