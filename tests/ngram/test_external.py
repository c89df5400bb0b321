"""N-grams under a memory budget: the same ARPA file, byte for byte, as the in-memory path,
with many spilled runs and merge ranges; temporary files removed however the job ends."""

import errno
import os
from pathlib import Path
import subprocess
import sys
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import corpus_of, vocab_of
from wordnet_lm.cli import main
from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.ngram import external, make_model, runs, streamed
from wordnet_lm.ngram.external import build_arpa
from wordnet_lm.scale.tempdir import DiskFullError
from wordnet_lm.text import load_corpus


def in_memory_arpa(path, corpus, vocab, order, smoothing="mkn"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make_model(smoothing, order).fit(corpus, vocab).to_arpa(path)
    return path.read_bytes()


def streamed_arpa(path, source, order, memory, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = build_arpa(source, path, order=order, memory=memory, **options)
    return path.read_bytes(), result


@pytest.mark.parametrize("order, smoothing", [(3, "mkn"), (4, "mkn"), (3, "kn"), (2, "absolute"), (1, "mkn")])
def test_demo_many_spills_same_arpa(tmp_path, order, smoothing):
    corpus, vocab = load_corpus("demo")
    expected = in_memory_arpa(tmp_path / "mem.arpa", corpus, vocab, order, smoothing)
    got, result = streamed_arpa(tmp_path / "ext.arpa", "demo", order, "2M", smoothing=smoothing,
                                temp=tmp_path, processes=2 if order == 4 else 1)
    assert result.n_runs >= 8 and (order == 1 or result.n_ranges >= 1)
    assert got == expected
    assert os.listdir(tmp_path) == ["mem.arpa", "ext.arpa"] or sorted(os.listdir(tmp_path)) == ["ext.arpa", "mem.arpa"]


def test_reported_run_bytes_are_the_run_files_written(tmp_path, monkeypatch):
    """``run_bytes`` (printed as "sorted runs (...)") is what the map tasks wrote: the sizes of
    their files, whatever width their counts have."""
    written = []
    count_shard = runs.count_shard

    def recording(task):
        made = count_shard(task)
        written.extend(os.path.getsize(f) for run in made for f in Path(run.path).parent.glob(Path(run.path).name + ".*"))
        return made

    monkeypatch.setattr(runs, "count_shard", recording)
    _, result = streamed_arpa(tmp_path / "ext.arpa", "demo", 3, "2M", temp=tmp_path)
    assert result.n_runs >= 8 and result.run_bytes == sum(written) > 0


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(st.integers(3, 14), min_size=1, max_size=9), min_size=1, max_size=40),
       st.integers(1, 4), st.sampled_from(["mkn", "kn", "absolute"]))
