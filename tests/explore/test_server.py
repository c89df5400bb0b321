"""The playground's JSON endpoints over real HTTP: numbers equal the library's, bad requests get
a 4xx and a message, and the server keeps answering (also under a few dozen parallel requests)."""

from __future__ import annotations

import http.client
import json
import math
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import numpy as np
import pytest

from wordnet_lm.ngram import load_model
from wordnet_lm.nplm import NPLM, top_next_words
from wordnet_lm.serve import MAX_BODY_BYTES
from wordnet_lm.text.vocab import BOS_ID

SENTENCE = "the king of france visited paris in spring"


def request(url: str, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
            timeout: float = 20) -> tuple[int, dict]:
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read()
        kind = response.getheader("Content-Type", "")
        return response.status, (json.loads(raw) if kind.startswith("application/json") else {"html": raw.decode()})
    finally:
        conn.close()


def post(url: str, path: str, obj) -> tuple[int, dict]:
    return request(url, "POST", path, json.dumps(obj), {"Content-Type": "application/json"})


def independent_nplm_logprobs(model: NPLM, words: list[str]) -> np.ndarray:
    """log p of each word and </s> from the model's full next-word distributions, contexts built here."""
    ids = [model.vocab_.index.get(w, 0) for w in words] + [2]
    padded = [BOS_ID] * model.context_size + ids
    contexts = np.array([padded[i:i + model.context_size] for i in range(len(ids))], np.int32)
    return model.log_probs(contexts)[np.arange(len(ids)), ids]


def assert_still_answers(url: str) -> None:
    status, answer = post(url, "/api/score", {"text": "the king"})
    assert status == 200 and len(answer["words"]) == 3


# --------------------------------------------------------------------------- numbers
def test_score_equals_the_models(server, model_files):
    status, answer = post(server, "/api/score", {"text": SENTENCE + "\nparis is big"})
    assert status == 200
    lm, ngram = NPLM.load(model_files[0]), load_model(model_files[1])
    sentences = [SENTENCE.split(), ["paris", "is", "big"]]
    assert answer["words"] == sentences[0] + ["</s>"] + sentences[1] + ["</s>"]
    assert answer["sentence"] == [0] * 9 + [1] * 4
    expected_neural = np.concatenate([independent_nplm_logprobs(lm, s) for s in sentences])
    np.testing.assert_allclose(answer["neural"]["logprob"], expected_neural, atol=1e-4)
    expected_ngram = [ngram.logprob(["<s>"] + s[:i], w) for s in sentences for i, w in enumerate(s + ["</s>"])]
    np.testing.assert_allclose(answer["ngram"]["logprob"], expected_ngram, atol=1e-4)
    assert answer["neural"]["perplexity"] == pytest.approx(math.exp(-np.mean(expected_neural)), rel=1e-6)


def test_unknown_words_are_scored_as_unk_and_flagged(server):
    status, answer = post(server, "/api/score", {"text": "the qwertyuiop king"})
    assert status == 200
    assert answer["neural"]["oov"] == [False, True, False, False]
    assert answer["ngram"]["oov"] == [False, True, False, False]
    assert all(math.isfinite(x) for x in answer["neural"]["logprob"] + answer["ngram"]["logprob"])


def test_next_words_equal_the_models(server, model_files):
    status, answer = post(server, "/api/next", {"text": "the king of", "k": 5})
    assert status == 200
    lm, ngram = NPLM.load(model_files[0]), load_model(model_files[1])
    expected = top_next_words(lm, ["the", "king", "of"], 5)
    assert [w for w, _ in answer["neural"]] == [w for w, _ in expected]
    np.testing.assert_allclose([p for _, p in answer["neural"]], [p for _, p in expected], atol=1e-9)
    p = np.array([math.exp(ngram.logprob(["<s>", "king", "of"], w)) for w in ngram.vocab_.words])
    p[BOS_ID] = 0
    best = [ngram.vocab_.words[i] for i in np.argsort(-p, kind="stable")[:5]]
    assert [w for w, _ in answer["ngram"]] == best
    np.testing.assert_allclose(sum(q for _, q in answer["ngram"]), np.sort(p)[::-1][:5].sum() / p.sum(), rtol=1e-6)


def test_empty_text_gives_sentence_start_predictions(server, playground):
    status, answer = post(server, "/api/next", {"text": ""})
    assert status == 200 and answer["context"] == [] and len(answer["neural"]) == 10


def test_neighbors_equal_keyed_vectors(server, playground):
    status, answer = post(server, "/api/neighbors", {"word": "King", "topn": 4})
    assert status == 200 and answer["word"] == "king"
    expected = playground.vectors.most_similar(positive=["king"], topn=4)
    assert [w for w, _ in answer["neighbors"]] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in answer["neighbors"]], [s for _, s in expected], atol=1e-6)


