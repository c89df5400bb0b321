"""Every command that writes checks its outputs before any work: writable, not an input, not a
file of another kind, not being written by another run.  Each failure is one line, exit 2, and
leaves every file as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wordnet_lm.cli import main
from wordnet_lm.outputs import lock_path, locked_outputs

from .conftest import TINY_NPLM, digest

REPO = Path(__file__).resolve().parents[2]

# command -> (argv writing to OUT, an input the output may not replace)
WRITERS = {
    "train-lm --out": (lambda f, out: ["train-lm", "--train", f.train, "--out", out, *TINY_NPLM], "train"),
    "train-lm --checkpoint": (lambda f, out: ["train-lm", "--train", f.train, "--out", f.root / "new.npz",
                                              "--checkpoint", out, *TINY_NPLM], "train"),
    "compare --save-model": (lambda f, out: ["compare", "--train", f.train, "--valid", f.valid, "--orders", "2",
                                             "--save-model", out, *TINY_NPLM], "valid"),
    "compare --save-table": (lambda f, out: ["compare", "--train", f.train, "--valid", f.valid, "--orders", "2",
                                             "--no-neural", "--save-table", out], "train"),
    "glove --out": (lambda f, out: ["glove", "--corpus", f.train, "--min-count", "1", "--dim", "3", "--epochs", "1",
                                    "--out", out, "-q"], "train"),
    "glove --checkpoint": (lambda f, out: ["glove", "--corpus", f.train, "--min-count", "1", "--dim", "3",
                                           "--epochs", "1", "--out", f.root / "new-vectors.txt", "--checkpoint", out,
                                           "-q"], "train"),
    "ngram --arpa": (lambda f, out: ["ngram", "--train", f.train, "--order", "2", "--arpa", out], "train"),
    "ngram --model": (lambda f, out: ["ngram", "--train", f.train, "--order", "2", "--model", out], "train"),
    "export-vectors --out": (lambda f, out: ["export-vectors", "--model", f.model, "--out", out], "model"),
    "plot --out": (lambda f, out: ["plot", "--vectors", f.vectors, "--method", "pca", "--top", "5", "--out", out],
                   "vectors"),
    "corpus vocab --out": (lambda f, out: ["corpus", "vocab", f.train, "--out", out], "train"),
    "explore --out": (lambda f, out: ["explore", "--vectors", f.vectors, "--method", "pca", "--top", "5",
                                      "--out", out], "vectors"),
}


def run(capsys, argv) -> tuple[int, str]:
    status = main([str(a) for a in argv])
    return status, capsys.readouterr().err.strip()


def assert_one_line_error(status: int, err: str, *phrases: str) -> None:
    assert status == 2, err
    assert len(err.splitlines()) == 1 and ": error: " in err, err
    for phrase in phrases:
        assert phrase in err, err


def snapshot(files) -> dict[str, str]:
    return {p.name: digest(p) for p in Path(files.root).iterdir() if p.is_file()}


@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_that_is_a_directory_is_refused(writer, files, tmp_path, capsys):
    argv, _ = WRITERS[writer]
    status, err = run(capsys, argv(files, tmp_path))
    assert_one_line_error(status, err, "is a directory")


@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_under_an_existing_file_is_refused(writer, files, capsys):
    argv, _ = WRITERS[writer]
    before = snapshot(files)
    status, err = run(capsys, argv(files, files.notes / "out.file"))
    assert_one_line_error(status, err, "is a file, not a directory")
    assert snapshot(files) == before


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs /sys, a directory no process may create files in")
@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_in_an_unwritable_directory_is_refused(writer, files, capsys):
    argv, _ = WRITERS[writer]
    status, err = run(capsys, argv(files, "/sys/wordnet-lm-test/out.file"))
    assert_one_line_error(status, err, "cannot write", "permission denied")


@pytest.mark.parametrize("writer", WRITERS)
def test_no_command_overwrites_its_own_input(writer, files, capsys):
    argv, source = WRITERS[writer]
    before = snapshot(files)
    status, err = run(capsys, argv(files, getattr(files, source)))
    assert_one_line_error(status, err, "is also an input")
    assert snapshot(files) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_an_existing_file_of_another_kind_is_not_replaced(writer, files, tmp_path, capsys):
    argv, _ = WRITERS[writer]
    other = tmp_path / "notes.txt"
    shutil.copy(files.notes, other)
    status, err = run(capsys, argv(files, other))
    assert_one_line_error(status, err, "exists and is not ")
    assert other.read_bytes() == files.notes.read_bytes()


def test_a_checkpoint_may_not_replace_a_model_file(files, tmp_path, capsys):
    model = tmp_path / "model.npz"
    shutil.copy(files.model, model)
    status, err = run(capsys, WRITERS["train-lm --checkpoint"][0](files, model))
    assert_one_line_error(status, err, "is not a neural LM checkpoint")
    assert digest(model) == digest(files.model)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_second_run_writing_the_same_output_is_refused(writer, files, tmp_path, capsys):
    argv, _ = WRITERS[writer]
    out = tmp_path / "out.file"
    with locked_outputs([out]):  # the first run, still writing
        status, err = run(capsys, argv(files, out))
    assert_one_line_error(status, err, "another run", "is writing it")
    assert not out.exists()


def test_a_lock_of_a_run_that_died_does_not_block(files, tmp_path, capsys):
    out = tmp_path / "lm.arpa"
    code = ("import sys, os; from wordnet_lm.outputs import locked_outputs\n"
            f"with locked_outputs([{str(out)!r}]): os._exit(9)")  # dies holding the lock, leaving its file
    env = dict(os.environ, PYTHONPATH=str(REPO))
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 9
    assert lock_path(out).exists()
    stale_temporary = tmp_path / ".lm.arpa.abc123.tmp"  # an interrupted atomic write's leftover
    stale_temporary.write_text("partial")
    status, err = run(capsys, WRITERS["ngram --arpa"][0](files, out))
    assert status == 0, err
    assert out.read_bytes().startswith(b"\\data\\")
    assert not lock_path(out).exists() and not stale_temporary.exists()


def test_an_output_of_the_same_kind_is_replaced(files, tmp_path, capsys):
    out = tmp_path / "lm.arpa"
    shutil.copy(files.arpa, out)
    status, err = run(capsys, ["ngram", "--train", files.train, "--order", "3", "--arpa", out])
    assert status == 0, err
    assert b"ngram 3=" in out.read_bytes()


def test_sigterm_removes_partial_files_and_the_lock(files, tmp_path):
    """A run stopped by SIGTERM (as by `kill` or a scheduler) leaves no temporary file or lock."""
    out = tmp_path / "lm.npz"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "wordnet_lm", "train-lm", "--train", str(files.train),
                             "--out", str(out), "--order", "3", "--embed-dim", "4", "--hidden", "6",
                             "--batch-size", "1", "--epochs", "200", "-q"],
                            env=env, stderr=subprocess.PIPE, text=True)
    lock = lock_path(out)
    for _ in range(600):  # wait until training holds the lock
        if lock.exists() or proc.poll() is not None:
            break
        subprocess.run(["sleep", "0.05"])
    assert lock.exists(), proc.communicate()[1]
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert not lock.exists()
    assert not list(tmp_path.glob(".*.tmp"))
