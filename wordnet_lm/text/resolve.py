"""Corpus names -> paths: files first, then ``demo``, then NLTK's data directories, then a
download from NLTK's public data index into ``~/nltk_data/corpora`` (NLTK's own layout)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from wordnet_lm.errors import InputFileError

NLTK_DATA_ENV = "NLTK_DATA"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*(?:\.\d+)*")  # brown, movie_reviews, omw-1.4


def nltk_data_dirs() -> list[Path]:
    """The directories NLTK searches for data, in its order: ``$NLTK_DATA`` (a path list),
    ``~/nltk_data``, then the system-wide ones under ``sys.prefix``, ``/usr`` and ``/usr/local``."""
    dirs = [Path(p) for p in os.environ.get(NLTK_DATA_ENV, "").split(os.pathsep) if p]
    dirs.append(Path("~/nltk_data").expanduser())
    if sys.platform.startswith("win"):
        dirs += [Path(sys.prefix, "nltk_data"), Path(sys.prefix, "share", "nltk_data"),
                 Path(sys.prefix, "lib", "nltk_data")]
        appdata = os.environ.get("APPDATA")
        if appdata:
            dirs.append(Path(appdata, "nltk_data"))
        dirs += [Path(r"C:\nltk_data"), Path(r"D:\nltk_data"), Path(r"E:\nltk_data")]
    else:
        dirs += [Path(sys.prefix, "nltk_data"), Path(sys.prefix, "share", "nltk_data"),
                 Path(sys.prefix, "lib", "nltk_data"), Path("/usr/share/nltk_data"),
                 Path("/usr/local/share/nltk_data"), Path("/usr/lib/nltk_data"), Path("/usr/local/lib/nltk_data")]
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def default_download_dir() -> Path:
    """Where downloads go: the first ``$NLTK_DATA`` entry if set, else ``~/nltk_data``."""
    return nltk_data_dirs()[0]


def find_nltk_corpus(name: str) -> Path | None:
    """``<dir>/corpora/<name>.zip`` (or the unpacked ``<dir>/corpora/<name>/``) in the first
    NLTK data directory that has it, else ``None``."""
    for d in nltk_data_dirs():
        for candidate in (d / "corpora" / f"{name}.zip", d / "corpora" / name):
            if candidate.exists():
                return candidate
    return None


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
