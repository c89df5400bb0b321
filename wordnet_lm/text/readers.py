"""Read tokenised sentences from plain, compressed, directory and NLTK-zip sources.

``read_sentences`` is the one entry point: a path to a text file (``.gz``, ``.bz2`` and
``.xz`` are recognised by their magic bytes), a directory (its files in sorted order), an
NLTK-format corpus zip (or such a zip unpacked), or a corpus name (``"demo"``, ``"brown"``...,
see :func:`wordnet_lm.text.resolve.resolve_corpus`).  Files are streamed in batches of lines,
so sources larger than memory are fine.

Sentence modes
--------------
``"lines"``        every non-empty line is a sentence (the default for plain files);
``"split"``        running text: lines of a paragraph (blank-line separated) that look
                   hard-wrapped are joined, then split into sentences at ``.!?``;
``"split_lines"``  every line is a paragraph of its own, split into sentences;
``"auto"``         ``"lines"`` for plain files, the corpus's own convention for NLTK corpora.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, IO, Any, Callable, Iterable, Iterator

from wordnet_lm.errors import InputFileError
from wordnet_lm.progress import progress_bar
from wordnet_lm.text.encoded import open_encoded
from wordnet_lm.text.layouts import Layout, layout_for, strip_tags, tree_sentences
from wordnet_lm.text.options import SENTENCE_MODES, ReadingOptions
from wordnet_lm.text.resolve import resolve_corpus
from wordnet_lm.text.tokenize import TOKENIZERS, ends_sentence, split_sentences, tokenize_lines
from wordnet_lm.text.vocab import BOS, EOS

if TYPE_CHECKING:
    from wordnet_lm.progress import Bar

BATCH_BYTES = 1 << 22  # lines are read and tokenised ~4 MB at a time
_SNIFF_BYTES = 8192
_DECOMPRESSORS: dict[bytes, Callable[[IO[bytes]], IO[bytes]]] = {
    b"\x1f\x8b": lambda f: gzip.GzipFile(fileobj=f),
    b"BZh": lambda f: bz2.BZ2File(f),
    b"\xfd7zXZ\x00": lambda f: lzma.LZMAFile(f),
}
_ZIP_MAGIC = b"PK\x03\x04"


# ------------------------------------------------------------------ public API
def read_sentences(source: str | os.PathLike, reading: ReadingOptions | None = None, *, markers: bool = False,
                   progress: bool = False, **fields: Any) -> Iterator[list[str]]:
    """Tokenised sentences of ``source``, one list of tokens per sentence, streamed.

    Parameters
    ----------
    source : str or path-like
        A text file (plain, ``.gz``, ``.bz2``, ``.xz``), a directory, an NLTK corpus zip, or a
        corpus name (``"demo"``, ``"brown"``, ...: see ``resolve_corpus``).
    reading : ReadingOptions, optional
        Tokenizer, lower-casing, sentence mode and encoding (default: ``ReadingOptions()``);
        its fields may also be given as keywords (``tokenizer="word"``).  Tagged and
        bracketed corpora (Brown, Treebank) always use their own sentence boundaries.
    markers : bool
        Wrap every sentence in ``<s>`` ... ``</s>``.
    progress : bool
        Show a tqdm progress bar over the bytes read.

    Yields
    ------
    list of str
        The tokens of one sentence (never empty).

    Raises
    ------
    InputFileError
        Missing, empty, binary or non-UTF-8 file, corrupt zip, a source without any text.
    """
    for batch in read_sentence_batches(source, reading, progress=progress, **fields):
        if markers:
            for sentence in batch:
                yield [BOS, *sentence, EOS]
        else:
            yield from batch


def read_sentence_batches(source: str | os.PathLike, reading: ReadingOptions | None = None, *,
                          progress: bool = False, **fields: Any) -> Iterator[list[list[str]]]:
    """:func:`read_sentences` in batches (lists of sentences, a few MB of text each): the fast
    path for code that consumes whole batches (vocabulary counts, encoding)."""
    options = ReadingOptions.of(reading, **fields)
    tokenizer, lowercase, sentences = options.tokenizer, options.lowercase, options.sentences
    path = resolve_corpus(source)
    encoded = open_encoded(path)
    if encoded is not None:  # an encoded corpus folder: its sentences, decoded
        encoded.check_reading(options)
        yield from encoded.decoded_batches()
        return
    documents, total_bytes = _documents(path, options.encoding)
    found_text = False
    with progress_bar(total=total_bytes, unit="B", unit_scale=True, desc=path.name, enabled=progress,
                      leave=False) as bar:
        for doc in documents:
            fmt = doc.format
            mode = sentences if sentences != "auto" else (doc.layout.sentences if doc.layout else "lines")
            tok = tokenizer if tokenizer != "auto" else (doc.layout.tokenizer if doc.layout else "whitespace")
            for batch in _sentence_batches(doc.line_batches(bar), fmt, mode, tok, lowercase):
                if batch:
                    found_text = True
                    yield batch
    if not found_text:
        raise InputFileError(f"{path}: no text (no sentence with a token in it)")


# ------------------------------------------------------------------ documents
@dataclass
class _Document:
    """One text file of a source: where it is, its layout and format, how to read its lines."""

    name: str
    layout: Layout | None  # None: a plain file given directly (strict UTF-8, modes from the caller)
    format: str
    line_batches: Callable[[Bar], Iterator[list[str]]]


def _documents(path: Path, encoding: str = "utf-8") -> tuple[Iterator[_Document], int]:
    """The documents of ``path`` (lazily) and their total size in bytes; plain files are read
    in ``encoding``."""
    if path.is_dir():
        return _directory_documents(path, encoding)
    if not path.is_file():
        raise InputFileError(f"{path}: not a regular file")
    magic = _read_magic(path)
    if magic.startswith(_ZIP_MAGIC):
        return _zip_documents(path)
    return (iter([_Document(str(path), None, "plain", lambda bar: _file_line_batches(path, bar, encoding))]),
            path.stat().st_size)


def _read_magic(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except OSError as e:
        raise InputFileError(f"{path}: cannot read ({e.strerror})") from None


def _directory_documents(root: Path, encoding: str) -> tuple[Iterator[_Document], int]:
    layout = layout_for(root.name)
    files = sorted(p for p in root.rglob("*") if p.is_file() and layout.selects(p.relative_to(root).as_posix())
                   and p.stat().st_size > 0)  # empty files hold no text: skipped
    if not files:
        raise InputFileError(f"{root}: directory holds no text files")

    def documents() -> Iterator[_Document]:
        for file in files:
            relative = file.relative_to(root).as_posix()
            if layout.format == "sniff":
                head = _read_head(file)
                _check_head(head, file)
                fmt = layout.format_of(relative, head.decode("utf-8", errors="ignore"))
            else:
                fmt = layout.format
            if layout.encoding:  # an NLTK corpus: small files, decoded whole with a fallback
                yield _Document(str(file), layout, fmt, lambda bar, f=file: _whole_file_batches(f, layout, bar))
            else:
                yield _Document(str(file), layout, fmt, lambda bar, f=file: _file_line_batches(f, bar, encoding))

    return documents(), sum(f.stat().st_size for f in files)


def _read_head(path: Path) -> bytes:
    with _open_binary(path) as (_, stream):
        return stream.read(_SNIFF_BYTES)


def _zip_documents(path: Path) -> tuple[Iterator[_Document], int]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputFileError(f"{path}: corrupt zip file ({e})") from None
    names = [n for n in archive.namelist() if not n.endswith("/")]
    tops = {n.split("/", 1)[0] for n in names}
    root = tops.pop() + "/" if len(tops) == 1 and all("/" in n for n in names) else ""
    layout = layout_for(root.rstrip("/") or path.stem)
    members = sorted(n for n in names if layout.selects(n[len(root):]) and archive.getinfo(n).file_size > 0)
    if not members:
        archive.close()
        raise InputFileError(f"{path}: zip holds no text files")
    total = sum(archive.getinfo(n).compress_size for n in members)

    def documents() -> Iterator[_Document]:
        with archive:
            for member in members:
                name = f"{path}:{member}"
                try:
                    data = archive.read(member)
                except (zipfile.BadZipFile, OSError, EOFError) as e:
                    raise InputFileError(f"{name}: corrupt zip member ({e})") from None
                text = _decode(data, name, layout.encoding)
                size = archive.getinfo(member).compress_size
                yield _Document(name, layout, layout.format_of(member[len(root):], text[:_SNIFF_BYTES]),
                                lambda bar, t=text, s=size: _text_batches(t, s, bar))

    return documents(), total


# ------------------------------------------------------------------ bytes -> lines
@contextlib.contextmanager
def _open_binary(path: Path) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """``(raw file, decompressed stream)``; compression recognised by magic bytes."""
    try:
        raw = open(path, "rb")
    except OSError as e:
        raise InputFileError(f"{path}: cannot read ({e.strerror})") from None
    with raw:
        magic = raw.read(8)
        raw.seek(0)
        for prefix, decompress in _DECOMPRESSORS.items():
            if magic.startswith(prefix):
                with decompress(raw) as stream:
                    yield raw, stream
                return
        yield raw, raw


def _check_head(head: bytes, name: object) -> None:
    if not head:
        raise InputFileError(f"{name}: empty file")
    if b"\0" in head:
        raise InputFileError(f"{name}: binary file, expected text")


def _file_line_batches(path: Path, bar: Bar, encoding: str = "utf-8") -> Iterator[list[str]]:
    """Lines of a text file (possibly compressed) in ``encoding``, ~``BATCH_BYTES`` at a time."""
    with _open_binary(path) as (raw, stream):
        try:
            _check_head(stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES] if hasattr(stream, "peek") else b"x", path)
            text = io.TextIOWrapper(stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="strict")
            seen = 0
            while lines := text.readlines(BATCH_BYTES):
                yield lines
                position = raw.tell()
                bar.update(position - seen)
                seen = position
        except UnicodeDecodeError:
            hint = "give its encoding, e.g. --encoding latin-1" if encoding == "utf-8" else "check --encoding"
            name = "UTF-8" if encoding == "utf-8" else encoding
            raise InputFileError(f"{path}: not {name} text ({hint})") from None
        except (OSError, EOFError, lzma.LZMAError) as e:
            raise InputFileError(f"{path}: corrupt or unreadable compressed file ({e})") from None


def _whole_file_batches(path: Path, layout: Layout, bar: Bar) -> Iterator[list[str]]:
    with _open_binary(path) as (_, stream):
        try:
            data = stream.read()
        except (OSError, EOFError, lzma.LZMAError) as e:
            raise InputFileError(f"{path}: corrupt or unreadable compressed file ({e})") from None
    yield from _text_batches(_decode(data, path, layout.encoding), path.stat().st_size, bar)


def _decode(data: bytes, name: object, fallback: str) -> str:
    """UTF-8 text of ``data``, else ``fallback``-encoded text if a fallback is given."""
    _check_head(data[:_SNIFF_BYTES], name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fallback:
            return data.decode(fallback, errors="replace")
        raise InputFileError(f"{name}: not UTF-8 text (convert it, e.g. iconv -f latin1 -t utf-8)") from None


def _text_batches(text: str, size: int, bar: Bar) -> Iterator[list[str]]:
    lines = io.StringIO(text, newline=None).readlines()
    yield lines
    bar.update(size)


# ------------------------------------------------------------------ lines -> sentences
def _sentence_batches(line_batches: Iterator[list[str]], fmt: str, mode: str, tokenizer: str,
                      lowercase: bool | None) -> Iterator[list[list[str]]]:
    """Tokenised sentences of one document, batch by batch."""
    if fmt == "bracketed":
        text = "".join(line for batch in line_batches for line in batch)
        yield tokenize_lines(tree_sentences(text), tokenizer, lowercase, drop_empty=True)
    elif fmt == "tagged":
        for lines in line_batches:
            yield tokenize_lines(list(map(strip_tags, lines)), tokenizer, lowercase, drop_empty=True)
    elif mode == "lines":
        for lines in line_batches:
            yield tokenize_lines(lines, tokenizer, lowercase, drop_empty=True)
    elif mode == "split_lines":
        for lines in line_batches:
            yield tokenize_lines(_split_each(lines), tokenizer, lowercase, drop_empty=True)
    else:  # "split"
        for paragraphs in _paragraph_batches(line_batches):
            yield tokenize_lines(_split_each(paragraphs), tokenizer, lowercase, drop_empty=True)


def _split_each(paragraphs: Iterable[str]) -> list[str]:
    return [sentence for paragraph in paragraphs for sentence in split_sentences(paragraph)]


_WRAPPED_LINE_CHARS = 50  # a line this long not ending a sentence is taken as hard-wrapped


def _paragraph_batches(line_batches: Iterator[list[str]]) -> Iterator[list[str]]:
    """Join hard-wrapped lines into paragraphs.

    A line continues the previous one unless a blank line separates them, the previous line
    ends a sentence, or it is short (a title) and this line starts with a capital.
    """
    pending: list[str] = []
    for lines in line_batches:
        paragraphs = []
        for line in lines:
            line = line.strip()
            if pending and (not line or ends_sentence(pending[-1])
                            or (len(pending[-1]) < _WRAPPED_LINE_CHARS and not line[0].islower())):
                paragraphs.append(" ".join(pending))
                pending = []
            if line:
                pending.append(line)
        yield paragraphs
    if pending:
        yield [" ".join(pending)]


__all__ = ["read_sentences", "read_sentence_batches", "SENTENCE_MODES", "TOKENIZERS"]
