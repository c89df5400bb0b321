"""Analogy and word-similarity evaluation: counting vs a brute-force re-telling of gensim's
rules, vs gensim itself where installed, correlations vs scipy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.vectors import (
    KeyedVectors,
    evaluate_word_analogies,
    evaluate_word_pairs,
    read_analogies,
)
from wordnet_lm.vectors import analogies as analogy_eval
from wordnet_lm.vectors import similarity as similarity_eval

from ._data import brute_force_analogies, structured_vectors, write_analogies


@pytest.fixture(scope="module")
def kv() -> KeyedVectors:
    return structured_vectors()


@pytest.fixture
def analogies(tmp_path):
    return write_analogies(tmp_path / "questions.txt")


# --------------------------------------------------------------------------- reading
def test_read_analogies(analogies):
    q = read_analogies(analogies)
    assert q.sections == ["capital-common", "gram3-comparative", "family-empty"]
    assert len(q.questions) == 8 * 7 + 7 * 6 and q.invalid_lines == 1
    assert q.questions[0] == ("Paris", "France", "London", "England")
    assert list(np.bincount(q.section_of)) == [56, 42]
    assert len(q.section("gram3-comparative")) == 42
    with pytest.raises(WordnetLMError, match="no section 'nope'"):
        q.section("nope")


@pytest.mark.parametrize("content,expected", [
    (b"", "no analogy questions"),
    (b": only-a-section\n\n", "no analogy questions"),
    (b"a b c d\n: s\n", ":1: question before the first ': section' line"),
    (b": s\na b c d\n\xff b c d\n", ":3: not UTF-8 text"),
    (b": s\na b c d\x00\n", ":2: binary data"),
])
def test_bad_analogy_files(tmp_path, content, expected):
    path = tmp_path / "q.txt"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=expected):
        read_analogies(path)
    with pytest.raises(InputFileError, match="no such analogy file"):
        read_analogies(tmp_path / "missing.txt")


def test_real_questions_words_file(shared):
    q = read_analogies(shared / "eval" / "questions-words.txt")
    assert len(q.sections) == 14 and len(q.questions) == 19_544 and q.invalid_lines == 0
    assert sum(not s.startswith("gram") for s in q.sections) == 5


# --------------------------------------------------------------------------- counting
@pytest.mark.parametrize("method", ["cosadd", "cosmul"])
@pytest.mark.parametrize("restrict", [None, 20, 36, 1000])
@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_analogy_counts_match_brute_force(kv, analogies, method, restrict, case_insensitive, dummy4unknown):
    result = evaluate_word_analogies(kv, analogies, restrict, case_insensitive, dummy4unknown, method)
    expected = brute_force_analogies(kv, analogies, restrict, case_insensitive, dummy4unknown, method)
    assert result.gensim_sections() == expected
    total = expected[-1]
    assert result.total.correct == len(total["correct"]) and result.total.incorrect == len(total["incorrect"])
    assert result.accuracy == pytest.approx(len(total["correct"]) / max(1, len(total["correct"]) + len(total["incorrect"])))


def test_the_data_is_informative(kv, analogies):
    """The brute-force comparison means something: some answers right, some wrong, some skipped."""
    for method in ("cosadd", "cosmul"):
        r = evaluate_word_analogies(kv, analogies, method=method)
        assert 0.25 < r.accuracy < 0.9 and r.total.oov > 0
    r = evaluate_word_analogies(kv, analogies, restrict_vocab=36)
    assert 0 < r.total.attempted < evaluate_word_analogies(kv, analogies).total.attempted


def test_semantic_syntactic_total_and_coverage(kv, analogies):
    r = evaluate_word_analogies(kv, analogies)
    by_name = {s.name: s for s in r.sections}
    assert by_name["family-empty"].attempted == 0 and by_name["family-empty"].accuracy == 0.0
    assert r.syntactic.correct == by_name["gram3-comparative"].correct
    assert r.semantic.correct == by_name["capital-common"].correct + by_name["family-empty"].correct
    assert r.semantic.oov == 14 and r.syntactic.oov == 12  # questions with tokyo/japan, wide/wider
    assert r.total.attempted == r.semantic.attempted + r.syntactic.attempted == len(r.status) - 26
    assert r.coverage == pytest.approx(1 - 26 / len(r.status))
    correct = [q for q, s in zip(r.questions.questions, r.status) if s == 1]
    assert all(p is not None and p.upper() == q[3].upper() for q, p, s in
               zip(r.questions.questions, r.predicted, r.status) if s == 1)
    assert len(correct) == r.total.correct
    assert all(p is None for p, oov in zip(r.predicted, r.oov) if oov)
    dummy = evaluate_word_analogies(kv, analogies, dummy4unknown=True)
    assert dummy.total.incorrect == r.total.incorrect + 26 and dummy.total.correct == r.total.correct
    shown = repr(r)  # a one-line summary, not thousands of questions
    assert f"correct={r.total.correct}, attempted={r.total.attempted}, oov=26" in shown and len(shown) < 250


def test_case_variant_of_a_query_word_is_passed_over(tmp_path):
    """gensim: a candidate whose upper-cased form is a query word is not an answer."""
    words = ["paris", "france", "london", "england", "Paris"]
    a, b, c = np.eye(4)[0], np.eye(4)[1], np.eye(4)[2]
    target = b - a + c
    vectors = [a, b, c, target + [0, 0, 0, 0.5], target + [0, 0, 0, 0.1]]  # "Paris" is the closest
    kv = KeyedVectors(words, np.array(vectors))
    path = tmp_path / "q.txt"
    path.write_text(": capitals\nparis france london england\n")
    assert evaluate_word_analogies(kv, path).predicted == ["england"]
    assert evaluate_word_analogies(kv, path).total.correct == 1
    sensitive = evaluate_word_analogies(kv, path, case_insensitive=False)
    assert sensitive.predicted == ["Paris"] and sensitive.total.correct == 0


def quirk_vectors(seed=0):
    """Nine case variants of the query words crowd the top 5; the expected word is far away."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.standard_normal((3, 6))
    target = b / np.linalg.norm(b) + c / np.linalg.norm(c) - a / np.linalg.norm(a)
    words = ["ab", "cd", "ef", "gh"] + ["Ab", "aB", "AB", "Cd", "cD", "CD", "Ef", "eF", "EF"]
    rows = [a, b, c, -target] + [target + 0.2 * rng.standard_normal(6) for _ in range(9)]
    return KeyedVectors(words, np.array(rows))


