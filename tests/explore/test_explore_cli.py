"""``wordnet-lm explore`` and ``wordnet-lm serve`` from the command line: files written,
one-line errors with exit status 2 before any long work."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import urllib.request

import numpy as np
import pytest

from wordnet_lm.cli import main
from wordnet_lm.vectors import KeyedVectors

from .conftest import REPO_ROOT


@pytest.fixture
def vectors_file(tmp_path):
    rng = np.random.default_rng(0)
    kv = KeyedVectors([f"word{i}" for i in range(50)], rng.normal(size=(50, 6)))
    path = tmp_path / "v.txt"
    kv.save(path)
    return path


def data_of(path):
    html = path.read_text("utf-8")
    return json.loads(re.search(r'id="explorer-data">(.*?)</script>', html, re.DOTALL).group(1))


def test_explore_writes_a_page(tmp_path, vectors_file, capsys):
    out = tmp_path / "e.html"
    assert main(["explore", "-v", str(vectors_file), "--out", str(out), "--top", "30", "--method", "pca",
                 "--precision", "int8", "--clusters", "3"]) == 0
    assert f"wrote {out} (30 words" in capsys.readouterr().out
    data = data_of(out)
    assert data["words"] == [f"word{i}" for i in range(30)] and data["encoding"] == "int8"


def test_explore_a_models_embeddings_with_labels(tmp_path, model_files, capsys):
    labels = tmp_path / "labels.tsv"
    labels.write_text("paris\tcity\nrome\tcity\nfrance\tcountry\n", "utf-8")
    out = tmp_path / "lm.html"
    assert main(["explore", "--model", str(model_files[0]), "--out", str(out), "--top", "100", "--method", "pca",
                 "--labels", str(labels)]) == 0
    data = data_of(out)
    assert data["dim"] == 16 and data["groups"]["labels"]["names"] == ["city", "country"]
    assert data["counts"] is not None and "embeddings of" in data["settings"]["source"]


@pytest.mark.parametrize("args, message", [
    (["--out", "notes.txt"], "exists and is not a HTML page"),
    (["--out", "notes.txt/e.html"], "is a file, not a directory"),
    (["--labels", "nope.tsv"], "no such label file"),
    (["--top", "1"], "argument --top: must be an integer >= 2"),
    (["--clusters", "0"], "argument --clusters"),
    (["--model", "nope.npz"], "nope.npz"),
])
def test_explore_errors_are_one_line(tmp_path, monkeypatch, vectors_file, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("my notes\n", "utf-8")
    base = [] if "--model" in args else ["-v", str(vectors_file)]
    assert main(["explore", *base, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["explore", "-v", "V", "--model", "M"], "give --vectors or --model, not both"),
    (["explore", "--model", "M", "--format", "glove"], "--format applies to --vectors files"),
    (["explore", "-v", "V", "--method", "pca", "--perplexity", "5"], "--perplexity applies to t-SNE maps (--method"),
    (["serve", "--model", "M", "--perplexity", "5"], "--perplexity applies to t-SNE maps (--explore-method"),
])
def test_meaningless_combinations_are_refused(argv, message, vectors_file, model_files, capsys):
    argv = [{"V": str(vectors_file), "M": str(model_files[0])}.get(a, a) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.count("\n") == 0, err


def test_serve_errors_before_listening(tmp_path, model_files, capsys):
    assert main(["serve", "--model", str(tmp_path / "nope.npz")]) == 2
    assert "nope.npz" in capsys.readouterr().err
    assert main(["serve", "--model", str(model_files[0]), "--ngram", str(tmp_path / "x.arpa")]) == 2
    assert "x.arpa" in capsys.readouterr().err
    assert main(["serve", "--model", str(model_files[0]), "--threads", "0"]) == 2
    assert "argument --threads: must be" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--model", str(model_files[0]), "--port", str(port)]) == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_command_answers(model_files):
    """The real command in a subprocess: it prints its URL and answers a scoring request."""
    proc = subprocess.Popen([sys.executable, "-m", "wordnet_lm", "serve", "--model", str(model_files[0]),
                             "--ngram", str(model_files[1]), "--port", "0"], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://\S+/", line).group(0)
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(url + "api/score", data=b'{"text": "the king"}', method="POST")
        with urllib.request.urlopen(request, timeout=20) as response:
            answer = json.loads(response.read())
        assert answer["words"] == ["the", "king", "</s>"] and answer["ngram"] is not None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_explore_without_scikit_learn_names_the_extra(tmp_path, vectors_file, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn.cluster", None)  # as if scikit-learn were not installed
    assert main(["explore", "-v", str(vectors_file), "--method", "pca", "--out", str(tmp_path / "e.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and 'pip install "wordnet_lm[plot]"' in err
    assert not (tmp_path / "e.html").exists()


def test_serve_self_test_asks_every_endpoint(model_files, capsys):
    assert main(["serve", "--model", str(model_files[0]), "--ngram", str(model_files[1]), "--port", "0",
                 "--self-test", "--explore-top", "50"]) == 0
    out = capsys.readouterr().out
    for line in ("GET /: 200", "GET /explorer: 200", "POST /api/score: 200, neural perplexity",
                 "POST /api/next: 200", "POST /api/sample: 200", "POST /api/neighbors: 200", "self-test passed"):
        assert line in out, out
    assert "ngram perplexity" in out
