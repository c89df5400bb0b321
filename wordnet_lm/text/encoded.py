"""Encoded corpora: a corpus written once as token ids, then memory-mapped by every command.

A folder made by :func:`wordnet_lm.text.encode.encode_corpus` (``wordnet-lm corpus encode
SOURCE --out DIR``)::

    header.json    format, version, source, reading options, vocabulary cut-offs, sizes,
                   content hash (SHA-256 of the ids, the offsets and the vocabulary)
    ids.u32        every token of every sentence, uint32 little-endian, no sentence markers
    offsets.i64    sentence starts (int64, n_sentences + 1 entries, first 0, last n_tokens)
    vocab.tsv      the vocabulary with counts (:meth:`Vocab.save`), in id order
    counts.i64     its counts again (int64, id order): counting with a cut-off needs only these
                   and the head of ``vocab.tsv``, not a big vocabulary's words (2.8M words and
                   0.6 GB in memory at 256M tokens); folders written without it read ``vocab.tsv``

Ids follow the vocabulary the in-memory reader builds (frequency order, ties by first
occurrence), so ``load_corpus(DIR)`` equals ``load_corpus(SOURCE)`` and any command gives the
same result from either.  :class:`EncodedCorpus` opens the arrays read-only with
``np.memmap``: opening costs nothing, and memory holds only the pages being read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.io import atomic_write
from wordnet_lm.scale.spill import read_raw
from wordnet_lm.text.options import ReadingOptions
from wordnet_lm.text.vocab import Corpus, Vocab

FORMAT = "wordnet-lm encoded corpus"
VERSION = 1
HEADER, IDS, OFFSETS, VOCAB, COUNTS = "header.json", "ids.u32", "offsets.i64", "vocab.tsv", "counts.i64"
IDS_DTYPE, OFFSETS_DTYPE, COUNTS_DTYPE = np.dtype("<u4"), np.dtype("<i8"), np.dtype("<i8")
DEFAULT_READING = {"tokenizer": "auto", "lowercase": None, "sentences": "auto", "encoding": "utf-8"}


def is_encoded_corpus(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder written by :func:`encode_corpus`."""
    try:
        return Path(path, HEADER).is_file() and Path(path, IDS).is_file()
    except (OSError, TypeError, ValueError):
        return False


