"""Shared fixtures: the real data beside the checkout (``../shared``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so CI is reproducible; set
# WORDNET_LM_HYPOTHESIS=explore to draw new random ones when hunting for bugs.
settings.register_profile("reproducible", derandomize=True)
settings.register_profile("explore", max_examples=200)
settings.load_profile(os.environ.get("WORDNET_LM_HYPOTHESIS", "reproducible"))

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """``$WORDNET_LM_SHARED`` or ``../shared`` beside the checkout, if present."""
    env = os.environ.get("WORDNET_LM_SHARED")
    path = Path(env) if env else REPO.parent / "shared"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if path is None:
        pytest.skip("../shared (real corpora and evaluation sets) is not beside this checkout")
    return path