def test_random_corpora_same_arpa(tmp_path_factory, sentences, order, smoothing):
    tmp = tmp_path_factory.mktemp("r")
    corpus, vocab = corpus_of(sentences), vocab_of(12)
    expected = in_memory_arpa(tmp / "mem.arpa", corpus, vocab, order, smoothing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, result = streamed_arpa(tmp / "ext.arpa", (corpus, vocab), order, "64K", smoothing=smoothing)
    assert got == expected


def test_min_count_and_cutoffs(tmp_path):
    corpus, vocab = load_corpus("demo", min_count=30)
    expected = in_memory_arpa(tmp_path / "mem.arpa", corpus, vocab, 3)
    got, _ = streamed_arpa(tmp_path / "ext.arpa", "demo", 3, "4M", min_count=30)
    assert got == expected


def _leftovers(folder):
    return [p for p in os.listdir(folder) if p.startswith("wordnet-lm-")]


def test_temp_removed_on_error_and_interrupt(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(streamed, "interpolate", fail)
    with pytest.raises(RuntimeError, match="boom"):
        build_arpa("demo", tmp_path / "x.arpa", order=3, memory="4M", temp=tmp_path)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "x.arpa").exists()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(streamed, "interpolate", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_arpa("demo", tmp_path / "x.arpa", order=3, memory="4M", temp=tmp_path)
    assert _leftovers(tmp_path) == []


def test_full_disk_is_one_line_error(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runs.DiskArray, "from_array", full)
    with pytest.raises(DiskFullError, match="no space left") as caught:
        build_arpa("demo", tmp_path / "x.arpa", order=3, memory="4M", temp=tmp_path)
    assert "\n" not in str(caught.value) and str(tmp_path) in str(caught.value)
    assert _leftovers(tmp_path) == []


def test_sigterm_removes_temp(tmp_path):
    script = ("import sys, time; from wordnet_lm.ngram import streamed; from wordnet_lm.ngram.external import build_arpa\n"
              "def slow(*a, **k):\n    print('ready', flush=True); time.sleep(60)\n"
              "streamed.interpolate = slow\n"
              f"build_arpa('demo', {str(tmp_path / 'x.arpa')!r}, order=2, memory='4M', temp={str(tmp_path)!r})\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert child.stdout.readline().strip() == "ready"
    assert _leftovers(tmp_path) != []
    child.terminate()
    child.wait(timeout=30)
    assert _leftovers(tmp_path) == []


def test_bad_requests_fail_before_work(tmp_path):
    with pytest.raises(WordnetLMError, match="memory"):
        build_arpa("demo", tmp_path / "x.arpa", memory="lots")
    with pytest.raises(WordnetLMError, match="between"):
        build_arpa("demo", tmp_path / "x.arpa", memory="1K")
    with pytest.raises(WordnetLMError, match="add-k"):
        build_arpa("demo", tmp_path / "x.arpa", smoothing="add-k")
    with pytest.raises(WordnetLMError, match="cannot write"):
        build_arpa("demo", tmp_path / "no" / "x.arpa")
    with pytest.raises(WordnetLMError, match="temporary folder"):
        build_arpa("demo", tmp_path / "x.arpa", temp=tmp_path / "missing")
    corpus = corpus_of([[1, 4, 5]])
    with pytest.raises(TrainingError, match="markers"):
        build_arpa((corpus, vocab_of(3)), tmp_path / "x.arpa")


def test_brown_bengio_many_spills_same_arpa_within_budget(tmp_path, shared):
    """brown-bengio order 3, a 12 MB budget: 10+ sorted runs merged, the in-memory
    ARPA file byte for byte, and peak RSS within the budget plus the stated per-process overhead
    (VmHWM of a fresh process: ru_maxrss would inherit pytest's through fork)."""
    source = shared / "corpora" / "brown-bengio" / "train.txt"
    code = ("from wordnet_lm.ngram.external import build_arpa\n"
            f"r = build_arpa({str(source)!r}, {str(tmp_path / 'ext.arpa')!r}, order=3, memory='12M')\n"
            "print(r.n_runs, r.n_ranges, next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])\n")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    n_runs, n_ranges, peak_kb = map(int, out.stdout.split()[-3:])
    assert n_runs >= 10 and n_ranges == 1  # one process: the whole job's memory is this process's
    assert peak_kb * 1024 <= (12 << 20) + external.PROCESS_OVERHEAD
    corpus, vocab = load_corpus(source)
    assert (tmp_path / "ext.arpa").read_bytes() == in_memory_arpa(tmp_path / "mem.arpa", corpus, vocab, 3)


def test_cli_memory_equals_in_memory(tmp_path, capsys):
    assert main(["ngram", "--train", "demo", "--order", "3", "--arpa", str(tmp_path / "a.arpa")]) == 0
    assert main(["ngram", "--train", "demo", "--order", "3", "--arpa", str(tmp_path / "b.arpa"), "--memory", "3M",
                 "--temp", str(tmp_path)]) == 0
    assert (tmp_path / "a.arpa").read_bytes() == (tmp_path / "b.arpa").read_bytes()
    capsys.readouterr()
    for extra, message in [(["--memory", "2Q"], "memory"), (["--memory", "2G", "--test", "demo"], "--test"),
                           (["--workers", "0"], "must be an integer"),
                           (["--workers", "2", "--scheduler", "tcp://x:1"], "either")]:
        assert main(["ngram", "--arpa", str(tmp_path / "c.arpa"), *extra]) == 2
        assert message in capsys.readouterr().err


def test_cli_dask_flags_without_dask(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert main(["ngram", "--arpa", str(tmp_path / "c.arpa"), "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "wordnet_lm[dask]" in err and len(err.strip().splitlines()) == 1
