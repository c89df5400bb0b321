"""Bad input files are one line and exit 2 in every command that reads them: missing, empty,
binary, and model files that are foreign, truncated or hold NaN."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from wordnet_lm.cli import main
from wordnet_lm.io import load_npz, save_npz

from .test_streams import STDIN_INPUTS

BAD_TEXTS = {
    "missing": None,
    "empty": b"",
    "binary": bytes(range(256)) * 20,
    "not UTF-8": "caf\u00e9\n".encode("latin-1") * 50,
}


def text_argv(command: str, files, path: Path, out: Path) -> list[str]:
    """The command of STDIN_INPUTS with its '-' input replaced by ``path``."""
    argv = [str(a) for a in STDIN_INPUTS[command](SimpleNamespace(**vars(files), out=out))]
    return [str(path) if a == "-" else a for a in argv]


@pytest.mark.parametrize("kind", BAD_TEXTS)
@pytest.mark.parametrize("command", STDIN_INPUTS)
def test_bad_text_inputs(command, kind, files, tmp_path, capsys):
    path = tmp_path / "input.txt"
    if BAD_TEXTS[kind] is not None:
        path.write_bytes(BAD_TEXTS[kind])
    status = main(text_argv(command, files, path, tmp_path))
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2, err
    assert err and "error: " in err[-1] and "input.txt" in err[-1], err
    assert not any("Traceback" in line for line in err)


MODEL_READERS = {
    "next": lambda model: ["next", "--model", model, "the"],
    "generate": lambda model: ["generate", "--model", model],
    "export-vectors": lambda model: ["export-vectors", "--model", model, "--out", Path(model).with_suffix(".vec")],
    "perplexity": lambda model: ["perplexity", "--model", model, "--sentence", "the cat"],
    "ngram-sample": lambda model: ["ngram-sample", "--model", model],
    "compare --neural": lambda model: ["compare", "--neural", model, "-q"],
    "compare --ngram": lambda model: ["compare", "--ngram", model, "--no-neural", "-q"],
    "explore": lambda model: ["explore", "--model", model, "--method", "pca", "--out", Path(model).with_suffix(".html")],
}


def corrupt_copies(files, tmp_path) -> dict[str, Path]:
    """Model files a user might hand a command by mistake or after a crash."""
    made = {"truncated": tmp_path / "truncated.npz", "text": tmp_path / "text.npz", "nan": tmp_path / "nan.npz"}
    data = files.model.read_bytes()
    made["truncated"].write_bytes(data[: len(data) // 2])
    shutil.copy(files.train, made["text"])
    arrays, meta = load_npz(files.model)
    arrays["embed.C"] = arrays["embed.C"].copy()
    arrays["embed.C"][0, 0] = np.nan
    save_npz(made["nan"], arrays, meta)
    return made


@pytest.mark.parametrize("command", MODEL_READERS)
def test_bad_model_files(command, files, tmp_path, capsys):
    for kind, path in corrupt_copies(files, tmp_path).items():
        status = main([str(a) for a in MODEL_READERS[command](str(path))])
        err = capsys.readouterr().err.strip()
        assert status == 2, (kind, err)
        assert err.count("\n") == 0 and "error: " in err and path.name in err, (kind, err)
        if kind == "nan" and command not in ("perplexity", "ngram-sample", "compare --ngram"):  # not an n-gram model
            assert "NaN" in err


def test_an_ngram_model_file_holding_nan_is_refused(files, tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["ngram", "--train", str(files.train), "--order", "2", "--model", str(model)]) == 0
    arrays, meta = load_npz(model)
    arrays["log_prob_2"] = arrays["log_prob_2"].copy()
    arrays["log_prob_2"][0] = np.nan
    save_npz(model, arrays, meta)
    capsys.readouterr()
    assert main(["perplexity", "--model", str(model), "--sentence", "the cat"]) == 2
    assert "NaN" in capsys.readouterr().err