def test_no_acceptable_candidate_answers_the_last_of_the_top_five(tmp_path):
    kv = quirk_vectors()
    path = tmp_path / "q.txt"
    # second question expects a query word: gensim counts it right when the 5th candidate is its variant
    path.write_text(": s\nab cd ef gh\nab cd ef ab\nab cd ef cd\nab cd ef ef\n")
    for method in ("cosadd", "cosmul"):
        r = evaluate_word_analogies(kv, path, method=method)
        top5 = [w for w, _ in (kv.most_similar if method == "cosadd" else kv.most_similar_cosmul)(
            positive=["cd", "ef"], negative=["ab"], topn=5)]
        assert all(w.upper() in ("AB", "CD", "EF") for w in top5)
        assert r.predicted == [top5[-1]] * 4
        assert r.status.tolist() == [int(top5[-1].upper() == e) for e in ("GH", "AB", "CD", "EF")]
        assert r.gensim_sections() == brute_force_analogies(kv, path, None, True, False, method)


def test_tiny_restrict_vocab_leaves_no_candidate(tmp_path):
    kv = KeyedVectors(["a", "b", "c", "d"], np.random.default_rng(0).standard_normal((4, 3)))
    path = tmp_path / "q.txt"
    path.write_text(": s\na b c a\n")
    r = evaluate_word_analogies(kv, path, restrict_vocab=3)
    assert r.predicted == [None] and r.total.incorrect == 1
    with pytest.raises(WordnetLMError, match="restrict_vocab"):
        evaluate_word_analogies(kv, path, restrict_vocab=0)
    with pytest.raises(WordnetLMError, match="no vectors"):
        evaluate_word_analogies(KeyedVectors([], np.zeros((0, 3))), path)
    with pytest.raises(WordnetLMError, match="unknown analogy method"):
        evaluate_word_analogies(kv, path, method="3cosavg")


@pytest.mark.parametrize("method", ["cosadd", "cosmul"])
def test_chunking_does_not_change_answers(kv, analogies, monkeypatch, method):
    whole = evaluate_word_analogies(kv, analogies, method=method)
    monkeypatch.setattr(analogy_eval, "_CHUNK_CELLS", 3 * len(kv))  # three questions per chunk
    chunked = evaluate_word_analogies(kv, analogies, method=method)
    monkeypatch.setattr(analogy_eval, "_TABLE_CELLS", 0)  # a cosine table per chunk
    per_chunk_tables = evaluate_word_analogies(kv, analogies, method=method)
    assert chunked.predicted == whole.predicted == per_chunk_tables.predicted


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("restrict", [300_000, 20, 36])
@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_same_counts_as_gensim(kv, analogies, restrict, case_insensitive, dummy4unknown):
    gensim_models = pytest.importorskip("gensim.models")
    g = gensim_models.KeyedVectors(kv.vector_size)
    g.add_vectors(kv.index_to_key, kv.vectors)
    score, sections = g.evaluate_word_analogies(str(analogies), restrict, case_insensitive, dummy4unknown)
    ours = evaluate_word_analogies(kv, analogies, restrict, case_insensitive, dummy4unknown)
    assert ours.gensim_sections() == sections
    assert ours.accuracy == pytest.approx(score)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_gensim_quirks_agree(tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    kv = quirk_vectors(seed=4)
    path = tmp_path / "q.txt"
    path.write_text(": s\nab cd ef gh\nab cd ef ab\nab cd ef cd\nab cd ef ef\n")
    g = gensim_models.KeyedVectors(kv.vector_size)
    g.add_vectors(kv.index_to_key, kv.vectors)
    assert evaluate_word_analogies(kv, path).gensim_sections() == g.evaluate_word_analogies(str(path))[1]


# --------------------------------------------------------------------------- word similarity
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.floats(-5, 5, allow_nan=False)), min_size=3, max_size=30))
def test_correlations_match_scipy(points):
    x = np.array([p[0] for p in points], float)  # small integers: many ties
    y = np.array([p[1] for p in points], float)
    np.testing.assert_allclose(similarity_eval.average_ranks(x), scipy.stats.rankdata(x))
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert np.isnan(similarity_eval.spearman(x, y)) and np.isnan(similarity_eval.pearson(x, y))
        return
    assert similarity_eval.spearman(x, y) == pytest.approx(scipy.stats.spearmanr(x, y).statistic, abs=1e-9)
    assert similarity_eval.pearson(x, y) == pytest.approx(scipy.stats.pearsonr(x, y).statistic, abs=1e-9)


