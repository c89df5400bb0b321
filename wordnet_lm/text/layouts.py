"""How each NLTK corpus is laid out: which files hold text, in what format and encoding.

NLTK's corpus zips differ: Brown is ``word/tag`` tokens one sentence per line, the Penn
Treebank sample holds bracketed parse trees (``combined/*.mrg``, plus ``raw/``, ``tagged/``
and ``parsed/`` copies of the same text), ABC, the inaugural and State of the Union addresses
and webtext are raw text with one paragraph per line, movie_reviews is tokenised lower-case
text one sentence per line.  A :class:`Layout` records this so every corpus reads sensibly by
default; zips and directories of unknown corpora get :func:`layout_for`, which skips
documentation files and sniffs the format of each file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMATS = ("plain", "tagged", "bracketed")


@dataclass(frozen=True)
class Layout:
    """The text files of one corpus and how to read them.

    Attributes
    ----------
    name : str
        Corpus name (the zip's top-level directory, e.g. ``"brown"``).
    members : str
        Regular expression a file's path relative to the corpus root must match in full.
    format : {"plain", "tagged", "bracketed", "sniff"}
        ``tagged``: ``word/tag`` tokens, one sentence per line; ``bracketed``: Penn Treebank
        trees, one sentence per tree; ``plain``: text; ``sniff``: decide per file.
    sentences : {"lines", "split", "split_lines"}
        Default sentence mode for plain text.
    tokenizer : {"whitespace", "word", "wordpunct"}
        Default tokeniser.
    encoding : str
        Encoding tried when a file is not valid UTF-8 (NLTK's declared encoding); ``""``:
        none, such a file is an error.
    """

    name: str
    members: str
    format: str = "plain"
    sentences: str = "lines"
    tokenizer: str = "whitespace"
    encoding: str = "latin-1"

    def selects(self, relative_path: str) -> bool:
        """Is the file at ``relative_path`` (below the corpus root) part of the text?"""
        if _is_documentation(relative_path):
            return False
        return re.fullmatch(self.members, relative_path) is not None

    def format_of(self, relative_path: str, head: str) -> str:
        """The format of one file given its first few thousand characters."""
        return sniff_format(relative_path, head) if self.format == "sniff" else self.format


_TXT = r"[^./][^/]*\.txt"
NLTK_LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    Layout("brown", r"c[a-r]\d\d", format="tagged"),
    Layout("treebank", r"combined/wsj_\d+\.mrg", format="bracketed"),
    Layout("movie_reviews", r"(neg|pos)/[^/]+\.txt"),
    Layout("abc", _TXT, sentences="split_lines", tokenizer="wordpunct"),
    Layout("inaugural", _TXT, sentences="split_lines", tokenizer="wordpunct"),
    Layout("state_union", _TXT, sentences="split_lines", tokenizer="wordpunct", encoding="iso-8859-2"),
    Layout("webtext", _TXT, sentences="split_lines", tokenizer="wordpunct", encoding="iso-8859-2"),
    Layout("gutenberg", _TXT, sentences="split", tokenizer="wordpunct"),
    Layout("reuters", r"(training|test)/\d+", sentences="split", tokenizer="wordpunct"),
)}


def layout_for(name: str) -> Layout:
    """The layout of the NLTK corpus ``name``; for any other corpus, every file that is not
    documentation (README, LICENSE, ``*.xml``...), its format sniffed, strictly UTF-8."""
    return NLTK_LAYOUTS.get(name) or Layout(name, r"(?:[^./][^/]*/)*[^./][^/]*", format="sniff", encoding="")


_DOC_NAMES = re.compile(r"(README|LICEN[CS]E|COPYING|CONTENTS|CITATION)(\.\w+)?|cats\.txt|.*\.(xml|bib|json|html?)",
                        re.IGNORECASE)


def _is_documentation(relative_path: str) -> bool:
    name = relative_path.rsplit("/", 1)[-1]
    return name.startswith(".") or _DOC_NAMES.fullmatch(name) is not None


_TAGGED_TOKEN = re.compile(r"[^\s/]\S*/[^\s/]+")


def sniff_format(relative_path: str, head: str) -> str:
    """``"bracketed"`` for ``.mrg`` files, ``"tagged"`` if most tokens are ``word/tag``, else
    ``"plain"``."""
    if relative_path.endswith(".mrg"):
        return "bracketed"
    tokens = head.split()[:2000]
    if tokens and sum(1 for t in tokens if _TAGGED_TOKEN.fullmatch(t)) >= 0.8 * len(tokens):
        return "tagged"
    return "plain"


# ------------------------------------------------------------------ format parsers
_TAG_RE = re.compile(r"/[^\s/]*(?=\s|$)")
_CHUNK_BRACKETS_RE = re.compile(r"(?:^|(?<=\s))[\[\]](?=\s|$)")


def strip_tags(line: str) -> str:
    """``"The/at jury/nn"`` -> ``"The jury"``: drop each token's last ``/tag`` (and the
    ``[ ]`` chunk brackets of NLTK's ``.pos`` files)."""
    return _TAG_RE.sub("", _CHUNK_BRACKETS_RE.sub("", line))


_TREE_START_RE = re.compile(r"^\(", re.MULTILINE)
_LEAF_RE = re.compile(r"\(([^\s()]+) ([^\s()]+)\)")
_BRACKET_WORDS = {"-LRB-": "(", "-RRB-": ")", "-LCB-": "{", "-RCB-": "}", "-LSB-": "[", "-RSB-": "]"}


def tree_sentences(text: str) -> list[str]:
    """The words of each Penn Treebank tree in ``text``, joined by spaces, one string per tree.

    Empty elements (``-NONE-`` traces such as ``*T*-1``) are dropped and bracket tokens
    (``-LRB-``...) become the brackets they stand for.
    """
    starts = [m.start() for m in _TREE_START_RE.finditer(text)] + [len(text)]
    sentences = []
    for begin, end in zip(starts, starts[1:]):
        words = [_BRACKET_WORDS.get(word, word) for tag, word in _LEAF_RE.findall(text, begin, end)
                 if tag != "-NONE-"]
        if words:
            sentences.append(" ".join(words))
    return sentences
