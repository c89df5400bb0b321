"""Shared fixtures: the real data beside the checkout (``../shared``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
