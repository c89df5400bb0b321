"""N-gram models bigger than memory: count under a memory budget (spilling sorted runs to a
temporary folder), merge, estimate and write the ARPA file streaming, optionally with the
counting spread over processes or a Dask cluster.

::

    from wordnet_lm.ngram.external import build_arpa
    build_arpa("corpus.txt", "lm.arpa", order=5, memory="2G", temp="/scratch")

The ARPA file is byte for byte the one ``make_model(smoothing, order).fit(...).to_arpa(...)``
writes in memory.  Pipeline: text -> encoded corpus (:mod:`wordnet_lm.text.encode`, skipped for
an encoded corpus folder) -> map: shards counted in chunks into sorted runs
(:func:`wordnet_lm.ngram.runs.count_shard`) -> reduce: ranges of first words merged
(:func:`wordnet_lm.ngram.runs.merge_range`) -> streamed estimation and ARPA text
(:mod:`wordnet_lm.ngram.streamed`).  Map and reduce run on an :class:`~wordnet_lm.scale.Executor`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.ngram import runs as runs_module
from wordnet_lm.ngram import streamed
from wordnet_lm.ngram.smoothing import make_model
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.executor import Executor, InProcess, ProcessPool
from wordnet_lm.scale.plan import balanced_ranges, reduce_task_count, shard_count
from wordnet_lm.scale.process_tree import PROCESS_OVERHEAD, VOCAB_BYTES_PER_WORD, is_local, tree_processes
from wordnet_lm.scale.spill import remove_files
from wordnet_lm.scale.tempdir import TempFolder, check_temp_parent
from wordnet_lm.text.encoded import EncodedCorpus, open_encoded
from wordnet_lm.text.options import ReadingOptions
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Corpus, Vocab

SMOOTHINGS = ("mkn", "kn", "absolute")  # the interpolated discounting family, streamed
COUNT_BYTES_PER_TOKEN_ORDER = 48  # measured peak of in-memory counting: ~46*order + 0..20 bytes a token
# a counting chunk's memory at most, whatever the budget: bigger chunks sort out of the caches and
# cost more per token than their fewer runs save in merging (16M tokens, order 5, CPU of count +
# merge: 2.8M-token chunks 9.9-10.2 s, 6M 10.6-11.9 s, 1.4M 10.5-11.8 s)
COUNT_CHUNK_BYTES = 768 << 20
ESTIMATE_BYTES_PER_ENTRY = 160  # a dozen 8-byte arrays of a block plus the windows they read
WRITE_BYTES_PER_ENTRY = 1000  # a line of ARPA text: ~30 bytes, ~24 bytes of index arrays per byte
WRITE_BLOCK = 1 << 15  # more lines at once are no faster
MERGE_BYTES_PER_ENTRY = 160  # keys, counts, merged keys, np.unique (sort, inverse), maps: measured 64 was too few
# entries read from each run at once, at most: a block's dozen arrays then stay in the caches; the
# reduce tasks ran 1.5-1.8x faster than with blocks as big as the budget allows (4M and 16M tokens,
# 2 and 6 runs), and two workers no longer compete for the memory bus
MERGE_BLOCK = 1 << 16


@dataclass
class ExternalResult:
    """What :func:`build_arpa` did: sizes, discounts, runs and times per stage."""

    arpa: Path
    order: int
    vocab_size: int
    n_sentences: int
    n_tokens: int
    sizes: list[int]
    discounts: np.ndarray
    count_of_counts: np.ndarray
    n_runs: int
    n_ranges: int
    run_bytes: int  # written by the map tasks and read by the reduce tasks (the shuffle)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Budget:
    """How a memory budget is spent: tokens counted at once per task, entries per block.

    ``memory`` is meant for the whole local process tree: the fixed part (``PROCESS_OVERHEAD``
    for each of ``processes`` and ``VOCAB_BYTES_PER_WORD`` for the driver's vocabulary) is
    taken off first, and the data blocks share the rest (never less than a quarter of it)."""

    memory: int
    concurrent: int  # tasks running at the same time on this machine
    processes: int = 1  # local processes: the driver and its pool's workers
    vocab_size: int = 0

    def fixed(self) -> int:
        return self.processes * PROCESS_OVERHEAD + self.vocab_size * VOCAB_BYTES_PER_WORD

    def usable(self) -> int:
        """Bytes for data."""
        return max(self.memory // 4, self.memory - self.fixed())

    def chunk_tokens(self, order: int) -> int:
        per_task = min(self.usable() // self.concurrent, COUNT_CHUNK_BYTES)
        return max(1000, per_task // (COUNT_BYTES_PER_TOKEN_ORDER * max(order, 2) + 40))

    def merge_block(self, n_runs: int) -> int:
        per_task = self.usable() // self.concurrent
        return max(64, min(MERGE_BLOCK, per_task // (MERGE_BYTES_PER_ENTRY * max(n_runs, 1))))

    def estimate_block(self) -> int:
        return max(256, self.usable() // self.concurrent // ESTIMATE_BYTES_PER_ENTRY)

    def write_block(self) -> int:
        return max(256, min(self.usable() // self.concurrent // WRITE_BYTES_PER_ENTRY, WRITE_BLOCK))


def count_budget(memory: int, executor: Executor, vocab_size: int) -> Budget:
    """How ``memory`` is spent with ``executor``: shared by its workers' tasks, less the fixed
    part of the local processes (the driver and local workers; a remote cluster's budget is its
    workers' own, without the driver's vocabulary)."""
    local = is_local(executor)
    return Budget(memory, max(1, executor.workers), tree_processes(executor) if local else 1,
                  vocab_size if local else 0)


def build_arpa(source: str | os.PathLike | EncodedCorpus | tuple[Corpus, Vocab], arpa: str | os.PathLike, *,
               order: int = 3, smoothing: str = "mkn", discounts: Any = None, min_count: int = 1,
               max_size: int | None = None, memory: str | int = "2G", temp: str | os.PathLike | None = None,
               executor: Executor | None = None, processes: int | None = None, tokenizer: str = "auto",
               lowercase: bool | None = None, sentences: str = "auto", encoding: str = "utf-8",
               progress: bool = False) -> ExternalResult:
    """Estimate an n-gram model under a memory budget and write it as an ARPA file.

    Parameters
    ----------
    source : path, EncodedCorpus or (Corpus, Vocab)
        A text source (anything :func:`wordnet_lm.text.read_sentences` reads; encoded into the
        temporary folder first), an encoded corpus folder, or sentences already in memory.
    arpa : path
        The ARPA file to write (atomically).
    order, smoothing, discounts
        As for :func:`wordnet_lm.ngram.make_model`; smoothing one of ``mkn``, ``kn``, ``absolute``.
    min_count, max_size
        Vocabulary cut-offs (ignored for a ``(Corpus, Vocab)`` source).
    memory : str or int
        The budget (``"2G"``): counting chunks, merge and estimation blocks are sized from it.
    temp : path, optional
        Parent folder of the temporary folder (default: the system's); removed at the end
        however the call ends.
    executor : Executor, optional
        Runs counting (map) and merging (reduce) tasks, e.g. a Dask executor; default: a local
        pool of ``processes`` processes (default 1: this process).
    tokenizer, lowercase, sentences, encoding
        Reading options for a text source (:class:`wordnet_lm.text.options.ReadingOptions`).
    progress : bool
        Progress bars on stderr.

    Returns
    -------
    ExternalResult
    """
    started = time.perf_counter()
    if smoothing not in SMOOTHINGS:
        raise WordnetLMError(f"--memory supports smoothing {', '.join(SMOOTHINGS)}, not {smoothing!r}")
    params = {} if discounts is None else ({"discounts": discounts} if smoothing == "mkn" else {"discount": discounts})
    model = make_model(smoothing, order, **params)
    model._check_params()
    budget_bytes = parse_memory(memory)
    arpa = Path(arpa)
    _check_output(arpa)
    if temp is not None:
        check_temp_parent(temp)
    own_executor = executor is None
    if executor is None:
        executor = ProcessPool(processes) if processes and processes > 1 else InProcess()
    if isinstance(executor, ProcessPool):
        executor.start()  # forked before the vocabulary and the tables are in this process
    seconds: dict[str, float] = {}
    try:
        with TempFolder(temp, prefix="wordnet-lm-ngram-") as folder:
            try:
                reading = ReadingOptions(tokenizer=tokenizer, lowercase=lowercase, sentences=sentences, encoding=encoding)
                encoded = _encoded_source(source, folder, reading, executor.workers, progress)
                seconds["encode"] = time.perf_counter() - started
                vocab = encoded.vocab_with(min_count, max_size) if not isinstance(source, tuple) else encoded.vocab
                if len(vocab) <= 3:
                    raise WordnetLMError(f"{source}: empty vocabulary with min_count={min_count}")
                if encoded.n_sentences == 0:
                    raise TrainingError("cannot estimate an n-gram model from an empty corpus (no sentences)")
                _check_markers(encoded, vocab)
                budget = count_budget(budget_bytes, executor, len(encoded.vocab))
                in_memory = isinstance(source, tuple)
                tables, n_runs, n_ranges, run_bytes = _count(encoded, vocab, order, 1 if in_memory else min_count,
                                                             None if in_memory else max_size, budget, executor, folder)
                seconds["count"] = time.perf_counter() - started - sum(seconds.values())
                block = budget.estimate_block()
                streamed.compute_suffixes(tables, block, executor)
                continuation = smoothing in ("mkn", "kn")
                adjusted1, t = streamed.compute_adjusted(tables, block, continuation, executor)
                model.count_of_counts_ = t
                found = model._discounts(t)
                p1, b1 = streamed.interpolate(tables, adjusted1, found, block, executor, drop_inputs=True)
                seconds["estimate"] = time.perf_counter() - started - sum(seconds.values())
                streamed.write_arpa_streamed(arpa, tables, vocab, p1, b1, budget.write_block(), progress,
                                             executor=executor)
                seconds["write"] = time.perf_counter() - started - sum(seconds.values())
                return ExternalResult(arpa, order, len(vocab), tables.n_sentences, tables.n_tokens, list(tables.sizes),
                                      found, t, n_runs, n_ranges, run_bytes, seconds)
            finally:  # workers stopped before the folder they write into is removed
                if own_executor:
                    executor.close()
    finally:
        if own_executor:
            executor.close()


def _check_output(arpa: Path) -> None:
    """The ARPA path must be writable (checked before any long work)."""
    if arpa.is_dir():
        raise WordnetLMError(f"{arpa}: is a folder, not a file to write")
    parent = arpa.parent if str(arpa.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise WordnetLMError(f"{arpa}: cannot write there (no such folder, or not writable)")


def _encoded_source(source, folder: Path, reading: ReadingOptions, workers: int,
                    progress: bool) -> EncodedCorpus:
    """``source`` as an encoded corpus (written into ``folder`` unless it already is one)."""
    if isinstance(source, EncodedCorpus):
        return source
    if isinstance(source, tuple):
        corpus, vocab = source
        return write_encoded(corpus, vocab, folder / "corpus")
    encoded = open_encoded(source)
    if encoded is not None:
        encoded.check_reading(reading)
        return encoded
    from wordnet_lm.text.encode import encode_corpus

    return encode_corpus(source, folder / "corpus", **reading.to_dict(), workers=max(workers, 1), temp=folder,
                         progress=progress)


def write_encoded(corpus: Corpus, vocab: Vocab, out: Path) -> EncodedCorpus:
    """An in-memory corpus as an encoded corpus folder (for counting tasks in other processes)."""
    import json

    from wordnet_lm.text import encoded as fmt

    out.mkdir(parents=True)
    np.asarray(corpus.ids, fmt.IDS_DTYPE).tofile(out / fmt.IDS)
    np.asarray(corpus.offsets, fmt.OFFSETS_DTYPE).tofile(out / fmt.OFFSETS)
    fmt.write_vocabulary(out, vocab)
    header = {"format": fmt.FORMAT, "version": fmt.VERSION, "source": "<memory>", "reading": fmt.DEFAULT_READING,
              "min_count": 1, "max_size": None, "n_tokens": int(corpus.n_tokens),
              "n_sentences": int(corpus.n_sentences), "vocab_size": len(vocab)}
    (out / fmt.HEADER).write_text(json.dumps(header))
    return EncodedCorpus.open(out)


def _check_markers(encoded: EncodedCorpus, vocab: Vocab) -> None:
    """``<s>``/``</s>`` as words of the text are refused, as the in-memory counter does."""
    if encoded.counts[BOS_ID] or encoded.counts[EOS_ID]:
        raise TrainingError("the training text contains the sentence markers <s> or </s> as words; "
                            "they are added around every sentence and cannot occur inside one")


def _count(encoded: EncodedCorpus, vocab: Vocab, order: int, min_count: int, max_size: int | None, budget: Budget,
           executor: Executor, folder: Path) -> tuple[streamed.DiskTables, int, int, int]:
    """Map (shards -> runs) and reduce (ranges -> parts, which are the global tables)."""
    chunk = budget.chunk_tokens(order)
    n_shards = shard_count(encoded.n_tokens, chunk, executor.workers)
    remap = encoded.remap_to(vocab)
    remap_path = None
    if remap is not None:
        remap_path = str(folder / "remap.npy")
        np.save(remap_path, remap)
    tasks = [runs_module.ShardTask(str(encoded.path), first, stop, order, len(vocab), remap_path, chunk,
                                   str(folder / f"run{k}"))
             for k, (first, stop) in enumerate(encoded.shards(n_shards))]
    runs = [run for shard in executor.map(runs_module.count_shard, tasks) for run in shard]
    merged = [name for run in runs for name in run.files()]
    run_bytes = sum(Path(name).stat().st_size for name in merged)  # written by the map tasks, read by the reduce
    counts1 = np.zeros(len(vocab), np.int64)
    work = np.zeros(len(vocab), np.int64)  # entries to merge in each first word's range
    for run in runs:
        counts1 += run.unigram_counts()
        work += run.first_words()
    ranges = balanced_ranges(work, reduce_task_count(executor.workers))
    merge_block = budget.merge_block(len(runs))
    range_tasks = [runs_module.RangeTask(tuple(runs), a, b, order, len(vocab), merge_block, str(folder / f"part{k}"))
                   for k, (a, b) in enumerate(ranges)]
    parts = executor.map(runs_module.merge_range, range_tasks) if order > 1 else []
    executor.map(remove_files, [tuple(merged[k::len(ranges)]) for k in range(len(ranges))])
    sizes = [len(vocab)] + streamed.save_parts(folder, parts)
    tables = streamed.DiskTables(folder, len(vocab), counts1, sizes, sum(r.n_sentences for r in runs),
                                 sum(r.n_tokens for r in runs))
    return tables, len(runs), len(ranges), run_bytes
