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
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import atomic_write
from wordnet_lm.ngram.index import NgramIndex
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.text.tokenize import gc_paused
from wordnet_lm.text.vocab import BOS, BOS_ID, EOS, SPECIALS, Vocab

LOG10_ZERO = -99.0
_LN10 = np.log(10.0)
_COUNT_LINE = re.compile(r"ngram\s+(\d+)\s*=\s*(\d+)$")
_SECTION = re.compile(r"\\(\d+)-grams:$")


# ---------------------------------------------------------------------- writing
def write_arpa(path: str | os.PathLike, tables: BackoffTables, vocab: Vocab, *, progress: bool = False) -> None:
    """Write ``tables`` over ``vocab`` as an ARPA file at ``path`` (atomically).

    Every word of ``vocab`` is a unigram; log10 values carry 8 significant digits.
    """
    order = tables.order
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write("\\data\\\n")
        for n in range(1, order + 1):
            f.write(f"ngram {n}={tables.index.size(n)}\n")
        text = list(vocab.words)
        for n in tqdm(range(1, order + 1), desc="writing ARPA", unit="order", disable=not progress):
            if n > 1:
                words = vocab.words
                text = [text[c] + " " + words[w]
                        for c, w in zip(tables.index.contexts[n - 1].tolist(), tables.index.words[n - 1].tolist())]
            probs = _log10_list(tables.log_prob[n - 1])
            if n == 1:
                probs[BOS_ID] = LOG10_ZERO
            f.write(f"\n\\{n}-grams:\n")
            if n < order:
                lines = map("{:.8g}\t{}\t{:.8g}".format, probs, text, _log10_list(tables.log_backoff[n - 1]))
            else:
                lines = map("{:.8g}\t{}".format, probs, text)
            f.write("\n".join(lines))
            f.write("\n")
        f.write("\n\\end\\\n")


def _log10_list(log_values: np.ndarray) -> list[float]:
    out = log_values / _LN10
    out[~(out > LOG10_ZERO)] = LOG10_ZERO  # -inf (and NaN, never expected) -> -99
    out[out == 0] = 0.0  # no "-0"
    return out.tolist()


# ---------------------------------------------------------------------- reading
def read_arpa(path: str | os.PathLike) -> tuple[BackoffTables, Vocab]:
    """Read an ARPA file (plain or gzip-compressed).

    The vocabulary is the unigrams in file order (``<unk>``, ``<s>``, ``</s>`` first; a file
    without ``<unk>`` gets one with probability 0).  Missing contexts of n-grams are added
    with the probability the backoff rule gives them, so any valid ARPA file scores as its
    producer meant.

    Raises
    ------
    ModelFileError
        Missing file, not ARPA, malformed or truncated sections, counts not matching the
        header, unknown words in higher orders, duplicate n-grams.
    """
    path = Path(path)
    with gc_paused():  # millions of small lists: the cyclic collector would rescan them all
        return _read_arpa(path)


def _read_arpa(path: Path) -> tuple[BackoffTables, Vocab]:
    lines = _read_lines(path)
    counts, at = _header(path, lines)
    sections = []
    for n, expected in enumerate(counts, start=1):
        at = _skip_blank(lines, at)
        if at >= len(lines) or _SECTION.match(lines[at].strip()) is None or int(_SECTION.match(lines[at].strip())[1]) != n:
            raise ModelFileError(f"{path}:{at + 1}: expected the \\{n}-grams: section")
        body = lines[at + 1:at + 1 + expected]
        if len(body) < expected:
            raise ModelFileError(f"{path}: the \\{n}-grams: section has fewer than the {expected} lines "
                                 f"announced in \\data\\ (truncated file?)")
        sections.append(_parse_section(path, body, n, at + 2, last=n == len(counts)))
        at += 1 + expected
    at = _skip_blank(lines, at)
    if at >= len(lines) or lines[at].strip() != "\\end\\":
        raise ModelFileError(f"{path}:{at + 1}: expected \\end\\ after the {len(counts)}-grams "
                             f"(more lines than announced, or a truncated file)")
    return _build_tables(path, sections)


def _read_lines(path: Path) -> list[str]:
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
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not an ARPA file (not UTF-8 text)") from None


def _header(path: Path, lines: list[str]) -> tuple[list[int], int]:
    """The n-gram counts announced after ``\\data\\`` and the line after them."""
    at = next((i for i, line in enumerate(lines) if line.strip() == "\\data\\"), None)
    if at is None:
        raise ModelFileError(f"{path}: not an ARPA file (no \\data\\ line)")
    counts: list[int] = []
    at += 1
    while at < len(lines) and (lines[at].strip() == "" or _COUNT_LINE.match(lines[at].strip())):
        match = _COUNT_LINE.match(lines[at].strip())
        if match:
            if int(match[1]) != len(counts) + 1:
                raise ModelFileError(f"{path}:{at + 1}: expected 'ngram {len(counts) + 1}=...'")
            counts.append(int(match[2]))
        at += 1
    if not counts:
        raise ModelFileError(f"{path}: not an ARPA file (no 'ngram 1=...' line after \\data\\)")
    return counts, at


def _skip_blank(lines: list[str], at: int) -> int:
    while at < len(lines) and not lines[at].strip():
        at += 1
    return at


def _parse_section(path: Path, body: list[str], n: int, first_line: int, last: bool):
    """(log10 probs, the n-gram words as one flat list, log10 backoffs) of one section."""
    fields = list(map(str.split, body))
    lengths = set(map(len, fields))
    allowed = {n + 1} if last else {n + 1, n + 2}
    if not lengths <= allowed:
        bad = next(i for i, f in enumerate(fields) if len(f) not in allowed)
        if body[bad].startswith("\\") or not body[bad].strip():
            raise ModelFileError(f"{path}:{first_line + bad}: the \\{n}-grams: section has fewer lines than "
                                 f"announced in \\data\\ (truncated file?)")
        raise ModelFileError(f"{path}:{first_line + bad}: expected log10 probability, {n} word(s)"
                             f"{'' if last else ' and an optional backoff'}, got {body[bad]!r}")
    try:
        probs = np.fromiter(map(float, map(itemgetter(0), fields)), np.float64, len(fields))
        if lengths == {n + 2}:
            backoffs = np.fromiter(map(float, map(itemgetter(n + 1), fields)), np.float64, len(fields))
        else:
            backoffs = np.array([float(f[n + 1]) if len(f) == n + 2 else 0.0 for f in fields])
    except ValueError:
        bad = next(i for i, f in enumerate(fields) if not _is_float(f[0]) or (len(f) == n + 2 and not _is_float(f[-1])))
        raise ModelFileError(f"{path}:{first_line + bad}: not a number in {body[bad]!r}") from None
    invalid = ~np.isfinite(probs) | ~np.isfinite(backoffs) | (probs > 1e-6)
    if invalid.any():
        bad = int(np.flatnonzero(invalid)[0])
        raise ModelFileError(f"{path}:{first_line + bad}: log10 probability must be finite and <= 0: {body[bad]!r}")
    words = list(chain.from_iterable(map(itemgetter(slice(1, n + 1)), fields)))
    return probs, words, backoffs


def _is_float(text: str) -> bool:
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
    probs1, unigram_words, backoffs1 = sections[0]
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
    for n, (p, grams, b) in enumerate(sections[1:], start=2):
        try:
            ids = np.fromiter(map(vocab.index.__getitem__, grams), np.int64, len(grams))
            rows.append(ids.reshape(-1, n))
        except KeyError as e:
            raise ModelFileError(f"{path}: the {n}-grams use the word {e.args[0]!r}, absent from the 1-grams") from None
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
