"""Write a corpus once as token ids (:mod:`wordnet_lm.text.encoded`), streamed and in parallel.

A plain text file read one sentence per line is cut into byte ranges at line ends; each range
is tokenised by a worker process that numbers its words in first-occurrence order and writes
its ids to a temporary file.  The parent joins the word lists in range order (so the
first-occurrence order is the file's), builds the vocabulary exactly as
:func:`wordnet_lm.text.load_corpus` does, then renumbers every range's ids with one gather per
block while writing ``ids.u32``.  Other sources (compressed files, NLTK zips, directories,
running text) are read by one process through :func:`read_sentence_batches`.  Memory is
O(vocabulary) plus a few MB of text per worker, never O(corpus).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterator

import numpy as np

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.io import atomic_write
from wordnet_lm.progress import progress_bar
from wordnet_lm.scale.executor import default_workers, make_executor
from wordnet_lm.scale.tempdir import TempFolder
from wordnet_lm.text.encoded import (COUNTS, FORMAT, HEADER, IDS, IDS_DTYPE, OFFSETS, OFFSETS_DTYPE, VERSION,
                                     VOCAB, EncodedCorpus, is_encoded_corpus, write_vocabulary)
from wordnet_lm.text.options import ReadingOptions
from wordnet_lm.text.readers import BATCH_BYTES, read_sentence_batches
from wordnet_lm.text.resolve import resolve_corpus
from wordnet_lm.text import byte_tokens
from wordnet_lm.text.tokenize import resolve_lowercase, tokenize_lines
from wordnet_lm.text.loading import _check_not_empty, _FirstSeenIds
from wordnet_lm.text.vocab import Corpus, Vocab, encode_with

RANGE_BYTES = 64 << 20  # a plain file is cut into ranges of about this size (at least one per worker)
COPY_TOKENS = 1 << 22  # ids renumbered and written this many at a time
_PLAIN_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"PK\x03\x04")


@dataclass(frozen=True)
class _Part:
    """One unit of encoding work: a byte range of a plain file, or a whole source."""

    source: str
    start: int  # byte range [start, stop) of a plain file; stop = -1: the whole source, any format
    stop: int
    out: str  # path prefix of the part's id and length files
    tokenizer: str
    lowercase: bool | None
    sentences: str
    encoding: str


def encode_corpus(source: str | os.PathLike, out_dir: str | os.PathLike, *, min_count: int = 1,
                  max_size: int | None = None, tokenizer: str = "auto", lowercase: bool | None = None,
                  sentences: str = "auto", encoding: str = "utf-8", workers: int | None = None,
                  temp: str | os.PathLike | None = None, progress: bool = False) -> EncodedCorpus:
    """Encode ``source`` into the folder ``out_dir`` and open it.

    Parameters
    ----------
    source : str or path-like
        Anything :func:`wordnet_lm.text.read_sentences` reads.
    out_dir : path-like
        Folder to write (created; an earlier encoded corpus there is replaced; any other
        non-empty folder is refused).
    min_count, max_size : int
        Vocabulary cut-offs (as for :func:`wordnet_lm.text.load_corpus`); the default keeps
        every word, so any cut-off can still be applied when the corpus is used.
    tokenizer, lowercase, sentences, encoding
        As for :func:`wordnet_lm.text.read_sentences` (:class:`wordnet_lm.text.options.ReadingOptions`);
        stored in the header.
    workers : int, optional
        Worker processes for plain text files (default: the CPUs available).
    temp : path-like, optional
        Folder for the per-range id files (default: beside ``out_dir``).
    progress : bool
        Progress bars on stderr.

    Returns
    -------
    EncodedCorpus
    """
    options = ReadingOptions(tokenizer=tokenizer, lowercase=lowercase, sentences=sentences, encoding=encoding)
    if min_count < 1 or (max_size is not None and max_size < 1):
        raise WordnetLMError("min_count and max_size must be at least 1")
    path = resolve_corpus(source)
    if is_encoded_corpus(path):
        raise InputFileError(f"{path}: already an encoded corpus")
    out = _prepare_output(Path(out_dir))
    workers = default_workers() if workers is None else workers
    reading = options.to_dict()
    with TempFolder(temp if temp is not None else out.parent, prefix=".encode-") as scratch:
        parts = _plan(path, scratch, workers, reading)
        with make_executor(processes=min(workers, len(parts))) as executor:
            results = executor.map(_encode_part, parts) if len(parts) > 1 else [_encode_part(parts[0], progress)]
        vocab, renumber = _vocabulary(results, path, min_count, max_size)
        n_tokens, n_sentences, digest = _write_arrays(out, parts, results, renumber, vocab, progress)
    write_vocabulary(out, vocab)
    header = {"format": FORMAT, "version": VERSION, "source": str(path), "reading": reading,
              "min_count": min_count, "max_size": max_size, "n_tokens": n_tokens, "n_sentences": n_sentences,
              "vocab_size": len(vocab), "ids_dtype": IDS_DTYPE.str, "offsets_dtype": OFFSETS_DTYPE.str,
              "content_sha256": digest}
    with atomic_write(out / HEADER, "w", encoding="utf-8") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    return EncodedCorpus.open(out, vocab=vocab)


def _prepare_output(out: Path) -> Path:
    """``out`` as an empty folder (an earlier encoded corpus there is removed)."""
    if out.exists() and not out.is_dir():
        raise WordnetLMError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not is_encoded_corpus(out):
            raise WordnetLMError(f"{out}: folder is not empty (and not an encoded corpus to replace)")
        for name in (HEADER, IDS, OFFSETS, VOCAB, COUNTS):
            (out / name).unlink(missing_ok=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WordnetLMError(f"{out}: cannot create folder ({e.strerror})") from None
    if not os.access(out, os.W_OK):
        raise WordnetLMError(f"{out}: folder is not writable")
    return out


def _plan(path: Path, scratch: Path, workers: int, reading: dict) -> list[_Part]:
    """Byte ranges of a plain one-sentence-per-line file, else the whole source as one part."""
    common = {k: reading[k] for k in ("tokenizer", "lowercase", "sentences", "encoding")}
    if not _is_plain_lines_file(path, reading):
        return [_Part(str(path), 0, -1, str(scratch / "part0"), **common)]
    size = path.stat().st_size
    n = max(workers if size > (1 << 20) else 1, -(-size // RANGE_BYTES))
    cuts = [0]
    with open(path, "rb") as f:
        for k in range(1, n):
            f.seek(max(size * k // n, cuts[-1]))
            f.readline()  # to the start of the next line
            cuts.append(min(f.tell(), size))
    cuts.append(size)
    bounds = sorted(set(cuts))
    return [_Part(str(path), a, b, str(scratch / f"part{k}"), **common)
            for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))]


def _is_plain_lines_file(path: Path, reading: dict) -> bool:
    if not path.is_file() or reading["sentences"] not in ("auto", "lines") or reading["encoding"] != "utf-8":
        return False
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise InputFileError(f"{path}: empty file")
    if b"\0" in head:
        raise InputFileError(f"{path}: binary file, expected text")
    return not head.startswith(_PLAIN_MAGIC)


def _encode_part(part: _Part, progress: bool = False) -> tuple[list[str], np.ndarray]:
    """Tokenise one part; write its ids (first-occurrence numbering of this part) to
    ``part.out + '.ids'`` and sentence lengths to ``part.out + '.len'``; return the part's
    words in first-occurrence order and their counts."""
    seen = _FirstSeenIds()
    counts = np.zeros(0, np.int64)
    with open(part.out + ".ids", "wb") as ids_file, open(part.out + ".len", "wb") as len_file:
        for piece in _part_pieces(part, seen, progress):
            if not piece.n_tokens:
                continue
            piece.ids.astype(np.uint32).tofile(ids_file)
            piece.lengths().tofile(len_file)
            batch_counts = np.bincount(piece.ids, minlength=len(seen))
            batch_counts[:len(counts)] += counts
            counts = batch_counts
    return list(seen), counts.astype(np.int64)


def _part_pieces(part: _Part, seen: _FirstSeenIds, progress: bool) -> Iterator[Corpus]:
    """The part's sentences in batches, numbered by ``seen`` (new words as first seen).  Byte
    ranges split at whitespace go through :mod:`~wordnet_lm.text.byte_tokens` (NumPy on the
    bytes); everything else through Python strings and ``encode_with``."""
    if part.stop < 0:
        for batch in read_sentence_batches(part.source, tokenizer=part.tokenizer, lowercase=part.lowercase,
                                           encoding=part.encoding, sentences=part.sentences, progress=progress):
            if batch:
                yield encode_with(seen, batch)  # C-level map over the tokens, new words numbered as seen
        return
    tokenizer = "whitespace" if part.tokenizer == "auto" else part.tokenizer
    on_bytes = tokenizer == "whitespace" and not resolve_lowercase(tokenizer, part.lowercase)
    known = byte_tokens.KnownWords()  # the words of earlier batches, for the byte path
    with open(part.source, "rb") as f:
        f.seek(part.start)
        position = part.start
        while position < part.stop:
            raw = b"".join(f.readlines(min(BATCH_BYTES, part.stop - position)))
            if not raw:
                break
            if position + len(raw) > part.stop:
                raw = raw[:part.stop - position]
            try:
                text = raw.decode("utf-8-sig" if position == 0 else "utf-8")
            except UnicodeDecodeError:
                raise InputFileError(f"{part.source}: not UTF-8 text (convert it, e.g. iconv -f latin1 -t utf-8)") from None
            if position == 0 and raw.startswith(codecs.BOM_UTF8):  # as utf-8-sig reads it
                raw = raw[len(codecs.BOM_UTF8):]
                position += len(codecs.BOM_UTF8)
            position += len(raw)
            piece = byte_tokens.encode_lines(raw, seen, known) if on_bytes else None
            if piece is None:
                tokens = tokenize_lines(io.StringIO(text, newline=None).readlines(), tokenizer, part.lowercase,
                                        drop_empty=True)
                piece = encode_with(seen, tokens) if tokens else None
            if piece is not None:
                yield piece


def _vocabulary(results: list[tuple[list[str], np.ndarray]], path: Path, min_count: int,
                max_size: int | None) -> tuple[Vocab, list[np.ndarray]]:
    """The vocabulary of all parts (first occurrence in part order) and, per part, its local
    id -> final id map."""
    first_seen = dict.fromkeys(chain.from_iterable(words for words, _ in results))  # C-level, in part order
    order: dict[str, int] = dict(zip(first_seen, range(len(first_seen))))
    del first_seen
    to_global = [np.fromiter(map(order.__getitem__, words), np.int64, len(words)) for words, _ in results]
    totals = np.zeros(len(order), np.int64)
    for local, (_, counts) in zip(to_global, results):
        np.add.at(totals, local, counts)
    counts = dict(zip(order, totals.tolist()))
    vocab = Vocab.from_counts(counts, min_count, max_size)
    _check_not_empty(vocab, path, min_count, max_size, counts.values())
    final = vocab.lookup(order).astype(np.uint32)
    return vocab, [final[local] for local in to_global]


def _write_arrays(out: Path, parts: list[_Part], results, renumber: list[np.ndarray], vocab: Vocab,
                  progress: bool) -> tuple[int, int, str]:
    """``ids.u32`` and ``offsets.i64`` from the parts' files, renumbered block by block;
    returns the token and sentence counts and the content hash."""
    digest = hashlib.sha256()
    n_tokens = n_sentences = 0
    total = sum(int(c.sum()) for _, c in results)
    with atomic_write(out / IDS, "wb") as ids_out, atomic_write(out / OFFSETS, "wb") as offsets_out, \
            progress_bar(total=total, unit="tok", unit_scale=True, desc="encoding", enabled=progress) as bar:
        np.zeros(1, OFFSETS_DTYPE).tofile(offsets_out)
        digest.update(np.zeros(1, OFFSETS_DTYPE).tobytes())
        for part, mapping in zip(parts, renumber):
            with open(part.out + ".ids", "rb") as local:  # read block by block: a memory map would keep it all resident
                while len(piece := np.fromfile(local, np.uint32, COPY_TOKENS)):
                    block = mapping[piece].astype(IDS_DTYPE, copy=False)
                    block.tofile(ids_out)
                    digest.update(block.tobytes())
                    bar.update(len(block))
            lengths = np.fromfile(part.out + ".len", np.int64)
            ends = (np.cumsum(lengths) + n_tokens).astype(OFFSETS_DTYPE)
            ends.tofile(offsets_out)
            digest.update(ends.tobytes())
            n_tokens += int(lengths.sum())
            n_sentences += len(lengths)
            for suffix in (".ids", ".len"):
                Path(part.out + suffix).unlink()
    digest.update("\n".join(map("{}\t{}".format, vocab.words, vocab.counts.tolist())).encode("utf-8"))
    return n_tokens, n_sentences, digest.hexdigest()
