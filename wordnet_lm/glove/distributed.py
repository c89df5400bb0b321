"""Co-occurrence counting as map-reduce on an executor (in-process, process pool or Dask).

Map (:func:`count_shard`): one shard (a range of sentences) of an encoded corpus is counted
within the per-worker budget into sorted runs (:class:`~wordnet_lm.glove.runs.BoundedCounter`)
in the shared spill folder.  Reduce (:func:`merge_range`): one range of rows is merged from
every run and written as a part (indices, float64 values, row lengths).  The parts, in row
order, are the matrix.  Counts are exact integers (:mod:`~wordnet_lm.glove.pair_counts`), so
the result is the single-process matrix bit for bit whatever the shards, ranges and workers.
Tasks take and return small values (paths, offsets); arrays travel through files, which on a
real cluster must be on a file system every worker sees (``--temp``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.heap import phase_task
from wordnet_lm.glove.matrix_file import RowFiles, write_cooccurrence_parts
from wordnet_lm.glove.pair_counts import FixedPointWeights, piece_tokens_for, window_count_pieces
from wordnet_lm.glove.runs import MERGE_BYTES_PER_RECORD, MERGE_SHARE, BoundedCounter, Run, merge_runs, row_ranges, \
    run_row_nnz
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.executor import Executor, ProcessPool
from wordnet_lm.scale.plan import balanced_ranges, reduce_task_count, shard_count
from wordnet_lm.scale.process_tree import worker_budget
from wordnet_lm.scale.spill import remove_files, write_raw
from wordnet_lm.scale.tempdir import TempFolder
from wordnet_lm.text.encoded import EncodedCorpus, open_encoded, sentence_chunks
from wordnet_lm.text.vocab import UNK_ID, Corpus, Vocab

SHARD_TOKENS = 4_000_000  # at most this many tokens per map task (more tasks than workers balance them)


@dataclass(frozen=True)
class ShardTask:
    """Count sentences ``first..stop-1`` of the encoded corpus ``corpus`` into runs in ``folder``."""

    corpus: str
    remap: str | None  # .npy of stored id -> counting id, or None
    first: int
    stop: int
    n_words: int
    units: tuple[int, ...]
    count_unk: bool
    symmetric: bool
    memory: int
    folder: str


@dataclass(frozen=True)
class RangeTask:
    """Merge rows ``first..stop-1`` of ``runs`` into the part files ``prefix``.*."""

    runs: tuple[Run, ...]
    first: int
    stop: int
    n_words: int
    scale: int
    prefix: str


@phase_task(big_blocks_too=True)  # pieces of the same size, one after another
def count_shard(task: ShardTask) -> list[Run]:
    """Map: the sorted runs of one shard."""
    remap = np.load(task.remap, allow_pickle=False) if task.remap else None
    folder = Path(task.folder)
    folder.mkdir(parents=True, exist_ok=True)
    counter = BoundedCounter(task.n_words, task.memory, folder, task.symmetric)
    units = np.asarray(task.units, np.int64)
    piece_tokens = piece_tokens_for(counter.piece_bytes, task.n_words, len(units))
    weights = FixedPointWeights(units, 1)
    for chunk in sentence_chunks(task.corpus, task.first, task.stop, piece_tokens):
        if remap is not None:
            chunk = Corpus(remap[chunk.ids], chunk.offsets)
        for piece in window_count_pieces(chunk, task.n_words, weights, count_unk=task.count_unk,
                                         piece_tokens=piece_tokens):
            counter.add(piece)
    counter.spill()
    return counter.runs


@phase_task()
def merge_range(task: RangeTask) -> RowFiles:
    """Reduce: rows ``first..stop-1`` summed over all runs, written as float64 part files."""
    part = RowFiles(task.prefix, task.first, task.stop, 0)
    nnz = 0
    for name in ("indices", "data", "lengths"):
        write_raw(part.file(name), np.zeros(0, np.uint8))
    for _, block in merge_runs(list(task.runs), task.n_words, task.n_words, 0, [(task.first, task.stop)]):
        write_raw(part.file("indices"), block.indices.astype(np.int32, copy=False), append=True)
        write_raw(part.file("data"), block.data / np.float64(task.scale), append=True)
        write_raw(part.file("lengths"), np.diff(block.indptr).astype(np.int64), append=True)
        nnz += block.nnz
    return RowFiles(task.prefix, task.first, task.stop, nnz)


def count_cooccurrences_on(executor: Executor, source, *, out: str | os.PathLike | None = None,
                           vocab: Vocab | None = None, min_count: int = 5, max_size: int | None = None,
                           window: int = 20, weighting: str = "harmonic", symmetric: bool = True,
                           count_unk: bool = False, memory: int | str = "2G", temp: str | os.PathLike | None = None,
                           progress: bool = False, **reading):
    """Co-occurrence counts of ``source`` as map-reduce tasks on ``executor``.

    Parameters
    ----------
    executor : Executor
        From :func:`wordnet_lm.scale.make_executor` (``workers=2, dask=True`` or a scheduler).
    source : path, encoded corpus folder, or (Corpus, Vocab)
        Text is encoded first (into the temporary folder); an encoded corpus is used as is.
    out : path, optional
        Write the matrix to this co-occurrence folder and return the memory-mapped
        :class:`CooccurrenceFile`; default: return ``(csr_matrix, vocab)``.
    memory : int or str
        The peak memory of the whole process tree (the driver and its local workers; on a
        remote cluster, all workers together): each worker counts within ``memory`` less
        :data:`~wordnet_lm.scale.process_tree.PROCESS_OVERHEAD` per process, divided by the
        workers (:func:`~wordnet_lm.scale.process_tree.worker_budget`).
    temp : path
        Spill folder parent; every worker must see it (a shared file system on a cluster).
    Other parameters as for :func:`~wordnet_lm.glove.count_cooccurrences`.
    """
    from wordnet_lm.glove.cooccur import _fixed_weights, check_writable_folder

    fixed = _fixed_weights(window, weighting)
    budget = parse_memory(memory)
    if out is not None:
        check_writable_folder(out)
    workers = max(1, executor.workers)
    if isinstance(executor, ProcessPool):
        executor.start()  # forked while this process is small: its vocabulary is not copied into the workers
    with TempFolder(temp) as folder:
        encoded, vocab = _encoded(source, vocab, min_count, max_size, folder, workers, progress, reading)
        n_words = len(vocab)
        remap = _remap(encoded, vocab)
        remap_path = None
        if remap is not None:
            remap_path = str(folder / "remap.npy")
            np.save(remap_path, remap, allow_pickle=False)
        _check_overflow(encoded, remap, n_words, fixed, count_unk)
        per_worker = worker_budget(budget, executor, driver_words=n_words)
        n_shards = shard_count(encoded.n_tokens, SHARD_TOKENS, workers)
        shard_tasks = [ShardTask(str(encoded.path), remap_path, first, stop, n_words, tuple(fixed.units.tolist()),
                                 count_unk, symmetric, per_worker, str(folder / f"shard{k:05d}"))
                       for k, (first, stop) in enumerate(encoded.shards(n_shards))]
        # a stored vocabulary read whole (the general path: it has every word type of the corpus,
        # 2.8M and 0.6 GB at 256M tokens) is dropped here: only the counting vocabulary (in the
        # budget) stays while workers count
        del encoded, remap
        runs = tuple(run for shard in executor.map(count_shard, shard_tasks) for run in shard)
        parts = _reduce(executor, runs, n_words, fixed.scale, per_worker, workers, folder)
        merged = [str(name) for run in runs for name in run.files()]
        executor.map(remove_files, [tuple(merged[k::len(parts)]) for k in range(len(parts))])
        if out is not None:  # the parts become the matrix's (renamed)
            options = {"window": window, "weighting": weighting, "symmetric": symmetric, "count_unk": count_unk,
                       "min_count": min_count, "max_size": max_size, "source": str(source)}
            return write_cooccurrence_parts(out, parts, n_words, vocab, options)
        return write_cooccurrence_parts(folder / "matrix", parts, n_words, None, {}).to_csr(), vocab


def _reduce(executor: Executor, runs: tuple[Run, ...], n_words: int, scale: int, per_worker: int, workers: int,
            folder: Path) -> list[RowFiles]:
    """Merge the runs by ranges of rows: each range within one worker's budget, the records
    read (the merge's work) about equal between ranges, and a multiple of the workers of them."""
    if not runs:  # no pair at all: one empty part
        _write_empty(folder / "empty", n_words)
        return [RowFiles(str(folder / "empty"), 0, n_words, 0)]
    row_nnz = run_row_nnz(list(runs), n_words)
    max_entries = max(1, int(per_worker * MERGE_SHARE) // MERGE_BYTES_PER_RECORD)
    ranges = [(first + a, first + b)
              for first, stop in balanced_ranges(row_nnz, max(shard_count(int(row_nnz.sum()), max_entries, workers),
                                                              reduce_task_count(workers)))
              for a, b in row_ranges(row_nnz[first:stop], max_entries)]  # a range over the budget is split
    tasks = [RangeTask(runs, first, stop, n_words, scale, str(folder / f"part{k:05d}"))
             for k, (first, stop) in enumerate(ranges)]
    return executor.map(merge_range, tasks)


def _write_empty(prefix: Path, n_words: int) -> None:
    part = RowFiles(str(prefix), 0, n_words, 0)
    write_raw(part.file("indices"), np.zeros(0, np.int32))
    write_raw(part.file("data"), np.zeros(0, np.float64))
    write_raw(part.file("lengths"), np.zeros(n_words, np.int64))


def _encoded(source, vocab: Vocab | None, min_count: int, max_size: int | None, folder: Path, workers: int,
             progress: bool, reading: dict) -> tuple[EncodedCorpus, Vocab]:
    """``source`` as an encoded corpus (encoded into ``folder`` if it is text) and the vocabulary."""
    if isinstance(source, tuple):
        from wordnet_lm.ngram.external import write_encoded

        corpus, corpus_vocab = source
        encoded = write_encoded(corpus, corpus_vocab, folder / "corpus")
        return encoded, vocab or corpus_vocab
    encoded = open_encoded(source)
    if encoded is None:
        from wordnet_lm.text.encode import encode_corpus

        encoded = encode_corpus(source, folder / "corpus", workers=workers, temp=folder, progress=progress,
                                **{k: v for k, v in reading.items() if k in ("tokenizer", "lowercase", "sentences", "encoding")})
    else:
        encoded.check_reading(**reading)
    if vocab is None:
        vocab = _cut_vocab(encoded, min_count, max_size)
        if len(vocab) <= 3:
            raise WordnetLMError(f"{source}: empty vocabulary: no word occurs min_count={min_count} times")
    return encoded, vocab


def _cut_vocab(encoded: EncodedCorpus, min_count: int, max_size: int | None) -> Vocab:
    """``encoded.vocab_with(min_count, max_size)``, as a prefix of the stored vocabulary when the
    corpus was encoded without cut-offs (the encoder's default) and one is asked for; every other
    case (and its refusals) is ``vocab_with``'s."""
    stored_min, stored_max = encoded.header.get("min_count", 1), encoded.header.get("max_size")
    if stored_min <= 1 and stored_max is None and (min_count > 1 or max_size is not None):
        vocab = _prefix_vocab(encoded, min_count, max_size)
        if vocab is not None:
            return vocab
    return encoded.vocab_with(min_count, max_size)


def _prefix_vocab(encoded: EncodedCorpus, min_count: int, max_size: int | None) -> Vocab | None:
    """``EncodedCorpus.vocab_with`` in O(vocabulary) NumPy work when the stored words are in
    count order (as the encoder writes them): the cut-off vocabulary is then a prefix of the
    stored one (its words ordered by count, ties by first occurrence, like ``Vocab.from_counts``)
    and the dropped words' counts go to ``<unk>``; only the stored counts and the prefix's words
    are read.  None if the stored order is not that."""
    counts = np.asarray(encoded.counts)
    freq = counts[3:]
    if np.any(freq[1:] > freq[:-1]):
        return None
    keep = int(np.count_nonzero(freq >= min_count))
    if max_size is not None:
        keep = min(keep, max(int(max_size), 0))
    specials = [int(counts[UNK_ID]) + int(freq[keep:].sum()), int(counts[1]), int(counts[2])]
    words = encoded.vocab_head(3 + keep).words[3:]
    return Vocab(words, np.concatenate([np.array(specials, np.int64), freq[:keep]]))


def _remap(encoded: EncodedCorpus, vocab: Vocab) -> np.ndarray | None:
    """Stored id -> counting id (``EncodedCorpus.remap_to``), without a dictionary lookup per
    word (or the stored words beyond them read) when ``vocab`` is a prefix of the stored vocabulary."""
    n_stored = len(encoded.counts)
    if len(vocab) < n_stored and vocab.words == encoded.vocab_head(len(vocab)).words:
        remap = np.arange(n_stored, dtype=np.int32)
        remap[len(vocab):] = UNK_ID
        return remap
    return encoded.remap_to(vocab)


def _check_overflow(encoded: EncodedCorpus, remap: np.ndarray | None, n_words: int, fixed: FixedPointWeights,
                    count_unk: bool) -> None:
    """Refuse (before counting) a corpus whose most frequent word could overflow an entry."""
    stored = np.asarray(encoded.counts)
    ids = np.arange(len(stored)) if remap is None else remap
    occurrences = np.bincount(ids, weights=stored, minlength=n_words)
    if not count_unk:
        occurrences[UNK_ID] = 0
    if occurrences.max(initial=0) > fixed.max_occurrences():
        raise WordnetLMError(f"a word occurs over {fixed.max_occurrences():,} times: co-occurrence counts with this "
                             f"window and weighting could overflow; use a smaller window")