def write_pairs(tmp_path, kv):
    lines = ["# a comment", "Word 1\tWord 2\tHuman (mean)"]  # the header line is malformed: skipped
    rng = np.random.default_rng(1)
    words = kv.index_to_key
    for k in range(40):
        a, b = rng.choice(len(words), 2)
        lines.append(f"{words[a].upper() if k % 3 == 0 else words[a]}\t{words[b]}\t{rng.integers(0, 5)}")
    lines += ["tokyo\tparis\t3.5", "paris\tunknownword\t2", "", "too\tmany\tfields\there"]
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_word_pairs_against_scipy(kv, tmp_path):
    path = write_pairs(tmp_path, kv)
    r = evaluate_word_pairs(kv, path)
    assert r.invalid_lines == 2 and r.n_valid == 42 and r.n_oov == 2 and r.n_pairs == 40
    assert r.oov_ratio == pytest.approx(2 / 42)
    gold = [float(line.split("\t")[2]) for line in path.read_text().splitlines()[2:42]]
    first_variant = {}  # gensim: a word stands for its first (most frequent) case variant
    for w in reversed(kv.index_to_key):
        first_variant[w.upper()] = w
    model = []
    for line in path.read_text().splitlines()[2:42]:
        a, b, _ = line.split("\t")
        model.append(kv.similarity(first_variant[a.upper()], first_variant[b.upper()]))
    assert r.spearman == pytest.approx(scipy.stats.spearmanr(gold, model).statistic, abs=1e-6)
    assert r.pearson == pytest.approx(scipy.stats.pearsonr(gold, model).statistic, abs=1e-6)
    dummy = evaluate_word_pairs(kv, path, dummy4unknown=True)
    assert dummy.n_pairs == 42 and dummy.oov_ratio == pytest.approx(2 / 42)
    assert dummy.spearman == pytest.approx(scipy.stats.spearmanr(gold + [3.5, 2], model + [0, 0]).statistic)
    sensitive = evaluate_word_pairs(kv, path, case_insensitive=False)
    assert sensitive.n_oov > r.n_oov


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_word_pairs_same_as_gensim(kv, tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    path = write_pairs(tmp_path, kv)
    g = gensim_models.KeyedVectors(kv.vector_size)
    g.add_vectors(kv.index_to_key, kv.vectors)
    for restrict in (300_000, 30):
        pearson, spearman, oov = g.evaluate_word_pairs(str(path), restrict_vocab=restrict)
        r = evaluate_word_pairs(kv, path, restrict_vocab=restrict)
        assert r.spearman == pytest.approx(spearman.statistic, abs=1e-6)
        assert r.pearson == pytest.approx(pearson.statistic, abs=1e-6)
        assert 100 * r.oov_ratio == pytest.approx(oov)


def test_space_separated_pairs_and_bad_files(kv, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("paris france 9\nbig small 2\nbig bigger 8\n")
    r = evaluate_word_pairs(kv, path)
    assert r.n_pairs == 3 and r.invalid_lines == 0
    path.write_text("# nothing\n")
    with pytest.raises(InputFileError, match="no word pairs"):
        evaluate_word_pairs(kv, path)
    path.write_bytes(b"a\tb\t1\n\xff\tb\t2\n")
    with pytest.raises(InputFileError, match=":2: not UTF-8"):
        evaluate_word_pairs(kv, path)
    with pytest.raises(InputFileError, match="no such word-pair file"):
        evaluate_word_pairs(kv, tmp_path / "missing.tsv")


def test_all_pairs_unknown_gives_nan_not_a_crash(kv, tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("tokyo\tkyoto\t5\n")
    r = evaluate_word_pairs(kv, path)
    assert r.n_pairs == 0 and r.n_oov == 1 and np.isnan(r.spearman)


def test_real_wordsim_file(shared):
    pairs, invalid = similarity_eval.read_word_pairs(shared / "eval" / "wordsim353.tsv")
    assert len(pairs) == 353 and invalid == 0
    assert pairs[0] == ("love", "sex", 6.77)
