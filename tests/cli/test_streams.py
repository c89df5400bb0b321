"""Pipes and streams: `| head` never prints a traceback, `-` reads standard input in every text
option, results go to stdout and progress to stderr."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from wordnet_lm.cli import main

from .conftest import TINY_NPLM

REPO = Path(__file__).resolve().parents[2]

# every command that prints results on stdout, on small inputs
PRINTERS = {
    "analogy": lambda f: ["analogy", "--vectors", f.vectors, "cat", "dog", "bird"],
    "neighbors": lambda f: ["neighbors", "--vectors", f.vectors, "cat"],
    "similarity": lambda f: ["similarity", "--vectors", f.vectors, "cat", "dog"],
    "evaluate": lambda f: ["evaluate", "--vectors", f.vectors],
    "next": lambda f: ["next", "--model", f.model, "the"],
    "generate": lambda f: ["generate", "--model", f.model, "--seed", "1"],
    "perplexity": lambda f: ["perplexity", "--model", f.arpa, "--text", f.valid],
    "ngram-sample": lambda f: ["ngram-sample", "--model", f.arpa, "--seed", "1"],
    "ngram": lambda f: ["ngram", "--train", f.train, "--order", "2"],
    "corpus info": lambda f: ["corpus", "info", f.train],
    "compare": lambda f: ["compare", "--train", f.train, "--valid", f.valid, "--orders", "2", "--no-neural"],
    "compare --neural --ngram": lambda f: ["compare", "--neural", f.model, "--ngram", f.arpa, "--valid", f.valid],
    "export-vectors": lambda f: ["export-vectors", "--model", f.model, "--out", f.root / "exported.txt"],
}


class ClosedPipe(io.TextIOBase):
    """stdout whose reader has gone away (as `| head` after its lines)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no file descriptor")


@pytest.mark.parametrize("command", PRINTERS)
def test_a_closed_pipe_ends_the_command_quietly(command, files, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    status = main([str(a) for a in PRINTERS[command](files)])
    err = capsys.readouterr().err
    assert status == 141, err
    assert "Traceback" not in err and "Error" not in err


def test_head_on_a_real_pipe_prints_no_traceback(files):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "wordnet_lm", "corpus", "info", str(files.train), "--top", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert proc.returncode == 141, err
    assert err == ""


# every option naming text to read, given as "-"
STDIN_INPUTS = {
    "train-lm --train": lambda f: ["train-lm", "--train", "-", "--out", f.out / "lm.npz", *TINY_NPLM],
    "train-lm --valid": lambda f: ["train-lm", "--train", f.train, "--valid", "-", "--out", f.out / "lm.npz",
                                   *TINY_NPLM],
    "compare --test": lambda f: ["compare", "--train", f.train, "--valid", f.valid, "--test", "-", "--orders", "2",
                                 "--no-neural"],
    "compare --neural --ngram --valid": lambda f: ["compare", "--neural", f.model, "--ngram", f.arpa, "--valid", "-"],
    "ngram --train": lambda f: ["ngram", "--train", "-", "--order", "2"],
    "ngram --heldout": lambda f: ["ngram", "--train", f.train, "--order", "2", "--smoothing", "jm",
                                  "--heldout", "-"],
    "perplexity --text": lambda f: ["perplexity", "--model", f.arpa, "--text", "-"],
    "glove --corpus": lambda f: ["glove", "--corpus", "-", "--min-count", "1", "--dim", "3", "--epochs", "1",
                                 "--out", f.out / "v.txt", "-q"],
    "corpus info": lambda f: ["corpus", "info", "-"],
    "corpus vocab": lambda f: ["corpus", "vocab", "-", "--out", f.out / "vocab.tsv"],
}


class Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize("command", STDIN_INPUTS)
def test_dash_reads_standard_input(command, files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", Stdin(files.train.read_bytes()))
    paths = SimpleNamespace(**vars(files), out=tmp_path)
    status = main([str(a) for a in STDIN_INPUTS[command](paths)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "stdin" not in err or "error" not in err


def test_standard_input_gives_the_same_result_as_the_file(files, monkeypatch, capsys):
    assert main(["perplexity", "--model", str(files.arpa), "--text", str(files.valid)]) == 0
    from_file = capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", Stdin(files.valid.read_bytes()))
    assert main(["perplexity", "--model", str(files.arpa), "--text", "-"]) == 0
    assert capsys.readouterr().out == from_file


def test_only_one_input_can_be_standard_input(files, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", Stdin(b"a b\n"))
    assert main(["ngram", "--train", "-", "--valid", "-"]) == 2
    assert "only one input can be standard input" in capsys.readouterr().err


def test_a_sentence_on_the_command_line_is_scored_as_a_file_would_be(files, tmp_path, capsys):
    text = tmp_path / "one.txt"
    text.write_text("the cat sat on the mat\n")
    assert main(["perplexity", "--model", str(files.arpa), "--text", str(text)]) == 0
    from_file = capsys.readouterr().out
    assert main(["perplexity", "--model", str(files.arpa), "--sentence", "the cat sat on the mat"]) == 0
    assert capsys.readouterr().out == from_file


def test_compare_prints_only_the_table_on_stdout(files, capsys):
    assert main(["compare", "--train", str(files.train), "--valid", str(files.valid), "--orders", "2",
                 "--epochs", "1", "--order", "3", "--embed-dim", "4", "--hidden", "6"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split()[0] == "model" and set(lines[1]) <= {"-", " "}
    models = ("add-k", "interpolated-kn", "modified-kn", "neural LM")
    assert all(line.startswith(models) for line in lines[2:]), out
    assert "train:" in err


def test_warnings_are_one_line_in_the_commands_format(files, capsys):
    assert main(["ngram", "--train", str(files.train), "--order", "4"]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "warning" in line.lower()]
    assert warnings and all(line.startswith("wordnet-lm ngram: warning: ") for line in warnings)
    assert "UserWarning" not in err and ".py:" not in err
