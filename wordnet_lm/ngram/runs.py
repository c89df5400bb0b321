"""Bigger-than-memory n-gram counting as map-reduce over files: shards -> sorted runs -> merged
tables, split by ranges of first words.

Map (:func:`count_shard`): one shard of an encoded corpus is counted in memory in chunks
(:func:`count_chunk`, the keys and counts of :func:`wordnet_lm.ngram.counts.count_ngrams`
without its lookup tables), each chunk written as a *run*: for every order its sorted keys
(``context index * V + word``, local to the run; stored as 32-bit low halves and where each
high half starts, :class:`~wordnet_lm.scale.disk.SplitKeys`) and counts (in the narrowest of
uint16, int32, int64 that holds them), and how many of its entries start with each word (what
merging a range of first words will cost, to cut equal ranges).  The map's files are what two
workers on one machine share worst (page-cache writes do not scale), hence the small types.

Reduce (:func:`merge_range`): n-grams are in lexicographic order of their word ids, so the
n-grams starting with words ``a..b-1`` are one contiguous slice of every order of every run,
closed under prefixes.  A range is merged order by order: a run's order ``n - 1`` entries were
given their merged index (a monotone map written while merging that order), which turns the
run's order ``n`` keys into merged keys, still sorted; the runs are then merged block by
block (a k-way merge: take everything up to the smallest last key of the blocks in hand, sort,
sum the counts).  Ranges are independent (tasks on any worker); their parts, in range order, are the global
tables (:class:`wordnet_lm.ngram.streamed.DiskTables` reads them in place as the arrays the
in-memory counter builds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wordnet_lm.errors import TrainingError
from wordnet_lm.heap import phase_task
from wordnet_lm.ngram.counts import ngram_levels, stream_and_room
from wordnet_lm.ngram.sorting import narrowest_index, unique_inverse
from wordnet_lm.scale.disk import DiskArray, SplitKeys
from wordnet_lm.text.vocab import BOS_ID, EOS_ID


@dataclass(frozen=True)
class ShardTask:
    """Count sentences ``first..stop-1`` of the encoded corpus at ``corpus`` into runs of at most
    ``chunk_tokens`` tokens named ``prefix``-0, -1, ...; ids renumbered through the array in the
    ``.npy`` file ``remap`` when given (vocabulary cut-offs).  Only the ids and sentence offsets
    are read (memory-mapped), never the vocabulary."""

    corpus: str
    first: int
    stop: int
    order: int
    vocab_size: int
    remap: str | None
    chunk_tokens: int
    prefix: str


@dataclass(frozen=True)
class Run:
    """A run's files: ``{path}.k{n}`` and ``.k{n}.hi`` (keys, n >= 2), ``{path}.c{n}`` (counts of
    ``count_types[n - 2]``), and per word, only the words the run has (a chunk has a small share
    of a big vocabulary: dense, these were most of the bytes at 256M tokens): ``{path}.c1``
    (unigram counts) and ``{path}.w`` (entries of orders ``2..N`` starting with the word)."""

    path: str
    sizes: tuple[int, ...]  # entries per order (order 1: the vocabulary size)
    n_sentences: int
    n_tokens: int
    count_types: tuple[str, ...]  # of orders 2..N

    def keys(self, n: int) -> SplitKeys:
        return SplitKeys(f"{self.path}.k{n}")

    def counts(self, n: int) -> DiskArray:
        """Order ``n >= 2``'s counts."""
        return DiskArray(f"{self.path}.c{n}", np.dtype(self.count_types[n - 2]))

    def unigram_counts(self) -> np.ndarray:
        """Each word's count in the run (dense, int64)."""
        return _read_per_word(f"{self.path}.c1", self.sizes[0])

    def first_words(self) -> np.ndarray:
        """Entries of orders ``2..N`` starting with each word (dense, int64)."""
        return _read_per_word(f"{self.path}.w", self.sizes[0])

    def files(self) -> list[str]:
        """Every file of the run (removed once the run is merged)."""
        return [f"{self.path}.w", f"{self.path}.c1"] + [str(name) for n in range(2, len(self.sizes) + 1) for name in (
            *self.keys(n).files(), f"{self.path}.c{n}")]


