"""Optional dependencies: a feature whose extra is missing is a one-line error naming the extra."""

from __future__ import annotations

import sys

import pytest

from wordnet_lm.cli import main
from wordnet_lm.extras import MissingExtraError, require


def test_require_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as if matplotlib were not installed
    with pytest.raises(MissingExtraError, match=r'pip install "wordnet_lm\[plot\]"'):
        require("matplotlib.figure", "plot", "drawing a picture")
    assert require("json", "none", "reading JSON").dumps([]) == "[]"


def test_plot_without_matplotlib_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert main(["plot", "--method", "pca", "--top", "10", "--out", str(tmp_path / "map.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and 'pip install "wordnet_lm[plot]"' in err
    assert not (tmp_path / "map.png").exists()
