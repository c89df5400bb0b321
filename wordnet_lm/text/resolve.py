"""Corpus names -> paths: files first, then ``demo``, then NLTK's data directories, then a
download from NLTK's public data index into ``~/nltk_data/corpora`` (NLTK's own layout)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from wordnet_lm.errors import InputFileError
from wordnet_lm.text.nltk_data import NLTK_DATA_ENV, default_download_dir, find_nltk_corpus, nltk_data_dirs

__all__ = ["NLTK_DATA_ENV", "default_download_dir", "find_nltk_corpus", "nltk_data_dirs", "is_corpus_name",
           "resolve_corpus"]

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*(?:\.\d+)*")  # brown, movie_reviews, omw-1.4


def is_corpus_name(text: str) -> bool:
    """Could ``text`` be a corpus name (no path separators, no suffix like ``.txt``)?"""
    return _NAME_RE.fullmatch(text) is not None


def resolve_corpus(name_or_path: str | os.PathLike, *, download: bool = True, progress: bool = True,
                   index_url: str | None = None) -> Path:
    """The path of a corpus given by path or by name.

    Parameters
    ----------
    name_or_path : str or path-like
        An existing file or directory; ``"demo"`` (the built-in demo corpus, its training
        split); or the name of an NLTK corpus (``"brown"``, ``"treebank"``, ``"abc"``...).
    download : bool
        Download a named corpus found in no NLTK data directory (see :func:`nltk_data_dirs`)
        from NLTK's index into :func:`default_download_dir`.
    progress : bool
        Progress bar while downloading.
    index_url : str, optional
        NLTK data index to download from (default: ``$WORDNET_LM_NLTK_INDEX`` or NLTK's).

    Raises
    ------
    InputFileError
        Neither an existing path nor a corpus that can be found or downloaded.
    """
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    text = os.fspath(name_or_path)
    if not is_corpus_name(text):
        raise InputFileError(f"{text}: no such file or directory")
    if text == "demo":
        from wordnet_lm.text.demo import demo_paths

        return demo_paths()["train"]
    found = find_nltk_corpus(text)
    if found is not None:
        return found
    if not download:
        raise InputFileError(f"{text}: no such file or directory, and no NLTK corpus of that name is installed")
    from wordnet_lm.text.download import download_corpus

    return download_corpus(text, index_url=index_url, progress=progress)