@dataclass
class EncodedCorpus:
    """An encoded corpus folder, opened: memory-mapped ``ids`` and ``offsets``, the stored
    vocabulary's ``counts`` (its words are read when first asked for), the header."""

    path: Path
    header: dict[str, Any]
    ids: np.ndarray  # uint32, memory-mapped
    offsets: np.ndarray  # int64, memory-mapped
    counts: np.ndarray  # int64, the stored vocabulary's counts in id order
    _vocab: Vocab | None = field(default=None, repr=False)
    _head: Vocab | None = field(default=None, repr=False)  # the last head read alone

    @classmethod
    def open(cls, path: str | os.PathLike, vocab: Vocab | None = None) -> "EncodedCorpus":
        """Open the folder ``path``; :class:`InputFileError` if it is not a complete encoded corpus.
        ``vocab``: its vocabulary if already in memory (the encoder's), not read again."""
        path = Path(path)
        try:
            header = json.loads(Path(path, HEADER).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputFileError(f"{path}: not an encoded corpus (no {HEADER})") from None
        except (UnicodeDecodeError, json.JSONDecodeError, OSError) as e:
            raise InputFileError(f"{path}/{HEADER}: unreadable encoded-corpus header ({e})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InputFileError(f"{path}: not an encoded corpus ({HEADER} of another format)")
        if header.get("version") != VERSION:
            raise InputFileError(f"{path}: encoded corpus version {header.get('version')!r}, "
                                 f"this wordnet_lm reads version {VERSION}")
        if vocab is None and not (path / COUNTS).is_file():  # written before counts.i64
            vocab = Vocab.load(path / VOCAB)
        if vocab is None:
            counts = _map(path / COUNTS, COUNTS_DTYPE, header.get("vocab_size"))
            if not (path / VOCAB).is_file():
                raise InputFileError(f"{path / VOCAB}: missing file of an encoded corpus")
        else:
            counts = vocab.counts
        ids = _map(path / IDS, IDS_DTYPE, header.get("n_tokens"))
        offsets = _map(path / OFFSETS, OFFSETS_DTYPE, header.get("n_sentences", -2) + 1)
        if len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != len(ids) or len(counts) != header.get("vocab_size"):
            raise InputFileError(f"{path}: encoded corpus is inconsistent (offsets, ids and vocabulary disagree)")
        return cls(path, header, ids, offsets, counts, vocab)

    @property
    def vocab(self) -> Vocab:
        """The stored vocabulary (read from ``vocab.tsv`` on first use)."""
        if self._vocab is None:
            vocab = Vocab.load(self.path / VOCAB)
            self._check_counts(vocab)
            self._vocab = vocab
        return self._vocab

    def vocab_head(self, size: int) -> Vocab:
        """The first ``size`` entries of the stored vocabulary (at least the three markers), read
        from the head of ``vocab.tsv`` alone when the whole is not in memory: with the stored
        words in count order, as the encoder writes them, a cut-off vocabulary is such a head."""
        size = max(3, int(size))
        if self._vocab is not None or size >= len(self.counts):
            vocab = self.vocab
            return vocab if size >= len(vocab) else Vocab(vocab.words[3:size], vocab.counts[:size])
        if self._head is not None and len(self._head) == size:
            return self._head
        chunks, lines = [], 0
        try:
            with open(self.path / VOCAB, "rb") as f:
                while lines < size and (block := f.read(1 << 20)):
                    chunks.append(block)
                    lines += block.count(b"\n")
            head = b"".join(chunks).split(b"\n", size)[:size]
            text = b"\n".join(head).decode("utf-8") + "\n"
        except OSError as e:
            raise InputFileError(f"{self.path / VOCAB}: cannot read ({e.strerror})") from None
        except UnicodeDecodeError:
            raise InputFileError(f"{self.path / VOCAB}: vocabulary file is not UTF-8 text") from None
        vocab = Vocab.from_text(text, str(self.path / VOCAB)) if len(head) == size else None
        self._check_counts(vocab, size)
        self._head = vocab
        return vocab

    def _check_counts(self, vocab: Vocab | None, size: int | None = None) -> None:
        """``vocab`` (the first ``size`` entries, or all) must have the stored counts."""
        expected = self.counts if size is None else self.counts[:size]
        if vocab is None or len(vocab) != len(expected) or not np.array_equal(vocab.counts, expected):
            raise InputFileError(f"{self.path}: encoded corpus is inconsistent ({VOCAB} and {COUNTS} disagree)")

    @property
    def n_tokens(self) -> int:
        return len(self.ids)

    @property
    def n_sentences(self) -> int:
        return len(self.offsets) - 1

    @property
    def reading(self) -> dict[str, Any]:
        """The reading options the text was encoded with."""
        return dict(self.header.get("reading", DEFAULT_READING))

    def corpus(self) -> Corpus:
        """The whole corpus as a :class:`Corpus` over the memory-mapped arrays (no copy: ids
        viewed as int32, which every id below 2**31 is)."""
        return Corpus(self.ids.view(np.int32), self.offsets)

    def sentences_range(self, first: int, stop: int) -> Corpus:
        """Sentences ``first..stop-1`` as a corpus of their own (ids memory-mapped, offsets copied)."""
        offsets = np.asarray(self.offsets[first:stop + 1])
        return Corpus(self.ids[offsets[0]:offsets[-1]].view(np.int32), offsets - offsets[0])

    def shards(self, n_shards: int) -> list[tuple[int, int]]:
        """``n_shards`` sentence ranges ``(first, stop)`` of about equal token counts (fewer if
        the corpus has fewer sentences); every sentence in exactly one."""
        n_shards = max(1, min(int(n_shards), self.n_sentences))
        targets = np.linspace(0, self.n_tokens, n_shards + 1)[1:-1]
        cuts = np.searchsorted(self.offsets, targets)
        bounds = np.unique(np.concatenate([[0], cuts, [self.n_sentences]]))
        return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def chunks(self, chunk_tokens: int) -> Iterator[Corpus]:
        """The corpus as pieces of whole sentences of ``chunk_tokens`` tokens or fewer (a longer
        sentence is a piece of its own)."""
        if chunk_tokens < 1:
            raise ValueError("chunk_tokens must be positive")
        for first, stop in _chunk_bounds(self.offsets, 0, self.n_sentences, chunk_tokens):
            yield self.sentences_range(first, stop)

    def check_reading(self, reading: ReadingOptions | None = None, **fields: Any) -> None:
        """Reading options given for this corpus must be the defaults or those it was encoded with."""
        given = ReadingOptions.of(reading, **{k: v for k, v in fields.items() if k != "progress"})
        stored = ReadingOptions.of(self.reading)
        default = ReadingOptions()
        for key in ("tokenizer", "lowercase", "sentences", "encoding"):
            value = getattr(given, key)
            if value != getattr(default, key) and value != getattr(stored, key):
                raise WordnetLMError(f"{self.path}: encoded with {key}={getattr(stored, key)!r}; "
                                     f"re-encode the text to read it with {key}={value!r}")

    def remap_to(self, vocab: Vocab) -> np.ndarray | None:
        """Stored id -> id in ``vocab`` (unknown words -> ``<unk>``), or None if ``vocab`` is
        this corpus's own vocabulary."""
        if vocab.words == self.vocab.words:
            return None
        return vocab.lookup(self.vocab.words)

    def vocab_with(self, min_count: int = 1, max_size: int | None = None) -> Vocab:
        """The vocabulary ``load_corpus`` would build from the text with these cut-offs.  No
        cut-off asked (``min_count <= 1`` and no ``max_size``, the defaults) means the cut-offs
        the corpus was encoded with, as for the reading options; a wider one than those is refused."""
        stored_min, stored_max = self.header.get("min_count", 1), self.header.get("max_size")
        if min_count <= 1 and max_size is None:
            return self.vocab
        wider = stored_max is not None and (max_size is None or max_size > stored_max)
        if (min_count < stored_min and stored_min > 1) or wider:
            raise WordnetLMError(f"{self.path}: encoded with min_count={stored_min}, max_size={stored_max}: "
                                 f"it has no words for min_count={min_count}, max_size={max_size} (ask for no "
                                 f"cut-off to use the encoded vocabulary, or re-encode the text)")
        if max(min_count, 1) <= stored_min and max_size == stored_max:
            return self.vocab
        counts = dict(zip(self.vocab.words, self.vocab.counts.tolist()))
        return Vocab.from_counts(counts, min_count, max_size)

    def load(self, *, vocab: Vocab | None = None, min_count: int = 1,
             max_size: int | None = None) -> tuple[Corpus, Vocab]:
        """``load_corpus`` of the encoded text: the memory-mapped corpus when the vocabulary is
        its own, else the ids renumbered (one gather) into ``vocab`` or the cut-off vocabulary."""
        if vocab is None:
            vocab = self.vocab_with(min_count, max_size)
            if len(vocab) <= 3:
                raise InputFileError(f"{self.path}: empty vocabulary: no word occurs min_count={min_count} times")
        remap = self.remap_to(vocab)
        if remap is None:
            return self.corpus(), vocab
        return Corpus(remap[self.ids], np.asarray(self.offsets)), vocab

    def decoded_batches(self, batch_sentences: int = 50_000) -> Iterator[list[list[str]]]:
        """The sentences as lists of words (the vocabulary's words), a batch at a time."""
        words = np.array(self.vocab.words, dtype=object)
        for first in range(0, self.n_sentences, batch_sentences):
            piece = self.sentences_range(first, min(first + batch_sentences, self.n_sentences))
            tokens = words[piece.ids].tolist()
            bounds = piece.offsets.tolist()
            yield [tokens[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def write_vocabulary(folder: Path, vocab: Vocab) -> None:
    """The stored vocabulary of the encoded corpus in ``folder``: ``vocab.tsv`` and ``counts.i64``."""
    vocab.save(folder / VOCAB)
    with atomic_write(folder / COUNTS, "wb") as f:
        np.asarray(vocab.counts, COUNTS_DTYPE).tofile(f)


def open_encoded(source: object) -> EncodedCorpus | None:
    """The encoded corpus at ``source`` if it is one (a path to such a folder), else None."""
    if not isinstance(source, (str, os.PathLike)):
        return None
    path = Path(source).expanduser()
    return EncodedCorpus.open(path) if is_encoded_corpus(path) else None


def _map(path: Path, dtype: np.dtype, expected: int | None) -> np.ndarray:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputFileError(f"{path}: missing file of an encoded corpus") from None
    if size % dtype.itemsize or (expected is not None and size // dtype.itemsize != expected):
        raise InputFileError(f"{path}: truncated or foreign file ({size} bytes)")
    if size == 0:
        return np.zeros(0, dtype)
    return np.memmap(path, dtype=dtype, mode="r")


def sentence_chunks(folder: str | os.PathLike, first: int, stop: int, chunk_tokens: int) -> Iterator[Corpus]:
    """Sentences ``first..stop-1`` of the encoded corpus in ``folder`` as corpora of about
    ``chunk_tokens`` tokens each (whole sentences; a longer sentence is a chunk of its own).

    Each chunk is read from the files into memory and dropped when the next is read: a map task
    walking a shard of a big corpus through a memory map would keep every page it touched
    resident, a gigabyte of ids at 256M tokens, outside the memory budget."""
    folder = Path(folder)
    offsets = _map(folder / OFFSETS, OFFSETS_DTYPE, None)  # only searched: a few pages per chunk
    for start, end in _chunk_bounds(offsets, first, stop, chunk_tokens):
        bounds = read_raw(folder / OFFSETS, OFFSETS_DTYPE, start, end + 1)
        ids = read_raw(folder / IDS, IDS_DTYPE, int(bounds[0]), int(bounds[-1])).view(np.int32)
        yield Corpus(ids, bounds - bounds[0])


def _chunk_bounds(offsets: np.ndarray, first: int, stop: int, chunk_tokens: int) -> Iterator[tuple[int, int]]:
    """Sentence ranges ``(first, end)`` covering sentences ``first..stop-1`` in order, each of
    ``chunk_tokens`` tokens or fewer (a longer sentence is a range of its own)."""
    while first < stop:
        end = int(np.searchsorted(offsets, offsets[first] + chunk_tokens, side="right")) - 1
        end = min(max(end, first + 1), stop)
        yield first, end
        first = end
