"""How text becomes sentences of tokens: one object through every reader and every command.

``ReadingOptions(tokenizer="word", lowercase=True)`` travels from the command line (or the
caller) through :func:`~wordnet_lm.text.read_sentences`, :func:`~wordnet_lm.text.load_corpus`,
the vocabulary and co-occurrence passes, into the metadata of the models made from the text,
so that scoring reads a test text exactly as training read its corpus.  Functions that take
``reading=`` also accept its fields as keywords (``load_corpus(path, lowercase=True)``).
"""

from __future__ import annotations

import codecs
import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.tokenize import TOKENIZERS

SENTENCE_MODES = ("auto", "lines", "split", "split_lines")


@dataclass(frozen=True)
class ReadingOptions:
    """How to read a text.

    Attributes
    ----------
    tokenizer : {"auto", "whitespace", "word", "wordpunct"}
        ``"auto"``: whitespace for plain files and pre-tokenised corpora, ``"wordpunct"`` for
        NLTK's raw-text corpora.
    lowercase : bool or None
        Lower-case every token; ``None``: the tokeniser's convention (only ``"word"`` does).
    sentences : {"auto", "lines", "split", "split_lines"}
        How sentences are delimited in plain text (see :mod:`wordnet_lm.text.readers`).
    encoding : str
        Encoding of plain text files (default UTF-8, a byte-order mark allowed); NLTK corpora
        keep their own.
    """

    tokenizer: str = "auto"
    lowercase: bool | None = None
    sentences: str = "auto"
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if self.tokenizer != "auto" and self.tokenizer not in TOKENIZERS:
            raise WordnetLMError(f"unknown tokenizer {self.tokenizer!r} (choose from auto, {', '.join(TOKENIZERS)})")
        if self.sentences not in SENTENCE_MODES:
            raise WordnetLMError(f"unknown sentence mode {self.sentences!r} (choose from {', '.join(SENTENCE_MODES)})")
        try:
            name = codecs.lookup(self.encoding).name
        except (LookupError, TypeError):
            raise WordnetLMError(f"unknown text encoding {self.encoding!r}") from None
        object.__setattr__(self, "encoding", name)  # "UTF8", "latin1" -> "utf-8", "iso8859-1"

    @classmethod
    def of(cls, reading: ReadingOptions | Mapping[str, Any] | None = None, **fields: Any) -> ReadingOptions:
        """``reading`` (an object, a dict of its fields, or None for the defaults) with ``fields``
        set on top; unknown fields are an error."""
        unknown = set(fields) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"unknown reading option(s): {', '.join(sorted(unknown))}")
        if isinstance(reading, ReadingOptions):
            return dataclasses.replace(reading, **fields) if fields else reading
        return cls(**{**dict(reading or {}), **fields})

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-friendly values (stored in model metadata)."""
        return dataclasses.asdict(self)
