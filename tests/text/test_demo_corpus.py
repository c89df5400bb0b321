"""The demo corpus: deterministic, consistent with its hidden facts, evaluation files usable."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from wordnet_lm.text import default_corpus, demo_paths
from wordnet_lm.text.demo import (
    ANIMALS,
    COUNTRIES,
    DEMO_FILES,
    REPO_DEMO_DIR,
    demo_texts,
)
from wordnet_lm.text.demo import cache as demo_cache


@pytest.fixture(scope="module")
def texts():
    return demo_texts()


@pytest.fixture(scope="module")
def train_lines(texts):
    return texts["train.txt"].splitlines()


def test_committed_files_equal_a_fresh_generation_byte_for_byte(texts):
    for name in DEMO_FILES:
        assert (REPO_DEMO_DIR / name).read_text(encoding="utf-8") == texts[name], name


def test_another_seed_gives_another_corpus(texts):
    assert demo_texts(seed=7)["train.txt"] != texts["train.txt"]


def test_size_and_vocabulary(texts):
    tokens = {name: texts[name].split() for name in ("train.txt", "valid.txt", "test.txt")}
    assert 150_000 <= sum(map(len, tokens.values())) <= 300_000
    assert 500 <= len(set(tokens["train.txt"])) <= 2000
    assert sum(len(t.encode()) for t in texts.values()) < 2_000_000
    assert set(tokens["test.txt"]) <= set(tokens["train.txt"])  # closed vocabulary


def test_country_facts_are_consistent(train_lines):
    capital_of = {c.capital: c.name for c in COUNTRIES}
    language_of = {c.capital: c.language for c in COUNTRIES} | {c.name: c.language for c in COUNTRIES}
    checked = 0
    for line in train_lines:
        if m := re.fullmatch(r"the capital of (\w+) is (\w+) \.", line):
            assert capital_of[m[2]] == m[1]
            checked += 1
        if m := re.fullmatch(r"in (\w+) people speak (\w+) \.", line):
            assert language_of[m[1]] == m[2]
            checked += 1
        if m := re.search(r"(?:live|lives) in (\w+) and (?:speak|speaks) (\w+)", line):
            assert language_of[m[1]] == m[2]
            checked += 1
    assert checked > 1000


def test_comparisons_agree_with_hidden_attributes(train_lines):
    size = {a.singular: s for a, s, _ in ANIMALS}
    speed = {a.singular: v for a, _, v in ANIMALS}
    area = {c.name: c.area for c in COUNTRIES}
    checked = 0
    for line in train_lines:
        if m := re.fullmatch(r"the (\w+) is (bigger|smaller|faster|slower) than the (\w+) \.", line):
            a, relation, b = m.groups()
            key = speed if relation in ("faster", "slower") else size
            assert (key[a] > key[b]) == (relation in ("bigger", "faster")), line
            checked += 1
        if m := re.fullmatch(r"(\w+) is (larger|smaller) than (\w+) \.", line):
            a, relation, b = m.groups()
            assert (area[a] > area[b]) == (relation == "larger"), line
            checked += 1
    assert checked > 300


def test_tense_and_number_agreement(train_lines):
    for line in train_lines:
        words = line.split()
        if words[0] == "tomorrow":
            assert "will" in words, line
        if m := re.match(r"the (\w+) who (lives?) in \w+ (speaks?) ", line):
            assert (m[2] == "lives") == (m[3] == "speaks"), line
        if m := re.match(r"(\w+ )?the (king|queen|kings|queens) said that (he|she|they) ", line):
            assert {"king": "he", "queen": "she"}.get(m[2], "they") == m[3], line


def test_analogy_file_uses_corpus_words_in_questions_words_format(texts):
    vocab = set(texts["train.txt"].split())
    sections = Counter()
    section = None
    for line in texts["analogies.txt"].splitlines():
        if line.startswith(": "):
            section = line[2:]
            continue
        words = line.split()
        assert len(words) == 4 and set(words) <= vocab, line
        sections[section] += 1
    assert {"capital-common-countries", "family", "gram8-plural", "gram7-past-tense"} <= set(sections)
    assert all(n >= 100 for n in sections.values())


def test_similarity_file(texts):
    vocab = set(texts["train.txt"].split())
    rows = [line.split("\t") for line in texts["similarity.tsv"].splitlines() if not line.startswith("#")]
    assert len(rows) == 300
    for a, b, score in rows:
        assert a in vocab and b in vocab and 0 <= float(score) <= 10
    assert len({float(s) for _, _, s in rows}) > 5


def test_demo_paths_fall_back_to_a_generated_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_cache, "REPO_DEMO_DIR", tmp_path / "no-checkout")
    monkeypatch.setenv("WORDNET_LM_CACHE", str(tmp_path / "cache"))
    paths = demo_paths()
    assert paths["train"] == tmp_path / "cache" / "wordnet_lm" / "demo" / "train.txt"
    assert paths["train"].read_text() == (REPO_DEMO_DIR / "train.txt").read_text()
    assert default_corpus() == paths["train"]
