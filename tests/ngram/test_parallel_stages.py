"""Estimation and ARPA writing in pieces on several processes: the same file as one process
whichever order the pieces run in; temporary files removed when a piece fails or the job is
interrupted; the whole process tree within the memory budget."""

import os
import subprocess
import sys
import warnings

import pytest

from .test_external import in_memory_arpa
from wordnet_lm.ngram import streamed
from wordnet_lm.ngram.external import build_arpa
from wordnet_lm.scale.executor import InProcess
from wordnet_lm.text import load_corpus

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


class Backwards(InProcess):
    """Pretends to be 3 workers and runs the tasks of every batch last to first."""

    workers = 3

    def map(self, fn, items):
        return [fn(item) for item in list(items)[::-1]][::-1]

    def imap(self, fn, items, window=4):
        return iter(self.map(fn, items))


class CountingTwice(Backwards):
    """Runs every counting task (map, reduce, removal of the runs) twice, as Dask does a task whose worker died
    after it started: first all backwards, then all again."""

    def map(self, fn, items):
        if fn.__name__ in ("count_shard", "merge_range", "remove_files"):
            super().map(fn, items)
        return super().map(fn, items)


def _build(path, executor=None, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_arpa("demo", path, order=4, memory="3M", executor=executor, **options)


def test_pieces_in_any_order_give_the_in_memory_file_and_cover_the_contexts(tmp_path, monkeypatch):
    corpus, vocab = load_corpus("demo")
    expected = in_memory_arpa(tmp_path / "mem.arpa", corpus, vocab, 4)
    assert streamed.n_pieces(Backwards()) == 9
    seen = []
    original = streamed.context_pieces

    def spy(tables, n, count):  # pieces of interpolation must cover every context exactly once
        got = original(tables, n, count)
        seen.append((tables.sizes[n - 2], tables.sizes[n - 1], got))
        return got

    monkeypatch.setattr(streamed, "context_pieces", spy)
    _build(tmp_path / "back.arpa", Backwards())
    monkeypatch.setattr(streamed, "context_pieces", original)
    assert (tmp_path / "back.arpa").read_bytes() == expected
    _build(tmp_path / "pool.arpa", processes=2)
    assert (tmp_path / "pool.arpa").read_bytes() == expected
    _build(tmp_path / "twice.arpa", CountingTwice())  # tasks run again (a lost worker) change nothing
    assert (tmp_path / "twice.arpa").read_bytes() == expected
    assert len(seen) == 3
    for contexts, entries, pieces in seen:
        assert len(pieces) > 1
        assert pieces[0][0] == 0 and pieces[-1][1] == entries and pieces[0][2] == 0 and pieces[-1][3] == contexts
        for (_, hi, _, c_hi), (lo, _, c_lo, _) in zip(pieces[:-1], pieces[1:]):
            assert hi == lo and c_hi == c_lo


def _leftovers(folder):
    return [p for p in os.listdir(folder) if p.startswith("wordnet-lm-")]


def test_failing_piece_in_a_worker_removes_temp(tmp_path, monkeypatch):
    def fail(task):
        raise RuntimeError("piece failed")

    monkeypatch.setattr(streamed, "arpa_block", fail)  # the pool forks after this: its workers fail too
    with pytest.raises(RuntimeError, match="piece failed"):
        _build(tmp_path / "x.arpa", processes=2, temp=tmp_path)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "x.arpa").exists()


def test_interrupt_while_appending_parts_removes_temp(tmp_path, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(streamed, "_append_file", interrupt)
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path / "x.arpa", processes=2, temp=tmp_path)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "x.arpa").exists()
    assert [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] == []


def test_process_tree_within_budget(tmp_path, shared):
    """brown-bengio order 4 on 3 processes (driver + 2 workers) with a 700 MB budget: the sum of
    the processes' resident memory, sampled every 20 ms, stays within it."""
    source = shared / "corpora" / "brown-bengio" / "train.txt"
    code = f"""
import os, threading, time
from wordnet_lm.ngram.external import build_arpa
peak = [0]
def rss(pid):
    try:
        with open(f"/proc/{{pid}}/status") as f:
            kb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
        kids = [int(c) for t in os.listdir(f"/proc/{{pid}}/task")
                for c in open(f"/proc/{{pid}}/task/{{t}}/children").read().split()]
    except (OSError, StopIteration):
        return 0
    return kb * 1024 + sum(rss(k) for k in kids)
def sample():
    while True:
        peak[0] = max(peak[0], rss(os.getpid()))
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
r = build_arpa({str(source)!r}, {str(tmp_path / 'x.arpa')!r}, order=4, memory='700M', processes=2)
print(r.n_runs, peak[0])
"""
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    n_runs, peak = map(int, out.stdout.split()[-2:])
    assert n_runs >= 2 and 0 < peak <= 700 << 20
