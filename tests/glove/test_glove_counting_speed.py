"""The fast counting paths give exactly what the reference paths give, and the memory budget
covers the whole process tree (issue 11, co-occurrence part)."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.glove import pair_counts, sorted_pairs
from wordnet_lm.glove.cooccur import _fixed_weights
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove.distributed import _cut_vocab, _prefix_vocab, _remap
from wordnet_lm.glove.runs import sum_tree
from wordnet_lm.scale.executor import InProcess, ProcessPool
from wordnet_lm.scale.process_tree import PROCESS_OVERHEAD, VOCAB_BYTES_PER_WORD, tree_processes, worker_budget
from wordnet_lm.text.demo import demo_paths
from wordnet_lm.ngram.external import write_encoded
from wordnet_lm.text.encode import encode_corpus
from wordnet_lm.text.encoded import EncodedCorpus
from wordnet_lm.text.vocab import Corpus, Vocab

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@st.composite
def corpora(draw):
    n_words = draw(st.integers(4, 40))
    lengths = draw(st.lists(st.integers(0, 30), min_size=1, max_size=12))
    ids = draw(st.lists(st.integers(0, n_words - 1), min_size=sum(lengths), max_size=sum(lengths)))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return Corpus(np.array(ids, np.int32), offsets), n_words


@settings(max_examples=150, deadline=None)
@given(corpora(), st.integers(1, 12), st.sampled_from(["harmonic", "flat", "linear"]), st.booleans(),
       st.booleans(), st.integers(1, 50))
def test_sorted_keys_kernel_equals_scipy(monkeypatch_module, corpus_words, window, weighting, symmetric, count_unk,
                                         piece_tokens):
    corpus, n_words = corpus_words
    fixed = _fixed_weights(window, weighting)
    fast = pair_counts.window_counts(corpus, n_words, fixed, symmetric=symmetric, count_unk=count_unk,
                                     piece_tokens=piece_tokens)
    with monkeypatch_module.context() as m:
        m.setattr(sorted_pairs, "fits", lambda n_words, window: False)  # SciPy's COO -> CSR path
        slow = pair_counts.window_counts(corpus, n_words, fixed, symmetric=symmetric, count_unk=count_unk,
                                         piece_tokens=piece_tokens)
    assert fast.has_canonical_format and fast.dtype == np.int64
    np.testing.assert_array_equal(fast.indptr, slow.indptr)
    np.testing.assert_array_equal(fast.indices, slow.indices)
    np.testing.assert_array_equal(fast.data, slow.data)
    # and an independent count: a double loop over positions
    dense = np.zeros((n_words, n_words), np.int64)
    for a, b in zip(corpus.offsets[:-1], corpus.offsets[1:]):
        sentence = [w for w in corpus.ids[a:b].tolist() if count_unk or w != 0]
        for i, left in enumerate(sentence):
            for d in range(1, window + 1):
                if i + d < len(sentence):
                    dense[left, sentence[i + d]] += fixed.units[d - 1]
                    if symmetric:
                        dense[sentence[i + d], left] += fixed.units[d - 1]
    np.testing.assert_array_equal(fast.toarray(), dense)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as m:
        yield m


@pytest.mark.parametrize("key_bits", [63, 0])
def test_keys_with_the_distance_instead_of_the_weight_count_the_same(monkeypatch, key_bits):
    """Weights too wide to share a key with two word ids: the key holds ``d - 1`` instead."""
    monkeypatch.setattr(sorted_pairs, "WEIGHT_KEY_BITS", key_bits)
    rng = np.random.default_rng(5)
    corpus = Corpus(rng.integers(0, 50, 3000).astype(np.int32), np.array([0, 1000, 1001, 2500, 3000]))
    fixed = _fixed_weights(30, "harmonic")  # 2**32 / d: 33-bit weights
    got = pair_counts.window_counts(corpus, 50, fixed, symmetric=False, count_unk=True, piece_tokens=700)
    monkeypatch.setattr(sorted_pairs, "fits", lambda n_words, window: False)
    expected = pair_counts.window_counts(corpus, 50, fixed, symmetric=False, count_unk=True, piece_tokens=700)
    assert (got != expected).nnz == 0 and got.nnz == expected.nnz


def test_packed_keys_fit_63_bits_or_the_kernel_is_not_used():
    assert sorted_pairs.fits(1 << 29, 10)  # 29 + 29 + 4 bits
    assert not sorted_pairs.fits((1 << 30) + 1, 10)
    assert not sorted_pairs.fits(1 << 30, 16)
    assert sorted_pairs.fits(3, 1)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), st.integers(0, 2 ** 31))
def test_sum_tree_is_the_sum(k, seed):
    rng = np.random.default_rng(seed)
    matrices = [scipy.sparse.random(30, 30, density=0.2, random_state=rng, format="csr",
                                    data_rvs=lambda n: rng.integers(1, 1 << 40, n)).astype(np.int64)
                for _ in range(k)]
    for m in matrices:
        m.sum_duplicates()
    expected = sum(m.toarray() for m in matrices)
    got = sum_tree(matrices)
    assert got.has_canonical_format
    np.testing.assert_array_equal(got.toarray(), expected)


def test_prefix_vocabulary_equals_vocab_with(tmp_path):
    encoded = encode_corpus(demo_paths()["train"], tmp_path / "enc", workers=1)
    for min_count, max_size in [(1, None), (2, None), (5, None), (5, 50), (3, 7), (10 ** 9, None), (1, 0)]:
        opened = EncodedCorpus.open(tmp_path / "enc")  # its words not read: the counts and a head
        fast, reference = _prefix_vocab(opened, min_count, max_size), encoded.vocab_with(min_count, max_size)
        assert fast.words == reference.words and np.array_equal(fast.counts, reference.counts)
        remap, expected = _remap(opened, fast), encoded.remap_to(reference)
        assert (remap is None and expected is None) or np.array_equal(remap, expected)
        assert opened._vocab is None or len(reference) == len(encoded.vocab)
    shuffled = Vocab(["b", "a"], [5, 0, 0, 1, 3])  # not in count order: the general path
    corpus = Corpus(np.array([4, 3, 4, 4], np.int32), np.array([0, 4]))
    assert _prefix_vocab(write_encoded(corpus, shuffled, tmp_path / "shuffled"), 1, None) is None
    cut = encode_corpus(demo_paths()["train"], tmp_path / "cut", workers=1, min_count=3)
    assert _cut_vocab(cut, 3, None).words == cut.vocab_with(3, None).words  # encoded with a cut-off: vocab_with
    with pytest.raises(WordnetLMError):
        _cut_vocab(cut, 2, None)  # wider than the encoded cut-off: refused as vocab_with refuses


def test_worker_budget_subtracts_every_process():
    two_gb = 2 << 30
    assert tree_processes(InProcess()) == 1
    pool = ProcessPool(2)
    assert tree_processes(pool) == 3
    assert worker_budget(two_gb, InProcess()) == two_gb - PROCESS_OVERHEAD
    assert worker_budget(two_gb, pool) == (two_gb - 3 * PROCESS_OVERHEAD) // 2
    assert worker_budget(1 << 20, pool) == (1 << 20) // 8  # below the overhead: a budget for the data alone
    # the vocabulary the driver holds while the workers count is the workers' loss
    words = 100_000
    assert worker_budget(two_gb, pool, driver_words=words) == \
        (two_gb - 3 * PROCESS_OVERHEAD - words * VOCAB_BYTES_PER_WORD) // 2


def _peak_rss_of_tree(command: list[str]) -> tuple[int, str]:
    """Peak of the summed resident memory of ``command`` and its children (sampled every 20 ms)."""
    psutil = pytest.importorskip("psutil")  # installed with the [dask] extra (distributed needs it)
    proc = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, sum(p.memory_info().rss for p in [proc] + proc.children(recursive=True)))
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    assert proc.returncode == 0, err.decode()[-2000:]
    return peak, out.decode()


def test_one_process_peak_is_within_the_budget(shared, tmp_path):
    """VmHWM (the kernel's exact peak) of a one-process count of brown-bengio, window 10: 278 MB
    unbounded, within 200 MB with ``memory=200M`` (40 MB for the data, 160 MB fixed)."""
    script = ("import sys\nfrom wordnet_lm.glove.distributed import count_cooccurrences_on\n"
              "from wordnet_lm.scale.executor import InProcess\n"
              "count_cooccurrences_on(InProcess(), sys.argv[1], out=sys.argv[2], window=10, min_count=1, "
              "memory='200M', temp=sys.argv[3])\n"
              "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n")
    done = subprocess.run([sys.executable, "-c", script, str(shared / "corpora" / "brown-bengio" / "train.txt"),
                           str(tmp_path / "X"), str(tmp_path)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert int(done.stdout.split()[-1]) * 1024 <= 200 << 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]  # temporaries removed


def test_process_tree_peak_is_within_the_budget(shared, tmp_path):
    """The CLI on nltk-mix (3.8M tokens, window 10) with its driver and two workers: 739 MB
    with 8G, and within 560M (three processes' overhead, 40 MB of data per worker)."""
    peak, _ = _peak_rss_of_tree([sys.executable, "-m", "wordnet_lm", "cooccur",
                                 str(shared / "corpora" / "nltk-mix.txt"), "--out", str(tmp_path / "X"),
                                 "--window", "10", "--memory", "560M", "--temp", str(tmp_path)])
    assert peak <= 560 << 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]
