"""Where the demo files are read from: the checkout's ``corpora/demo``, else a cache generated once."""

from __future__ import annotations

import os
from pathlib import Path

from wordnet_lm.text.demo.files import DEMO_FILES, write_demo_corpus

REPO_DEMO_DIR = Path(__file__).resolve().parents[3] / "corpora" / "demo"
CACHE_DIR_ENV = "WORDNET_LM_CACHE"


def cache_root() -> Path:
    """The project's cache directory: ``$WORDNET_LM_CACHE/wordnet_lm`` (else ``$XDG_CACHE_HOME``,
    else ``~/.cache``)."""
    base = os.environ.get(CACHE_DIR_ENV) or os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()
    return Path(base) / "wordnet_lm"


def _cache_dir() -> Path:
    return cache_root() / "demo"


def demo_paths() -> dict[str, Path]:
    """Paths of the demo files: ``train``, ``valid``, ``test``, ``analogies``, ``similarity``.

    From the repository's ``corpora/demo`` when present; otherwise (an installed package)
    generated once into ``$WORDNET_LM_CACHE/wordnet_lm/demo`` (default ``~/.cache``).
    """
    for directory in (REPO_DEMO_DIR, _cache_dir()):
        if all((directory / name).is_file() for name in DEMO_FILES):
            return {name.split(".")[0]: directory / name for name in DEMO_FILES}
    return write_demo_corpus(_cache_dir())


def default_corpus() -> Path:
    """The corpus every command uses when none is given: the demo training text."""
    return demo_paths()["train"]
