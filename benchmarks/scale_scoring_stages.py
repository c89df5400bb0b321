"""Where the seconds of ``wordnet-lm perplexity --model lm.arpa`` go (issue 11, part 5): a profile.

In one process, as the CLI runs it (``ngram.score_setup.model_and_text``: the text read on a
thread while the n-grams load, then the scores), with

* per phase: wall, CPU and peak RSS (sampled every 10 ms) of import, load (+ the text) and score;
* per thread: CPU seconds (the parsing threads, the inserting main thread, the prefetching
  reader, the text and scoring pool);
* per stage of the ARPA load: thread CPU seconds inside each function (fields, numbers, words,
  context probes, insertion), summed over the threads that ran it.

KenLM's ``query`` is run on the same files first (``--kenlm``), for its wall, CPU and peak RSS.

    python benchmarks/scale_scoring_stages.py --arpa /tmp/nltk5.arpa --kenlm /tmp/kenlm/build/bin
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arpa", type=Path, required=True)
    parser.add_argument("--text", type=Path, default=Path("/work/shared/corpora/nltk-mix.txt"))
    parser.add_argument("--kenlm", type=Path, default=None, help="folder of KenLM's query (run first, for reference)")
    args = parser.parse_args()
    if args.kenlm is not None:
        query(args.kenlm / "query", args.arpa, args.text)
    profile(args.arpa, args.text)


def query(binary: Path, arpa: Path, text: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(text, "rb") as stdin:
        run = subprocess.run([str(binary), "-v", "summary", str(arpa)], stdin=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    perplexity = [line for line in run.stdout.splitlines() if line.startswith("Perplexity including")]
    print(f"query: wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {after.ru_maxrss / 1024:.0f} MB; {perplexity}")
    print(f"query's own report: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else '-'}")


class Sampler:
    """Peak RSS of this process and CPU seconds per thread, sampled on a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self.names: dict[str, str] = {}
        self.cpu: dict[str, float] = {}
        self.tick = os.sysconf("SC_CLK_TCK")
        self.stop = False
        threading.Thread(target=self._run, daemon=True, name="sampler").start()

    def rss(self) -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) * 1024
        return 0

    def threads(self) -> None:
        for thread in threading.enumerate():
            if thread.native_id:
                name = thread.name
                for prefix in ("arpa", "wordnet_lm_", "wordnet_lm-text", "wordnet_lm-prefetch"):
                    if name.startswith(prefix):
                        name = prefix.rstrip("_")
                self.names[str(thread.native_id)] = name
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            self.cpu[tid] = (int(fields[11]) + int(fields[12])) / self.tick

    def _run(self) -> None:
        n = 0
        while not self.stop:
            self.peak = max(self.peak, self.rss())
            n += 1
            if n % 5 == 0:
                self.threads()
            time.sleep(0.01)


def profile(arpa: Path, text: Path) -> None:
    sampler = Sampler()
    stages: collections.Counter = collections.Counter()
    mark = [time.perf_counter(), time.process_time()]

    def phase(name: str) -> None:
        now = [time.perf_counter(), time.process_time()]
        print(f"{name:<8} wall {now[0] - mark[0]:6.2f} s  CPU {now[1] - mark[1]:6.2f} s  "
              f"peak RSS {sampler.peak / 2 ** 20:6.0f} MB  (now {sampler.rss() / 2 ** 20:.0f} MB)", flush=True)
        mark[:] = [time.perf_counter(), time.process_time()]
        sampler.peak = 0

    def timed(name, fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            started = time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                stages[name] += time.thread_time() - started
        return wrapper

    from wordnet_lm.ngram import arpa_hashed as ah
    from wordnet_lm.ngram.score_setup import model_and_text
    from wordnet_lm.text import byte_corpus
    from wordnet_lm.text.byte_words import WordTable

    phase("import")
    ah.regular_fields = timed("fields (separators)", ah.regular_fields)
    ah.spans = timed("fields (spans, odd lines)", ah.spans)
    ah.parse_decimals = timed("numbers", ah.parse_decimals)
    WordTable.lookup_mixed = timed("words -> ids", WordTable.lookup_mixed)
    ah._Reader._keys = timed("context probes", ah._Reader._keys)
    ah._insert = timed("insertion", ah._insert)
    ah._Reader._lines = timed("parse total (per block)", ah._Reader._lines)
    ah._Reader._store = timed("store total (per block)", ah._Reader._store)
    ah._Reader._vocabulary = timed("1-grams -> vocabulary", ah._Reader._vocabulary)
    byte_corpus.read_plain_corpus = timed("the text (thread)", byte_corpus.read_plain_corpus)
    model, corpus = model_and_text(arpa, text, lambda extra: {})
    phase("load+text")
    result = model.perplexity(corpus)
    phase("score")
    print(str(result).splitlines()[0])
    sampler.threads()
    by_thread: collections.Counter = collections.Counter()
    for tid, cpu in sampler.cpu.items():
        by_thread[sampler.names.get(tid, "other")] += cpu
    print("CPU s per thread:", ", ".join(f"{name} {cpu:.2f}" for name, cpu in by_thread.most_common()))
    print("thread CPU s per stage of the load:")
    for name, seconds in stages.most_common():
        print(f"  {name:<28} {seconds:6.2f}")


if __name__ == "__main__":
    main()
