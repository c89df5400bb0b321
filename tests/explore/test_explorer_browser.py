"""The explorer page in headless Chromium: its neighbours and analogy answers equal the Python
API's over the vectors it holds; search, click, zoom, labels and the TSV export work."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest

from wordnet_lm.explore import ExplorerSettings, decode_vectors, write_explorer
from wordnet_lm.vectors import KeyedVectors

from .conftest import file_url, not_blank

pytestmark = pytest.mark.browser


def page_data(path) -> dict:
    html = path.read_text("utf-8")
    found = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.DOTALL)
    return json.loads(found.group(1))


def page_vectors(data: dict) -> KeyedVectors:
    """The vectors the page computes with, decoded in Python."""
    return KeyedVectors(data["words"], decode_vectors(data["vectors"], data["dim"], data["encoding"]))


@pytest.fixture(scope="module")
def explorer_file(demo_kv, tmp_path_factory):
    out = tmp_path_factory.mktemp("explorer") / "explorer.html"
    return write_explorer(demo_kv, out, ExplorerSettings(top=600, method="pca", clusters=8), source="demo")


def open_explorer(page, path):
    page.goto(file_url(path))
    page.wait_for_function("window.explorer && window.explorer.ready")


def test_search_shows_the_python_neighbours(page, explorer_file):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    open_explorer(page, explorer_file)
    page.fill("#search", "King")
    page.press("#search", "Enter")
    items = page.locator("#neighbours li")
    assert items.count() == 10
    shown = [(li.get_attribute("data-word"), float(li.get_attribute("data-score"))) for li in items.all()]
    expected = page_vectors(page_data(explorer_file)).most_similar(positive=["king"], topn=10)
    assert [w for w, _ in shown] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in shown], [s for _, s in expected], atol=1e-4)
    assert page.evaluate("explorer.view().selected") == "king"
    assert "king" in [label["word"] for label in page.evaluate("explorer.labels()")]  # labelled when highlighted
    assert not_blank(page.locator("#map").screenshot()) > 5
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []  # works offline


def test_unknown_word_is_said_not_on_the_map(page, explorer_file):
    open_explorer(page, explorer_file)
    page.fill("#search", "qwertyuiop")
    page.press("#search", "Enter")
    assert "not on the map" in page.inner_text("#search-message")
    assert page.evaluate("explorer.view().selected") is None


def test_analogy_box_gives_the_3cosadd_answer(page, explorer_file):
    open_explorer(page, explorer_file)
    for field, word in (("#analogy-a", "paris"), ("#analogy-b", "france"), ("#analogy-c", "rome")):
        page.fill(field, word)
    page.click("#analogy-form button")
    answer = page.get_attribute("#analogy-answer", "data-answer")
    kv = page_vectors(page_data(explorer_file))
    expected = kv.most_similar(positive=["france", "rome"], negative=["paris"], topn=5)
    assert answer == expected[0][0] == "italy"
    shown = [float(li.get_attribute("data-score")) for li in page.locator("#analogy-list li").all()]
    np.testing.assert_allclose(shown, [s for _, s in expected], atol=1e-4)


def test_clicking_a_point_selects_it(page, explorer_file):
    open_explorer(page, explorer_file)
    page.evaluate("explorer.select('queen', true); explorer.zoom(8)")
    target = page.evaluate("explorer.screenPosition('queen')")
    page.evaluate("explorer.select(0, false)")  # select something else first
    page.mouse.click(target["x"], target["y"])
    assert page.evaluate("explorer.view().selected") == "queen"
    assert page.locator("#neighbours li").first.get_attribute("data-word") is not None


def test_labels_never_overlap_and_appear_on_zoom(page, explorer_file):
    open_explorer(page, explorer_file)
    boxes = np.array([label["box"] for label in page.evaluate("explorer.labels()")])
    assert len(boxes) > 5
    x0, y0, x1, y1 = boxes.T
    overlap = (x0[:, None] < x1[None, :]) & (x0[None, :] < x1[:, None]) & (y0[:, None] < y1[None, :]) & \
              (y0[None, :] < y1[:, None])
    np.fill_diagonal(overlap, False)
    assert not overlap.any()
    shown = {label["word"] for label in page.evaluate("explorer.labels()")}
    hidden = [w for w in page.evaluate("explorer.words") if w not in shown]
    word = hidden[-1]  # a rare word without a label at full view
    before = page.evaluate("explorer.view().scale")
    page.mouse.move(*page.evaluate(f"[explorer.screenPosition({json.dumps(word)}).x, "
                                   f"explorer.screenPosition({json.dumps(word)}).y]"))
    for _ in range(30):  # zoom in with the wheel at the word
        page.mouse.wheel(0, -300)
        if word in {label["word"] for label in page.evaluate("explorer.labels()")}:
            break
    assert page.evaluate("explorer.view().scale") > before
    assert word in {label["word"] for label in page.evaluate("explorer.labels()")}


def test_drag_pans_the_map(page, explorer_file):
    open_explorer(page, explorer_file)
    before = page.evaluate("explorer.view()")
    page.mouse.move(400, 400)
    page.mouse.down()
    page.mouse.move(500, 450, steps=5)
    page.mouse.up()
    after = page.evaluate("explorer.view()")
    assert after["cx"] < before["cx"] and after["cy"] > before["cy"] and after["selected"] is None


def test_tsv_export_holds_the_projected_coordinates(page, explorer_file):
    open_explorer(page, explorer_file)
    with page.expect_download() as info:
        page.click("#export")
    text = Path(info.value.path()).read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines()]
    assert rows[0] == ["word", "x", "y", "count", "cluster"]
    data = page_data(explorer_file)
    coords = np.frombuffer(base64.b64decode(data["coords"]), "<f4").reshape(-1, 2)
    assert [r[0] for r in rows[1:]] == data["words"]
    np.testing.assert_allclose(np.array([[float(r[1]), float(r[2])] for r in rows[1:]]), coords, rtol=1e-6)
    assert [int(r[3]) for r in rows[1:]] == data["counts"]


def test_colouring_switches_and_changes_the_picture(page, explorer_file):
    open_explorer(page, explorer_file)
    options = page.locator("#colour-by option").all_inner_texts()
    assert options == ["frequency", "k-means clusters"]
    clusters = page.locator("#map").screenshot()
    page.select_option("#colour-by", "frequency")
    assert page.locator("#map").screenshot() != clusters
    assert "most frequent" in page.inner_text("#legend")


def test_int8_page_with_labels_and_cap_notice(page, demo_kv, tmp_path, monkeypatch):
    import wordnet_lm.explore.page as explorer_page

    monkeypatch.setattr(explorer_page, "MAX_WORDS", 300)
    labels = {"paris": "capital", "rome": "capital", "france": "country", "italy": "country", "</script>": "x"}
    out = write_explorer(demo_kv, tmp_path / "e.html", ExplorerSettings(top=1000, method="pca", encoding="int8"),
                         labels, source="demo")
    data = page_data(out)
    assert len(data["words"]) == 300 and data["settings"]["requested"] == 1000
    open_explorer(page, out)
    assert "300 most frequent" in page.inner_text("#notice")
    assert page.locator("#colour-by").input_value() == "labels"
    assert "capital" in page.inner_text("#legend") and "no label" in page.inner_text("#legend")
    shown = page.evaluate("explorer.neighbours('paris', 10)")
    expected = page_vectors(data).most_similar(positive=["paris"], topn=10)
    assert [w for w, _ in shown] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in shown], [s for _, s in expected], atol=1e-4)
