"""ARPA export/import: round trips, an independent backoff scorer, KenLM itself, bad files."""

import gzip
import math
import numpy as np
import pytest

from .conftest import corpus_of, fitted
from .ngram_reference import arpa_sentence_logprob10, parse_arpa
from wordnet_lm.errors import ModelFileError
from wordnet_lm.ngram import load_model, read_arpa
from wordnet_lm.ngram.smoothing import SMOOTHING

LOG10 = math.log(10)


def words_of(model, sentence):
    return [model.vocab_.words[w] for w in sentence]


@pytest.mark.parametrize("name", list(SMOOTHING))
def test_round_trip_gives_the_same_scores(name, small, tmp_path):
    _, test, _ = small
    model = fitted(name, 3, small)
    model.to_arpa(tmp_path / "m.arpa")
    loaded = load_model(tmp_path / "m.arpa")
    assert loaded.n_ngrams() == model.n_ngrams() and loaded.vocab_ == model.vocab_
    ours, theirs = model.token_logprobs(corpus_of(test)), loaded.token_logprobs(corpus_of(test))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs))
    finite = np.isfinite(ours)
    np.testing.assert_allclose(theirs[finite], ours[finite], rtol=0, atol=1e-6)


@pytest.mark.parametrize("name, order", [("mkn", 3), ("mkn", 1), ("kn", 4), ("jelinek-mercer", 2), ("add-k", 3)])
def test_independent_backoff_scorer_agrees(name, order, small, tmp_path):
    _, test, _ = small
    model = fitted(name, order, small)
    model.to_arpa(tmp_path / "m.arpa")
    top, entries = parse_arpa((tmp_path / "m.arpa").read_text())
    assert top == order
    known = set(model.vocab_.words)
    expected = [arpa_sentence_logprob10(top, entries, words_of(model, s), known) for s in test]
    np.testing.assert_allclose(model.sentence_logprobs(corpus_of(test)) / LOG10, expected, atol=1e-5)


def test_kenlm_reads_our_files_and_scores_the_same(small, tmp_path):
    kenlm = pytest.importorskip("kenlm")
    _, test, _ = small
    model = fitted("mkn", 3, small)
    model.to_arpa(tmp_path / "m.arpa")
    lm = kenlm.Model(str(tmp_path / "m.arpa"))
    sentences = [" ".join(words_of(model, s)) for s in test]
    per_token = np.concatenate([[score for score, _, _ in lm.full_scores(s, bos=True, eos=True)] for s in sentences])
    np.testing.assert_allclose(model.token_logprobs(corpus_of(test)) / LOG10, per_token, atol=1e-4)
    np.testing.assert_allclose(model.sentence_logprobs(corpus_of(test)) / LOG10,
                               [lm.score(s, bos=True, eos=True) for s in sentences], atol=1e-4)


UNIFORM = """some header text a tool may write
\\data\\
ngram 1=5

\\1-grams:
-0.60205999	<unk>
-99	<s>
-0.60205999	</s>
-0.60205999	a
-0.60205999	b

\\end\\
"""


def test_uniform_model_has_perplexity_vocabulary_size(tmp_path):
    (tmp_path / "u.arpa").write_text(UNIFORM)
    model = load_model(tmp_path / "u.arpa")
    corpus = model.vocab_.encode([["a", "b", "a"], ["b"], ["zzz", "a"]])
    result = model.perplexity(corpus)
    assert math.isclose(result.perplexity, 4, rel_tol=1e-7)  # <unk>, </s>, a, b
    assert math.isclose(result.perplexity_excl_oov, 4, rel_tol=1e-7)
    assert (result.n_predictions, result.n_oov, result.n_sentences) == (9, 1, 3)


def test_missing_contexts_are_added_with_their_backoff_probability(tmp_path):
    text = """\\data\\
ngram 1=4
ngram 2=1
ngram 3=1

\\1-grams:
-0.5	<s>	-0.1
-0.7	</s>
-0.4	a	-0.2
-0.9	b	-0.3

\\2-grams:
-0.25	<s> a	-0.05

\\3-grams:
-0.15	a b a

\\end\\
"""
    (tmp_path / "gap.arpa").write_text(text)
    model = load_model(tmp_path / "gap.arpa")
    assert model.n_ngrams() == [5, 2, 1]  # <unk> added; "a b" added as the context of "a b a"
    assert model.vocab_.words[:3] == ["<unk>", "<s>", "</s>"]
    top, entries = parse_arpa(text)
    known = set(model.vocab_.words) - {"<unk>"}
    for sentence in (["a", "b", "a"], ["b", "a", "b", "a", "a"], ["a"], []):
        corpus = model.vocab_.encode([sentence])
        assert math.isclose(model.sentence_logprobs(corpus)[0] / LOG10,
                            arpa_sentence_logprob10(top, entries, sentence, known), abs_tol=1e-9)
    assert model.logprob(["x"], "zzz") == -math.inf  # no <unk> in the file: probability 0


def test_gzip_files_are_read(tmp_path):
    (tmp_path / "u.arpa.gz").write_bytes(gzip.compress(UNIFORM.encode()))
    assert len(load_model(tmp_path / "u.arpa.gz").vocab_) == 5


@pytest.mark.parametrize("text, match", [
    ("hello world\n", "no \\\\data\\\\"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s>\n", "has 1 lines where \\\\data\\\\ announced 2"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s>\n-1\t</s>\n", "expected \\\\end\\\\"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s>\n-1\t</s>\n-1\ta\n\\end\\\n", "has 3 lines where"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s>\nx\t</s>\n\\end\\\n", ":6: not a number"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s>\n2\t</s>\n\\end\\\n", "<= 0"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s>\n-1\tx\n\\end\\\n", "lack </s>"),
    ("\\data\\\nngram 1=2\nngram 2=1\n\n\\1-grams:\n-1\t<s>\n-1\t</s>\n\n\\2-grams:\n-1\t<s> q\n\\end\\\n",
     "'q', absent from the 1-grams"),
    ("\\data\\\nngram 1=2\nngram 2=2\n\n\\1-grams:\n-1\t<s>\n-1\t</s>\n\n\\2-grams:\n-1\t<s> </s>\n-2\t<s> </s>\n"
     "\\end\\\n", "occurs twice"),
    ("\\data\\\nngram 1=2\n\n\\2-grams:\n-1\t<s>\n-1\t</s>\n\\end\\\n", "expected the \\\\1-grams: section"),
    ("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<s> x y\n-1\t</s>\n\\end\\\n", "expected log10 probability, 1 word"),
])
def test_malformed_files_raise_one_clear_error(text, match, tmp_path):
    path = tmp_path / "bad.arpa"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=match) as error:
        read_arpa(path)
    assert "bad.arpa" in str(error.value) and "\n" not in str(error.value)


def test_binary_missing_and_directory_paths(tmp_path):
    (tmp_path / "bin.arpa").write_bytes(b"\xff\xfe\x00\x81 binary")
    with pytest.raises(ModelFileError, match="not UTF-8"):
        read_arpa(tmp_path / "bin.arpa")
    with pytest.raises(ModelFileError, match="no such"):
        load_model(tmp_path / "missing.arpa")
    with pytest.raises(ModelFileError, match="directory"):
        load_model(tmp_path)
