"""Fixtures of the neural LM tests."""

import pytest

from .nplm_helpers import tiny_data_triple


@pytest.fixture
def tiny_data():
    """(train, valid, vocab): a few dozen patterned sentences; valid has an unseen word."""
    return tiny_data_triple()
