"""ARPA files, the n-gram interchange format of SRILM and KenLM.

::

    \\data\\
    ngram 1=17131
    ngram 2=282346

    \\1-grams:
    -6.2146235	<unk>	0
    -99	<s>	-0.4918264
    ...
    \\2-grams:
    -1.0381026	<s> The
    ...
    \\end\\

Each line is ``log10 p(w | h)``, the n-gram ``h w``, then (orders below the highest) the log10
backoff weight of ``h w`` as a context.  Probability 0 is written ``-99`` (and any value at or
below -99 is read as probability 0).  ``<s>`` is never predicted: its unigram is written
``-99`` and read as probability 0 whatever the file says (KenLM writes 0 there).
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import numpy as np
from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import atomic_write
from wordnet_lm.ngram.arpa_text import WordBytes, arpa_lines
from wordnet_lm.ngram.index import NgramIndex
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.progress import progress_bar
from wordnet_lm.text.vocab import BOS, BOS_ID, EOS, SPECIALS, Vocab

LOG10_ZERO = -99.0
_LN10 = np.log(10.0)
_WHITESPACE = np.zeros(256, bool)
_WHITESPACE[[9, 10, 11, 12, 13, 32]] = True  # what bytes.split splits at
WRITE_BLOCK = 1 << 17  # ARPA lines assembled at once
_COUNT_LINE = re.compile(r"ngram\s+(\d+)\s*=\s*(\d+)$")


# ---------------------------------------------------------------------- writing
def write_arpa(path: str | os.PathLike, tables: BackoffTables, vocab: Vocab, *, progress: bool = False) -> None:
    """Write ``tables`` over ``vocab`` as an ARPA file at ``path`` (atomically).

    Every word of ``vocab`` is a unigram; log10 values carry 8 significant digits.  Lines are
    assembled ``WRITE_BLOCK`` at a time as bytes (:func:`wordnet_lm.ngram.arpa_text.arpa_lines`).
    """
    order = tables.order
    words = WordBytes(vocab.words)
    with atomic_write(path, "wb") as f, progress_bar(total=sum(tables.index.sizes()), unit="line", unit_scale=True,
                                                     desc="writing ARPA", enabled=progress) as bar:
        f.write(arpa_header(tables.index.sizes()))
        for n in range(1, order + 1):
            f.write(f"\n\\{n}-grams:\n".encode())
            for start in range(0, tables.index.size(n), WRITE_BLOCK):
                stop = min(start + WRITE_BLOCK, tables.index.size(n))
                probs = _log10_values(tables.log_prob[n - 1][start:stop])
                if n == 1 and start <= BOS_ID < stop:
                    probs[BOS_ID - start] = LOG10_ZERO
                backoffs = _log10_values(tables.log_backoff[n - 1][start:stop]) if n < order else None
                f.write(arpa_lines(probs, _rows(tables.index, n, start, stop), words, backoffs))
                bar.update(stop - start)
        f.write(b"\n\\end\\\n")


def arpa_header(sizes: list[int]) -> bytes:
    """``\\data\\`` and the ``ngram n=size`` lines."""
    return ("\\data\\\n" + "".join(f"ngram {n}={size}\n" for n, size in enumerate(sizes, start=1))).encode()


def _rows(index: NgramIndex, n: int, start: int, stop: int) -> np.ndarray:
    """Word ids of order ``n`` entries ``start..stop-1``, shape ``(stop - start, n)``."""
    out = np.empty((stop - start, n), np.int64)
    position = np.arange(start, stop)
    for m in range(n, 0, -1):
        out[:, m - 1] = index.words[m - 1][position]
        position = index.contexts[m - 1][position]
    return out


def _log10_list(log_values: np.ndarray) -> list[float]:
    return _log10_values(log_values).tolist()


def _log10_values(log_values: np.ndarray) -> np.ndarray:
    """Natural logs -> the log10 values ARPA files hold (-inf -> -99, no -0)."""
    out = log_values / _LN10
    out[~(out > LOG10_ZERO)] = LOG10_ZERO  # -inf (and NaN, never expected) -> -99
    out[out == 0] = 0.0  # no "-0"
    return out


# ---------------------------------------------------------------------- reading
def read_arpa(path: str | os.PathLike) -> tuple[BackoffTables, Vocab]:
    """Read an ARPA file (plain or gzip-compressed).

    The vocabulary is the unigrams in file order (``<unk>``, ``<s>``, ``</s>`` first; a file
    without ``<unk>`` gets one with probability 0).  Missing contexts of n-grams are added
    with the probability the backoff rule gives them, so any valid ARPA file scores as its
    producer meant.  Sections are parsed as bytes with NumPy (line structure, field counts)
    and one ``split`` per section.

    Raises
    ------
    ModelFileError
        Missing file, not ARPA, malformed or truncated sections, counts not matching the
        header, unknown words in higher orders, duplicate n-grams.
    """
    path = Path(path)
    raw = _read_bytes(path)
    counts, at, line = _header(path, raw)
    sections = []
    for n, expected in enumerate(counts, start=1):
        at, line = _skip_blank_lines(raw, at, line)
        if _line_at(raw, at).strip() != f"\\{n}-grams:":
            raise ModelFileError(f"{path}:{line}: expected the \\{n}-grams: section")
        at, line = at + len(_line_at(raw, at)) + 1, line + 1
        end = at if raw.startswith(b"\\", at) else _next_section(raw, at)
        sections.append(_parse_section(path, raw[at:end], n, expected, line, last=n == len(counts)))
        line += raw.count(b"\n", at, end)
        at = end
    at, line = _skip_blank_lines(raw, at, line)
    if _line_at(raw, at).strip() != "\\end\\":
        raise ModelFileError(f"{path}:{line}: expected \\end\\ after the {len(counts)}-grams")
    return _build_tables(path, sections)


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such ARPA file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a directory, not an ARPA file") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ModelFileError(f"{path}: corrupt gzip file ({e})") from None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not an ARPA file (not UTF-8 text)") from None
    return raw


def _line_at(raw: bytes, at: int) -> str:
    """The line starting at byte ``at`` (without its newline)."""
    end = raw.find(b"\n", at)
    return raw[at:end if end >= 0 else len(raw)].decode("utf-8")


def _skip_blank_lines(raw: bytes, at: int, line: int) -> tuple[int, int]:
    while at < len(raw) and not _line_at(raw, at).strip():
        at += len(_line_at(raw, at).encode("utf-8")) + 1
        line += 1
    return at, line


def _next_section(raw: bytes, at: int) -> int:
    """The offset of the next line starting with a backslash (or the end of the file)."""
    found = raw.find(b"\n\\", at)
    return found + 1 if found >= 0 else len(raw)


def _header(path: Path, raw: bytes) -> tuple[list[int], int, int]:
    """The n-gram counts announced after ``\\data\\``, the byte offset and line number after them."""
    at = 0
    while True:
        at = raw.find(b"\\data\\", at)
        if at < 0:
            raise ModelFileError(f"{path}: not an ARPA file (no \\data\\ line)")
        if (at == 0 or raw[at - 1:at] == b"\n") and not _line_at(raw, at)[6:].strip():
            break
        at += 1
    line = raw.count(b"\n", 0, at) + 1
    at, line = at + len(_line_at(raw, at).encode("utf-8")) + 1, line + 1
    counts: list[int] = []
    while at < len(raw):
        text = _line_at(raw, at).strip()
        match = _COUNT_LINE.match(text)
        if text and not match:
            break
        if match:
            if int(match[1]) != len(counts) + 1:
                raise ModelFileError(f"{path}:{line}: expected 'ngram {len(counts) + 1}=...'")
            counts.append(int(match[2]))
        at, line = at + len(_line_at(raw, at).encode("utf-8")) + 1, line + 1
    if not counts:
        raise ModelFileError(f"{path}: not an ARPA file (no 'ngram 1=...' line after \\data\\)")
    return counts, at, line


def _parse_section(path: Path, body: bytes, n: int, expected: int, first_line: int, last: bool):
    """(log10 probs, the n-gram words as an (m*n,) object array of bytes, log10 backoffs).

    The fields of every line are counted with NumPy on the raw bytes (ASCII whitespace, as
    ``bytes.split``), so the section is split once as a whole yet checked line by line.
    """
    data = np.frombuffer(body, np.uint8)
    space = _WHITESPACE[data]
    starts = np.flatnonzero(~space & np.concatenate([[True], space[:-1]]))  # first byte of every field
    line_ends = np.flatnonzero(data == 10)
    per_line = np.diff(np.searchsorted(starts, line_ends), prepend=0, append=len(starts))
    lines = np.flatnonzero(per_line)  # the non-blank lines
    if len(lines) != expected:
        raise ModelFileError(f"{path}:{first_line}: the \\{n}-grams: section has {len(lines)} lines where "
                             f"\\data\\ announced {expected} (truncated or edited file?)")
    fields = per_line[lines]
    allowed = [n + 1] if last else [n + 1, n + 2]
    bad = np.flatnonzero(~np.isin(fields, allowed))
    if len(bad):
        k = int(lines[bad[0]])
        raise ModelFileError(f"{path}:{first_line + k}: expected log10 probability, {n} word(s)"
                             f"{'' if last else ' and an optional backoff'}, got {_body_line(body, line_ends, k)!r}")
    tokens = np.array(body.split(), dtype=object)
    first = np.cumsum(fields) - fields
    has_backoff = fields == n + 2
    try:
        probs = np.fromiter(map(float, tokens[first]), np.float64, len(first))
        backoffs = np.zeros(len(first))
        backoffs[has_backoff] = np.fromiter(map(float, tokens[first[has_backoff] + n + 1]), np.float64,
                                            int(has_backoff.sum()))
    except ValueError:
        k = next(i for i in range(len(first)) if not _is_float(tokens[first[i]])
                 or (has_backoff[i] and not _is_float(tokens[first[i] + n + 1])))
        raise ModelFileError(f"{path}:{first_line + int(lines[k])}: not a number in "
                             f"{_body_line(body, line_ends, int(lines[k]))!r}") from None
    invalid = ~np.isfinite(probs) | ~np.isfinite(backoffs) | (probs > 1e-6)
    if invalid.any():
        k = int(lines[np.flatnonzero(invalid)[0]])
        raise ModelFileError(f"{path}:{first_line + k}: log10 probability must be finite and <= 0: "
                             f"{_body_line(body, line_ends, k)!r}")
    words = tokens[(first[:, None] + np.arange(1, n + 1)).ravel()]
    return probs, words, backoffs


def _body_line(body: bytes, line_ends: np.ndarray, k: int) -> str:
    start = 0 if k == 0 else int(line_ends[k - 1]) + 1
    end = int(line_ends[k]) if k < len(line_ends) else len(body)
    return body[start:end].decode("utf-8", errors="replace")


def _is_float(text: bytes) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _to_natural_log(log10: np.ndarray) -> np.ndarray:
    out = log10 * _LN10
    out[log10 <= LOG10_ZERO] = -np.inf
    return out


def _build_tables(path: Path, sections) -> tuple[BackoffTables, Vocab]:
    """Index the n-grams (adding missing contexts), natural-log probabilities and backoffs."""
    probs1, unigram_bytes, backoffs1 = sections[0]
    unigram_words = [w.decode("utf-8") for w in unigram_bytes]
    if len(set(unigram_words)) != len(unigram_words):
        raise ModelFileError(f"{path}: a word occurs twice among the 1-grams")
    for special in (BOS, EOS):
        if special not in unigram_words:
            raise ModelFileError(f"{path}: the 1-grams lack {special}")
    vocab = Vocab([w for w in unigram_words if w not in SPECIALS])
    size = len(vocab)
    ids1 = np.array([vocab.index[w] for w in unigram_words])
    log_prob1 = np.full(size, -np.inf)
    log_backoff1 = np.zeros(size)
    log_prob1[ids1] = _to_natural_log(probs1)
    log_backoff1[ids1] = _to_natural_log(backoffs1)
    log_prob1[BOS_ID] = -np.inf

    rows = [None]  # word-id matrices of orders 2..N, then log10 probs and backoffs (NaN prob = to compute)
    probs, backoffs = [None], [None]
    ids_of = {w.encode("utf-8"): i for w, i in vocab.index.items()}
    for n, (p, grams, b) in enumerate(sections[1:], start=2):
        try:
            ids = np.fromiter(map(ids_of.__getitem__, grams), np.int64, len(grams))
            rows.append(ids.reshape(-1, n))
        except KeyError as e:
            raise ModelFileError(f"{path}: the {n}-grams use the word {e.args[0].decode('utf-8')!r}, "
                                 f"absent from the 1-grams") from None
        probs.append(p)
        backoffs.append(b)

    order = len(sections)
    contexts, words, sorted_rows = [], [], [None]
    n = 2
    while n <= order:
        index = NgramIndex(size, contexts[:n - 2], words[:n - 2])
        prefix = index.find_rows(rows[n - 1][:, :-1])
        missing = prefix < 0
        if missing.any() and n > 2:  # add the missing contexts to order n - 1 and rebuild from there
            new = np.unique(rows[n - 1][missing, :-1], axis=0)
            rows[n - 2] = np.concatenate([rows[n - 2], new])
            probs[n - 2] = np.concatenate([probs[n - 2], np.full(len(new), np.nan)])
            backoffs[n - 2] = np.concatenate([backoffs[n - 2], np.zeros(len(new))])
            n -= 1
            del contexts[n - 2:], words[n - 2:], sorted_rows[n - 1:]
            continue
        keys = prefix * size + rows[n - 1][:, -1]
        by_key = np.argsort(keys, kind="stable")
        keys = keys[by_key]
        if np.any(keys[1:] == keys[:-1]):
            dup = rows[n - 1][by_key][np.flatnonzero(keys[1:] == keys[:-1])[0]]
            raise ModelFileError(f"{path}: the {n}-gram {' '.join(vocab.decode(dup))!r} occurs twice")
        contexts.append(prefix[by_key])
        words.append(rows[n - 1][by_key, -1])
        sorted_rows.append(by_key)
        n += 1

    index = NgramIndex(size, contexts, words)
    log_prob = [log_prob1] + [_to_natural_log(probs[n - 1][sorted_rows[n - 1]]) for n in range(2, order + 1)]
    log_backoff = [log_backoff1] + [_to_natural_log(backoffs[n - 1][sorted_rows[n - 1]]) for n in range(2, order + 1)]
    log_backoff[-1] = np.zeros(index.size(order))
    tables = BackoffTables(index, log_prob, log_backoff)
    _fill_missing_probabilities(tables)
    return tables, vocab


def _fill_missing_probabilities(tables: BackoffTables) -> None:
    """Give added contexts (NaN probability) the probability the lower orders assign them:
    scored by the tables of orders ``< n`` plus an empty order ``n`` (so the backoff weights
    of their own contexts apply)."""
    empty_int, empty_float = np.zeros(0, np.int64), np.zeros(0)
    for n in range(2, tables.order + 1):
        todo = np.flatnonzero(np.isnan(tables.log_prob[n - 1]))
        if len(todo) == 0:
            continue
        index = tables.index
        lower = BackoffTables(
            NgramIndex(index.vocab_size, index.contexts[1:n - 1] + [empty_int], index.words[1:n - 1] + [empty_int]),
            tables.log_prob[:n - 1] + [empty_float], tables.log_backoff[:n - 1] + [empty_float])
        tables.log_prob[n - 1][todo] = lower.score_rows(index.rows(n)[todo])
