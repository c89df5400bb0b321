"""The analogy, neighbors, similarity, evaluate and plot subcommands on tiny vectors."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

from wordnet_lm.cli import main
from wordnet_lm.cli import vector_cmds
from wordnet_lm.vectors import evaluate_word_analogies, evaluate_word_pairs

from ._data import structured_vectors, write_analogies

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path):
    kv = structured_vectors()
    kv.save(tmp_path / "vectors.txt")
    kv.save(tmp_path / "vectors.bin")
    write_analogies(tmp_path / "questions.txt")
    (tmp_path / "pairs.tsv").write_text("# word1 word2 score\nparis\tfrance\t8\nbig\tbigger\t7\n"
                                        "paris\tbig\t1\noslo\tnorway\t8.5\ntokyo\tjapan\t9\n")
    return tmp_path


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(status, err, command, fragment):
    assert status == 2
    assert err.startswith(f"wordnet-lm {command}: error: ") and err.count("\n") == 1 and fragment in err


def test_analogy(files, capsys):
    kv = structured_vectors()
    status, out, _ = run(capsys, "analogy", "-v", files / "vectors.txt", "PARIS", "France", "LONDON", "-n", "3")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "paris : france :: london : ?"
    expected = kv.most_similar(positive=["france", "london"], negative=["paris"], topn=3)
    assert [line.split()[1] for line in lines[1:]] == [w for w, _ in expected]
    assert lines[1].split()[2] == f"{expected[0][1]:.4f}"
    status, out, _ = run(capsys, "analogy", "-v", files / "vectors.bin", "paris", "france", "london", "--method",
                         "cosmul", "--restrict-vocab", "30")
    expected = kv.most_similar_cosmul(positive=["france", "london"], negative=["paris"], topn=5, restrict_vocab=30)
    assert [line.split()[1] for line in out.splitlines()[1:]] == [w for w, _ in expected]


def test_analogy_errors(files, capsys):
    status, _, err = run(capsys, "analogy", "-v", files / "vectors.txt", "paris", "france", "tokyo")
    one_line_error(status, err, "analogy", "word 'tokyo' is not in the vectors' vocabulary")
    status, _, err = run(capsys, "analogy", "-v", files / "vectors.txt", "paris", "Paris", "france", "--case-sensitive")
    assert status == 0
    status, _, err = run(capsys, "analogy", "-v", files / "vectors.txt", "PARIS", "france", "oslo", "--case-sensitive")
    one_line_error(status, err, "analogy", "'PARIS'")
    status, _, err = run(capsys, "analogy", "-v", files / "vectors.txt", "paris", "france")
    one_line_error(status, err, "analogy", "expected three words")
    status, _, err = run(capsys, "analogy", "-v", files / "missing.txt", "a", "b", "c")
    one_line_error(status, err, "analogy", "no such vectors file")


def test_interactive_analogy_reads_until_eof(files, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("paris france london\n\ntokyo japan oslo\nbig bigger\n"
                                                 "big bigger small\n"))
    status, out, err = run(capsys, "analogy", "-v", files / "vectors.txt", "-n", "2")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "paris : france :: london : ?" and len(lines) == 3 + 1 + 1 + 3
    assert lines[3] == "error: word 'tokyo' is not in the vectors' vocabulary (55 words)"
    assert lines[4].startswith("error: expected three words")
    assert lines[5] == "big : bigger :: small : ?"


def test_neighbors_and_similarity(files, capsys):
    kv = structured_vectors()
    status, out, _ = run(capsys, "neighbors", "-v", files / "vectors.txt", "paris", "BIG", "--topn", "4")
    assert status == 0
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[0] == "paris:" and blocks[1].splitlines()[0] == "big:"
    assert [line.split()[1] for line in blocks[1].splitlines()[1:]] == [w for w, _ in kv.most_similar("big", topn=4)]
    status, out, _ = run(capsys, "similarity", "-v", files / "vectors.txt", "paris", "france", "big", "small")
    assert status == 0
    assert out.splitlines()[0].split() == ["paris", "~", "france", f"{kv.similarity('paris', 'france'):.4f}"]
    status, _, err = run(capsys, "similarity", "-v", files / "vectors.txt", "paris", "france", "big")
    one_line_error(status, err, "similarity", "pairs")
    status, _, err = run(capsys, "neighbors", "-v", files / "vectors.txt", "nowhere")
    one_line_error(status, err, "neighbors", "'nowhere'")


def test_evaluate_table(files, capsys):
    kv = structured_vectors()
    status, out, _ = run(capsys, "evaluate", "-v", files / "vectors.txt", "-a", files / "questions.txt",
                         "-s", files / "pairs.tsv", "--restrict-vocab", "0")
    assert status == 0
    add = evaluate_word_analogies(kv, files / "questions.txt", None)
    mul = evaluate_word_analogies(kv, files / "questions.txt", None, method="cosmul")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line and line[0].isalpha()}
    assert rows["Total"][-2:] == [f"{100 * add.accuracy:.2f}%", f"{100 * mul.accuracy:.2f}%"]
    assert rows["gram3-comparative"][1:3] == ["42", str(42 - 12)]
    assert rows["semantic"][-2] == f"{100 * add.semantic.accuracy:.2f}%"
    assert "3CosAdd" in out and "3CosMul" in out and "98 questions, 72 covered" in out
    sim = evaluate_word_pairs(kv, files / "pairs.tsv")
    assert f"Spearman rho {sim.spearman:.4f}" in out and "on 4 of 5 pairs (1 with unknown words, 20.0%)" in out
    assert "(1 malformed lines skipped)" in out


def test_evaluate_options(files, capsys):
    status, out, _ = run(capsys, "evaluate", "-v", files / "vectors.txt", "-a", files / "questions.txt",
                         "--method", "cosmul", "--no-sections", "--restrict-vocab", "30", "--dummy4unknown")
    assert status == 0 and "3CosAdd" not in out and "capital-common" not in out
    assert "counted wrong" in out and "known: the first 30 words" in out
    status, _, err = run(capsys, "evaluate", "-v", files / "vectors.txt", "-s", files / "nope.tsv")
    one_line_error(status, err, "evaluate", "no such word-pair file")


def test_evaluate_defaults_to_the_demo_sets(files, capsys, monkeypatch):
    monkeypatch.setattr(vector_cmds, "demo_paths",
                        lambda: {"analogies": files / "questions.txt", "similarity": files / "pairs.tsv"})
    status, out, _ = run(capsys, "evaluate", "-v", files / "vectors.txt")
    assert status == 0 and "using the demo sets" in out and "Total accuracy" in out and "Spearman" in out
    status, out, _ = run(capsys, "plot", "-v", files / "vectors.txt", "--analogy-section", "gram3-comparative",
                         "--out", files / "comparatives.png")
    assert status == 0 and "6 pairs" in out  # wide:wider is not in the vocabulary


def test_plot_commands(files, capsys):
    status, out, _ = run(capsys, "plot", "-v", files / "vectors.txt", "--top", "30", "--out", files / "map.png")
    assert status == 0 and (files / "map.png").read_bytes().startswith(b"\x89PNG") and "30 words, tsne" in out
    status, out, _ = run(capsys, "plot", "-v", files / "vectors.txt", "--words", "paris", "France", "oslo",
                         "--method", "pca", "--out", files / "few.svg")
    assert status == 0 and "<svg" in (files / "few.svg").read_text()
    status, out, _ = run(capsys, "plot", "-v", files / "vectors.txt", "--pairs", "paris:france,oslo:norway",
                         "--out", files / "pairs.png")
    assert status == 0 and "2 pairs" in out
    status, out, _ = run(capsys, "plot", "-v", files / "vectors.txt", "--analogy-section", "capital-common",
                         "-a", files / "questions.txt", "--max-pairs", "5", "--out", files / "section.png")
    assert status == 0 and "5 pairs" in out and (files / "section.png").exists()


def test_plot_errors(files, capsys):
    status, _, err = run(capsys, "plot", "-v", files / "vectors.txt", "--out", files / "map.gif")
    one_line_error(status, err, "plot", "must end in")
    status, _, err = run(capsys, "plot", "-v", files / "vectors.txt", "--analogy-section", "nope",
                         "-a", files / "questions.txt")
    one_line_error(status, err, "plot", "no section 'nope'")
    status, _, err = run(capsys, "plot", "-v", files / "vectors.txt", "--pairs", "paris-france")
    one_line_error(status, err, "plot", "expected word:word")
    status, _, err = run(capsys, "plot", "-v", files / "vectors.txt", "--words", "paris", "tokyo")
    one_line_error(status, err, "plot", "tokyo")


def test_query_analogies_script(files, capsys):
    spec = importlib.util.spec_from_file_location("query_analogies", REPO / "scripts" / "query_analogies.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main([str(files / "vectors.txt"), "paris", "france", "london", "-n", "1"]) == 0
    assert capsys.readouterr().out.startswith("paris : france :: london : ?\n   1. ")
    assert script.main(["--help"]) == 0 and "VECTORS paris france london" in capsys.readouterr().out


def test_without_vectors_the_demo_glove_vectors_are_trained_once_and_cached(tmp_path, monkeypatch, capsys):
    from wordnet_lm.glove import demo
    from wordnet_lm.glove.train import GloVe

    monkeypatch.setenv("WORDNET_LM_CACHE", str(tmp_path))
    assert main(["analogy", "paris", "france", "berlin", "-n", "1"]) == 0
    captured = capsys.readouterr()
    assert "germany" in captured.out and "training GloVe vectors of the demo corpus" in captured.err
    assert demo.demo_vectors_path().is_file()

    def no_training(*args, **kwargs):
        raise AssertionError("trained again instead of reading the cache")

    monkeypatch.setattr(GloVe, "fit", no_training)
    assert main(["neighbors", "king", "-n", "1"]) == 0
    assert "queen" in capsys.readouterr().out
    demo.demo_vectors_path().write_bytes(b"damaged")  # a damaged cache is replaced, not an error
    monkeypatch.undo()
    monkeypatch.setenv("WORDNET_LM_CACHE", str(tmp_path))
    assert main(["similarity", "king", "queen"]) == 0