@phase_task()
def count_shard(task: ShardTask) -> list[Run]:
    """Map: the runs of one shard (see the module docstring)."""
    from wordnet_lm.text.encoded import sentence_chunks
    from wordnet_lm.text.vocab import Corpus

    remap = np.load(task.remap) if task.remap is not None else None
    runs = []
    for chunk in sentence_chunks(task.corpus, task.first, task.stop, task.chunk_tokens):
        if remap is not None:
            chunk = Corpus(remap[chunk.ids], chunk.offsets)
        counted = count_chunk(chunk, task.order, task.vocab_size)
        path = f"{task.prefix}-{len(runs)}"
        _write_per_word(f"{path}.c1", counted.counts[0])
        _write_per_word(f"{path}.w", counted.first_words)
        count_types = []
        for n in range(2, task.order + 1):
            SplitKeys.write(f"{path}.k{n}", counted.keys[n - 2])
            counts = counted.counts[n - 1]
            count_types.append(narrowest_count(int(counts.max(initial=0))))
            DiskArray.from_array(f"{path}.c{n}", counts.astype(count_types[-1], copy=False))
        runs.append(Run(path, (task.vocab_size,) + tuple(len(k) for k in counted.keys), chunk.n_sentences,
                        chunk.n_tokens, tuple(np.dtype(t).name for t in count_types)))
        del counted, chunk
    return runs


def _write_per_word(path: str, values: np.ndarray) -> None:
    """The nonzero entries of a per-word array, as int64 ids then values."""
    ids = np.flatnonzero(values)
    np.concatenate([ids, values[ids]]).astype(np.int64).tofile(path)


