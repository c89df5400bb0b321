"""Where NLTK keeps its data: the directories it searches, in its order, and the download target.

A leaf module (standard library only), shared by corpus resolution and downloads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NLTK_DATA_ENV = "NLTK_DATA"


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
