"""What analogy and similarity evaluation share, so that both count as gensim does.

* only the first ``restrict_vocab`` words (the most frequent) are known; a question or pair
  with any other word is out of vocabulary (OOV): skipped, or counted wrong / scored 0 with
  ``dummy4unknown``;
* ``case_insensitive`` compares upper-cased words, a word standing for its most frequent case
  variant.

:class:`EvalVocab` is that view of the vocabulary; :func:`numbered_lines` reads an evaluation
file with one-line errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.vectors.formats import open_binary
from wordnet_lm.vectors.keyed import KeyedVectors

DEFAULT_RESTRICT_VOCAB = 300_000  # gensim's default


def numbered_lines(path: Path, what: str) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 text file, errors as one-line :class:`InputFileError`."""
    with open_binary(path, what) as f:
        for line_no, raw in enumerate(f, 1):
            if b"\0" in raw:
                raise InputFileError(f"{path}:{line_no}: binary data, expected a {what} text file")
            try:
                yield line_no, raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputFileError(f"{path}:{line_no}: not UTF-8 text") from None



class EvalVocab:
    """The first ``limit`` words as gensim's ``ok_vocab`` sees them.

    ``index[key]`` is the row a (possibly upper-cased) key stands for; ``canonical[i]`` the
    row that stands for word ``i``'s key (``i`` itself unless an earlier case variant exists).
    """

    def __init__(self, kv: KeyedVectors, restrict_vocab: int | None, case_insensitive: bool) -> None:
        if not len(kv):
            raise WordnetLMError("no vectors to evaluate (the vocabulary is empty)")
        self.limit = len(kv) if restrict_vocab is None else min(int(restrict_vocab), len(kv))
        if self.limit < 1:
            raise WordnetLMError(f"restrict_vocab must be a positive number of words, got {restrict_vocab}")
        self.case_insensitive = case_insensitive
        keys = [self.key(w) for w in kv.index_to_key[: self.limit]]
        self.index: dict[str, int] = {}
        for i in range(self.limit - 1, -1, -1):  # first occurrence wins
            self.index[keys[i]] = i
        self.canonical = np.fromiter((self.index[k] for k in keys), np.int64, self.limit)

    def key(self, word: str) -> str:
        return word.upper() if self.case_insensitive else word

    def rows(self, words: tuple[str, ...]) -> tuple[int, ...] | None:
        get = self.index.get
        rows = tuple(get(w, -1) for w in words)
        return None if min(rows) < 0 else rows

