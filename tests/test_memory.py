"""Memory checks before long work: figures and messages."""

import pytest

from wordnet_lm.errors import OptionError
from wordnet_lm.memory import available_bytes, check_fits, format_bytes


def test_format_bytes():
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(3 * 2**30) == "3.0 GiB"
    assert format_bytes(2**41) == "2.0 TiB"


def test_check_fits_names_the_job_and_the_figures():
    check_fits(10, "a tiny job", available=100)
    with pytest.raises(OptionError, match=r"GloVe with dim 9 needs 1.0 KiB of memory, more than the 100 B available"):
        check_fits(1024, "GloVe with dim 9", available=100)


def test_available_memory_is_known_here():
    free = available_bytes()
    assert free is None or free > 0


def test_training_refuses_sizes_beyond_memory(capsys):
    from wordnet_lm.cli import main

    assert main(["train-lm", "--hidden", "4000000", "--out", "/tmp/never-written.npz", "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert "needs" in err and "of memory, more than the" in err and err.count("\n") == 0