def test_sample_is_reproducible_with_a_seed(server):
    body = {"text": "the king", "n": 8, "temperature": 0.7, "top_k": 20, "seed": 3}
    first, second = post(server, "/api/sample", body), post(server, "/api/sample", body)
    assert first == second and first[0] == 200
    assert len(first[1]["neural"]) == 8 and first[1]["ngram"][-1] == "</s>"


def test_pages_and_api_listing(server):
    status, page = request(server, "GET", "/")
    assert status == 200 and "surprisal" in page["html"]
    status, listing = request(server, "GET", "/api")
    assert status == 200 and "POST /api/score" in listing["endpoints"]
    status, page = request(server, "GET", "/explorer")
    assert status == 200 and 'id="explorer-data"' in page["html"]


# --------------------------------------------------------------------------- bad requests
BAD = [
    ("/api/score", "{\"text\": ", 400, "malformed JSON"),
    ("/api/score", "[1, 2]", 400, "JSON object"),
    ("/api/score", "\"text\"", 400, "JSON object"),
    ("/api/score", b"\xff\xfe{}", 400, "UTF-8"),
    ("/api/score", "{}", 400, "missing field 'text'"),
    ("/api/score", "{\"text\": 5}", 400, "must be a string"),
    ("/api/score", "{\"text\": \"   \"}", 400, "no words"),
    ("/api/score", "{\"text\": \"a\", \"txt\": 1}", 400, "unknown field"),
    ("/api/score", json.dumps({"text": "a " * 2500}), 400, "too long"),
    ("/api/next", "{\"text\": \"a\", \"k\": 0}", 400, "between 1 and 100"),
    ("/api/next", "{\"text\": \"a\", \"k\": \"5\"}", 400, "integer"),
    ("/api/next", "{\"text\": \"a\", \"k\": true}", 400, "integer"),
    ("/api/sample", "{\"text\": \"a\", \"temperature\": NaN}", 400, "number"),
    ("/api/sample", "{\"text\": \"a\", \"temperature\": 0}", 400, "between"),
    ("/api/neighbors", "{\"word\": \"qwertyuiop\"}", 400, "qwertyuiop"),
    ("/api/neighbors", "{\"word\": \"two words\"}", 400, "one word"),
    ("/api/nothing", "{}", 404, "no endpoint"),
]


@pytest.mark.parametrize("path, body, status, words", BAD, ids=[f"{p}:{w}" for p, _, _, w in BAD])
def test_bad_requests_get_a_4xx_and_a_message(server, path, body, status, words):
    got, answer = request(server, "POST", path, body, {"Content-Type": "application/json"})
    assert got == status
    assert words in answer["error"]
    assert "Traceback" not in answer["error"]
    assert_still_answers(server)


def test_huge_body_is_refused_unread(server):
    big = json.dumps({"text": "word " * (MAX_BODY_BYTES // 2)})
    status, answer = request(server, "POST", "/api/score", big)
    assert status == 413 and "over the limit" in answer["error"]
    assert_still_answers(server)


def test_absurd_content_length_is_refused_without_waiting(server):
    parts = urlparse(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(b"POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{")
        reply = s.recv(4096).decode()
    assert reply.startswith(("HTTP/1.0 413", "HTTP/1.1 413"))
    assert_still_answers(server)


def test_missing_content_length(server):
    parts = urlparse(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(b"POST /api/score HTTP/1.0\r\nHost: x\r\n\r\n")
        reply = s.recv(4096).decode()
    assert " 411 " in reply.splitlines()[0] and "Content-Length" in reply
    assert_still_answers(server)


def test_unknown_page_is_404(server):
    status, answer = request(server, "GET", "/nope")
    assert status == 404 and "error" in answer


def test_a_stalled_client_does_not_block_others(server):
    parts = urlparse(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(b"POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"te")  # and then nothing
        started = time.perf_counter()
        assert_still_answers(server)
        assert time.perf_counter() - started < 5


def test_concurrent_requests_all_answered(server, playground):
    good = {"text": "the queen of spain visited madrid"}
    expected = playground.score(good["text"])
    jobs = [("/api/score", json.dumps(good), 200), ("/api/next", json.dumps({"text": "the"}), 200),
            ("/api/neighbors", json.dumps({"word": "paris"}), 200), ("/api/score", "{bad", 400),
            ("/api/neighbors", json.dumps({"word": "zzzz"}), 400),
            ("/api/score", json.dumps({"text": "x " * (MAX_BODY_BYTES // 2)}), 413)] * 8
    with ThreadPoolExecutor(max_workers=48) as pool:
        results = list(pool.map(lambda job: request(server, "POST", job[0], job[1]), jobs))
    assert [status for status, _ in results] == [status for _, _, status in jobs]
    for (path, _, status), (_, answer) in zip(jobs, results):
        if path == "/api/score" and status == 200:
            assert answer["neural"]["logprob"] == pytest.approx(expected["neural"]["logprob"], abs=1e-9)
    assert_still_answers(server)
