"""Optional dependencies: imported when a feature needs them, with a one-line error naming the
extra to install (``pip install "wordnet_lm[plot]"``) when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from wordnet_lm.errors import WordnetLMError

EXTRAS = {"plot": ("matplotlib", "scikit-learn"), "dask": ("dask[distributed]",), "browser": ("playwright",)}


class MissingExtraError(WordnetLMError):
    """A feature needs an optional dependency that is not installed."""


def require(module: str, extra: str, feature: str) -> ModuleType:
    """``import module``, or :class:`MissingExtraError` saying which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(f"{feature} needs {module.split('.')[0]}, which is not installed: "
                                f'pip install "wordnet_lm[{extra}]"') from None
