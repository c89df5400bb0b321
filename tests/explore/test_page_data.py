"""What the explorer page is built from: encodings, label files, colour groups, the data blob."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.explore import (
    ExplorerSettings,
    write_explorer,
    decode_vectors,
    encode_vectors,
    explorer_data,
    kmeans_groups,
    label_groups,
    read_label_file,
    render_explorer,
)
from wordnet_lm.explore import page as explorer_page
from wordnet_lm.explore.encoding import unit_rows
from wordnet_lm.vectors import KeyedVectors

finite = st.floats(-1e3, 1e3, allow_nan=False, width=32)


@given(arrays(np.float32, st.tuples(st.integers(1, 12), st.integers(1, 9)), elements=finite))
def test_encodings_keep_directions(vectors):
    units = unit_rows(vectors)
    np.testing.assert_allclose(np.linalg.norm(units[np.linalg.norm(vectors, axis=1) > 0], axis=1), 1, rtol=1e-5)
    half = decode_vectors(encode_vectors(vectors, "float16"), vectors.shape[1], "float16")
    np.testing.assert_allclose(half, units, atol=1e-3)
    small = decode_vectors(encode_vectors(vectors, "int8"), vectors.shape[1], "int8")
    np.testing.assert_allclose(small, units, atol=0.5 / 127 + 1e-6)


def test_zero_rows_stay_zero_and_unknown_encoding():
    vectors = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(decode_vectors(encode_vectors(vectors), 2), [[0, 0], [0.6, 0.8]], atol=3e-4)
    with pytest.raises(WordnetLMError, match="unknown vector encoding"):
        encode_vectors(vectors, "float8")


def test_label_file(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("# word\tlabel\nparis\tcapital\n\nfrance\tcountry\nrome\tcapital\n", "utf-8")
    labels = read_label_file(path)
    assert labels == {"paris": "capital", "france": "country", "rome": "capital"}
    ids, names = label_groups(["rome", "the", "france", "paris"], labels)
    assert names == ["capital", "country"] and ids.tolist() == [0, -1, 1, 0]
    with pytest.raises(WordnetLMError, match="no word on the map"):
        label_groups(["the", "a"], labels)


@pytest.mark.parametrize("content, message", [
    (b"paris capital\n", r"labels.tsv:1: expected word<TAB>label"),
    (b"paris\tcapital\nrome\t\n", r"labels.tsv:2"),
    (b"\x00\x01", "binary"),
    (b"\xff\xfe", "not UTF-8"),
    (b"# only a comment\n", "no word<TAB>label lines"),
])
def test_bad_label_files(tmp_path, content, message):
    path = tmp_path / "labels.tsv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_label_file(path)


def test_missing_label_file(tmp_path):
    with pytest.raises(InputFileError, match="no such label file"):
        read_label_file(tmp_path / "nope.tsv")


def test_kmeans_finds_planted_clusters():
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 10
    points = np.concatenate([c + rng.normal(size=(20, 3)) for c in centres])
    ids = kmeans_groups(unit_rows(points), 3)
    for k in range(3):  # each planted cluster is one group, all three distinct
        assert len(set(ids[20 * k:20 * (k + 1)])) == 1
    assert len(set(ids)) == 3


def small_kv(n=40, dim=5, seed=0) -> KeyedVectors:
    rng = np.random.default_rng(seed)
    words = ["<unk>"] + [f"w{i}" for i in range(n - 1)]
    return KeyedVectors(words, rng.normal(size=(n, dim)), counts=np.arange(n, 0, -1) * 10)


def test_explorer_data_records_settings_and_drops_specials():
    kv = small_kv()
    data = explorer_data(kv, ExplorerSettings(top=30, method="pca", clusters=4), source="small")
    assert data["words"] == [f"w{i}" for i in range(30)] and "<unk>" not in data["words"]
    assert data["counts"] == kv.counts[1:31].tolist()
    coords = np.frombuffer(__import__("base64").b64decode(data["coords"]), "<f4").reshape(-1, 2)
    assert coords.shape == (30, 2) and np.abs(coords).max() == pytest.approx(1.0)
    assert set(data["groups"]["kmeans"]["ids"]) <= set(range(4))
    settings = data["settings"]
    assert (settings["method"], settings["top"], settings["source"], settings["vocabulary"]) == ("pca", 30, "small", 40)
    assert data["notice"] is None
    np.testing.assert_allclose(decode_vectors(data["vectors"], 5), unit_rows(kv.vectors[1:31]), atol=1e-3)


def test_tsne_map_is_recorded_with_its_perplexity():
    data = explorer_data(small_kv(), ExplorerSettings(top=25, method="tsne", perplexity=5, seed=3))
    assert (data["settings"]["method"], data["settings"]["perplexity"], data["settings"]["seed"]) == ("tsne", 5, 3)


def test_more_words_than_a_page_holds_are_capped_with_a_message(monkeypatch):
    monkeypatch.setattr(explorer_page, "MAX_WORDS", 20)
    data = explorer_data(small_kv(), ExplorerSettings(top=35, method="pca"))
    assert len(data["words"]) == 20
    assert "showing the 20 most frequent of 40 words" in data["notice"]


@pytest.mark.parametrize("settings, message", [
    (ExplorerSettings(top=1), "--top"), (ExplorerSettings(method="umap"), "projection"),
    (ExplorerSettings(perplexity=0), "perplexity"), (ExplorerSettings(clusters=0), "clusters"),
    (ExplorerSettings(encoding="f32"), "encoding")])
def test_bad_settings(settings, message):
    with pytest.raises(WordnetLMError, match=message):
        settings.check()


def test_page_is_self_contained_and_script_safe():
    kv = KeyedVectors(["a", "</script><b>x", "<!--", "c"], np.eye(4))
    html = render_explorer(explorer_data(kv, ExplorerSettings(top=4, method="pca", clusters=2)), "t <i>")
    found = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.DOTALL)
    assert json.loads(found.group(1))["words"] == ["a", "</script><b>x", "<!--", "c"]
    assert "<title>t &lt;i&gt;</title>" in html
    assert not re.search(r"(src|href)=\"https?:", html)  # nothing fetched from the network


def test_an_existing_file_is_replaced_only_if_it_is_a_page(tmp_path):
    kv = small_kv(10)
    page = write_explorer(kv, tmp_path / "e.html", ExplorerSettings(top=5, method="pca", clusters=2))
    assert page.read_text("utf-8").startswith("<!DOCTYPE html>")
    write_explorer(kv, page, ExplorerSettings(top=6, method="pca", clusters=2))  # a page: replaced
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", "utf-8")
    with pytest.raises(WordnetLMError, match="exists and is not a HTML page"):
        write_explorer(kv, notes, ExplorerSettings(top=5, method="pca", clusters=2))
    assert notes.read_text("utf-8") == "my notes\n"
    with pytest.raises(WordnetLMError, match="is a directory"):
        write_explorer(kv, tmp_path, ExplorerSettings(top=5, method="pca", clusters=2))


def test_pca_of_many_rows_equals_the_svd():
    """The scatter-matrix path of pca_2d (many rows) gives the SVD's coordinates, up to each axis's sign."""
    from wordnet_lm.vectors.plot import pca_2d

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6)) * np.array([5.0, 3.0, 1.0, 0.5, 0.2, 0.1])
    centred = x - x.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    coords = pca_2d(x)
    signs = np.sign((coords * u[:, :2]).sum(axis=0))
    np.testing.assert_allclose(coords * signs, u[:, :2] * s[:2], atol=1e-9)


def test_kmeans_fitted_on_the_first_rows_assigns_every_row_to_its_nearest_centre():
    rng = np.random.default_rng(1)
    points = unit_rows(np.concatenate([np.eye(4)[k] * 5 + rng.normal(size=(30, 4)) for k in range(4)]))
    order = rng.permutation(120)
    ids = kmeans_groups(points[order], 4, fit_rows=40)
    assert ids.shape == (120,) and set(ids) == set(range(4))
    centres = np.array([points[order][ids == c].mean(axis=0) for c in range(4)])
    nearest = np.argmin(((points[order][:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert (nearest == ids).mean() > 0.95  # assignments agree with the centres they define
