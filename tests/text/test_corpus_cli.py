"""``wordnet-lm corpus ...`` end to end through ``wordnet_lm.cli.main``."""

from __future__ import annotations

from .conftest import zip_bytes

from wordnet_lm.cli import main
from wordnet_lm.text.vocab import Vocab


def test_info_on_the_default_demo_corpus(capsys):
    assert main(["corpus", "info", "--min-count", "50"]) == 0
    out = capsys.readouterr().out
    assert "corpora/demo/train.txt" in out and "sentences   24,000" in out
    assert "OOV" in out and "top words   the" in out


def test_info_counts_match_the_file(tmp_path, capsys):
    path = tmp_path / "c.txt"
    path.write_text("a b a\nc a\n\nb\n")
    assert main(["corpus", "info", str(path), "--min-count", "2"]) == 0
    out = capsys.readouterr().out
    assert "sentences   3\n" in out and "tokens      6  (mean 2.0, max 3 per sentence)" in out
    assert "types       3  (1 seen once)" in out
    assert "vocabulary  2 words with min_count=2" in out and "OOV         1 tokens (16.67%)" in out


def test_vocab_writes_a_loadable_file(tmp_path, capsys):
    path = tmp_path / "c.txt"
    path.write_text("The cat. The dog!\nthe end\n")
    out = tmp_path / "vocab.txt"
    assert main(["corpus", "vocab", str(path), "--tokenizer", "word", "--min-count", "2", "--out", str(out)]) == 0
    assert Vocab.load(out).words == ["<unk>", "<s>", "</s>", "the"]
    assert "4 entries" in capsys.readouterr().out


def test_errors_are_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["corpus", "info", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{empty}: empty file" in err
    assert main(["corpus", "vocab", "demo", "--min-count", "100000", "--out", str(tmp_path / "v.txt")]) == 2
    assert "empty vocabulary" in capsys.readouterr().err
    assert not (tmp_path / "v.txt").exists()


def test_download_from_a_local_index(nltk_server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    nltk_server.add_package("tiny", zip_bytes({"tiny/a.txt": "one two\n"}))
    assert main(["corpus", "download", "tiny", "--data-dir", str(tmp_path / "data"),
                 "--index-url", nltk_server.index_url]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "data" / "corpora" / "tiny.zip")


def test_demo_regenerates_the_committed_files(tmp_path, capsys):
    from wordnet_lm.text.demo import REPO_DEMO_DIR

    assert main(["corpus", "demo", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "train.txt").read_bytes() == (REPO_DEMO_DIR / "train.txt").read_bytes()
