"""NLTK-format corpora: each layout on small synthetic zips, then the real zips in ../shared."""

from __future__ import annotations

import itertools
import zipfile
from collections import Counter

import pytest
from .conftest import make_zip

from wordnet_lm.errors import InputFileError
from wordnet_lm.text import read_sentences
from wordnet_lm.text.layouts import NLTK_LAYOUTS, sniff_format, strip_tags, tree_sentences
from wordnet_lm.text.tokenize import tokenize_lines

MRG = """
( (S
    (NP-SBJ (NNP Pierre) (NNP Vinken) )
    (VP (MD will)
      (VP (VB join) (NP (DT the) (NN board) ) (NP-TMP (-NONE- *T*-1) )))
    (. .) ))
( (S (NP-SBJ (-LRB- -LRB-) (PRP It) (-RRB- -RRB-) ) (VP (VBZ is) ) (. .) ))
"""


def test_tagged_lines_lose_their_tags():
    assert strip_tags("The/at jury/nn said/vbd 1/2/cd ./.") == "The jury said 1/2 ."
    assert strip_tags("[ the/DT board/NN ] ,/,").split() == ["the", "board", ","]


def test_treebank_trees_drop_traces_and_restore_brackets():
    assert tree_sentences(MRG) == ["Pierre Vinken will join the board .", "( It ) is ."]


def test_brown_like_zip(tmp_path):
    path = make_zip(tmp_path / "brown.zip", {
        "brown/README": "The Brown Corpus\n", "brown/cats.txt": "ca01 news\n", "brown/CONTENTS": "x\n",
        "brown/ca02": "\n\n\tHe/pps ran/vbd ./.\n\n",
        "brown/ca01": "\n\n\tThe/at Fulton/np-tl jury/nn said/vbd ./.\n\n\n\tIt/pps did/dod ./.\n",
    })
    assert list(read_sentences(path)) == [["The", "Fulton", "jury", "said", "."], ["It", "did", "."],
                                          ["He", "ran", "."]]
    assert list(read_sentences(path, tokenizer="word")) == [["the", "fulton", "jury", "said"], ["it", "did"],
                                                            ["he", "ran"]]


def test_treebank_like_zip_reads_combined_trees_only(tmp_path):
    path = make_zip(tmp_path / "treebank.zip", {
        "treebank/combined/README": "readme\n", "treebank/combined/wsj_0001.mrg": MRG,
        "treebank/raw/wsj_0001": ".START\n\nPierre Vinken will join the board.\n",
        "treebank/tagged/wsj_0001.pos": "[ Pierre/NNP ]\n", "treebank/parsed/wsj_0001.prd": MRG,
    })
    assert list(read_sentences(path)) == [["Pierre", "Vinken", "will", "join", "the", "board", "."],
                                          ["(", "It", ")", "is", "."]]


def test_raw_text_corpus_zip_splits_sentences_and_falls_back_to_its_encoding(tmp_path):
    path = make_zip(tmp_path / "inaugural.zip", {
        "inaugural/1789-Washington.txt": "Fellow-Citizens of the Senate:\n\nAmong the vicissitudes. I was summoned.\n",
        "inaugural/2005-Bush.txt": "Vice President Cheney, Mr. Chief Justice \u2014 caf\u00e9.\n".encode("cp1252"),
    })
    assert list(read_sentences(path)) == [
        ["Fellow-Citizens", "of", "the", "Senate", ":"], ["Among", "the", "vicissitudes", "."],
        ["I", "was", "summoned", "."], ["Vice", "President", "Cheney", ",", "Mr", ".", "Chief", "Justice", "\u0097",
                                        "café", "."]]


def test_movie_reviews_like_zip_reads_both_classes_and_skips_the_readme(tmp_path):
    path = make_zip(tmp_path / "movie_reviews.zip", {
        "movie_reviews/README": "not text\n", "movie_reviews/pos/cv000_1.txt": "a great film .\n",
        "movie_reviews/neg/cv000_2.txt": "dull , dull , dull .\nskip it .\n",
    })
    assert list(read_sentences(path)) == [["dull", ",", "dull", ",", "dull", "."], ["skip", "it", "."],
                                          ["a", "great", "film", "."]]


def test_unknown_zip_layout_is_sniffed_per_file(tmp_path):
    path = make_zip(tmp_path / "mystery.zip", {
        "mystery/LICENSE": "free\n", "mystery/a.pos": "The/DT cat/NN sat/VBD ./.\n",
        "mystery/b.txt": "plain words here\n", "mystery/c.mrg": MRG, "mystery/meta.xml": "<x/>\n",
    })
    assert list(read_sentences(path)) == [["The", "cat", "sat", "."], ["plain", "words", "here"],
                                          ["Pierre", "Vinken", "will", "join", "the", "board", "."],
                                          ["(", "It", ")", "is", "."]]
    assert sniff_format("x.txt", "a/b c/d e/f") == "tagged" and sniff_format("x.txt", "and/or not") == "plain"


