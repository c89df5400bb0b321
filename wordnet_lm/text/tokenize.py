"""Tokenisers (a line of text -> a list of tokens) and a rule-based sentence splitter.

Tokenisers, by name:

``"whitespace"``
    ``str.split``: the text is already tokenised (Brown, Penn Treebank, ``nltk-mix.txt``).
``"word"``
    Runs of letters and digits, with apostrophes and hyphens kept *inside* a word
    (``don't``, ``term-end``, ``12-part``); punctuation is dropped.  This is the convention
    of ``nltk-mix.txt`` (the embedding corpus), lower-cased by default.
``"wordpunct"``
    The same words plus punctuation as tokens of their own (``...`` and ``--`` stay whole);
    case is kept by default.  The sensible choice for language models on raw text.

Every tokeniser works on a whole batch of lines at once with C-level ``map`` calls, so no
Python code runs per token.
"""

from __future__ import annotations

import contextlib
import gc
import re
from typing import Callable, Iterator

from wordnet_lm.errors import WordnetLMError

_WORD = r"[^\W_]+(?:['\-][^\W_]+)*"
_WORD_RE = re.compile(_WORD)
_WORDPUNCT_RE = re.compile(r"\d+(?:[.,:]\d+)+(?![^\W_])|" + _WORD + r"|\.{2,}|-{2,}|[^\w\s]|_+")
_CURLY_APOSTROPHE = str.maketrans({"\u2019": "'", "\u02bc": "'"})

TOKENIZERS = ("whitespace", "word", "wordpunct")
LOWERCASE_BY_DEFAULT = {"whitespace": False, "word": True, "wordpunct": False}


def _word_tokens(line: str) -> list[str]:
    return _WORD_RE.findall(line.translate(_CURLY_APOSTROPHE))


def _wordpunct_tokens(line: str) -> list[str]:
    return _WORDPUNCT_RE.findall(line.translate(_CURLY_APOSTROPHE))


_LINE_TOKENIZERS: dict[str, Callable[[str], list[str]]] = {
    "whitespace": str.split,
    "word": _word_tokens,
    "wordpunct": _wordpunct_tokens,
}


def check_tokenizer(name: str) -> str:
    """``name`` if it is a known tokeniser, else a :class:`WordnetLMError` listing them."""
    if name not in _LINE_TOKENIZERS:
        raise WordnetLMError(f"unknown tokenizer {name!r} (choose from {', '.join(TOKENIZERS)})")
    return name


def resolve_lowercase(tokenizer: str, lowercase: bool | None) -> bool:
    """``lowercase``, or the tokeniser's default when it is ``None``."""
    return LOWERCASE_BY_DEFAULT[check_tokenizer(tokenizer)] if lowercase is None else bool(lowercase)


def tokenize(line: str, tokenizer: str = "whitespace", lowercase: bool | None = None) -> list[str]:
    """Tokens of one line of text.

    Parameters
    ----------
    line : str
        The text.
    tokenizer : {"whitespace", "word", "wordpunct"}
        See the module docstring.
    lowercase : bool, optional
        Lower-case the text first; default: True for ``"word"``, False otherwise.
    """
    return tokenize_lines([line], tokenizer, lowercase)[0]


def tokenize_lines(lines: list[str], tokenizer: str = "whitespace", lowercase: bool | None = None,
                   drop_empty: bool = False) -> list[list[str]]:
    """Tokens of every line in ``lines`` (one list per line; empty ones dropped if asked)."""
    split = _LINE_TOKENIZERS[check_tokenizer(tokenizer)]
    if resolve_lowercase(tokenizer, lowercase):
        lines = map(str.lower, lines)
    with gc_paused():  # millions of small lists: the cyclic GC would rescan them again and again
        tokens = list(map(split, lines))
        if drop_empty:
            tokens = list(filter(None, tokens))
    return tokens


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Suspend the cyclic garbage collector while building many acyclic objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ------------------------------------------------------------------ sentence splitting
_ABBREVIATIONS = frozenset("""
mr mrs ms dr st jr sr prof gen col lt sgt capt cmdr adm maj rev hon gov sen rep pres supt
messrs mme mlle mt ft vs etc al cf approx dept univ assn bros inc co corp ltd no nos vol vols
pp ch fig figs eq jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur
thurs fri sat sun ave blvd rd e.g i.e a.m p.m u.s u.k u.n d.c
""".split())
_BOUNDARY_RE = re.compile(r"[.!?]+['\"\u2019\u201d)\]]*(?=\s+['\"\u2018\u201c(\[]*[A-Z0-9])")
_LAST_WORD_RE = re.compile(r"([\w.'-]+)$")
_SENTENCE_END_RE = re.compile(r"[.!?:;]['\"\u2019\u201d)\]]*$")


def _is_abbreviation(text: str, period: int) -> bool:
    """Does the period at ``text[period]`` end an abbreviation or an initial (``J.``)?"""
    m = _LAST_WORD_RE.search(text, max(0, period - 24), period)
    if m is None:
        return False
    word = m.group(1).lower().strip("'-")
    return len(word) == 1 and word.isalpha() or word in _ABBREVIATIONS


def split_sentences(paragraph: str) -> list[str]:
    """Split running text into sentences at ``.``, ``!``, ``?`` followed by a capital or digit.

    A period after a known abbreviation (``Mr.``, ``Dr.``, ``e.g.``, month names...) or a
    single-letter initial does not end a sentence.  Closing quotes and brackets stay with the
    sentence they close.
    """
    sentences, start = [], 0
    for m in _BOUNDARY_RE.finditer(paragraph):
        if m.group() == "." and _is_abbreviation(paragraph, m.start()):
            continue
        sentence = paragraph[start:m.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def ends_sentence(line: str) -> bool:
    """Does ``line`` end with sentence-final punctuation (possibly followed by a quote)?"""
    return _SENTENCE_END_RE.search(line.rstrip()) is not None
