"""Vocabulary (word <-> id) and the id-array form of a corpus.

Ids 0, 1, 2 are always ``<unk>``, ``<s>``, ``</s>``; words follow in frequency order (count
descending, ties by first occurrence, as gensim orders them).  A :class:`Corpus` holds every
token of every sentence in one int32 array with sentence offsets; sentence markers are *not*
stored: the models add them where their convention needs them.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import cached_property
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from wordnet_lm.errors import InputFileError, UnknownWordError, WordnetLMError
from wordnet_lm.io import atomic_write

UNK, BOS, EOS = "<unk>", "<s>", "</s>"
SPECIALS = (UNK, BOS, EOS)
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2


@dataclass(frozen=True)
class Corpus:
    """Sentences as ids: sentence ``k`` is ``ids[offsets[k]:offsets[k + 1]]``."""

    ids: np.ndarray  # int32, every token of every sentence, no markers
    offsets: np.ndarray  # int64, len = n_sentences + 1, offsets[0] = 0

    @property
    def n_sentences(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> int:
        return len(self.ids)

    def sentence(self, k: int) -> np.ndarray:
        return self.ids[self.offsets[k]:self.offsets[k + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def sentence_index(self) -> np.ndarray:
        """For every token, the index of its sentence."""
        return np.repeat(np.arange(self.n_sentences), self.lengths())


def encode_with(ids: Mapping[str, int], sentences: Iterable[Sequence[str]]) -> Corpus:
    """Sentences -> :class:`Corpus` with ``ids[word]`` for each token (``ids`` decides what an
    unknown word gets, e.g. through ``__missing__``)."""
    if not isinstance(sentences, (list, tuple)):
        sentences = list(sentences)
    lengths = np.fromiter(map(len, sentences), np.int64, count=len(sentences))
    offsets = np.zeros(len(sentences) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    tokens = np.fromiter(map(ids.__getitem__, chain.from_iterable(sentences)), np.int32, count=int(offsets[-1]))
    return Corpus(tokens, offsets)


class _IdsOrUnk(dict):
    """word -> id, ``<unk>``'s id for a missing word: ``map(ids.__getitem__, tokens)`` then
    runs at C speed (``__missing__`` is called only for unknown words)."""

    def __missing__(self, word: str) -> int:
        return UNK_ID


class Vocab:
    """A fixed word list with counts; ``<unk>``, ``<s>``, ``</s>`` first.

    Parameters
    ----------
    words : sequence of str
        Ordinary words (no specials), in id order starting at 3.
    counts : sequence of int, optional
        Training counts of ``SPECIALS + words`` (``<unk>`` counts the tokens it replaced).
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int] | None = None) -> None:
        self.words: list[str] = list(SPECIALS) + [w for w in words if w not in SPECIALS]
        self.index: dict[str, int] = dict(zip(self.words, range(len(self.words))))
        if len(self.index) != len(self.words):
            raise WordnetLMError("vocabulary has duplicate words")
        self.counts = np.zeros(len(self.words), np.int64) if counts is None else np.asarray(counts, np.int64)
        if len(self.counts) != len(self.words):
            raise WordnetLMError("vocabulary counts do not match its words")

    @cached_property
    def _ids(self) -> _IdsOrUnk:
        """``index`` with ``<unk>`` for missing words, made when first encoding (a second
        dictionary: a third of the time of loading a big vocabulary that is only looked at)."""
        return _IdsOrUnk(self.index)

    # -------------------------------------------------------------- building
    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], min_count: int = 1, max_size: int | None = None) -> "Vocab":
        """Count words and keep those seen ``min_count`` times or more, at most ``max_size``
        ordinary words (most frequent first).  Dropped words count towards ``<unk>``."""
        return cls.from_counts(Counter(chain.from_iterable(sentences)), min_count, max_size)

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], min_count: int = 1, max_size: int | None = None) -> "Vocab":
        """Vocabulary from a word -> count mapping in first-occurrence order."""
        words = [w for w in counts if w not in SPECIALS]
        freq = np.fromiter((counts[w] for w in words), np.int64, count=len(words))
        order = np.argsort(-freq, kind="stable")  # count descending, ties by first occurrence
        order = order[freq[order] >= min_count]
        if max_size is not None:
            order = order[:max(int(max_size), 0)]
        unk = counts.get(UNK, 0) + int(freq.sum() - freq[order].sum())
        specials = [unk, counts.get(BOS, 0), counts.get(EOS, 0)]
        return cls([words[i] for i in order.tolist()], np.concatenate([specials, freq[order]]))

    # -------------------------------------------------------------- lookups
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def __iter__(self):
        return iter(self.words)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.words == other.words

    def id(self, word: str) -> int:
        """The id of ``word``; :class:`UnknownWordError` if it is not in the vocabulary."""
        try:
            return self.index[word]
        except KeyError:
            raise UnknownWordError(f"word {word!r} is not in the vocabulary") from None

    def word(self, i: int) -> str:
        return self.words[i]

    def lookup(self, words: Iterable[str]) -> np.ndarray:
        """Ids of ``words`` as int32, unknown words mapped to ``<unk>``."""
        return np.fromiter(map(self._ids.__getitem__, words), dtype=np.int32)

    def encode(self, sentences: Iterable[Sequence[str]]) -> Corpus:
        """Map tokenised sentences to a :class:`Corpus` (unknown words -> ``<unk>``).

        One C-level ``map`` over all tokens (about 15 M tokens/s); no Python code per token.
        """
        return encode_with(self._ids, sentences)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.words[i] for i in ids]

    # -------------------------------------------------------------- files
    def save(self, path: str | os.PathLike) -> None:
        """Plain text, one ``word<TAB>count`` per line in id order (atomic)."""
        with atomic_write(path, "w", encoding="utf-8") as f:
            f.write(self.to_text())

    def to_text(self) -> str:
        """What :meth:`save` writes (e.g. into a folder that is itself written atomically)."""
        return "".join(map("{}\t{}\n".format, self.words, self.counts.tolist()))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Vocab":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFileError(f"{path}: no such vocabulary file") from None
        except UnicodeDecodeError:
            raise InputFileError(f"{path}: vocabulary file is not UTF-8 text") from None
        return cls.from_text(text, str(path))

    @classmethod
    def from_text(cls, text: str, origin: str = "vocabulary") -> "Vocab":
        """The vocabulary in ``text`` as :meth:`save` writes it (``origin`` names it in errors)."""
        plain = _plain_fields(text)
        if plain is not None:
            words, counts = plain
        else:
            words, counts = [], []
            for n, line in enumerate(text.splitlines(), 1):
                word, sep, count = line.rpartition("\t")
                if not sep or not (count.strip().isascii() and count.strip().isdigit()):  # '²' is a digit too
                    raise InputFileError(f"{origin}:{n}: expected 'word<TAB>count'")
                words.append(word)
                counts.append(int(count))
        if words[:3] != list(SPECIALS):
            raise InputFileError(f"{origin}: vocabulary must start with {', '.join(SPECIALS)}")
        return cls(words[3:], counts)


_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines splits there too


def _plain_fields(text: str) -> tuple[list[str], list[int]] | None:
    """Words and counts of a vocabulary file as :meth:`Vocab.save` writes it (every line
    ``word<TAB>digits``, ending in a line feed), split by a few C-level passes over the whole text
    instead of a Python loop over lines (a third of a second for 200k words); None for any other
    file, which the line-by-line reader then takes (and reports)."""
    if not text.endswith("\n") or _OTHER_LINE_BREAKS.search(text):
        return None
    body = text[:-1]
    if body.count("\t") != body.count("\n") + 1:
        return None
    fields = body.replace("\n", "\t").split("\t")
    counts = fields[1::2]
    digits = "".join(counts)
    if not (digits.isascii() and digits.isdigit()) or min(map(len, counts)) == 0:
        return None
    return fields[0::2], list(map(int, counts))
