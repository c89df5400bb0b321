"""Fixtures of the explorer and playground tests: a small neural LM and n-gram model of part of
the demo corpus (about a second to train), the demo GloVe vectors, a running server, and
headless Chromium (skipped, with the reason, where it is missing)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from wordnet_lm.text import load_corpus
from wordnet_lm.text.vocab import Corpus

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_SENTENCES = 3000
REPO_ROOT = Path(__file__).resolve().parents[2]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def demo_data():
    """(train, vocab): the first sentences of the demo corpus, with its whole vocabulary."""
    train, vocab = load_corpus("demo")
    end = int(train.offsets[DEMO_SENTENCES])
    return Corpus(train.ids[:end], train.offsets[:DEMO_SENTENCES + 1]), vocab


@pytest.fixture(scope="session")
def model_files(demo_data, tmp_path_factory):
    """(lm.npz, lm.arpa): a small neural LM and an order-3 modified Kneser-Ney ARPA file."""
    from wordnet_lm.ngram import make_model
    from wordnet_lm.nplm import NPLM, TrainConfig

    train, vocab = demo_data
    folder = tmp_path_factory.mktemp("models")
    lm = NPLM(order=3, embed_dim=16, hidden=24, seed=0)
    lm.fit(train, vocab, None, TrainConfig(max_epochs=1, batch_size=128, lr=0.01, evals_per_epoch=1), progress=False)
    lm.save(folder / "lm.npz")
    make_model("mkn", order=3).fit(train, vocab).to_arpa(folder / "lm.arpa")
    return folder / "lm.npz", folder / "lm.arpa"


@pytest.fixture(scope="session")
def playground(model_files):
    from wordnet_lm.serve import Playground

    return Playground.load(*model_files)


@pytest.fixture(scope="session")
def server(playground):
    """The playground served on a free port of 127.0.0.1; yields its URL."""
    from wordnet_lm.explore import ExplorerSettings
    from wordnet_lm.serve import make_server

    # threads=None: leave the process's BLAS threads alone (a served playground sets them to 1)
    srv = make_server(playground, "127.0.0.1", 0, ExplorerSettings(top=500, method="pca", clusters=8), threads=None)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.url
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="session")
def demo_kv():
    from wordnet_lm.glove.demo import demo_vectors

    return demo_vectors()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright (Debian's chromium binary, never a download); the
    browser tests are skipped, with the reason, only where no chromium is installed."""
    path = chromium_path()
    if path is None:
        pytest.skip("browser tests skipped: no chromium binary on PATH (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # part of the [test] extra: a broken test install, not a machine without a browser
        pytest.fail('chromium is here but the playwright package is not: pip install ".[test]" (or ".[browser]")')
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser_context(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 760}, accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    """A fresh page (1200 x 760) that fails the test on any JavaScript error."""
    pg = browser_context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors: {errors}"


def not_blank(png: bytes) -> float:
    """Standard deviation of the grey levels of a PNG screenshot (0 for a blank picture)."""
    import io

    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), np.float64)
    return float(grey.std())


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
