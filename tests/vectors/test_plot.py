"""Pictures: valid PNG/SVG files, projections, word choice, bad input."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from wordnet_lm.errors import UnknownWordError, WordnetLMError
from wordnet_lm.vectors import KeyedVectors
from wordnet_lm.vectors import plot

from ._data import CAPITALS, structured_vectors

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def kv() -> KeyedVectors:
    return structured_vectors()


def png_size(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and data[12:16] == b"IHDR" and data.endswith(b"IEND\xaeB`\x82")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def svg_texts(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return path.read_text()


def test_tsne_map_png(kv, tmp_path):
    words = plot.top_words(kv, 30)
    out = plot.plot_words(kv, words, tmp_path / "map.png", method="tsne", perplexity=30, seed=1)
    width, height = png_size(out)
    assert width >= 600 and height >= 600


def test_pca_map_svg_has_every_label(kv, tmp_path):
    words = ["paris", "france", "london", "england", "été"]
    kv2 = KeyedVectors(kv.index_to_key + ["été"], np.vstack([kv.vectors, kv.vectors[:1] * 2]))
    out = plot.plot_words(kv2, words, tmp_path / "map.svg", method="pca")
    text = svg_texts(out)
    assert "<!-- été -->" in text and "<!-- london -->" in text  # matplotlib names text elements


def test_pair_picture(kv, tmp_path):
    out = plot.plot_pairs(kv, CAPITALS[:4], tmp_path / "pairs.svg", title="capitals")
    text = svg_texts(out)
    assert all(f"<!-- {w} -->" in text for pair in CAPITALS[:4] for w in pair) and "capitals" in text
    png_size(plot.plot_pairs(kv, CAPITALS, tmp_path / "pairs.png"))


def test_pca_matches_svd_and_tsne_is_seeded(kv):
    x = kv.vectors[:20].astype(np.float64)
    coords = plot.pca_2d(x)
    centred = x - x.mean(axis=0)
    # first two principal axes: the variance along them is the top two eigenvalues
    eigenvalues = np.linalg.eigvalsh(centred.T @ centred)[::-1]
    np.testing.assert_allclose((coords ** 2).sum(axis=0), eigenvalues[:2], rtol=1e-8)
    np.testing.assert_allclose(coords[:, 0] @ coords[:, 1], 0, atol=1e-8)
    a = plot.tsne_2d(kv.vectors[:12], perplexity=30, seed=3)  # perplexity clipped to 11
    np.testing.assert_allclose(a, plot.tsne_2d(kv.vectors[:12], perplexity=30, seed=3))
    assert plot.project(kv.vectors[:2], "tsne").shape == (2, 2)
    assert plot.pca_2d(np.array([[0.0], [1.0], [3.0]])).shape == (3, 2)


def test_word_choice_helpers(kv):
    with_specials = KeyedVectors(["<unk>", "the", "<s>", "a", "</s>", "b"], np.eye(6))
    assert plot.top_words(with_specials, 2) == ["the", "a"]
    assert plot.resolve_words(kv, ["PARIS", "paris", "Oslo"]) == ["paris", "oslo"]
    with pytest.raises(UnknownWordError, match="not in the vectors' vocabulary: tokyo, kyoto"):
        plot.resolve_words(kv, ["paris", "tokyo", "kyoto"])
    questions = [("PARIS", "France", "Tokyo", "Japan"), ("PARIS", "France", "Oslo", "Norway"),
                 ("Oslo", "Norway", "PARIS", "France")]
    assert plot.analogy_pairs(questions, kv) == [("paris", "france"), ("oslo", "norway")]
    assert plot.analogy_pairs(questions, kv, max_pairs=1) == [("paris", "france")]
    assert plot.parse_pairs("paris:france, rome:italy,") == [("paris", "france"), ("rome", "italy")]
    for bad in ("paris", "paris:", "a:b:c", ""):
        with pytest.raises(WordnetLMError):
            plot.parse_pairs(bad)


def test_bad_requests(kv, tmp_path):
    with pytest.raises(WordnetLMError, match="must end in"):
        plot.plot_words(kv, ["paris", "france"], tmp_path / "map.jpg")
    with pytest.raises(WordnetLMError, match="at least two"):
        plot.plot_words(kv, ["paris"], tmp_path / "map.png")
    with pytest.raises(WordnetLMError, match="at least two"):
        plot.plot_words(kv, ["paris"], tmp_path / "map.png", method="pca")
    with pytest.raises(WordnetLMError, match="unknown projection"):
        plot.plot_words(kv, ["paris", "france"], tmp_path / "map.png", method="umap")
    with pytest.raises(WordnetLMError, match="no pairs"):
        plot.plot_pairs(kv, [], tmp_path / "p.png")
    with pytest.raises(UnknownWordError):
        plot.plot_words(kv, ["paris", "tokyo"], tmp_path / "map.png")
    assert not list(tmp_path.iterdir())
