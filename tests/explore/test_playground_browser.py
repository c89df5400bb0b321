"""The playground page in headless Chromium, against a server started on a free port: typed
words are coloured by surprisal, with the models' own log-probabilities; next words, samples
and the explorer tab work."""

from __future__ import annotations

import colorsys
import re

import numpy as np
import pytest

from wordnet_lm.ngram import load_model
from wordnet_lm.nplm import NPLM, top_next_words

from .conftest import not_blank

pytestmark = pytest.mark.browser

MAX_BITS = 16


def expected_rgb(logprob: float) -> tuple[int, int, int]:
    """The page's documented colour: hue 120 (green) at 0 bits down to 0 (red) at 16+ bits."""
    t = min(1.0, max(0.0, -logprob / np.log(2) / MAX_BITS))
    r, g, b = colorsys.hls_to_rgb(120 * (1 - t) / 360, 0.78, 0.75)
    return round(r * 255), round(g * 255), round(b * 255)


def open_playground(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")


def type_text(page, text):
    before = page.evaluate("document.body.dataset.updated || '0'")
    page.fill("#text", text)
    page.wait_for_function(f"document.body.dataset.updated && document.body.dataset.updated !== '{before}' "
                           "&& document.body.dataset.busy === '0'")


def spans(page, box):
    return page.locator(f"#{box} .word").all()


def test_words_coloured_by_surprisal_with_the_models_logprobs(page, server, model_files):
    open_playground(page, server)
    sentence = "the king of france visited paris"
    type_text(page, sentence)
    lm, ngram = NPLM.load(model_files[0]), load_model(model_files[1])
    words = sentence.split()
    corpus = lm.vocab_.encode([words])
    expected = {"neural-words": lm.token_logprobs(corpus),
                "ngram-words": ngram.token_logprobs(ngram.vocab_.encode([words]))}
    for box, logprobs in expected.items():
        shown = spans(page, box)
        assert [s.inner_text() for s in shown] == words + ["</s>"]
        np.testing.assert_allclose([float(s.get_attribute("data-logprob")) for s in shown], logprobs, atol=1e-4)
        for s, lp in zip(shown, logprobs):
            rgb = tuple(int(x) for x in re.findall(r"\d+", s.evaluate("e => getComputedStyle(e).backgroundColor")))
            assert np.abs(np.subtract(rgb[:3], expected_rgb(lp))).max() <= 1
            assert f"{lp:.4f}" in s.get_attribute("aria-label")
    shown = spans(page, "diff-words")
    saved = (expected["neural-words"] - expected["ngram-words"]) / np.log(2)
    np.testing.assert_allclose([float(s.get_attribute("data-bits")) for s in shown], saved, atol=1e-4)
    shown[2].hover()  # the tooltip gives both models' log-probabilities
    tip = page.inner_text("#tip")
    assert f"{expected['neural-words'][2]:.4f}" in tip and f"{expected['ngram-words'][2]:.4f}" in tip
    ppl = float(page.inner_text("#neural-ppl").split()[-1])
    assert ppl == pytest.approx(np.exp(-np.mean(expected["neural-words"])), abs=0.01)
    assert not_blank(page.screenshot()) > 5


def test_unknown_word_is_marked(page, server):
    open_playground(page, server)
    type_text(page, "the qwertyuiop")
    assert "oov" in spans(page, "neural-words")[1].get_attribute("class")


def test_next_words_follow_the_text_and_click_to_append(page, server, model_files):
    open_playground(page, server)
    type_text(page, "the king")
    lm = NPLM.load(model_files[0])
    shown = page.locator("#neural-next li").all()
    assert [li.get_attribute("data-word") for li in shown] == [w for w, _ in top_next_words(lm, ["the", "king"], 10)]
    first = next(li for li in shown if li.get_attribute("data-word") != "</s>")
    word = first.get_attribute("data-word")
    before = page.evaluate("document.body.dataset.updated")
    first.click()
    page.wait_for_function(f"document.body.dataset.updated !== '{before}' && document.body.dataset.busy === '0'")
    assert page.input_value("#text") == f"the king {word}"
    assert len(page.locator("#ngram-next li").all()) == 10


def test_sampled_continuations(page, server):
    open_playground(page, server)
    type_text(page, "the queen")
    page.fill("#temperature", "0.5")
    page.fill("#top-k", "5")
    page.fill("#n-words", "6")
    page.click("#sample")
    page.wait_for_function("document.getElementById('neural-sample').textContent.length > 0")
    assert len(page.inner_text("#neural-sample").split()) == 6
    assert page.inner_text("#ngram-sample").split()[-1] == "</s>"


def test_explorer_tab_shows_the_model_embeddings(page, server, playground):
    open_playground(page, server)
    page.click("#tab-explore")
    frame = page.frame_locator("#explorer-frame")
    frame.locator("body[data-ready='1']").wait_for()
    frame.locator("#search").fill("paris")
    frame.locator("#search").press("Enter")
    shown = [li.get_attribute("data-word") for li in frame.locator("#neighbours li").all()]
    assert len(shown) == 10
    assert "paris" not in shown and shown[0] in playground.vectors