def test_zip_without_a_top_directory(tmp_path):
    path = make_zip(tmp_path / "flat.zip", {"one.txt": "first line\n", "two.txt": "second line\n"})
    assert list(read_sentences(path)) == [["first", "line"], ["second", "line"]]


def test_unknown_zip_with_non_utf8_member_is_an_error(tmp_path):
    path = make_zip(tmp_path / "odd.zip", {"odd/a.txt": "caf\u00e9\n".encode("latin-1")})
    with pytest.raises(InputFileError, match="odd.zip:odd/a.txt: not UTF-8"):
        list(read_sentences(path))


def test_zip_without_text(tmp_path):
    path = make_zip(tmp_path / "brown.zip", {"brown/README": "only docs\n"})
    with pytest.raises(InputFileError, match="zip holds no text files"):
        list(read_sentences(path))


def test_unpacked_nltk_corpus_directory_uses_the_layout(tmp_path):
    root = tmp_path / "brown"
    root.mkdir()
    (root / "ca01").write_text("The/at jury/nn ./.\n")
    (root / "cats.txt").write_text("ca01 news\n")
    assert list(read_sentences(root)) == [["The", "jury", "."]]


# ------------------------------------------------------------------ the real zips
def _zip_text(path, select, encoding):
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if select(n)):
            data = z.read(name)
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                yield data.decode(encoding)


def test_shared_brown_matches_a_tag_stripping_reference(shared, tmp_path):
    with zipfile.ZipFile(shared / "corpora" / "brown.zip") as z:
        names = sorted(n for n in z.namelist() if n[6:7] == "c" and n[7:8].isalpha() and len(n) == 10)[::40]
        path = make_zip(tmp_path / "brown.zip", {n: z.read(n) for n in names + ["brown/README", "brown/cats.txt"]})
    reference = [[t.rsplit("/", 1)[0] for t in line.split()]
                 for text in _zip_text(path, lambda n: n in names, "ascii") for line in text.splitlines() if line.strip()]
    assert len(reference) > 1000 and list(read_sentences(path)) == reference


def test_shared_brown_has_nltks_token_count_and_word_tokenizes_like_nltk_mix(shared):
    """nltk-mix.txt (made by an independent script) starts with Brown, word-tokenised."""
    brown = list(read_sentences(shared / "corpora" / "brown.zip"))
    assert sum(map(len, brown)) == 1_161_192  # len(nltk.corpus.brown.words())
    mine = [" ".join(s) for s in tokenize_lines([" ".join(s) for s in brown], "word", drop_empty=True)]
    with open(shared / "corpora" / "nltk-mix.txt", encoding="utf-8") as f:
        reference = [next(f).rstrip("\n") for _ in range(len(mine))]
    assert len(mine) > 50_000 and mine == reference


@pytest.mark.parametrize("name, sentences, tokens", [
    ("treebank", 3914, None), ("movie_reviews", None, None), ("abc", None, None), ("inaugural", None, None),
    ("state_union", None, None), ("webtext", None, None)])
def test_shared_zips_read_sensibly(shared, name, sentences, tokens):
    path = shared / "corpora" / f"{name}.zip"
    got = list(read_sentences(path)) if sentences or name == "movie_reviews" else \
        list(itertools.islice(read_sentences(path), 20_000))
    n_tokens = sum(map(len, got))
    if sentences is not None:
        assert len(got) == sentences
    if name == "movie_reviews":  # tokenised, one sentence per line: compare with a line count
        lines = [line.split() for text in _zip_text(path, lambda n: n.endswith(".txt") and "/" in n[14:], "ascii")
                 for line in text.splitlines() if line.strip()]
        assert got == lines
    layout = NLTK_LAYOUTS[name]
    if layout.tokenizer == "wordpunct":  # raw text: no token glues a word to punctuation
        counts = Counter(t for s in got for t in s)
        assert counts["."] > 0.02 * n_tokens
        assert not any(t.endswith((".", ",")) and len(t) > 1 and t[:-1].isalpha() for t in counts)
    assert n_tokens > 50_000 and all(got)



def test_shared_treebank_matches_nltk(shared, tmp_path, monkeypatch):
    nltk = pytest.importorskip("nltk")
    from nltk.corpus.reader import BracketParseCorpusReader

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)] + list(nltk.data.path))
    with zipfile.ZipFile(shared / "corpora" / "treebank.zip") as z:
        z.extractall(tmp_path, [n for n in z.namelist() if n.startswith("treebank/combined/wsj_000")])
    reader = BracketParseCorpusReader(str(tmp_path / "treebank" / "combined"), r"wsj_000\d\.mrg")
    brackets = {"-LRB-": "(", "-RRB-": ")", "-LCB-": "{", "-RCB-": "}"}
    expected = [[brackets.get(w, w) for w, tag in sent if tag != "-NONE-"] for sent in reader.tagged_sents()]
    mine = list(read_sentences(tmp_path / "treebank" / "combined"))
    assert len(mine) > 20 and mine == [s for s in expected if s]
