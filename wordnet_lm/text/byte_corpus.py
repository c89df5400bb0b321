"""A plain text file to score, read as ids with NumPy: no Python object per token.

The fast path of ``load_corpus(path, vocab=vocab)`` for the common case (a plain UTF-8 file,
one sentence per line, whitespace tokens, no lower-casing): lines are split at ``\\n`` and
``\\r`` (universal newlines), tokens at the ASCII whitespace ``str.split`` splits at, and
tokens mapped to ids by a :class:`~wordnet_lm.text.byte_words.WordTable` of the vocabulary
(unknown words: ``<unk>``).  A file holding something that path would read differently (a
byte-order mark, NUL bytes, the non-ASCII spaces ``str.split`` also splits at, invalid UTF-8,
compression) gets ``None``: the caller then uses :func:`~wordnet_lm.text.loading.load_corpus`,
which gives the same corpus (tested) or the proper error.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from functools import partial
from typing import Any, BinaryIO, Iterator

import numpy as np

from wordnet_lm.parallel import kernel_threads, run_tasks
from wordnet_lm.text.byte_words import PAD, STR_WHITESPACE, WordTable, has_unicode_whitespace, spans, u64_view
from wordnet_lm.text.vocab import UNK_ID, Corpus, Vocab

BLOCK = 1 << 20  # bytes of lines tokenised at once
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"PK\x03\x04")
_PLAIN_OPTIONS = {"tokenizer": ("auto", "whitespace"), "lowercase": (None, False), "sentences": ("auto", "lines"),
                  "encoding": ("utf-8",)}


def word_table(vocab: Vocab) -> WordTable:
    """The :class:`WordTable` of ``vocab``'s words (ids = vocabulary ids), built once per vocabulary."""
    table = getattr(vocab, "_word_table", None)
    if table is None or len(table) != len(vocab):
        table = WordTable(vocab.words)
        vocab._word_table = table  # type: ignore[attr-defined]
    return table


def load_scoring_corpus(source: Any, vocab: Vocab, **options: Any) -> Corpus:
    """``load_corpus(source, vocab=vocab, **options)[0]``, by :func:`read_plain_corpus` when it applies."""
    corpus = read_plain_corpus(source, vocab, options)
    if corpus is None:
        from wordnet_lm.text.loading import load_corpus

        corpus = load_corpus(source, vocab=vocab, **options)[0]
    return corpus


def read_plain_corpus(source: Any, vocab: Vocab, options: dict | None = None) -> Corpus | None:
    """The corpus of the plain text file ``source`` encoded with ``vocab``, or None when the file
    or the reading ``options`` (``load_corpus``'s keywords) need the general reader."""
    options = options or {}
    if any(options.get(key, allowed[0]) not in allowed for key, allowed in _PLAIN_OPTIONS.items()):
        return None
    if not isinstance(source, (str, os.PathLike)) or str(source) == "-":
        return None
    path = Path(source)
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as f:
            return _read_blocks(f, vocab)
    except OSError:
        return None


def _read_blocks(f: BinaryIO, vocab: Vocab) -> Corpus | None:
    """The corpus of an open file, read ``BLOCK`` bytes of whole lines at a time (a few blocks at
    once on as many threads); None if it needs the general reader."""
    head = f.read(8)
    if not head or head.startswith(_COMPRESSED) or head.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        table = word_table(vocab)
    except ValueError:  # two words share a hash: the general reader
        return None
    threads = kernel_threads(os.fstat(f.fileno()).st_size, 2 * BLOCK)  # a few MB or more: blocks in parallel
    ids, lengths, batch = [], [], []
    for block in _line_blocks(f, head):
        batch.append(block)
        if len(batch) < threads:
            continue
        encoded = run_tasks([partial(_encode_block, block, table) for block in batch], len(batch))
        batch = []
        if any(piece is None for piece in encoded):
            return None
        ids.extend(piece[0] for piece in encoded)
        lengths.extend(piece[1] for piece in encoded)
    encoded = [_encode_block(block, table) for block in batch]
    if any(piece is None for piece in encoded):
        return None
    ids.extend(piece[0] for piece in encoded)
    lengths.extend(piece[1] for piece in encoded)
    lengths = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    if len(lengths) == 0:
        return None  # no text: the general reader says so
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return Corpus(np.concatenate(ids), offsets)


def _line_blocks(f: BinaryIO, head: bytes) -> Iterator[bytes]:
    """The rest of the file after ``head``, about ``BLOCK`` bytes of whole lines at a time."""
    carry = head
    while True:
        chunk = f.read(BLOCK)
        block = carry + chunk
        if not block:
            return
        cut = block.rfind(b"\n") + 1 if chunk else len(block)
        if cut == 0:  # no line end yet: read on
            carry = block
            continue
        yield block[:cut]
        carry = block[cut:]
        if not chunk:
            return


def _encode_block(block: bytes, table: WordTable) -> tuple[np.ndarray, np.ndarray] | None:
    """(token ids, tokens per non-empty line) of a block of whole lines; None if it needs the
    general reader."""
    data = np.frombuffer(block, np.uint8)
    if b"\0" in block or not _is_utf8(block, data) or has_unicode_whitespace(block):
        return None
    return _encode_lines(data, table)


def _encode_lines(block: np.ndarray, table: WordTable) -> tuple[np.ndarray, np.ndarray]:
    """(token ids, tokens per non-empty line) of whole lines."""
    buffer = np.zeros(len(block) + PAD, np.uint8)
    buffer[:len(block)] = block
    starts, ends = spans(block, STR_WHITESPACE)
    if len(starts) == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    breaks = np.flatnonzero((block == 10) | (block == 13))
    line = np.searchsorted(breaks, starts)
    new_line = np.flatnonzero(line[1:] != line[:-1]) + 1
    bounds = np.concatenate([[0], new_line, [len(starts)]])
    ids = table.lookup(u64_view(buffer), starts, ends - starts)
    ids[ids < 0] = UNK_ID
    return ids.astype(np.int32), np.diff(bounds)


def _is_utf8(block: bytes, data: np.ndarray) -> bool:
    """Whether ``block`` (whole lines) is valid UTF-8."""
    if not (data >= 0x80).any():
        return True
    try:
        codecs.utf_8_decode(block, "strict", True)
    except UnicodeDecodeError:
        return False
    return True