def _read_per_word(path: str, size: int) -> np.ndarray:
    pairs = np.fromfile(path, np.int64)
    dense = np.zeros(size, np.int64)
    dense[pairs[:len(pairs) // 2]] = pairs[len(pairs) // 2:]
    return dense


def narrowest_count(largest: int) -> type:
    """The file type of counts up to ``largest``: uint16 (most runs' orders: a quarter of int64),
    int32, or int64."""
    for kind in (np.uint16, np.int32):
        if largest <= np.iinfo(kind).max:
            return kind
    return np.int64


@dataclass
class ChunkCounts:
    """The distinct n-grams of a chunk: sorted keys of orders ``2..N``, counts of orders
    ``1..N`` (order 1 dense), and the entries of orders ``2..N`` starting with each word."""

    keys: list[np.ndarray]
    counts: list[np.ndarray]
    first_words: np.ndarray


def count_chunk(chunk, order: int, vocab_size: int) -> ChunkCounts:
    """The counts of one in-memory corpus chunk, as :func:`wordnet_lm.ngram.counts.count_ngrams`
    finds them (one value sort of packed keys per order), without the lookup tables a run does
    not need; sentence markers in the text are refused as there."""
    if chunk.n_tokens and (int(chunk.ids.min()) < 0 or int(chunk.ids.max()) >= vocab_size):
        raise ValueError(f"word ids must lie in [0, {vocab_size})")
    stream, room = stream_and_room(chunk)
    counts = [np.bincount(stream, minlength=vocab_size).astype(np.int64)]
    if counts[0][BOS_ID] != chunk.n_sentences or counts[0][EOS_ID] != chunk.n_sentences:  # beyond the padding
        raise TrainingError("the training text contains the sentence markers <s> or </s> as words; "
                            "they are added around every sentence and cannot occur inside one")
    keys = []
    first_words = np.zeros(vocab_size, np.int64)
    first = None  # the first word of each entry of the previous order (order 1: itself)
    for level in ngram_levels(stream, room, order, vocab_size):
        keys.append(level.keys)
        counts.append(level.counts.astype(np.int64, copy=False))
        context = level.keys // vocab_size
        first = context if first is None else first[context]
        first_words += np.bincount(first, minlength=vocab_size)
    return ChunkCounts(keys, counts, first_words)


@dataclass(frozen=True)
class RangeTask:
    """Merge the n-grams whose first word lies in ``[first_word, stop_word)`` over ``runs``."""

    runs: tuple[Run, ...]
    first_word: int
    stop_word: int
    order: int
    vocab_size: int
    block: int  # entries read from each run at once
    prefix: str  # output: {prefix}.k{n} (keys with range-local contexts), {prefix}.c{n}


@dataclass(frozen=True)
class Part:
    """A merged range: its files and its number of entries per order ``2..N``."""

    prefix: str
    sizes: tuple[int, ...]

    def keys(self, n: int) -> DiskArray:
        return DiskArray(f"{self.prefix}.k{n}", np.int64)

    def counts(self, n: int) -> DiskArray:
        return DiskArray(f"{self.prefix}.c{n}", np.int64)


@phase_task()
def merge_range(task: RangeTask) -> Part:
    """Reduce: merge one range of first words over all runs (see the module docstring)."""
    size = task.vocab_size
    bounds = [(task.first_word, task.stop_word)] * len(task.runs)  # each run's slice of the previous order
    maps: list[DiskArray | None] = [None] * len(task.runs)  # run entry -> merged index, previous order
    sizes = []
    for n in range(2, task.order + 1):
        slices = []
        for r, run in enumerate(task.runs):
            lo, hi = bounds[r]
            keys = run.keys(n)
            slices.append((keys.searchsorted(lo * size), keys.searchsorted(hi * size)))
        out_keys, out_counts = DiskArray.create(f"{task.prefix}.k{n}", np.int64), \
            DiskArray.create(f"{task.prefix}.c{n}", np.int64)
        # run entry -> merged index, read by the next order only (int32 when the range is that small)
        index_type = narrowest_index(sum(hi - lo for lo, hi in slices))
        new_maps = [DiskArray.create(f"{task.prefix}.m{n}.{r}", index_type) if n < task.order else None
                    for r in range(len(task.runs))]
        merged = _merge(task, n, slices, bounds, maps, out_keys, out_counts, new_maps)
        sizes.append(merged)
        for m in maps:
            if m is not None:
                m.path.unlink()
        bounds, maps = slices, new_maps
    return Part(task.prefix, tuple(sizes))


def _merge(task: RangeTask, n: int, slices, previous, maps, out_keys: DiskArray, out_counts: DiskArray,
           new_maps: list[DiskArray | None]) -> int:
    """k-way merge of the runs' order ``n`` slices into ``out_*`` (and each run entry's merged
    index into ``new_maps``, unless None); returns the merged size."""
    size = task.vocab_size
    cursor = [lo for lo, _ in slices]
    run_keys = [run.keys(n) for run in task.runs]  # (their high-half stretches read once, not per block)
    written = 0
    with out_keys.writer() as put_key, out_counts.writer() as put_count:
        writers = [m.writer().__enter__() if m is not None else None for m in new_maps]
        try:
            while True:
                active = [r for r in range(len(slices)) if cursor[r] < slices[r][1]]
                if not active:
                    break
                blocks = {}
                frontier = None
                for r in active:
                    hi = min(cursor[r] + task.block, slices[r][1])
                    run = task.runs[r]
                    keys = run_keys[r].read(cursor[r], hi)
                    if n > 2:  # local context index -> merged index of the previous order
                        context = keys // size
                        base = previous[r][0]
                        window = maps[r].read(int(context[0]) - base, int(context[-1]) - base + 1)
                        keys = window[context - context[0]].astype(np.int64) * size + keys % size
                    blocks[r] = (keys, run.counts(n).read(cursor[r], hi), hi == slices[r][1])
                    if not blocks[r][2]:
                        frontier = keys[-1] if frontier is None else min(frontier, keys[-1])
                taken_keys, taken_counts, takes = [], [], []
                for r in active:
                    keys, counts, last = blocks[r]
                    take = len(keys) if frontier is None else int(np.searchsorted(keys, frontier, side="right"))
                    taken_keys.append(keys[:take])
                    taken_counts.append(counts[:take])
                    takes.append((r, take))
                all_keys = np.concatenate(taken_keys)
                unique, inverse = unique_inverse(all_keys, sorted_runs=True)
                summed = np.bincount(inverse, weights=np.concatenate(taken_counts),
                                     minlength=len(unique)).astype(np.int64)  # exact below 2**53
                put_key(unique)
                put_count(summed)
                at = 0
                for r, take in takes:
                    if writers[r] is not None:
                        writers[r](inverse[at:at + take] + written)
                    at += take
                    cursor[r] += take
                written += len(unique)
        finally:
            for w in writers:
                if w is not None:
                    w.__exit__(None, None, None)
    return written

