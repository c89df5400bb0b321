#!/usr/bin/env python3
"""Benchmark the explorer page and the playground server.

Measures, in one run:

* the explorer file's size for N x D vectors (float16 and int8), and its load time in headless
  Chromium (navigation to a drawn map, decoding and normalising the vectors included), next to
  a page of a tenth of the words;
* the latency of ``POST /api/score`` for a 50-word sentence over HTTP (median, p95), next to the
  same scoring called in Python, each model alone, and KenLM's ``full_scores`` on the same ARPA
  file (when the ``kenlm`` module is installed), requests and calls interleaved;
* a burst of parallel scoring requests.

    python benchmarks/explore_serve.py --vectors VECTORS --model lm.npz --ngram lm.arpa

Without ``--vectors``: random 20,000 x 100 vectors for the most frequent words of
``../shared/corpora/nltk-mix.txt`` (real words, random directions: size and load time do not
depend on the values).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wordnet_lm.explore import ExplorerSettings, write_explorer
from wordnet_lm.vectors import KeyedVectors

SHARED = Path(__file__).resolve().parents[2] / "shared"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def random_vectors(n: int, dim: int) -> tuple[KeyedVectors, str]:
    counts: Counter = Counter()
    with open(SHARED / "corpora" / "nltk-mix.txt", encoding="utf-8") as f:
        for line in f:
            counts.update(line.split())
    words = [w for w, _ in counts.most_common(n)]
    rng = np.random.default_rng(0)
    return (KeyedVectors(words, rng.normal(size=(len(words), dim)), [counts[w] for w in words]),
            f"random {len(words):,} x {dim}, words of nltk-mix")


QUERY_JS = """([words, analogy]) => {
  let start = performance.now();
  for (const w of words) explorer.neighbours(w, 10);
  const neighbours = (performance.now() - start) / words.length;
  start = performance.now();
  for (let i = 0; i < 5; i++) explorer.analogy(analogy[0], analogy[1], analogy[2], 5);
  return [neighbours, (performance.now() - start) / 5];
}"""


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


# --------------------------------------------------------------------------- explorer
def explorer_rows(kv: KeyedVectors, source: str, top: int, folder: Path, loads: int) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    pages = []
    for words, encoding in ((top, "float16"), (top, "int8"), (top // 10, "float16")):
        out = folder / f"explorer-{words}-{encoding}.html"
        start = time.perf_counter()
        write_explorer(kv, out, ExplorerSettings(top=words, method="pca", encoding=encoding), source=source)
        pages.append((words, encoding, out, time.perf_counter() - start))
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        version = browser.version
        context = browser.new_context(viewport={"width": 1200, "height": 760})
        times = {page[2]: [] for page in pages}
        query_ms: list = []
        shown = pages[0][0]
        top_words_list = [w for w in kv.index_to_key if w not in ("<unk>", "<s>", "</s>")][:shown]
        words_to_query = top_words_list[100:120]
        analogy = top_words_list[10:13]
        in_page = {page[2]: [] for page in pages}
        for _ in range(loads):  # interleaved: a busy machine slows every page alike
            for _, _, out, _ in pages:
                tab = context.new_page()
                start = time.perf_counter()
                tab.goto(out.as_uri())
                tab.wait_for_function("window.explorer && window.explorer.ready", polling=10)
                times[out].append(time.perf_counter() - start)
                in_page[out].append(tab.evaluate("performance.now()") / 1000)
                if out == pages[0][2]:
                    query_ms.append(tab.evaluate(QUERY_JS, [words_to_query, analogy]))
                tab.close()
        browser.close()
    js_neighbours = statistics.median(q[0] for q in query_ms) / 1000
    js_analogy = statistics.median(q[1] for q in query_ms) / 1000
    page_kv = KeyedVectors(top_words_list, kv[top_words_list])
    page_kv.fill_norms()
    start = time.perf_counter()
    for w in words_to_query:
        page_kv.most_similar(positive=[w], topn=10)
    np_neighbours = (time.perf_counter() - start) / len(words_to_query)
    start = time.perf_counter()
    for _ in range(5):
        page_kv.most_similar(positive=[analogy[1], analogy[2]], negative=[analogy[0]], topn=5)
    np_analogy = (time.perf_counter() - start) / 5
    queries = [("10 neighbours of a word", js_neighbours, np_neighbours),
               ("3CosAdd analogy, top 5", js_analogy, np_analogy)]
    for words, encoding, out, build in pages:
        rows.append((words, kv.vector_size, encoding, out.stat().st_size / 1e6, build,
                     statistics.median(times[out]), statistics.median(in_page[out])))
    return rows, version, queries


# --------------------------------------------------------------------------- playground
def latency_rows(model: str, ngram: str | None, requests: int, sentence_words: int, threads: int) -> list[tuple]:
    """Scoring latencies; the server (and, while it serves, the whole process: the caps are
    process-wide) runs NumPy on ``threads`` threads."""
    from wordnet_lm.serve import Playground, make_server

    pg = Playground.load(model, ngram)
    words = pg.model.vocab_.words[3:]
    rng = np.random.default_rng(1)
    sentences = [" ".join(rng.choice(words[:5000], sentence_words)) for _ in range(requests)]
    server = make_server(pg, "127.0.0.1", 0, threads=threads)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    time.sleep(0.5)  # serve_forever has set the thread caps
    host, port = server.server_address[:2]

    def http_score(text):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("POST", "/api/score", json.dumps({"text": text}), {"Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status == 200, body
        return body

    kenlm_model = None
    if ngram is not None:
        try:
            import kenlm

            kenlm_model = kenlm.Model(ngram)
        except ImportError:
            pass
    ways = {"HTTP POST /api/score (both models, JSON)": http_score,
            "Playground.score in Python (both models)": pg.score,
            "neural LM alone (token_logprobs)": lambda t: pg.model.token_logprobs(pg.model.vocab_.encode([t.split()]))}
    if pg.ngram is not None:
        ways["n-gram alone (token_logprobs)"] = lambda t: pg.ngram.token_logprobs(pg.ngram.vocab_.encode([t.split()]))
    if kenlm_model is not None:
        ways["KenLM full_scores (peer, n-gram only)"] = lambda t: list(kenlm_model.full_scores(t))
    for fn in ways.values():  # warm up
        fn(sentences[0])
    times = {name: [] for name in ways}
    for text in sentences:  # interleaved
        for name, fn in ways.items():
            start = time.perf_counter()
            fn(text)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["HTTP POST /api/score (both models, JSON)"])
    rows = [(name, 1000 * statistics.median(t), 1000 * percentile(t, 95), statistics.median(t) / base)
            for name, t in times.items()]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=48) as pool:
        list(pool.map(http_score, sentences[:96]))
    burst = time.perf_counter() - start
    server.shutdown()
    server.server_close()
    return rows, burst, len(pg.model.vocab_)


def pages(args: argparse.Namespace) -> None:
    if args.vectors:
        kv, source = KeyedVectors.load(args.vectors), args.vectors
    else:
        kv, source = random_vectors(args.top, args.dim)
    with tempfile.TemporaryDirectory() as folder:
        rows, version, queries = explorer_rows(kv, source, args.top, Path(folder), args.loads)
    print(f"\nexplorer pages of {source} (PCA), Chromium {version}, median of {args.loads} loads each:\n")
    print("| words | dim | vectors | file MB | build s | load to drawn map s | in-page s (performance.now) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]:,} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.3f} | {r[6]:.3f} |")
    print(f"\nqueries in the {rows[0][0]:,}-word page (JavaScript, float16 rows) vs KeyedVectors in NumPy:\n")
    print("| query | page ms | NumPy ms | page / NumPy |")
    print("|---|---|---|---|")
    for name, js, np_time in queries:
        print(f"| {name} | {1000 * js:.1f} | {1000 * np_time:.1f} | {js / np_time:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", help="vectors file (default: random vectors for nltk-mix words)")
    parser.add_argument("--top", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=100, help="dimension of the random vectors")
    parser.add_argument("--loads", type=int, default=3, help="page loads per page")
    parser.add_argument("--model", help="neural LM file (e.g. trained on brown-bengio)")
    parser.add_argument("--ngram", help="ARPA file for the same text")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sentence-words", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="NumPy threads per request (serve --threads)")
    parser.add_argument("--no-pages", action="store_true", help="skip the explorer pages")
    args = parser.parse_args()

    print(f"# explore/serve benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start; Python "
          f"{platform.python_version()}, NumPy {np.__version__}")
    if not args.no_pages:
        pages(args)
    if args.model:
        lat, burst, vocab = latency_rows(args.model, args.ngram, args.requests, args.sentence_words, args.threads)
        print(f"\nscoring a {args.sentence_words}-word sentence ({args.requests} random sentences, neural LM "
              f"vocabulary {vocab:,}; calls interleaved):\n")
        print("| how | median ms | p95 ms | median / HTTP median |")
        print("|---|---|---|---|")
        for name, med, p95, ratio in lat:
            print(f"| {name} | {med:.2f} | {p95:.2f} | {ratio:.2f} |")
        print(f"\n96 scoring requests from 48 threads at once: {burst:.2f} s, all answered 200")
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
